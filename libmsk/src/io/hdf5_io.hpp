// Private: checked reading and writing of HDF5 objects, shared by the readers and writers of the
// results and equilibrium files. Every read error reads "FILE: OBJECT: expected EXPECTED, got
// GOT" or "FILE: OBJECT: cannot read (HDF5: ...)". Callers hold an Hdf5Guard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hdf5_handle.hpp"
#include "msk/io/attributes.hpp"

namespace msk::io::detail {

/// Where we are: the file and the object (dataset path, or "path@attribute") being read.
struct Where {
  const std::string& file;
  std::string object;

  [[noreturn]] void fail(const std::string& expected, const std::string& got) const;
  /// Throws IoError "FILE: OBJECT: cannot read (HDF5: ...)" when an HDF5 call failed.
  void check(herr_t status) const;
  Handle checked(hid_t id, Handle::Closer closer) const;
};

/// "an integer", "a float", "a string"... for messages.
std::string class_name(H5T_class_t type_class);

// ---- reading ----

/// Opens an HDF5 file read-only. @throws IoError "PATH: cannot open: no such file" (or: is a
/// directory, not an HDF5 file, or the HDF5 detail)
Handle open_file_for_reading(const std::string& path);

/// Whether an object exists at `object` (an absolute path; every part before the last must be a
/// group or absent).
bool object_exists(hid_t file, const std::string& object);

/// Opens the object at `where.object` (an absolute path), which must exist and be a dataset
/// (kind H5I_DATASET) or a group (H5I_GROUP).
Handle open_object(hid_t file, const Where& where, H5I_type_t kind);

/// The type class of a dataset or attribute.
H5T_class_t type_class_of(hid_t obj, bool is_attribute, const Where& where);

/// The dimensions of a dataset.
std::vector<hsize_t> dims_of(hid_t dataset, const Where& where);
/// Number of elements of a 1-D dataset; throws unless the dataset is 1-D.
hsize_t rows_of(hid_t dataset, const Where& where);

/// How many bytes the values read from a file of `file_bytes` bytes may take in memory (deflate
/// expands at most about 1032:1): 1100 times the file size, plus 1 MiB.
double readable_bytes(double file_bytes);
/// Size of the file holding `obj` [bytes].
double file_size_of(hid_t obj, const Where& where);
/// Throws unless `rows` elements of `element_bytes` each can come from what the dataset stores.
void require_stored(hid_t dataset, hsize_t rows, std::size_t element_bytes, const Where& where);

/// Reads n strings from an attribute or dataset whose file type is a string type (fixed or
/// variable length).
std::vector<std::string> read_strings(hid_t obj, bool is_attribute, std::size_t n,
                                      const Where& where);

/// Opens obj@name, which must exist.
Handle open_attribute(hid_t obj, const std::string& name, const Where& where);
/// Whether obj@name exists.
bool has_attribute(hid_t obj, const std::string& name, const Where& where);
/// A single string attribute.
std::string read_string_attribute(hid_t obj, const std::string& name, const Where& where);
/// A single numeric (integer or float) attribute, converted to double.
double read_number_attribute(hid_t attr, const Where& where);
/// A single string, integer or float attribute; a boolean (an HDF5 enum on an integer, as h5py
/// writes numpy booleans) reads as the integer 0 or 1.
AttributeValue read_attribute_value(hid_t obj, const std::string& name, const Where& where);
/// Every attribute of obj as a string, integer or float, in creation order when obj tracks it,
/// else by name.
Attributes read_attributes(hid_t obj, const Where& where);

/// Names of the links in a group: in creation order when the group tracks it, else by name.
std::vector<std::string> link_names(hid_t group, const Where& where);

/// A whole dataset of any shape, as doubles (integers and floats converted) in row-major order;
/// `dims` receives its dimensions.
std::vector<double> read_doubles(hid_t dataset, const Where& where, std::vector<hsize_t>& dims);
/// A whole dataset of integers, as int64, in row-major order.
std::vector<std::int64_t> read_integers(hid_t dataset, const Where& where,
                                        std::vector<hsize_t>& dims);

// ---- writing ----

/// File creation properties that track (and index) the creation order of links and attributes
/// in the root group, as h5py's File(..., track_order=True).
Handle make_ordered_fcpl(const std::string& context);
/// The same for a group.
Handle make_ordered_gcpl(const std::string& context);
/// File access properties with the earliest formats HDF5 offers (superblock version 0, objects
/// no newer than 1.8): files every HDF5 since 1.8 reads.
Handle make_earliest_fapl(const std::string& context);

/// Creates loc/name as a group that tracks the creation order of its links and attributes.
Handle create_ordered_group(hid_t loc, const std::string& name, const std::string& context);

/// Writes (replacing any existing) the scalar attribute obj@name.
void write_scalar_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                            const void* data, const std::string& context);
/// obj@name as a variable-length UTF-8 string.
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value,
                            const std::string& context);
/// obj@name as a float64.
void write_double_attribute(hid_t obj, const std::string& name, double value,
                            const std::string& context);
/// obj@name as an int64.
void write_integer_attribute(hid_t obj, const std::string& name, std::int64_t value,
                             const std::string& context);
/// obj@name as a boolean: the HDF5 enum {FALSE = 0, TRUE = 1} on int8 that h5py reads as a
/// numpy bool.
void write_bool_attribute(hid_t obj, const std::string& name, bool value,
                          const std::string& context);
/// obj@name from a string, integer or float value.
void write_attribute_value(hid_t obj, const std::string& name, const AttributeValue& value,
                           const std::string& context);

/// A new boolean datatype as h5py writes numpy bools: enum {FALSE = 0, TRUE = 1} on int8.
Handle make_bool_type(const std::string& context);

/// Creates loc/name as a contiguous float64 dataset of shape `dims` holding `values`
/// (row-major, product(dims) values).
Handle write_double_dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                            const double* values, const std::string& context);
/// The same for int64 values.
Handle write_integer_dataset(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                             const std::int64_t* values, const std::string& context);
/// A 1-D boolean dataset (make_bool_type) from 0/1 values.
Handle write_bool_dataset(hid_t loc, const std::string& name,
                          const std::vector<std::int64_t>& values, const std::string& context);
/// A 1-D dataset of variable-length UTF-8 strings.
Handle write_string_dataset(hid_t loc, const std::string& name,
                            const std::vector<std::string>& values, const std::string& context);

}  // namespace msk::io::detail
