// load_results: reads a whole "msk-results" file, checking its structure as it goes. Every error
// reads "FILE: OBJECT: expected EXPECTED, got GOT" (OBJECT a dataset path or an attribute).
#include "msk/io/reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "hdf5_handle.hpp"

namespace msk::io {

using detail::checked;
using detail::Handle;
using detail::Hdf5Guard;

namespace {

/// Where we are: the file and the object (dataset path, or "path@attribute") being read.
struct Where {
  const std::string& file;
  std::string object;

  [[noreturn]] void fail(const std::string& expected, const std::string& got) const {
    throw IoError(file + ": " + object + ": expected " + expected + ", got " + got);
  }
  /// Throws IoError "FILE: OBJECT: cannot read (HDF5: ...)" when an HDF5 call failed.
  void check(herr_t status) const { detail::check(status, file + ": " + object + ": cannot read"); }
  Handle checked(hid_t id, Handle::Closer closer) const {
    return detail::checked(id, closer, file + ": " + object + ": cannot read");
  }
};

std::string class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER:
      return "an integer";
    case H5T_FLOAT:
      return "a float";
    case H5T_STRING:
      return "a string";
    case H5T_COMPOUND:
      return "a compound";
    case H5T_ENUM:
      return "an enum";
    case H5T_ARRAY:
      return "an array type";
    case H5T_VLEN:
      return "a variable-length sequence";
    default:
      return "another type";
  }
}

// ---- opening ----

Handle open_file(const std::string& path) {
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
      throw IoError(path + ": cannot open: no such file");
    }
    if (std::filesystem::is_directory(path, ignored)) {
      throw IoError(path + ": cannot open: is a directory");
    }
    detail::throw_io_error(path + ": cannot open");
  }
  if (is_hdf5 == 0) throw IoError(path + ": cannot open: not an HDF5 file");
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                 path + ": cannot open");
}

/// Opens the object at `object` (an absolute path), which must exist and be a dataset or group.
Handle open_object(hid_t file, const Where& where, H5I_type_t kind) {
  const char* what = kind == H5I_DATASET ? "a dataset" : "a group";
  const htri_t exists = H5Lexists(file, where.object.c_str(), H5P_DEFAULT);
  if (exists <= 0) where.fail(what, "nothing (missing)");
  Handle object = where.checked(H5Oopen(file, where.object.c_str(), H5P_DEFAULT), H5Oclose);
  const H5I_type_t got = H5Iget_type(object.get());
  if (got != kind) {
    where.fail(what, got == H5I_GROUP     ? "a group"
                     : got == H5I_DATASET ? "a dataset"
                                          : "a named datatype");
  }
  return object;
}

// ---- datatypes and shapes ----

H5T_class_t type_class_of(hid_t obj, bool is_attribute, const Where& where) {
  Handle type = where.checked(is_attribute ? H5Aget_type(obj) : H5Dget_type(obj), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class == H5T_NO_CLASS) where.check(-1);
  return type_class;
}

/// Number of elements of a 1-D dataset; throws unless the dataset is 1-D.
hsize_t rows_of(hid_t dataset, const Where& where) {
  Handle space = where.checked(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) where.check(-1);
  if (rank != 1) where.fail("a 1-D dataset", "rank " + std::to_string(rank));
  hsize_t rows = 0;
  where.check(H5Sget_simple_extent_dims(space.get(), &rows, nullptr));
  return rows;
}

/// How many bytes the values read from a file of `file_bytes` bytes may take in memory. A corrupt
/// or hostile file can declare a dataset of 2^60 rows in a few bytes (unwritten chunks read as fill
/// values, a contiguous layout claims any size), and reading it would exhaust the memory; the rows
/// a writer really wrote take room in the file. Compressed chunks expand at most about 1032:1
/// (deflate), so the bound is 1100 times the file size, plus 1 MiB for the chunks a run killed
/// during a flush had not yet written.
double readable_bytes(double file_bytes) {
  return file_bytes * 1100.0 + 1048576.0;
}

