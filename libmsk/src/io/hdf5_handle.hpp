// Private RAII wrapper around HDF5 identifiers (hid_t), the lock that serialises HDF5 calls, and
// small checked helpers shared by the recorder and the reader. Lives in libmsk/src/ and is never
// included by a public header.
#pragma once

#include <hdf5.h>

#include <mutex>
#include <string>
#include <utility>

#include "msk/error.hpp"

namespace msk::io::detail {

/// The one mutex that serialises every call the io module makes into the HDF5 library.
///
/// Why a function-local static (the one exception to msk's "no static mutable state"): HDF5 is
/// thread-safe only when built with --enable-threadsafe, which its default build is not (Debian's
/// 1.10.8 serial package happens to say "Threadsafety: yes" in libhdf5.settings; conda, Homebrew
/// or a static build may not), and msk must not depend on how HDF5 was built. The state this
/// lock guards (open files, error stacks, free lists) is global to the process, so the lock must
/// be global too: a lock owned by each Recorder would not stop two recorders, or a recorder and
/// load_results, from entering HDF5 at the same time. Recursive because a handle may be closed
/// (which locks) while the lock is already held, e.g. during stack unwinding. Inline so every
/// translation unit shares the same instance.
inline std::recursive_mutex& hdf5_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

/// Holds hdf5_mutex() and turns off HDF5's automatic printing of its error stack (library code
/// never prints) for its lifetime; restores the caller's printing setting afterwards. Every entry
/// point of the io module that calls HDF5 holds one.
class Hdf5Guard {
 public:
  Hdf5Guard() : lock_(hdf5_mutex()) {
    restore_ = H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Hdf5Guard() {
    if (restore_) H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
  }
  Hdf5Guard(const Hdf5Guard&) = delete;
  Hdf5Guard& operator=(const Hdf5Guard&) = delete;

 private:
  std::lock_guard<std::recursive_mutex> lock_;
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
  bool restore_ = false;
};

/// Owns one HDF5 identifier and closes it with the matching function (H5Fclose, H5Dclose...).
/// Move-only. An invalid handle holds H5I_INVALID_HID.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  /// The identifier, to pass to the HDF5 C API.
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

  /// Closes the identifier (if any) and returns the close status (negative on failure).
  herr_t close() noexcept {
    if (id_ < 0) return 0;
    Hdf5Guard guard;
    const herr_t status = closer_(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }
  /// Closes the identifier (if any), ignoring errors.
  void reset() noexcept { static_cast<void>(close()); }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// The most specific description on HDF5's current error stack (the innermost frame, e.g.
/// "unable to open file: name = 'x.h5', errno = 2, error message = 'No such file or directory'"),
/// or "" when the stack is empty. Call right after the failing HDF5 call.
inline std::string hdf5_error_detail() {
  std::string detail;
  auto take_innermost = [](unsigned n, const H5E_error2_t* error, void* data) -> herr_t {
    if (n == 0 && error != nullptr && error->desc != nullptr) {
      *static_cast<std::string*>(data) = error->desc;
    }
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_innermost, &detail);
  for (char& c : detail) {
    if (c == '\n') c = ' ';  // some descriptions embed a ctime() line
  }
  return detail;
}

/// Throws IoError("CONTEXT (HDF5: DETAIL)") with the HDF5 error detail when there is one.
[[noreturn]] inline void throw_io_error(const std::string& context) {
  const std::string detail = hdf5_error_detail();
  throw IoError(detail.empty() ? context : context + " (HDF5: " + detail + ")");
}

/// Throws IoError naming `context` when an HDF5 call returned a negative status.
inline void check(herr_t status, const std::string& context) {
  if (status < 0) throw_io_error(context);
}

/// Wraps an identifier returned by HDF5; throws IoError naming `context` if it is invalid.
inline Handle checked(hid_t id, Handle::Closer closer, const std::string& context) {
  if (id < 0) throw_io_error(context);
  return Handle(id, closer);
}

/// A new variable-length UTF-8 string datatype (what h5py reads as str).
inline Handle make_vlen_utf8_type(const std::string& context) {
  Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, context);
  check(H5Tset_size(type.get(), H5T_VARIABLE), context);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), context);
  return type;
}

}  // namespace msk::io::detail
