// Tests for msk/laws/muscle/activation.hpp: Thelen 2003 first-order activation dynamics.
#include "msk/laws/muscle/activation.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "msk/error.hpp"

namespace msk::laws {
namespace {

constexpr double kTauAct = 0.015;    // [s]
constexpr double kTauDeact = 0.060;  // [s]

TEST(ActivationDerivative, ThelenTimeConstants) {
  // Activating from rest: tau = tau_act * 0.5.
  EXPECT_NEAR(activation_derivative(1.0, 0.0, kTauAct, kTauDeact), 1.0 / (0.5 * kTauAct), 1e-12);
  // Activating at a = 0.5: tau = tau_act * 1.25.
  EXPECT_NEAR(activation_derivative(1.0, 0.5, kTauAct, kTauDeact), 0.5 / (1.25 * kTauAct), 1e-12);
  // Deactivating from full: tau = tau_deact / 2.
  EXPECT_NEAR(activation_derivative(0.0, 1.0, kTauAct, kTauDeact), -1.0 / (kTauDeact / 2.0), 1e-12);
  // Deactivating at a = 0.2: tau = tau_deact / 0.8.
  EXPECT_NEAR(activation_derivative(0.1, 0.2, kTauAct, kTauDeact), -0.1 / (kTauDeact / 0.8), 1e-12);
  EXPECT_EQ(activation_derivative(0.3, 0.3, kTauAct, kTauDeact), 0.0);
}

TEST(ActivationDerivative, ContinuousAcrossExcitationEqualsActivation) {
  const double a = 0.4;
  EXPECT_NEAR(activation_derivative(a + 1e-12, a, kTauAct, kTauDeact), 0.0, 1e-9);
  EXPECT_NEAR(activation_derivative(a - 1e-12, a, kTauAct, kTauDeact), 0.0, 1e-9);
}

TEST(ActivationDerivative, ExcitationIsClamped) {
  EXPECT_EQ(activation_derivative(2.0, 0.5, kTauAct, kTauDeact),
            activation_derivative(1.0, 0.5, kTauAct, kTauDeact));
  EXPECT_EQ(activation_derivative(-1.0, 0.5, kTauAct, kTauDeact),
            activation_derivative(0.0, 0.5, kTauAct, kTauDeact));
  // A slight overshoot of activation is pulled back, with a positive time constant.
  EXPECT_LT(activation_derivative(1.0, 1.0 + 1e-9, kTauAct, kTauDeact), 0.0);
  EXPECT_GT(activation_derivative(0.0, -1e-9, kTauAct, kTauDeact), 0.0);
}

TEST(ActivationDerivative, StepResponseStaysInRangeAndIsFasterUpThanDown) {
  // Forward Euler, 0.1 ms steps: rise with u = 1, then fall with u = 0.
  const double dt = 1e-4;
  double a = 0.0;
  double rise_time = 0.0;
  for (int i = 0; i < 2000; ++i) {
    a += dt * activation_derivative(1.0, a, kTauAct, kTauDeact);
    ASSERT_GE(a, 0.0);
    ASSERT_LE(a, 1.0);
    if (rise_time == 0.0 && a >= 0.9) rise_time = (i + 1) * dt;
  }
  double fall_time = 0.0;
  for (int i = 0; i < 20000; ++i) {
    a += dt * activation_derivative(0.0, a, kTauAct, kTauDeact);
    ASSERT_GE(a, 0.0);
    ASSERT_LE(a, 1.0);
    if (fall_time == 0.0 && a <= 0.1) fall_time = (i + 1) * dt;
  }
  EXPECT_GT(rise_time, 0.0);
  EXPECT_GT(fall_time, 0.0);
  EXPECT_LT(rise_time, fall_time);
}

TEST(ActivationDerivative, BadArgumentsThrow) {
  EXPECT_THROW(activation_derivative(std::nan(""), 0.5, kTauAct, kTauDeact), InvalidArgument);
  EXPECT_THROW(activation_derivative(0.5, INFINITY, kTauAct, kTauDeact), InvalidArgument);
  EXPECT_THROW(activation_derivative(0.5, 0.5, 0.0, kTauDeact), InvalidArgument);
  EXPECT_THROW(activation_derivative(0.5, 0.5, kTauAct, -0.05), InvalidArgument);
  try {
    activation_derivative(0.5, 0.5, kTauAct, 0.0);
    ADD_FAILURE();
  } catch (const InvalidArgument& error) {
    EXPECT_EQ(std::string(error.what()), "tau_deact: expected finite and > 0, got 0");
  }
}

}  // namespace
}  // namespace msk::laws
