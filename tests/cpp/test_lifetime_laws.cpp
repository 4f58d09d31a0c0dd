// Tests of the lifetime laws: disc fluid (two phases), sarcomere adaptation, spine damage and
// session carry-over (msk/laws/lifetime/*.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "msk/error.hpp"
#include "msk/laws/lifetime/disc_fluid_two_phase.hpp"
#include "msk/laws/lifetime/sarcomere_adaptation.hpp"
#include "msk/laws/lifetime/session_effects.hpp"
#include "msk/laws/lifetime/spine_damage.hpp"

namespace {

using msk::laws::DiscFluidTwoPhaseParams;

/// Hydration after `duration` [s] at load pressure p [Pa] from h (explicit midpoint, 10 s steps).
double hold(const DiscFluidTwoPhaseParams& p, double h, double pressure, double duration) {
  const double dt = 10.0;
  for (double t = 0.0; t < duration; t += dt) {
    const double mid = h + 0.5 * dt * msk::laws::disc_fluid_rate(p, pressure, h);
    h += dt * msk::laws::disc_fluid_rate(p, pressure, mid);
  }
  return h;
}

}  // namespace

TEST(DiscFluidTwoPhase, UnloadedDiscRestsAtFullHydrationByOsmoticBalance) {
  const DiscFluidTwoPhaseParams p;
  EXPECT_NEAR(msk::laws::disc_fluid_rate(p, 0.0, 1.0), 0.0, 1e-18);
  EXPECT_NEAR(msk::laws::disc_equilibrium_hydration(p, 0.0), 1.0, 1e-9);
  // No clamp: a disc above its rested content loses fluid, one below gains it.
  EXPECT_LT(msk::laws::disc_fluid_rate(p, 0.0, 1.05), 0.0);
  EXPECT_GT(msk::laws::disc_fluid_rate(p, 0.0, 0.8), 0.0);
  // A lying load of 0.45 MPa still lets a drained disc take up fluid up to its balance.
  const double h45 = msk::laws::disc_equilibrium_hydration(p, 0.45e6);
  EXPECT_GT(msk::laws::disc_fluid_rate(p, 0.45e6, h45 - 0.1), 0.0);
  EXPECT_LT(h45, 1.0);
}

TEST(DiscFluidTwoPhase, LosesUrbanMcMullinFractionAtHighPressure) {
  // Calibration check: 40-60 % of the nucleus fluid lost at 0.6-0.8 MPa (Urban & McMullin 1988).
  const DiscFluidTwoPhaseParams p;
  const double lost = 1.0 - msk::laws::disc_equilibrium_hydration(p, 0.7e6);
  EXPECT_GT(lost, 0.4);
  EXPECT_LT(lost, 0.6);
}

TEST(DiscFluidTwoPhase, RateFallsWithHydrationAndPressure) {
  const DiscFluidTwoPhaseParams p;
  for (double h = 0.3; h < 1.5; h += 0.05) {
    EXPECT_GT(msk::laws::disc_fluid_rate(p, 0.3e6, h),
              msk::laws::disc_fluid_rate(p, 0.3e6, h + 0.05));
    EXPECT_GT(msk::laws::disc_fluid_rate(p, 0.2e6, h), msk::laws::disc_fluid_rate(p, 0.3e6, h));
  }
  // Permeability falls as fluid is lost.
  EXPECT_LT(msk::laws::disc_permeability_factor(p, 0.7),
            msk::laws::disc_permeability_factor(p, 0.9));
}

TEST(DiscFluidTwoPhase, RecoveryIsSlowerThanLoss) {
  // A 16 h day at 0.5 MPa and an 8 h night at 0.03 MPa, repeated until periodic: the night
  // regains the day's loss, but the time to half of the change is longer at night.
  const DiscFluidTwoPhaseParams p;
  double h = 1.0;
  for (int d = 0; d < 20; ++d)
    h = hold(p, hold(p, h, 0.5e6, 16 * 3600.0), 0.03e6, 8 * 3600.0);
  const double evening = hold(p, h, 0.5e6, 16 * 3600.0);
  const double change = h - evening;
  EXPECT_GT(change, 0.05);
  double t_loss = 0.0, t_gain = 0.0;
  for (double x = h; x > h - 0.5 * change; t_loss += 60.0)
    x = hold(p, x, 0.5e6, 60.0);
  for (double x = evening; x < evening + 0.5 * change; t_gain += 60.0)
    x = hold(p, x, 0.03e6, 60.0);
  EXPECT_GT(t_gain, t_loss);
}

TEST(DiscFluidTwoPhase, CreepApproachesItsCompliance) {
  const DiscFluidTwoPhaseParams p;
  double u = 0.0;
  for (int i = 0; i < 36000; ++i)  // ten hours, 60 time constants
    u += 1.0 * msk::laws::disc_creep_rate(p, 1000.0, u);
  EXPECT_NEAR(u, p.creep_compliance * 1000.0, 1e-9);
  DiscFluidTwoPhaseParams bad;
  bad.fluid_time_constant = -1.0;
  EXPECT_THROW(msk::laws::validate(bad), msk::InvalidArgument);
}

