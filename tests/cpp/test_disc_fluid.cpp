// The disc fluid law (msk/laws/spine/disc_fluid.hpp).
#include "msk/laws/spine/disc_fluid.hpp"

#include <gtest/gtest.h>

#include "msk/spine/disc.hpp"

#include <cmath>

namespace {

using msk::laws::disc_hydration_rate;
using msk::laws::DiscFluidParams;
using msk::spine::disc_pressure;
using msk::spine::DiscParams;

TEST(DiscFluid, FluidFollowsTheOsmoticBalance) {
  const DiscParams d;
  const DiscFluidParams p;
  // The law reads the disc's pressure: Nachemson's total under load, the swelling pressure
  // unloaded (spine/disc.hpp).
  auto pressure = [&](double force, double h) { return disc_pressure(d, force, h); };
  // Loaded above the osmotic pressure the disc loses fluid, unloaded it gains it (more slowly).
  EXPECT_LT(disc_hydration_rate(p, pressure(800.0, 1.0), 1.0), 0.0);
  EXPECT_GT(disc_hydration_rate(p, pressure(0.0, 0.8), 0.8), 0.0);
  // Unloaded, the disc fills up to its full content and no further; over-swollen beyond the
  // hydration where its swelling pressure meets the osmotic pressure (p_sw H = pi_0 H^-n, 1.13
  // with the defaults) it gives fluid back.
  EXPECT_EQ(disc_hydration_rate(p, pressure(0.0, 1.0), 1.0), 0.0);
  EXPECT_EQ(disc_hydration_rate(p, pressure(0.0, 1.1), 1.1), 0.0);
  EXPECT_LT(disc_hydration_rate(p, pressure(0.0, 1.2), 1.2), 0.0);
  // Outflow at a net pressure of +pi is recovery_factor times faster than inflow at -pi.
  const double h = 0.9;
  const double osmotic = p.osmotic_pressure * std::pow(h, -p.osmotic_exponent);
  const double out = -disc_hydration_rate(p, 2.0 * osmotic, h);
  const double in = disc_hydration_rate(p, 0.0, h);
  EXPECT_NEAR(out / in, p.recovery_factor, 1e-9);
  // At equilibrium 0.7 MPa leaves about half of the fluid (Urban & McMullin 1988: 40-60 %).
  const double eq = std::pow(p.osmotic_pressure / 0.7e6, 1.0 / p.osmotic_exponent);
  EXPECT_NEAR(disc_hydration_rate(p, 0.7e6, eq), 0.0, 1e-12);
  EXPECT_GT(eq, 0.4);
  EXPECT_LT(eq, 0.6);
}

}  // namespace
