// The disc fluid law (msk/laws/spine/disc_fluid.hpp).
#include "msk/laws/spine/disc_fluid.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using msk::laws::disc_hydration_rate;
using msk::laws::DiscFluidParams;
using msk::spine::DiscParams;

TEST(DiscFluid, FluidFollowsTheOsmoticBalance) {
  const DiscParams d;
  const DiscFluidParams p;
  // Loaded above the osmotic pressure the disc loses fluid, unloaded it gains it (more slowly).
  EXPECT_LT(disc_hydration_rate(p, d, 800.0, 1.0), 0.0);
  EXPECT_GT(disc_hydration_rate(p, d, 0.0, 0.8), 0.0);
  // Unloaded, the disc fills up to its full content and no further.
  EXPECT_EQ(disc_hydration_rate(p, d, 0.0, 1.0), 0.0);
  EXPECT_EQ(disc_hydration_rate(p, d, 0.0, 1.2), 0.0);
  // Outflow at a net pressure of +pi is recovery_factor times faster than inflow at -pi.
  const double h = 0.9;
  const double osmotic = p.osmotic_pressure * std::pow(h, -p.osmotic_exponent);
  const double out = -disc_hydration_rate(p, d, 2.0 * osmotic * d.area / 1.5, h);
  const double in = disc_hydration_rate(p, d, 0.0, h);
  EXPECT_NEAR(out / in, p.recovery_factor, 1e-9);
  // At equilibrium 0.7 MPa leaves about half of the fluid (Urban & McMullin 1988: 40-60 %).
  const double f_07 = 0.7e6 * d.area / 1.5;
  const double eq = std::pow(p.osmotic_pressure / 0.7e6, 1.0 / p.osmotic_exponent);
  EXPECT_NEAR(disc_hydration_rate(p, d, f_07, eq), 0.0, 1e-12);
  EXPECT_GT(eq, 0.4);
  EXPECT_LT(eq, 0.6);
}

}  // namespace