TEST(SarcomereAdaptation, TargetFollowsTheFibreInsideTheBoundsAndSaturatesOutside) {
  const msk::laws::SarcomereAdaptationParams p;
  // Five bound widths inside a bound the target is the fibre ratio to w log(1 + e^-5).
  EXPECT_NEAR(msk::laws::sarcomere_target(p, 0.9), 0.9, 2e-4);
  EXPECT_NEAR(msk::laws::sarcomere_target(p, 1.1), 1.1, 2e-4);
  EXPECT_NEAR(msk::laws::sarcomere_target(p, 1.0), 1.0, 1e-6);
  EXPECT_NEAR(msk::laws::sarcomere_target(p, 0.2), 0.6, 1e-6);
  EXPECT_NEAR(msk::laws::sarcomere_target(p, 2.0), 1.2, 1e-6);
  // Smooth and monotone.
  for (double x = 0.4; x < 1.4; x += 0.001)
    EXPECT_LE(msk::laws::sarcomere_target(p, x), msk::laws::sarcomere_target(p, x + 0.001));
  // Activity weighting (H21) and its switch.
  EXPECT_DOUBLE_EQ(msk::laws::sarcomere_weight(p, 0.5), 1.5);
  msk::laws::SarcomereAdaptationParams off = p;
  off.activity_weighting = 0.0;
  EXPECT_DOUBLE_EQ(msk::laws::sarcomere_weight(off, 0.5), 1.0);
  off.min_ratio = 1.3;
  EXPECT_THROW(msk::laws::validate(off), msk::InvalidArgument);
}

TEST(SarcomereAdaptation, TabaryImmobilisationAndRecovery) {
  // Four weeks in a cast (passive, time-weighted) at a fibre length far shorter or longer than
  // usual, then four weeks back at the usual length (Tabary et al. 1972: -40 % / +20 %, back
  // within about 4 weeks). The bounds give the size; the time constant (a calibration) the pace.
  const msk::laws::SarcomereAdaptationParams p;
  for (const double cast : {0.5, 1.4}) {
    double rho = 1.0;
    const double dt = 3600.0;
    for (int h = 0; h < 28 * 24; ++h)
      rho += dt * msk::laws::sarcomere_rate(p, rho, cast, 0.0);
    const double expected = cast < 1.0 ? 0.6 : 1.2;
    EXPECT_NEAR((rho - 1.0) / (expected - 1.0), 1.0, 0.05) << cast;
    for (int h = 0; h < 28 * 24; ++h)
      rho += dt * msk::laws::sarcomere_rate(p, rho, 1.0, 0.0);
    EXPECT_NEAR(rho, 1.0, 0.05 * std::abs(expected - 1.0)) << cast;
  }
}

TEST(SpineDamage, BrinckmannSnLineAndLifft) {
  const msk::laws::SpineDamageParams p;
  EXPECT_NEAR(msk::laws::cycles_to_failure(p, p.ultimate_strength), 1.0, 1e-12);
  // Calibration check: about 5000 cycles at 45 % of the strength (Brinckmann et al. 1988).
  EXPECT_NEAR(std::log10(msk::laws::cycles_to_failure(p, 0.45 * p.ultimate_strength)),
              std::log10(5000.0), 0.05);
  EXPECT_EQ(msk::laws::fatigue_damage_per_cycle(p, 0.0), 0.0);
  for (double c = 100.0; c < 5000.0; c += 100.0)
    EXPECT_LT(msk::laws::fatigue_damage_per_cycle(p, c),
              msk::laws::fatigue_damage_per_cycle(p, c + 100.0));
  EXPECT_NEAR(msk::laws::lifft_damage_per_lift(p, 0.0), 1.0 / 902416.0, 1e-15);
  EXPECT_NEAR(msk::laws::lifft_damage_per_lift(p, 50.0) / msk::laws::lifft_damage_per_lift(p, 0.0),
              std::exp(0.162 * 50.0), 1e-6);
  // The logistic risk rises with the damage; at log10 CD = -c0/c1 it is one half.
  EXPECT_NEAR(msk::laws::lifft_high_risk_probability(p, std::pow(10.0, -p.lifft_c0 / p.lifft_c1)),
              0.5, 1e-12);
  EXPECT_LT(msk::laws::lifft_high_risk_probability(p, 0.01),
            msk::laws::lifft_high_risk_probability(p, 0.1));
  EXPECT_EQ(msk::laws::lifft_high_risk_probability(p, 0.0), 0.0);
}

TEST(SessionEffects, CarryOverDecaysToTenPercentInItsLastingTime) {
  const double tau = msk::laws::time_constant_from_lasts(600.0);
  EXPECT_NEAR(msk::laws::carry_over(600.0, tau), 0.1, 1e-12);
  EXPECT_EQ(msk::laws::carry_over(1.0, 0.0), 0.0);
  msk::laws::SessionEffectsParams p;
  EXPECT_EQ(p.tone_setpoint, 0.0);  // H20 is off by default
  p.stretch_fibre_ratio = 0.5;
  EXPECT_THROW(msk::laws::validate(p), msk::InvalidArgument);
}
