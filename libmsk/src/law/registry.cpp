#include "msk/law/registry.hpp"

#include <algorithm>

#include "msk/error.hpp"
#include "msk/laws/muscle/activation.hpp"
#include "msk/laws/muscle/passive_creep.hpp"
#include "msk/laws/muscle/tendon.hpp"
#include "msk/laws/muscle/tendon_creep.hpp"
#include "msk/laws/muscle/thixotropy.hpp"
#include "msk/laws/muscle/viscoelasticity.hpp"
#include "msk/laws/neural/habituation.hpp"
#include "msk/laws/neural/post_activation_depression.hpp"
#include "msk/laws/neural/reciprocal_inhibition.hpp"
#include "msk/laws/neural/stretch_depression.hpp"
#include "msk/laws/neural/stretch_reflex.hpp"
#include "msk/laws/neural/stretch_tolerance.hpp"
#include "msk/laws/spine/abdominal_pressure.hpp"
#include "msk/laws/spine/disc_fluid.hpp"

namespace msk {

void LawRegistry::add(const Factory& factory) {
  const std::unique_ptr<Law> law = factory();
  if (!law) throw InvalidArgument("LawRegistry::add: the factory made no law");
  const LawInfo& info = law->info();
  if (info.name.empty() || info.name == "none")
    throw InvalidArgument("LawRegistry::add: expected a law name other than '' and 'none', got '" +
                          info.name + "'");
  if (laws_.count(info.name))
    throw InvalidArgument("LawRegistry::add: a law named '" + info.name + "' is registered");
  laws_.emplace(info.name, std::make_pair(factory, info));
}

const LawInfo* LawRegistry::find(const std::string& name) const {
  const auto it = laws_.find(name);
  return it == laws_.end() ? nullptr : &it->second.second;
}

std::unique_ptr<Law> LawRegistry::make(const std::string& name) const {
  const auto it = laws_.find(name);
  if (it == laws_.end()) {
    std::string known;
    for (const auto& kv : laws_)
      known += (known.empty() ? "" : ", ") + kv.first;
    throw InvalidArgument("law: expected one of " + known + ", got '" + name + "'");
  }
  return it->second.first();
}

std::vector<std::string> LawRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& kv : laws_)
    out.push_back(kv.first);
  return out;
}

void LawRegistry::set_default(LawDomain domain, const std::string& role, const std::string& law) {
  if (law != "none" && !find(law))
    throw InvalidArgument("LawRegistry::set_default: no law named '" + law + "'");
  for (auto& entry : defaults_)
    if (entry.first.first == domain && entry.first.second == role) {
      entry.second = law;
      return;
    }
  defaults_.push_back({{domain, role}, law});
}

std::string LawRegistry::default_law(LawDomain domain, const std::string& role) const {
  for (const auto& entry : defaults_)
    if (entry.first.first == domain && entry.first.second == role) return entry.second;
  return "";
}

std::vector<std::string> LawRegistry::default_roles(LawDomain domain) const {
  std::vector<std::string> out;
  for (const auto& entry : defaults_)
    if (entry.first.first == domain) out.push_back(entry.first.second);
  return out;
}

LawRegistry builtin_laws() {
  LawRegistry r;
  r.add<laws::FirstOrderActivation>();
  r.add<laws::RigidTendon>();
  r.add<laws::CompliantTendon>();
  r.add<laws::TendonCreep>();
  r.add<laws::QlvViscoelasticity>();
  r.add<laws::PassiveCreep>();
  r.add<laws::Thixotropy>();
  r.add<laws::TonicStretchReflex>();
  r.add<laws::PostActivationDepression>();
  r.add<laws::StretchReflexDepression>();
  r.add<laws::PosturalHabituation>();
  r.add<laws::StretchTolerance>();
  r.add<laws::ReciprocalInhibition>();
  r.add<laws::DiscFluidOsmotic>();
  r.add<laws::AbdominalPressure>();
  // Default roles, in the order a muscle's laws are attached. The tendon role's law follows the
  // muscle's `tendon:` key (rigid or compliant).
  r.set_default(LawDomain::Muscle, "activation", "first_order_activation");
  r.set_default(LawDomain::Muscle, "tendon", "rigid_tendon");
  r.set_default(LawDomain::Muscle, "reflex", "tonic_stretch_reflex");
  r.set_default(LawDomain::Muscle, "depression", "post_activation_depression");
  r.set_default(LawDomain::Muscle, "habituation", "postural_habituation");
  r.set_default(LawDomain::Muscle, "viscoelasticity", "qlv_viscoelasticity");
  r.set_default(LawDomain::Muscle, "thixotropy", "none");
  // The mechanisms of a stretching or PIR session (docs/theory/pir.md).
  r.set_default(LawDomain::Muscle, "tendon_creep", "tendon_creep");
  r.set_default(LawDomain::Muscle, "passive_creep", "passive_creep");
  r.set_default(LawDomain::Muscle, "stretch_depression", "stretch_reflex_depression");
  r.set_default(LawDomain::Muscle, "tolerance", "stretch_tolerance");
  r.set_default(LawDomain::Pair, "inhibition", "reciprocal_inhibition");
  r.set_default(LawDomain::Segment, "fluid", "disc_fluid_osmotic");
  return r;
}

}  // namespace msk
