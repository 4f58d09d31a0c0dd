// msk/io/attributes.hpp — the attributes of an HDF5 object (a group's metadata) as plain values.
//
// msk's files store metadata as attributes that are strings, integers or floating-point numbers
// (docs/guide/results_format.md): /meta and /stats of a results file, /meta of an equilibrium file.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace msk::io {

/// One attribute value: a UTF-8 string, an integer (int64) or a floating-point number (float64).
using AttributeValue = std::variant<std::string, std::int64_t, double>;

/// The attributes of one object, in the file's order: creation order when the object tracks it
/// (msk's writers do), else by name. Names are unique.
using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

/// The value of attribute `name`, or nullptr when there is none.
const AttributeValue* find_attribute(const Attributes& attributes, const std::string& name);

/// Sets attribute `name` to `value`: replaces it in place if present, else appends it.
void set_attribute(Attributes& attributes, const std::string& name, AttributeValue value);

}  // namespace msk::io
