#include "msk/spine/disc.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk::spine {

namespace {

void check(bool ok, const char* field, const char* expected, double got) {
  if (!ok)
    throw InvalidArgument(std::string("disc.") + field + ": expected " + expected + ", got " +
                          std::to_string(got));
}

bool finite_positive(double v) {
  return std::isfinite(v) && v > 0.0;
}

}  // namespace

double disc_axial_force(const DiscParams& p, double e) {
  if (e <= 0.0) return p.stiffness_toe * e;
  // Toe region: the stiffness rises from k_0 to k_0 + k_1 over about e_t.
  const double et = p.toe_compression;
  return p.stiffness_toe * e + p.stiffness * (e - et * (1.0 - std::exp(-e / et)));
}

double disc_axial_stiffness(const DiscParams& p, double e) {
  if (e <= 0.0) return p.stiffness_toe;
  return p.stiffness_toe + p.stiffness * (1.0 - std::exp(-e / p.toe_compression));
}

double disc_fluid_height_loss(const DiscParams& p, double hydration) {
  return p.fluid_height * (1.0 - hydration);
}

double disc_preload_factor(const DiscParams& p, double disc_force) {
  // Bounded stiffening through Gardner-Morse & Stokes 2004 (x1.71 at 250 N, x2.11 at 500 N).
  if (!p.preload_stiffening || disc_force <= 0.0) return 1.0;
  return 1.0 + p.preload_gain_max * -std::expm1(-disc_force / p.preload_force);
}

double disc_moment(const DiscParams& p, double theta, double disc_force) {
  // Han et al. 2010 cubic (AnyBody AMMR DiscStiffness.any, converted to rad and to flexion
  // positive), scaled by the preload stiffening.
  const double t2 = theta * theta;
  return -disc_preload_factor(p, disc_force) *
         (p.moment_c1 * theta + p.moment_c2 * t2 + p.moment_c3 * t2 * theta);
}

double disc_load_pressure(const DiscParams& p, double disc_force) {
  // Nachemson: the nucleus pressure is k_N times the mean axial stress.
  return disc_force > 0.0 ? p.pressure_factor * disc_force / p.area : 0.0;
}

double disc_swelling_pressure(const DiscParams& p, double hydration) {
  return p.swelling_pressure * std::max(hydration, 0.0);
}

double disc_pressure(const DiscParams& p, double disc_force, double hydration) {
  // The unloaded disc stands at its swelling pressure; under load Nachemson's k_N F / A is the
  // total. A p-norm joins them without adding one to the other.
  const double load = disc_load_pressure(p, disc_force);
  const double swelling = disc_swelling_pressure(p, hydration);
  const double top = std::max(load, swelling);
  if (top <= 0.0) return 0.0;
  const double m = p.pressure_blend;
  return top * std::pow(std::pow(load / top, m) + std::pow(swelling / top, m), 1.0 / m);
}

void validate(const DiscParams& p) {
  check(finite_positive(p.height), "height", "finite and > 0 [m]", p.height);
  check(finite_positive(p.posterior_height), "posterior_height", "finite and > 0 [m]",
        p.posterior_height);
  check(finite_positive(p.depth), "depth", "finite and > 0 [m]", p.depth);
  check(finite_positive(p.area), "area", "finite and > 0 [m^2]", p.area);
  check(std::isfinite(p.fluid_height) && p.fluid_height >= 0.0 && p.fluid_height < p.height,
        "fluid_height", "finite, >= 0 and < height [m]", p.fluid_height);
  check(finite_positive(p.stiffness_toe), "stiffness_toe", "finite and > 0 [N/m]", p.stiffness_toe);
  check(std::isfinite(p.stiffness) && p.stiffness >= 0.0, "stiffness", "finite and >= 0 [N/m]",
        p.stiffness);
  check(finite_positive(p.toe_compression), "toe_compression", "finite and > 0 [m]",
        p.toe_compression);
  check(std::isfinite(p.moment_c1) && p.moment_c1 > 0.0, "moment_c1", "finite and > 0 [N m/rad]",
        p.moment_c1);
  check(std::isfinite(p.moment_c2), "moment_c2", "finite [N m/rad^2]", p.moment_c2);
  check(std::isfinite(p.moment_c3) && p.moment_c3 >= 0.0, "moment_c3",
        "finite and >= 0 [N m/rad^3]", p.moment_c3);
  // The restoring moment must grow monotonically with the angle: c2^2 < 3 c1 c3 (or c3 = c2 = 0).
  check(p.moment_c2 * p.moment_c2 < 3.0 * p.moment_c1 * p.moment_c3 || p.moment_c2 == 0.0,
        "moment_c2", "c2^2 < 3 c1 c3 (a moment that grows with the angle)", p.moment_c2);
  check(std::isfinite(p.preload_gain_max) && p.preload_gain_max >= 0.0, "preload_gain_max",
        "finite and >= 0", p.preload_gain_max);
  check(finite_positive(p.preload_force), "preload_force", "finite and > 0 [N]", p.preload_force);
  check(finite_positive(p.pressure_factor), "pressure_factor", "finite and > 0", p.pressure_factor);
  check(std::isfinite(p.swelling_pressure) && p.swelling_pressure >= 0.0, "swelling_pressure",
        "finite and >= 0 [Pa]", p.swelling_pressure);
  check(std::isfinite(p.pressure_blend) && p.pressure_blend >= 1.0 && p.pressure_blend <= 50.0,
        "pressure_blend", "in [1, 50]", p.pressure_blend);
  check(std::isfinite(p.damping) && p.damping >= 0.0, "damping", "finite and >= 0 [N m s/rad]",
        p.damping);
}

}  // namespace msk::spine
