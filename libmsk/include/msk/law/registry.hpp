// msk/law/registry.hpp — laws by name, and which law fills each role by default.
//
// A model file names laws under `laws:` (per muscle, pair or level, or model-wide under
// `law_defaults:`); the loader looks them up here. builtin_laws() holds msk's own laws; an
// application or a test adds its own before loading (docs/guide/extending.md):
//
//   msk::LawRegistry laws = msk::builtin_laws();
//   laws.add<MyFatigueLaw>();
//   msk::LoadOptions options;
//   options.laws = std::make_shared<const msk::LawRegistry>(laws);
//   const msk::Model model = msk::load_model("elbow", options);
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "msk/law/law.hpp"

namespace msk {

class LawRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Law>()>;

  /// Registers a law made by `factory` under its info().name.
  /// @throws InvalidArgument when the name is taken
  void add(const Factory& factory);
  template <class L>
  void add() {
    add([] { return std::make_unique<L>(); });
  }

  /// The law's documentation, or nullptr for an unknown name.
  const LawInfo* find(const std::string& name) const;
  /// A new, empty instance. @throws InvalidArgument for an unknown name (listing the known ones)
  std::unique_ptr<Law> make(const std::string& name) const;
  /// Registered names, sorted.
  std::vector<std::string> names() const;

  /// The law that fills `role` for every entity of `domain` unless a model says otherwise ("none"
  /// leaves the role empty). Roles are the keys of a model file's `laws:` blocks.
  void set_default(LawDomain domain, const std::string& role, const std::string& law);
  /// The default law of a role ("" when the role has no default).
  std::string default_law(LawDomain domain, const std::string& role) const;
  /// Roles with a default in a domain, in the order they were declared.
  std::vector<std::string> default_roles(LawDomain domain) const;

 private:
  std::map<std::string, std::pair<Factory, LawInfo>> laws_;
  std::vector<std::pair<std::pair<LawDomain, std::string>, std::string>> defaults_;
};

/// A registry with msk's laws and default roles (a fresh copy each call; extend it freely).
LawRegistry builtin_laws();

}  // namespace msk
