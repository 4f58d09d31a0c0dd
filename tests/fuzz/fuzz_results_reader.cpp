// Fuzz target: the HDF5 results reader. Each input is written to a scratch file, which
// msk::io::load_results then reads.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_contract.hpp"
#include "msk/io/reader.hpp"

namespace {

/// One scratch file per process, so that parallel fuzzing jobs do not share it.
const std::string& scratch_path() {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("msk_fuzz_results_" + std::to_string(::getpid()) + ".h5"))
                                      .string();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(scratch_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  msk::fuzz::loads_or_throws_msk_error([&] { msk::io::load_results(scratch_path()); });
  return 0;
}
