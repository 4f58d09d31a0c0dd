// Checked reading and writing of HDF5 objects (see hdf5_io.hpp).
#include "hdf5_io.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

namespace msk::io::detail {

// ---- Where ----

void Where::fail(const std::string& expected, const std::string& got) const {
  throw IoError(file + ": " + object + ": expected " + expected + ", got " + got);
}

void Where::check(herr_t status) const {
  detail::check(status, file + ": " + object + ": cannot read");
}

Handle Where::checked(hid_t id, Handle::Closer closer) const {
  return detail::checked(id, closer, file + ": " + object + ": cannot read");
}

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

Handle open_file_for_reading(const std::string& path) {
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
      throw IoError(path + ": cannot open: no such file");
    }
    if (std::filesystem::is_directory(path, ignored)) {
      throw IoError(path + ": cannot open: is a directory");
    }
    throw_io_error(path + ": cannot open");
  }
  if (is_hdf5 == 0) throw IoError(path + ": cannot open: not an HDF5 file");
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                 path + ": cannot open");
}

bool object_exists(hid_t file, const std::string& object) {
  // H5Lexists fails (rather than returning false) when an intermediate part is missing: walk.
  std::string prefix;
  std::size_t start = 1;
  while (start <= object.size()) {
    const std::size_t slash = object.find('/', start);
    prefix = object.substr(0, slash == std::string::npos ? object.size() : slash);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

Handle open_object(hid_t file, const Where& where, H5I_type_t kind) {
  const char* what = kind == H5I_DATASET ? "a dataset" : "a group";
  if (!object_exists(file, where.object)) where.fail(what, "nothing (missing)");
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

std::vector<hsize_t> dims_of(hid_t dataset, const Where& where) {
  Handle space = where.checked(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) where.check(-1);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) where.check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr));
  return dims;
}

hsize_t rows_of(hid_t dataset, const Where& where) {
  const std::vector<hsize_t> dims = dims_of(dataset, where);
  if (dims.size() != 1) where.fail("a 1-D dataset", "rank " + std::to_string(dims.size()));
  return dims[0];
}

double readable_bytes(double file_bytes) {
  return file_bytes * 1100.0 + 1048576.0;
}

double file_size_of(hid_t obj, const Where& where) {
  Handle file = where.checked(H5Iget_file_id(obj), H5Fclose);
  hsize_t size = 0;
  where.check(H5Fget_filesize(file.get(), &size));
  return static_cast<double>(size);
}

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

namespace {

/// Throws unless the attribute holds exactly one element (scalar or shape (1,)).
void require_single_element(hid_t attr, const Where& where) {
  Handle space = where.checked(H5Aget_space(attr), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) where.check(-1);
  if (n != 1) where.fail("a single value", std::to_string(n) + " values");
}

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

/// Whether `type` is a boolean as h5py writes numpy bools: an enum on an integer whose members
/// are FALSE = 0 and TRUE = 1.
bool is_bool_enum(hid_t type) {
  if (H5Tget_class(type) != H5T_ENUM || H5Tget_nmembers(type) != 2) return false;
  for (unsigned i = 0; i < 2; ++i) {
    char* name = H5Tget_member_name(type, i);
    if (name == nullptr) return false;
    const std::string member(name);
    H5free_memory(name);
    if (member != "FALSE" && member != "TRUE") return false;
  }
  return true;
}

}  // namespace

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

Handle open_attribute(hid_t obj, const std::string& name, const Where& where) {
  if (!has_attribute(obj, name, where)) where.fail("an attribute", "nothing (missing)");
  return where.checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
}

