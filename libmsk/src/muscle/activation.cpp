// msk/muscle/activation.cpp — first-order activation dynamics (Thelen 2003).
#include "msk/muscle/activation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "msk/error.hpp"

namespace msk::muscle {

namespace {

void check(const char* name, double value, bool positive) {
  const bool ok = std::isfinite(value) && (!positive || value > 0.0);
  if (ok) return;
  std::ostringstream message;
  message.precision(17);
  message << name << ": expected " << (positive ? "finite and > 0" : "finite") << ", got " << value;
  throw InvalidArgument(message.str());
}

}  // namespace

double activation_derivative(double excitation, double activation, double tau_act,
                             double tau_deact) {
  check("excitation", excitation, false);
  check("activation", activation, false);
  check("tau_act", tau_act, true);
  check("tau_deact", tau_deact, true);

  // Excitation is bounded to [0, 1]; the time constant sees a bounded activation.
  const double u = std::clamp(excitation, 0.0, 1.0);
  const double a_bounded = std::clamp(activation, 0.0, 1.0);
  const double shape = 0.5 + 1.5 * a_bounded;

  // Thelen 2003, activation dynamics: tau = tau_act (0.5 + 1.5 a) if u > a,
  //                                   tau = tau_deact / (0.5 + 1.5 a) otherwise
  const double tau = (u > activation) ? tau_act * shape : tau_deact / shape;
  return (u - activation) / tau;
}

}  // namespace msk::muscle