double file_size_of(hid_t obj, const Where& where) {
  Handle file = where.checked(H5Iget_file_id(obj), H5Fclose);
  hsize_t size = 0;
  where.check(H5Fget_filesize(file.get(), &size));
  return static_cast<double>(size);
}

/// Throws unless `rows` elements of `element_bytes` each can come from what the dataset stores:
/// no more than readable_bytes() of the smaller of its storage size and the file size.
void require_stored(hid_t dataset, hsize_t rows, std::size_t element_bytes, const Where& where) {
  const double stored =
      std::min(static_cast<double>(H5Dget_storage_size(dataset)), file_size_of(dataset, where));
  const double needed = static_cast<double>(rows) * static_cast<double>(element_bytes);
  if (needed > readable_bytes(stored)) {
    const auto most =
        static_cast<long long>(readable_bytes(stored) / static_cast<double>(element_bytes));
    where.fail("at most " + std::to_string(most) + " rows (what its " +
                   std::to_string(static_cast<long long>(stored)) + " stored bytes can hold)",
               std::to_string(rows) + " rows");
  }
}

/// Throws unless the attribute holds exactly one element (scalar or shape (1,)).
void require_single_element(hid_t attr, const Where& where) {
  Handle space = where.checked(H5Aget_space(attr), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) where.check(-1);
  if (n != 1) where.fail("a single value", std::to_string(n) + " values");
}

// ---- strings ----

/// Copies one fixed-length string element of `size` bytes, dropping its padding: trailing
/// spaces for space-padded strings, everything from the first NUL otherwise.
std::string from_fixed(const char* data, std::size_t size, H5T_str_t pad) {
  std::string text(data, size);
  if (pad == H5T_STR_SPACEPAD) {
    const std::size_t end = text.find_last_not_of(' ');
    return end == std::string::npos ? std::string() : text.substr(0, end + 1);
  }
  return text.substr(0, text.find('\0'));
}

/// The memory type to read strings of file type `file_type` with: for variable-length strings a
/// variable-length C string of the same character set; for fixed-length ones the file type
/// itself, so that no padding conversion can cut a character.
Handle string_mem_type(hid_t file_type, const Where& where) {
  const htri_t vlen = H5Tis_variable_str(file_type);
  where.check(vlen);
  if (vlen == 0) return where.checked(H5Tcopy(file_type), H5Tclose);
  Handle mem = where.checked(H5Tcopy(H5T_C_S1), H5Tclose);
  where.check(H5Tset_size(mem.get(), H5T_VARIABLE));
  where.check(H5Tset_cset(mem.get(), H5Tget_cset(file_type)));
  return mem;
}

/// Frees the strings HDF5 allocated when reading variable-length strings into `buffer`.
class VlenReclaimer {
 public:
  VlenReclaimer(hid_t mem_type, hid_t mem_space, void* buffer)
      : mem_type_(mem_type), mem_space_(mem_space), buffer_(buffer) {}
  ~VlenReclaimer() {
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(mem_type_, mem_space_, H5P_DEFAULT, buffer_);
#else
    H5Dvlen_reclaim(mem_type_, mem_space_, H5P_DEFAULT, buffer_);
#endif
  }
  VlenReclaimer(const VlenReclaimer&) = delete;
  VlenReclaimer& operator=(const VlenReclaimer&) = delete;

 private:
  hid_t mem_type_;
  hid_t mem_space_;
  void* buffer_;
};

/// Largest fixed-length string attribute read (the length is declared by the file, which may be
/// corrupt; msk writes variable-length strings).
constexpr std::size_t kMaxFixedAttributeBytes = 64u << 20;

