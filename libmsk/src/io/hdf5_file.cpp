#include "msk/io/hdf5_file.hpp"

#include "hdf5_handle.hpp"

namespace msk::io {

bool is_hdf5_file(const std::string& path) noexcept {
  try {
    detail::Hdf5Guard guard;
    return H5Fis_hdf5(path.c_str()) > 0;
  } catch (...) {
    return false;
  }
}

}  // namespace msk::io
