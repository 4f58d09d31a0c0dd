#include "msk/io/table.hpp"

#include <set>

#include "msk/error.hpp"

namespace msk::io {

std::size_t Column::size() const {
  switch (type) {
    case Type::Float:
      return floats.size();
    case Type::Integer:
    case Type::Bool:
      return integers.size();
    case Type::String:
      return strings.size();
  }
  return 0;
}

Column Column::of_floats(std::string name, std::string units, std::vector<double> values) {
  Column c;
  c.name = std::move(name);
  c.units = std::move(units);
  c.type = Type::Float;
  c.floats = std::move(values);
  return c;
}

Column Column::of_integers(std::string name, std::string units, std::vector<std::int64_t> values) {
  Column c;
  c.name = std::move(name);
  c.units = std::move(units);
  c.type = Type::Integer;
  c.integers = std::move(values);
  return c;
}

Column Column::of_bools(std::string name, std::string units, const std::vector<bool>& values) {
  Column c;
  c.name = std::move(name);
  c.units = std::move(units);
  c.type = Type::Bool;
  c.integers.assign(values.begin(), values.end());
  return c;
}

Column Column::of_strings(std::string name, std::string units, std::vector<std::string> values) {
  Column c;
  c.name = std::move(name);
  c.units = std::move(units);
  c.type = Type::String;
  c.strings = std::move(values);
  return c;
}

const Column* Table::find(const std::string& name) const {
  for (const Column& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

const Column& Table::column(const std::string& name) const {
  if (const Column* c = find(name)) return *c;
  std::string names;
  for (const Column& c : columns)
    names += (names.empty() ? "" : ", ") + c.name;
  throw InvalidArgument("table " + index_name + ": expected a column of " +
                        (names.empty() ? std::string("(none)") : names) + ", got '" + name + "'");
}

void Table::validate(const std::string& what) const {
  auto bad_name = [](const std::string& name) {
    return name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." ||
           name.find('\0') != std::string::npos;
  };
  if (bad_name(index_name))
    throw InvalidArgument(what + ".index_name: expected a non-empty name without '/', got '" +
                          index_name + "'");
  std::set<std::string> seen{index_name};
  for (const Column& c : columns) {
    const std::string where = what + "." + c.name;
    if (bad_name(c.name))
      throw InvalidArgument(what + ": expected column names without '/', got '" + c.name + "'");
    if (!seen.insert(c.name).second)
      throw InvalidArgument(where +
                            ": expected a unique column name (not the index's either), "
                            "got it twice");
    if (c.size() != n_rows())
      throw InvalidArgument(where + ": expected " + std::to_string(n_rows()) +
                            " values (one per row), got " + std::to_string(c.size()));
  }
}

}  // namespace msk::io