/// Reads n strings from an attribute or dataset whose file type is a string type.
std::vector<std::string> read_strings(hid_t obj, bool is_attribute, std::size_t n,
                                      const Where& where) {
  Handle file_type = where.checked(is_attribute ? H5Aget_type(obj) : H5Dget_type(obj), H5Tclose);
  Handle mem_type = string_mem_type(file_type.get(), where);
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  const hsize_t dims = n;
  Handle mem_space = where.checked(H5Screate_simple(1, &dims, nullptr), H5Sclose);
  auto read = [&](void* buffer) {
    where.check(is_attribute
                    ? H5Aread(obj, mem_type.get(), buffer)
                    : H5Dread(obj, mem_type.get(), mem_space.get(), H5S_ALL, H5P_DEFAULT, buffer));
  };
  if (H5Tis_variable_str(file_type.get()) > 0) {
    std::vector<char*> buffer(n, nullptr);
    read(buffer.data());
    const VlenReclaimer reclaimer(mem_type.get(), mem_space.get(), buffer.data());
    for (const char* text : buffer) {
      out.emplace_back(text != nullptr ? text : "");
    }
  } else {
    const std::size_t size = H5Tget_size(file_type.get());
    if (size == 0) where.check(-1);
    if (is_attribute && size > kMaxFixedAttributeBytes) {
      where.fail("a string of at most " + std::to_string(kMaxFixedAttributeBytes) + " bytes",
                 std::to_string(size) + " bytes");
    }
    if (!is_attribute) require_stored(obj, n, size, where);
    const H5T_str_t pad = H5Tget_strpad(file_type.get());
    std::vector<char> buffer(n * size);
    read(buffer.data());
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(from_fixed(&buffer[i * size], size, pad));
    }
  }
  return out;
}

// ---- attributes ----

/// Opens obj@name, which must exist; `where` names it in errors.
Handle open_attribute(hid_t obj, const std::string& name, const Where& where) {
  const htri_t exists = H5Aexists(obj, name.c_str());
  where.check(exists);
  if (exists == 0) where.fail("an attribute", "nothing (missing)");
  return where.checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
}

std::string read_string_attribute(hid_t obj, const std::string& name, const Where& where) {
  Handle attr = open_attribute(obj, name, where);
  require_single_element(attr.get(), where);
  const H5T_class_t type_class = type_class_of(attr.get(), true, where);
  if (type_class != H5T_STRING) where.fail("a string", class_name(type_class));
  return read_strings(attr.get(), true, 1, where).front();
}

/// Refuses a numeric attribute type that HDF5 1.10 cannot convert safely: wider than 64 bits
/// (msk writes none), or whose bit field (offset + precision) does not fit in its size, a corrupt
/// type that HDF5 1.12 refuses but 1.10 converts with a stack overflow in H5T__bit_get_d (found
/// by fuzzing: tests/fuzz/corpus/results_reader/regression_format_version_overflow.h5).
void require_convertible_number(hid_t attr, const Where& where) {
  Handle type = where.checked(H5Aget_type(attr), H5Tclose);
  const std::size_t size = H5Tget_size(type.get());
  if (size == 0) where.check(-1);
  if (size > 8) where.fail("a number of at most 64 bits", std::to_string(8 * size) + " bits");
  const std::size_t precision = H5Tget_precision(type.get());
  const int offset = H5Tget_offset(type.get());
  if (precision == 0 || offset < 0) where.check(-1);
  if (static_cast<std::size_t>(offset) + precision > 8 * size)
    where.fail("a number type whose bits fit in its size",
               "offset " + std::to_string(offset) + " + precision " + std::to_string(precision) +
                   " bits in " + std::to_string(8 * size) + " bits");
}

/// Reads a scalar numeric (integer or float) attribute, converted to double.
double read_number_attribute(hid_t attr, const Where& where) {
  require_single_element(attr, where);
  require_convertible_number(attr, where);
  double value = 0.0;
  where.check(H5Aread(attr, H5T_NATIVE_DOUBLE, &value));
  return value;
}

/// Names of all attributes of obj, by name.
std::vector<std::string> attribute_names(hid_t obj, const Where& where) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    try {
      static_cast<std::vector<std::string>*>(data)->emplace_back(name);
      return 0;
    } catch (...) {
      return -1;  // never let an exception cross the C library
    }
  };
  where.check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names));
  return names;
}

// ---- the parts of the file ----

