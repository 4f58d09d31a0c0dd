// msk/io/time_series.hpp — reading tables of values over time: OpenSim storage files (.sto, .mot)
// and CSV.
//
// OpenSim storage: header lines up to "endheader", then a line of column names (the first is
// "time"), then one row per time, tab- or space-separated. CSV: a first line of comma-separated
// column names (the first is "time"), then rows. Times must increase strictly.
#pragma once

#include <string>
#include <vector>

namespace msk::io {

/// A table of values over time. values is row-major: values[r * columns.size() + c].
struct TimeSeries {
  std::vector<std::string> columns;  ///< column names, time excluded
  std::vector<double> time;          ///< [s], strictly increasing
  std::vector<double> values;        ///< row-major, time.size() x columns.size()
  bool in_degrees = false;           ///< the storage header said inDegrees=yes
  std::string file;                  ///< where it was read from

  std::size_t n_rows() const { return time.size(); }
  std::size_t n_columns() const { return columns.size(); }
  /// Index of a column, -1 when absent.
  int find(const std::string& column) const;
  /// Column c at time t by linear interpolation; before the first time the first row, after the
  /// last time the last row.
  double at(std::size_t column, double t) const;
};

/// Reads a .sto/.mot (OpenSim storage) or .csv file, chosen by the extension (.csv: CSV, else
/// storage).
/// @param max_bytes  largest accepted file [bytes]
/// @throws IoError naming the file and line: unreadable file, no header, a row of the wrong length,
///         a value that is not a finite number, times that do not increase
TimeSeries load_time_series(const std::string& path, std::size_t max_bytes = 64u << 20);

/// Parses storage or CSV text (csv selects the format); `file` names it in errors.
TimeSeries parse_time_series(const std::string& text, bool csv, const std::string& file);

}  // namespace msk::io