bool has_attribute(hid_t obj, const std::string& name, const Where& where) {
  const htri_t exists = H5Aexists(obj, name.c_str());
  where.check(exists);
  return exists > 0;
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

double read_number_attribute(hid_t attr, const Where& where) {
  require_single_element(attr, where);
  require_convertible_number(attr, where);
  double value = 0.0;
  where.check(H5Aread(attr, H5T_NATIVE_DOUBLE, &value));
  return value;
}

AttributeValue read_attribute_value(hid_t obj, const std::string& name, const Where& where) {
  Handle attr = open_attribute(obj, name, where);
  Handle type = where.checked(H5Aget_type(attr.get()), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class == H5T_STRING) return read_string_attribute(obj, name, where);
  if (type_class == H5T_FLOAT) return read_number_attribute(attr.get(), where);
  if (type_class == H5T_INTEGER || (type_class == H5T_ENUM && is_bool_enum(type.get()))) {
    require_single_element(attr.get(), where);
    // Integers that fit int64 exactly; unsigned 64-bit values beyond it as doubles (wider types
    // are refused: require_convertible_number).
    Handle base = type_class == H5T_ENUM ? where.checked(H5Tget_super(type.get()), H5Tclose)
                                         : where.checked(H5Tcopy(type.get()), H5Tclose);
    const bool is_signed = H5Tget_sign(base.get()) == H5T_SGN_2;
    const std::size_t size = H5Tget_size(base.get());
    if (type_class == H5T_INTEGER && (size > 8 || (!is_signed && size == 8))) {
      const double value = read_number_attribute(attr.get(), where);
      if (value >= -9.2e18 && value <= 9.2e18) return static_cast<std::int64_t>(value);
      return value;
    }
    if (type_class == H5T_ENUM) {
      // Read the enum's raw integer in its own type, then convert it from the base type.
      std::vector<unsigned char> buffer(std::max(H5Tget_size(type.get()), sizeof(std::int64_t)));
      where.check(H5Aread(attr.get(), type.get(), buffer.data()));
      where.check(H5Tconvert(base.get(), H5T_NATIVE_INT64, 1, buffer.data(), nullptr, H5P_DEFAULT));
      std::int64_t value = 0;
      std::memcpy(&value, buffer.data(), sizeof value);
      return value;
    }
    require_convertible_number(attr.get(), where);
    std::int64_t value = 0;
    where.check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value));
    return value;
  }
  where.fail("a string or a number", class_name(type_class));
}

Attributes read_attributes(hid_t obj, const Where& where) {
  // Creation order when the object tracks it (h5py's track_order, msk's writers), else by name.
  const H5I_type_t kind = H5Iget_type(obj);
  Handle cpl = where.checked(kind == H5I_FILE      ? H5Fget_create_plist(obj)
                             : kind == H5I_DATASET ? H5Dget_create_plist(obj)
                                                   : H5Gget_create_plist(obj),
                             H5Pclose);
  unsigned order_flags = 0;
  where.check(H5Pget_attr_creation_order(cpl.get(), &order_flags));
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_TRACKED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    try {
      static_cast<std::vector<std::string>*>(data)->emplace_back(name);
      return 0;
    } catch (...) {
      return -1;  // never let an exception cross the C library
    }
  };
  where.check(H5Aiterate2(obj, index, H5_ITER_INC, nullptr, collect, &names));
  Attributes out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    const Where at{where.file, where.object + "@" + name};
    out.emplace_back(name, read_attribute_value(obj, name, at));
  }
  return out;
}

std::vector<std::string> link_names(hid_t group, const Where& where) {
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

namespace {

hsize_t product(const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : dims)
    n *= d;
  return n;
}

}  // namespace

std::vector<double> read_doubles(hid_t dataset, const Where& where, std::vector<hsize_t>& dims) {
  const H5T_class_t type_class = type_class_of(dataset, false, where);
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
    where.fail("a numeric dataset", class_name(type_class));
  dims = dims_of(dataset, where);
  const hsize_t n = product(dims);
  require_stored(dataset, n, sizeof(double), where);
  std::vector<double> values(n);
  if (n > 0) {
    where.check(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
  }
  return values;
}

std::vector<std::int64_t> read_integers(hid_t dataset, const Where& where,
                                        std::vector<hsize_t>& dims) {
  Handle type = where.checked(H5Dget_type(dataset), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(type.get());
  const bool is_bool = type_class == H5T_ENUM && is_bool_enum(type.get());
  if (type_class != H5T_INTEGER && !is_bool)
    where.fail("an integer dataset", class_name(type_class));
  dims = dims_of(dataset, where);
  const hsize_t n = product(dims);
  require_stored(dataset, n, sizeof(std::int64_t), where);
  std::vector<std::int64_t> values(n, 0);
  if (n == 0) return values;
  if (!is_bool) {
    where.check(H5Dread(dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
    return values;
  }
  // A boolean enum: read its raw integers in the file's base type, then widen them.
  Handle base = where.checked(H5Tget_super(type.get()), H5Tclose);
  const std::size_t size = H5Tget_size(type.get());
  std::vector<unsigned char> raw(n * size);
  where.check(H5Dread(dataset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()));
  raw.resize(n * std::max(size, sizeof(std::int64_t)));
  where.check(H5Tconvert(base.get(), H5T_NATIVE_INT64, n, raw.data(), nullptr, H5P_DEFAULT));
  std::copy_n(reinterpret_cast<const std::int64_t*>(raw.data()), n, values.data());
  return values;
}

// ---- writing ----

Handle make_ordered_fcpl(const std::string& context) {
  Handle fcpl = checked(H5Pcreate(H5P_FILE_CREATE), H5Pclose, context);
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        context);
  check(H5Pset_attr_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        context);
  return fcpl;
}

Handle make_ordered_gcpl(const std::string& context) {
  Handle gcpl = checked(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, context);
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        context);
  check(H5Pset_attr_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        context);
  return gcpl;
}

Handle make_earliest_fapl(const std::string& context) {
  Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, context);
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18), context);
  return fapl;
}

