#include "msk/io/attributes.hpp"

namespace msk::io {

const AttributeValue* find_attribute(const Attributes& attributes, const std::string& name) {
  for (const auto& [key, value] : attributes)
    if (key == name) return &value;
  return nullptr;
}

void set_attribute(Attributes& attributes, const std::string& name, AttributeValue value) {
  for (auto& [key, old] : attributes) {
    if (key == name) {
      old = std::move(value);
      return;
    }
  }
  attributes.emplace_back(name, std::move(value));
}

}  // namespace msk::io
