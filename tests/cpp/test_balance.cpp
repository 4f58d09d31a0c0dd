// Balance over the feet (Posture::balance, task mode): the thighs' inclination at which the
// weights have no moment about the feet's centre of pressure (docs/theory/posture.md §3.10).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/posture.hpp"

namespace {

constexpr double kDeg = M_PI / 180.0;

const msk::Model& lumbar() {
  static const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  return m;
}

msk::EquilibriumOptions task() {
  msk::EquilibriumOptions o;
  o.mode = msk::PostureMode::Task;
  return o;
}

double weight(const msk::Model& m) {
  double mass = m.posture().ground_mass + m.posture().arm_mass;
  for (double b : m.body_mass())
    mass += b;
  return mass * m.gravity().norm();
}

TEST(Balance, BendingForwardShiftsTheHipsBackUntilTheWeightIsOverTheFeet) {
  const msk::Model& m = lumbar();
  msk::Posture bend = msk::posture_preset("standing_flexed");
  ASSERT_TRUE(bend.balance);
  const msk::EquilibriumResult balanced = msk::solve_equilibrium(m, bend, task());
  EXPECT_TRUE(balanced.converged);
  EXPECT_GT(balanced.balance_evaluations, 1);
  EXPECT_LT(std::abs(balanced.balance_moment), 1.5e-3 * weight(m));
  // With the thighs held vertical the 40 deg trunk tips the body forward.
  bend.balance = false;
  const msk::EquilibriumResult held = msk::solve_equilibrium(m, bend, task());
  EXPECT_EQ(held.balance_evaluations, 0);
  EXPECT_DOUBLE_EQ(held.thigh_inclination, 0.0);
  EXPECT_LT(held.balance_moment, -0.01 * weight(m));
  // Balanced, the thighs incline forward (the hips shift back over the ankles), and the trunk
  // keeps its task.
  EXPECT_GT(balanced.thigh_inclination, 0.5 * kDeg);
  EXPECT_NEAR(balanced.trunk_inclination, 40.0 * kDeg, 0.2 * kDeg);
  // Relaxed standing balances with the hips ahead of the ankles (the centre of pressure lies in
  // front of them).
  const msk::EquilibriumResult stand =
      msk::solve_equilibrium(m, msk::posture_preset("standing_relaxed"), task());
  EXPECT_LT(std::abs(stand.balance_moment), 1.5e-3 * weight(m));
  EXPECT_LT(stand.thigh_inclination, balanced.thigh_inclination);
}

TEST(Balance, ACentreOfPressureFurtherForwardMovesTheHipsForward) {
  const msk::Model near = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml",
                                          R"({"posture.pressure_offset": 0.0})");
  const msk::Model far = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml",
                                         R"({"posture.pressure_offset": 0.1})");
  const msk::Posture stand = msk::posture_preset("standing_relaxed");
  const double a = msk::solve_equilibrium(near, stand, task()).thigh_inclination;
  const double b = msk::solve_equilibrium(far, stand, task()).thigh_inclination;
  // The centre of mass must move forward with the centre of pressure: the hips go forward,
  // the thighs incline back.
  EXPECT_LT(b, a - 1.0 * kDeg);
}

TEST(Balance, OnlyTheTaskModeOnFeetBalancesAndOtherSupportsAreRefused) {
  const msk::Model& m = lumbar();
  const msk::Posture stand = msk::posture_preset("standing_flexed");
  msk::EquilibriumOptions rhythm;  // the default mode keeps the stated thighs
  const msk::EquilibriumResult r = msk::solve_equilibrium(m, stand, rhythm);
  EXPECT_EQ(r.balance_evaluations, 0);
  EXPECT_DOUBLE_EQ(r.thigh_inclination, 0.0);
  msk::Posture seated = msk::posture_preset("sitting_relaxed");
  seated.balance = true;
  EXPECT_THROW(msk::solve_equilibrium(m, seated, task()), msk::InvalidArgument);
}

}  // namespace
