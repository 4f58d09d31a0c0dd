// bench/alloc_counter.hpp — counts heap allocations, for benchmarks that promise none per call.
//
// Include in exactly one source file of a benchmark executable. It replaces malloc, calloc,
// realloc and the aligned allocators of the C library with versions that count while
// msk_bench::AllocationCount is alive, then call glibc's own (__libc_*). Every C++ operator new and
// every Eigen allocation goes through them, in the executable and in libmsk alike.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace msk_bench {

inline std::uint64_t g_allocations = 0;  // allocations counted so far
inline bool g_counting = false;          // counting on (single-threaded benchmarks)

/// Counts the allocations made while it lives.
class AllocationCount {
 public:
  AllocationCount() : start_(g_allocations) { g_counting = true; }
  ~AllocationCount() { g_counting = false; }
  AllocationCount(const AllocationCount&) = delete;
  AllocationCount& operator=(const AllocationCount&) = delete;
  std::uint64_t count() const { return g_allocations - start_; }

 private:
  std::uint64_t start_;
};

}  // namespace msk_bench

extern "C" {
void* malloc(std::size_t size) noexcept {
  if (msk_bench::g_counting) ++msk_bench::g_allocations;
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
  if (msk_bench::g_counting) ++msk_bench::g_allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) noexcept {
  if (msk_bench::g_counting) ++msk_bench::g_allocations;
  return __libc_realloc(p, size);
}
int posix_memalign(void** p, std::size_t alignment, std::size_t size) noexcept {
  if (msk_bench::g_counting) ++msk_bench::g_allocations;
  *p = __libc_memalign(alignment, size);
  return *p != nullptr ? 0 : 12;  // ENOMEM
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  if (msk_bench::g_counting) ++msk_bench::g_allocations;
  return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  if (msk_bench::g_counting) ++msk_bench::g_allocations;
  return __libc_memalign(alignment, size);
}
}
