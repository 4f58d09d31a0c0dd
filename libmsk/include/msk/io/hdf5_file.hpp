// msk/io/hdf5_file.hpp — telling an HDF5 file from other files before reading it.
#pragma once

#include <string>

namespace msk::io {

/// Whether `path` is a readable file in the HDF5 format (its signature is there). False for a
/// missing or unreadable file, a directory or any other file. Never throws.
bool is_hdf5_file(const std::string& path) noexcept;

}  // namespace msk::io
