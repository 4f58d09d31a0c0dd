#include "msk/io/time_series.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "msk/error.hpp"

namespace msk::io {

namespace {

[[noreturn]] void fail(const std::string& file, int line, const std::string& what) {
  throw IoError(file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what);
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& line, bool csv) {
  std::vector<std::string> out;
  if (csv) {
    std::stringstream in(line);
    std::string cell;
    while (std::getline(in, cell, ','))
      out.push_back(trim(cell));
    if (!line.empty() && line.back() == ',') out.push_back("");
  } else {
    std::istringstream in(line);
    std::string cell;
    while (in >> cell)
      out.push_back(cell);
  }
  return out;
}

}  // namespace

int TimeSeries::find(const std::string& column) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == column) return static_cast<int>(c);
  return -1;
}

double TimeSeries::at(std::size_t column, double t) const {
  const std::size_t n = time.size(), m = columns.size();
  if (n == 0 || column >= m) return 0.0;
  if (t <= time.front()) return values[column];
  if (t >= time.back()) return values[(n - 1) * m + column];
  const std::size_t k =
      static_cast<std::size_t>(std::upper_bound(time.begin(), time.end(), t) - time.begin()) - 1;
  const double w = (t - time[k]) / (time[k + 1] - time[k]);
  return (1.0 - w) * values[k * m + column] + w * values[(k + 1) * m + column];
}

TimeSeries parse_time_series(const std::string& text, bool csv, const std::string& file) {
  TimeSeries ts;
  ts.file = file;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  // Storage files: skip the header up to "endheader", noting inDegrees.
  if (!csv) {
    bool ended = false;
    while (std::getline(in, line)) {
      ++line_no;
      const std::string t = trim(line);
      if (t == "endheader") {
        ended = true;
        break;
      }
      std::string key = t;
      key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
      if (key == "inDegrees=yes") ts.in_degrees = true;
    }
    if (!ended) fail(file, 0, "expected an OpenSim storage header ending in 'endheader', got none");
  }
  // Column names.
  std::vector<std::string> names;
  while (names.empty() && std::getline(in, line)) {
    ++line_no;
    names = split(trim(line), csv);
  }
  if (names.empty() || names[0] != "time")
    fail(file, line_no, "expected a header line of column names starting with 'time'");
  ts.columns.assign(names.begin() + 1, names.end());
  // Rows.
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const auto cells = split(trim(line), csv);
    if (cells.size() != names.size())
      fail(file, line_no,
           "expected " + std::to_string(names.size()) + " values, got " +
               std::to_string(cells.size()));
    for (std::size_t c = 0; c < cells.size(); ++c) {
      char* end = nullptr;
      const double v = std::strtod(cells[c].c_str(), &end);
      if (cells[c].empty() || *end != '\0' || !std::isfinite(v))
        fail(file, line_no,
             "expected a finite number in column '" + names[c] + "', got '" + cells[c] + "'");
      if (c == 0) {
        if (!ts.time.empty() && !(v > ts.time.back()))
          fail(file, line_no, "expected increasing times, got " + cells[c]);
        ts.time.push_back(v);
      } else {
        ts.values.push_back(v);
      }
    }
  }
  if (ts.time.empty()) fail(file, line_no, "expected at least one row of values, got none");
  return ts;
}

TimeSeries load_time_series(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, 0, "cannot open the file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) fail(path, 0, "cannot read the file");
  if (static_cast<std::size_t>(size) > max_bytes)
    fail(path, 0,
         "expected at most " + std::to_string(max_bytes) + " bytes, got " + std::to_string(size));
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), size);
  const bool csv = path.size() >= 4 && (path.compare(path.size() - 4, 4, ".csv") == 0 ||
                                        path.compare(path.size() - 4, 4, ".CSV") == 0);
  return parse_time_series(text, csv, path);
}

}  // namespace msk::io
