// The contract every fuzz target checks: an input either loads or throws an msk::Error subclass.
// Any other exception aborts, so that libFuzzer reports it as a crash with its input; crashes,
// leaks and undefined behaviour are reported by the sanitizers themselves.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>

#include "msk/error.hpp"

namespace msk::fuzz {

/// Runs `load`; returns true when it succeeded, false when it threw an msk::Error.
template <typename Load>
bool loads_or_throws_msk_error(Load&& load) {
  try {
    load();
    return true;
  } catch (const msk::Error&) {
    return false;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "contract broken: %s (not an msk::Error): %s\n", typeid(e).name(),
                 e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "contract broken: a non-std exception\n");
    std::abort();
  }
}

}  // namespace msk::fuzz