Handle create_ordered_group(hid_t loc, const std::string& name, const std::string& context) {
  Handle gcpl = make_ordered_gcpl(context);
  return checked(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
                 context);
}

void write_scalar_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                            const void* data, const std::string& context) {
  const htri_t exists = H5Aexists(obj, name.c_str());
  check(exists, context);
  if (exists > 0) check(H5Adelete(obj, name.c_str()), context);
  Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, context);
  Handle attr =
      checked(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, context);
  check(H5Awrite(attr.get(), mem_type, data), context);
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const std::string& context) {
  Handle type = make_vlen_utf8_type(context);
  const char* data = value.c_str();
  write_scalar_attribute(obj, name, type.get(), type.get(), &data, context);
}

void write_double_attribute(hid_t obj, const std::string& name, double value,
                            const std::string& context) {
  write_scalar_attribute(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, context);
}

void write_integer_attribute(hid_t obj, const std::string& name, std::int64_t value,
                             const std::string& context) {
  write_scalar_attribute(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, context);
}

Handle make_bool_type(const std::string& context) {
  Handle type = checked(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose, context);
  const std::int8_t no = 0;
  const std::int8_t yes = 1;
  check(H5Tenum_insert(type.get(), "FALSE", &no), context);
  check(H5Tenum_insert(type.get(), "TRUE", &yes), context);
  return type;
}

void write_bool_attribute(hid_t obj, const std::string& name, bool value,
                          const std::string& context) {
  Handle type = make_bool_type(context);
  const std::int8_t data = value ? 1 : 0;
  write_scalar_attribute(obj, name, type.get(), type.get(), &data, context);
}

void write_attribute_value(hid_t obj, const std::string& name, const AttributeValue& value,
                           const std::string& context) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    write_string_attribute(obj, name, *text, context);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    write_integer_attribute(obj, name, *integer, context);
  } else {
    write_double_attribute(obj, name, std::get<double>(value), context);
  }
}

namespace {

/// Creates loc/name as a contiguous dataset of `file_type` and shape `dims` and writes `data`.
Handle write_dataset(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                     const std::vector<hsize_t>& dims, const void* data,
                     const std::string& context) {
  Handle space = checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                         H5Sclose, context);
  Handle dataset = checked(
      H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, context);
  if (product(dims) > 0) {
    check(H5Dwrite(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), context);
  }
  return dataset;
}

}  // namespace

Handle write_double_dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                            const double* values, const std::string& context) {
  return write_dataset(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, values, context);
}

Handle write_integer_dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                             const std::int64_t* values, const std::string& context) {
  return write_dataset(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, dims, values, context);
}

Handle write_bool_dataset(hid_t loc, const std::string& name,
                          const std::vector<std::int64_t>& values, const std::string& context) {
  Handle type = make_bool_type(context);
  std::vector<std::int8_t> data(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    data[i] = values[i] != 0 ? 1 : 0;
  return write_dataset(loc, name, type.get(), type.get(), {values.size()}, data.data(), context);
}

Handle write_string_dataset(hid_t loc, const std::string& name,
                            const std::vector<std::string>& values, const std::string& context) {
  Handle type = make_vlen_utf8_type(context);
  std::vector<const char*> data;
  data.reserve(values.size());
  for (const std::string& value : values)
    data.push_back(value.c_str());
  return write_dataset(loc, name, type.get(), type.get(), {values.size()}, data.data(), context);
}

}  // namespace msk::io::detail