void check_format(hid_t file, const std::string& path) {
  const Where format{path, "/@format"};
  const std::string value = read_string_attribute(file, "format", format);
  if (value != "msk-results") format.fail("\"msk-results\"", "\"" + value + "\"");

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
    version.fail("1", got.str());
  }
}

void read_meta(hid_t file, const std::string& path, ResultsData& out) {
  Handle meta = open_object(file, Where{path, "/meta"}, H5I_GROUP);
  for (const std::string& name : attribute_names(meta.get(), Where{path, "/meta"})) {
    const Where where{path, "/meta@" + name};
    Handle attr = where.checked(H5Aopen(meta.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
    const H5T_class_t type_class = type_class_of(attr.get(), true, where);
    if (type_class == H5T_STRING) {
      out.meta_strings[name] = read_string_attribute(meta.get(), name, where);
    } else if (type_class == H5T_INTEGER || type_class == H5T_FLOAT) {
      out.meta_numbers[name] = read_number_attribute(attr.get(), where);
    } else {
      where.fail("a string or a number", class_name(type_class));
    }
  }
}

/// Reads the 1-D floating-point dataset at `object` (absolute path) into doubles.
std::vector<double> read_series(hid_t file, const std::string& path, const std::string& object,
                                Handle* keep_open = nullptr) {
  const Where where{path, object};
  Handle dataset = open_object(file, where, H5I_DATASET);
  const H5T_class_t type_class = type_class_of(dataset.get(), false, where);
  if (type_class != H5T_FLOAT) where.fail("a floating-point dataset", class_name(type_class));
  const hsize_t rows = rows_of(dataset.get(), where);
  require_stored(dataset.get(), rows, sizeof(double), where);
  std::vector<double> values(rows);
  if (!values.empty()) {
    where.check(
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
  }
  if (keep_open != nullptr) *keep_open = std::move(dataset);
  return values;
}

/// Names of the links in /channels: in creation order when the group tracks it (files written
/// by Recorder do), else by name.
std::vector<std::string> channel_names(hid_t group, const Where& where) {
  Handle gcpl = where.checked(H5Gget_create_plist(group), H5Pclose);
  unsigned order_flags = 0;
  where.check(H5Pget_link_creation_order(gcpl.get(), &order_flags));
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  H5G_info_t info;
  where.check(H5Gget_info(group, &info));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size =
        H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) where.check(-1);
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    where.check(static_cast<herr_t>(H5Lget_name_by_idx(group, ".", index, H5_ITER_INC, i,
                                                       name.data(), name.size(), H5P_DEFAULT)));
    name.resize(static_cast<std::size_t>(size));
    names.push_back(name);
  }
  return names;
}

void read_channels(hid_t file, const std::string& path, ResultsData& out) {
  Handle group = open_object(file, Where{path, "/channels"}, H5I_GROUP);
  const Where where{path, "/channels"};
  const std::vector<std::string> names = channel_names(group.get(), where);
  // Every channel has as many rows as /time: bound them all together by the file size.
  const double needed = static_cast<double>(out.time.size()) * sizeof(double) *
                        (static_cast<double>(names.size()) + 1.0);
  const double file_bytes = file_size_of(file, where);
  if (needed > readable_bytes(file_bytes)) {
    const double row_bytes = static_cast<double>(out.time.size()) * sizeof(double);
    const auto most = static_cast<long long>(readable_bytes(file_bytes) / row_bytes) - 1;
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
  const htri_t has = H5Lexists(file, "state", H5P_DEFAULT);
  if (has <= 0) return;
  Handle group = open_object(file, Where{path, "/state"}, H5I_GROUP);
  for (const std::string& name : channel_names(group.get(), Where{path, "/state"})) {
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
  Handle file = open_file(path);
  ResultsData out;
  check_format(file.get(), path);
  read_meta(file.get(), path, out);
  out.time = read_series(file.get(), path, "/time");
  read_channels(file.get(), path, out);
  read_events(file.get(), path, out);
  read_states(file.get(), path, out);
  return out;
}

}  // namespace msk::io
