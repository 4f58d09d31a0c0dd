// load_results: reads a whole "msk-results" file, checking its structure as it goes. Every error
// reads "FILE: OBJECT: expected EXPECTED, got GOT" (OBJECT a dataset path or an attribute).
#include "msk/io/reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "hdf5_io.hpp"

namespace msk::io {

using detail::checked;
using detail::Handle;
using detail::Hdf5Guard;

namespace {

using detail::class_name;
using detail::open_attribute;
using detail::open_object;
using detail::read_number_attribute;
using detail::read_string_attribute;
using detail::read_strings;
using detail::rows_of;
using detail::type_class_of;
using detail::Where;

// ---- the parts of the file ----

void check_format(hid_t file, const std::string& path) {
  const Where format{path, "/@format"};
  if (!detail::has_attribute(file, "format", format)) {
    format.fail("attribute format = 'msk-results'", "nothing (missing): not an msk results file");
  }
  const std::string value = read_string_attribute(file, "format", format);
  if (value != "msk-results") {
    format.fail(
        "attribute format = 'msk-results'",
        "'" + value + "'" +
            (value == "msk-equilibrium" ? " (an equilibrium file: read it with load_equilibria)"
                                        : ""));
  }

  const Where version{path, "/@format_version"};
  Handle attr = open_attribute(file, "format_version", version);
  const H5T_class_t type_class = type_class_of(attr.get(), true, version);
  if (type_class != H5T_INTEGER) version.fail("an integer", class_name(type_class));
  const double number = read_number_attribute(attr.get(), version);
  if (number != 1.0) {
    // The attribute may be any integer type, 128 bits wide or more: cast only what fits.
    std::ostringstream got;
    if (std::abs(number) < 9e18) {
      got << static_cast<long long>(number);
    } else {
      got << number;
    }
    if (number > 1.0) got << " (written by a newer msk: upgrade msk)";
    version.fail("1", got.str());
  }
}

void read_meta(hid_t file, const std::string& path, ResultsData& out) {
  Handle meta = open_object(file, Where{path, "/meta"}, H5I_GROUP);
  out.meta = detail::read_attributes(meta.get(), Where{path, "/meta"});
  for (const auto& [name, value] : out.meta) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      out.meta_strings[name] = *text;
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      out.meta_numbers[name] = static_cast<double>(*integer);
    } else {
      out.meta_numbers[name] = std::get<double>(value);
    }
  }
  const Where version{path, "/@msk_version"};
  if (detail::has_attribute(file, "msk_version", version)) {
    out.msk_version = read_string_attribute(file, "msk_version", version);
  }
}

/// Reads the attributes of the optional /stats group.
void read_stats(hid_t file, const std::string& path, ResultsData& out) {
  if (!detail::object_exists(file, "/stats")) return;
  Handle stats = open_object(file, Where{path, "/stats"}, H5I_GROUP);
  out.stats = detail::read_attributes(stats.get(), Where{path, "/stats"});
}

