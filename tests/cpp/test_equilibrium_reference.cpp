// The library's posture equilibrium against main's algorithm (tests/cpp/reference/, commit
// bb55f85), both run here on the bundled lumbar model: every bundled posture, in the fixed and
// the rhythm posture modes, must give the same activations, level compressions and coordinates.
//
// Tolerance: the fixed mode solves the same equations to the same passive-moment tolerance
// (EquilibriumOptions::load_tolerance, 1e-7 N m); the QP's active set is unique and its
// multipliers are computed to rounding, so the two agree to about 1e-9 of each table's largest
// value. The rhythm mode minimises over the level angles by quasi-Newton steps that stop when the
// objective changes by less than 1e-10 of itself, so two runs whose evaluations differ by rounding
// may stop at neighbouring points of the same flat minimum: they are compared with kRhythm below.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/posture.hpp"
#include "reference/equilibrium_main.hpp"

namespace {

const msk::Model& lumbar() {
  static const msk::Model model = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  return model;
}

/// Largest difference of a and b over the largest |b| (both of the same size) [1].
double relative_gap(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  EXPECT_EQ(a.size(), b.size());
  if (a.size() != b.size() || b.size() == 0) return 0.0;
  const double scale = std::max(b.cwiseAbs().maxCoeff(), 1e-12);
  return (a - b).cwiseAbs().maxCoeff() / scale;
}

Eigen::VectorXd compressions(const msk::EquilibriumResult& r) {
  Eigen::VectorXd c(static_cast<Eigen::Index>(r.segments.size()));
  for (std::size_t k = 0; k < r.segments.size(); ++k)
    c[static_cast<Eigen::Index>(k)] = r.segments[k].compression;
  return c;
}

/// Solves a preset with both algorithms and compares them (both may refuse it, with the same
/// error).
void compare(const std::string& name, msk::PostureMode mode, double tolerance) {
  SCOPED_TRACE(name + " / " + msk::posture_mode_name(mode));
  const msk::Posture p = msk::posture_preset(name);
  msk::EquilibriumOptions o;
  o.mode = mode;
  msk::EquilibriumResult before, after;
  std::string before_error, after_error;
  try {
    before = msk::reference::solve_equilibrium(lumbar(), p, o);
  } catch (const msk::EquilibriumError& e) {
    before_error = e.what();
  }
  try {
    after = msk::solve_equilibrium(lumbar(), p, o);
  } catch (const msk::EquilibriumError& e) {
    after_error = e.what();
  }
  ASSERT_EQ(before_error.empty(), after_error.empty()) << before_error << " | " << after_error;
  if (!before_error.empty()) return;
  EXPECT_EQ(before.converged, after.converged);
  const double gaps[] = {relative_gap(after.activation, before.activation),
                         relative_gap(after.tone_activation, before.tone_activation),
                         relative_gap(compressions(after), compressions(before)),
                         relative_gap(after.q, before.q),
                         relative_gap(after.muscle_force, before.muscle_force),
                         // The reserves are ~0: compared with the moments the joints need.
                         (after.reserve_moment - before.reserve_moment).cwiseAbs().maxCoeff() /
                             (1.0 + before.joint_load_moment.cwiseAbs().maxCoeff())};
  const char* what[] = {"activation", "tone", "compression", "coordinates", "force", "reserve"};
  double worst = 0.0;
  for (int k = 0; k < 6; ++k) {
    EXPECT_LE(gaps[k], tolerance) << what[k];
    worst = std::max(worst, gaps[k]);
  }
  std::printf("%-22s %-7s largest relative gap %.1e\n", name.c_str(), msk::posture_mode_name(mode),
              worst);
}

constexpr double kFixed = 1e-6;
constexpr double kRhythm = 1e-6;

TEST(EquilibriumReference, EveryPresetInTheFixedModeAsBefore) {
  for (const std::string& name : msk::posture_preset_names())
    compare(name, msk::PostureMode::Fixed, kFixed);
}

TEST(EquilibriumReference, EveryPresetInTheRhythmModeAsBefore) {
  for (const std::string& name : msk::posture_preset_names())
    compare(name, msk::PostureMode::Rhythm, kRhythm);
}

TEST(EquilibriumReference, TheComparisonCanFail) {
  // A different posture must fail the comparison: the tolerances are not vacuous.
  msk::EquilibriumOptions o;
  o.mode = msk::PostureMode::Fixed;
  const auto a =
      msk::reference::solve_equilibrium(lumbar(), msk::posture_preset("standing_relaxed"), o);
  const auto b = msk::solve_equilibrium(lumbar(), msk::posture_preset("standing_flexed"), o);
  EXPECT_GT(relative_gap(b.activation, a.activation), kFixed);
  EXPECT_GT(relative_gap(compressions(b), compressions(a)), kFixed);
}

}  // namespace
