// msk/io/table.hpp — a table with named rows and typed columns with units, as msk's equilibrium
// files store the levels, muscles, groups and ligaments of a solved posture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace msk::io {

/// One column of a Table: a name, its units and its values, of one type.
struct Column {
  /// float64, int64, boolean or UTF-8 string values (the HDF5 type of the stored dataset).
  enum class Type { Float, Integer, Bool, String };

  std::string name;   ///< e.g. "compression_N"; non-empty, no '/'
  std::string units;  ///< e.g. "N", "1" for dimensionless, "" for names and flags
  Type type = Type::Float;
  std::vector<double> floats;          ///< the values of a Float column
  std::vector<std::int64_t> integers;  ///< the values of an Integer column, or of a Bool (0 or 1)
  std::vector<std::string> strings;    ///< the values of a String column

  /// Number of values (of the vector the type uses).
  std::size_t size() const;

  static Column of_floats(std::string name, std::string units, std::vector<double> values);
  static Column of_integers(std::string name, std::string units, std::vector<std::int64_t> values);
  static Column of_bools(std::string name, std::string units, const std::vector<bool>& values);
  static Column of_strings(std::string name, std::string units, std::vector<std::string> values);
};

/// Rows named by an index (e.g. the levels "L5-S1", "L4-L5"...) and columns in order.
struct Table {
  std::string index_name;          ///< e.g. "level", "muscle", "group"
  std::vector<std::string> index;  ///< row names, size n_rows()
  std::vector<Column> columns;     ///< each of size n_rows()

  std::size_t n_rows() const { return index.size(); }
  /// The column called `name`, or nullptr.
  const Column* find(const std::string& name) const;
  /// The column called `name`. @throws InvalidArgument naming the columns there are
  const Column& column(const std::string& name) const;
  /// Checks that names are non-empty without '/', unique, and every column has n_rows() values.
  /// @param what  the table's name in messages, e.g. "levels"
  /// @throws InvalidArgument naming the table and the column at fault
  void validate(const std::string& what) const;
};

}  // namespace msk::io