/// Reads the 1-D floating-point dataset at `object` (absolute path) into doubles.
std::vector<double> read_series(hid_t file, const std::string& path, const std::string& object,
                                Handle* keep_open = nullptr) {
  const Where where{path, object};
  Handle dataset = open_object(file, where, H5I_DATASET);
  const H5T_class_t type_class = type_class_of(dataset.get(), false, where);
  if (type_class != H5T_FLOAT) where.fail("a floating-point dataset", class_name(type_class));
  const hsize_t rows = rows_of(dataset.get(), where);
  detail::require_stored(dataset.get(), rows, sizeof(double), where);
  std::vector<double> values(rows);
  if (!values.empty()) {
    where.check(
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
  }
  if (keep_open != nullptr) *keep_open = std::move(dataset);
  return values;
}

void read_channels(hid_t file, const std::string& path, ResultsData& out) {
  Handle group = open_object(file, Where{path, "/channels"}, H5I_GROUP);
  const Where where{path, "/channels"};
  const std::vector<std::string> names = detail::link_names(group.get(), where);
  // Every channel has as many rows as /time: bound them all together by the file size.
  const double needed = static_cast<double>(out.time.size()) * sizeof(double) *
                        (static_cast<double>(names.size()) + 1.0);
  const double file_bytes = detail::file_size_of(file, where);
  if (needed > detail::readable_bytes(file_bytes)) {
    const double row_bytes = static_cast<double>(out.time.size()) * sizeof(double);
    const auto most = static_cast<long long>(detail::readable_bytes(file_bytes) / row_bytes) - 1;
    where.fail("at most " + std::to_string(most) + " channels of " +
                   std::to_string(out.time.size()) + " rows (what a file of " +
                   std::to_string(static_cast<long long>(file_bytes)) + " bytes can hold)",
               std::to_string(names.size()) + " channels");
  }
  for (const std::string& name : names) {
    const std::string object = "/channels/" + name;
    Handle dataset;
    std::vector<double> values = read_series(file, path, object, &dataset);
    if (values.size() != out.time.size()) {
      Where{path, object}.fail(std::to_string(out.time.size()) + " rows (as /time)",
                               std::to_string(values.size()));
    }
    ChannelInfo info;
    info.name = name;
    info.units = read_string_attribute(dataset.get(), "units", Where{path, object + "@units"});
    if (H5Aexists(dataset.get(), "description") > 0) {
      info.description =
          read_string_attribute(dataset.get(), "description", Where{path, object + "@description"});
    }
    out.channels.push_back(std::move(info));
    out.values.push_back(std::move(values));
  }
}

void read_events(hid_t file, const std::string& path, ResultsData& out) {
  // A file without an /events group (written by a tool that records no events) has none; a
  // group that is there must hold both datasets.
  if (!detail::object_exists(file, "/events")) return;
  out.event_times = read_series(file, path, "/events/time");
  const Where where{path, "/events/label"};
  Handle labels = open_object(file, where, H5I_DATASET);
  const H5T_class_t type_class = type_class_of(labels.get(), false, where);
  if (type_class != H5T_STRING) where.fail("a string dataset", class_name(type_class));
  const hsize_t m = rows_of(labels.get(), where);
  if (m != out.event_times.size()) {
    where.fail(std::to_string(out.event_times.size()) + " labels (as /events/time)",
               std::to_string(m));
  }
  out.event_labels = read_strings(labels.get(), false, m, where);
}

/// Reads /state/<name> for every member of the optional /state group.
void read_states(hid_t file, const std::string& path, ResultsData& out) {
  if (!detail::object_exists(file, "/state")) return;
  Handle group = open_object(file, Where{path, "/state"}, H5I_GROUP);
  for (const std::string& name : detail::link_names(group.get(), Where{path, "/state"})) {
    const std::string object = "/state/" + name;
    Handle sub = open_object(file, Where{path, object}, H5I_GROUP);
    StoredState state;
    Handle attr = open_attribute(sub.get(), "time", Where{path, object + "@time"});
    state.time = read_number_attribute(attr.get(), Where{path, object + "@time"});
    state.values = read_series(file, path, object + "/values");
    const Where where{path, object + "/names"};
    Handle names = open_object(file, where, H5I_DATASET);
    const H5T_class_t type_class = type_class_of(names.get(), false, where);
    if (type_class != H5T_STRING) where.fail("a string dataset", class_name(type_class));
    const hsize_t n = rows_of(names.get(), where);
    if (n != state.values.size())
      where.fail(std::to_string(state.values.size()) + " names (as values)", std::to_string(n));
    state.names = read_strings(names.get(), false, n, where);
    out.states[name] = std::move(state);
  }
}

}  // namespace

ResultsData load_results(const std::string& path) {
  Hdf5Guard guard;
  Handle file = detail::open_file_for_reading(path);
  ResultsData out;
  check_format(file.get(), path);
  read_meta(file.get(), path, out);
  out.time = read_series(file.get(), path, "/time");
  read_channels(file.get(), path, out);
  read_events(file.get(), path, out);
  read_states(file.get(), path, out);
  read_stats(file.get(), path, out);
  return out;
}

}  // namespace msk::io
