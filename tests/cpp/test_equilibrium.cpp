// Posture equilibrium on the two-level spine of test_models.hpp: balance at every level, tone
// floors, loads, lying vs standing, infeasible demands, postures and their coordinates.
#include <gtest/gtest.h>

#include <cmath>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"
#include "test_models.hpp"

namespace {

constexpr double kDeg = M_PI / 180.0;

msk::Model mini(const std::string& overrides = "") {
  return msk::load_model_text(msk::test::kMiniSpine, "<mini>", overrides);
}

/// Recomputes every balanced joint's moment balance from the result: the muscles' moment plus the
/// passive moment equals what the joint must supply.
void expect_balanced(const msk::Model& m, const msk::EquilibriumResult& r) {
  msk::Data d = msk::make_data(m);
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(m.n_dofs());
  msk::compute_kinematics(m, r.q, d);
  msk::compute_muscle_geometry(m, zero, d);
  msk::compute_joint_muscle_geometry(m, d);
  std::vector<msk::PointLoad> loads = r.loads;  // the posture's and the trunk's elements'
  loads.insert(loads.end(), r.trunk_loads.begin(), r.trunk_loads.end());
  msk::compute_joint_reactions(m, r.load_gravity, r.muscle_force, loads, zero, zero, d);
  Eigen::VectorXd hydration = Eigen::VectorXd::Ones(m.n_segments());
  msk::compute_segment_loads(m, hydration, d);
  for (int k = 0; k < m.n_segments(); ++k) {
    const int b = m.segment_body()[k];
    const double supplied = d.joint_reaction_moment[b].dot(d.joint_axis[b]);
    EXPECT_NEAR(supplied, m.segment_flexion_sign()[k] * d.segment[k].moment, 1e-5)
        << m.segment_names()[k];
    EXPECT_NEAR(d.segment[k].compression, r.segments[k].compression, 1e-6);
  }
}

TEST(Equilibrium, StandingBalancesEveryLevelWithTheExtensors) {
  const msk::Model m = mini();
  const msk::EquilibriumResult r =
      msk::solve_equilibrium(m, msk::posture_preset("standing_relaxed"));
  expect_balanced(m, r);
  EXPECT_LT(r.reserve_moment.cwiseAbs().maxCoeff(), 1e-4);
  // The trunk's centre of mass is in front of the levels: the extensors hold it.
  EXPECT_GT(r.activation[m.find_muscle("long_extensor")], 0.0);
  EXPECT_NEAR(r.activation[m.find_muscle("flexor")], 0.0, 1e-9);
  for (int i = 0; i < m.n_muscles(); ++i) {
    EXPECT_GE(r.activation[i], r.tone_activation[i] - 1e-12);
    EXPECT_LE(r.activation[i], 1.0 + 1e-12);
  }
  // Compression exceeds the weight above each level (the extensors press too).
  EXPECT_GT(r.segments[0].compression, (30.0 + 2.0 + 6.0) * 9.81);
}

TEST(Equilibrium, ALoadInTheHandsRaisesCompressionAndFlexionRaisesIt) {
  const msk::Model m = mini();
  msk::Posture upright = msk::posture_preset("standing_relaxed");
  const auto r0 = msk::solve_equilibrium(m, upright);
  msk::Posture holding = upright;
  holding.load_mass = 10.0;
  holding.hand_distance = 0.3;
  const auto r1 = msk::solve_equilibrium(m, holding);
  expect_balanced(m, r1);
  EXPECT_GT(r1.segments[0].compression, r0.segments[0].compression + 98.0);
  msk::Posture far = holding;
  far.hand_distance = 0.5;
  const auto r2 = msk::solve_equilibrium(m, far);
  EXPECT_GT(r2.segments[0].compression, r1.segments[0].compression);
}

TEST(Equilibrium, LyingSupineUnloadsTheSpine) {
  const msk::Model m = mini();
  const auto standing = msk::solve_equilibrium(m, msk::posture_preset("standing_relaxed"));
  const auto supine = msk::solve_equilibrium(m, msk::posture_preset("lying_supine"));
  EXPECT_LT(std::abs(supine.segments[0].compression), 0.3 * standing.segments[0].compression);
  EXPECT_NEAR(supine.gravity.x(), -9.81, 1e-9);
}

TEST(Equilibrium, HypertonicExtensorIsAFloorTheOptimiserCannotRemove) {
  const msk::Model normal = mini();
  const msk::Model hyper = mini(R"({"muscles.long_extensor.tone": "hypertonic"})");
  const msk::Posture p = msk::posture_preset("lying_supine");
  const auto rn = msk::solve_equilibrium(normal, p);
  const auto rh = msk::solve_equilibrium(hyper, p);
  const int i = hyper.find_muscle("long_extensor");
  EXPECT_GT(rh.tone_activation[i], 0.01);
  EXPECT_GE(rh.activation[i], rh.tone_activation[i]);
  EXPECT_NEAR(rn.tone_activation[i], 0.0, 1e-12);
  // The extra extensor pull shows as compression.
  EXPECT_GT(rh.segments[0].compression, rn.segments[0].compression + 10.0);
  expect_balanced(hyper, rh);
}

TEST(Equilibrium, AnImpossibleLoadNamesTheLevel) {
  const msk::Model m = mini(R"({"muscles.long_extensor.max_isometric_force": 200,
                                "muscles.short_extensor.max_isometric_force": 100})");
  msk::Posture p = msk::posture_preset("standing_relaxed");
  p.name = "heavy_reach";
  p.load_mass = 60.0;
  p.hand_distance = 0.6;
  try {
    msk::solve_equilibrium(m, p);
    FAIL() << "expected an EquilibriumError";
  } catch (const msk::EquilibriumError& e) {
    EXPECT_EQ(e.posture(), "heavy_reach");
    EXPECT_TRUE(e.level() == "lower_level" || e.level() == "upper_level") << e.level();
    EXPECT_NE(std::string(e.what()).find("extension"), std::string::npos) << e.what();
    EXPECT_GT(std::abs(e.missing_moment()), 1e-3);
  }
}

TEST(Equilibrium, PostureCoordinatesFollowTheRhythmAndLevelAngles) {
  const msk::Model m = mini();
  msk::Posture p;
  p.lumbar_flexion = 20 * kDeg;
  Eigen::VectorXd q = msk::posture_coordinates(m, p);
  EXPECT_NEAR(q[0], 10 * kDeg, 1e-12);  // rhythm 0.5 each, axis -z: positive = flexion
  EXPECT_NEAR(q[1], 10 * kDeg, 1e-12);
  p.level_flexion["upper_level"] = -4 * kDeg;
  q = msk::posture_coordinates(m, p);
  EXPECT_NEAR(q[1], -4 * kDeg, 1e-12);
  p.level_flexion["no_such_level"] = 0.0;
  EXPECT_THROW(msk::posture_coordinates(m, p), msk::InvalidArgument);
}

TEST(Equilibrium, EveryPresetIsValidAndBadPosturesAreRefused) {
  for (const std::string& name : msk::posture_preset_names()) {
    const msk::Posture p = msk::posture_preset(name);
    EXPECT_NO_THROW(msk::validate(p)) << name;
    if (name.rfind("lift", 0) == 0) {
      EXPECT_EQ(p.load_mass, 20.0) << name;
    }
  }
  EXPECT_THROW(msk::posture_preset("handstand"), msk::InvalidArgument);
  msk::Posture bad;
  bad.lumbar_flexion = 200 * kDeg;
  EXPECT_THROW(msk::validate(bad), msk::InvalidArgument);
  bad = msk::Posture{};
  bad.load_mass = 10.0;  // a load with no hands to hold it
  EXPECT_THROW(msk::validate(bad), msk::InvalidArgument);
}

TEST(Equilibrium, RelaxedPostureWithAHypertonicExtensorSavesEffort) {
  // With tone referenced to the task's posture the hypertonic extensor's pull starts there; the
  // relaxed mode may move the levels only where that saves effort. (That the pull moves the
  // posture is tested on the lumbar model in the task mode: test_tone.cpp.)
  const msk::Model hyper = mini(R"({"muscles.long_extensor.tone": "hypertonic"})");
  msk::EquilibriumOptions relaxed_options, fixed_options;
  relaxed_options.mode = msk::PostureMode::Relaxed;
  fixed_options.mode = msk::PostureMode::Fixed;
  msk::Posture p = msk::posture_preset("lying_supine");
  p.hold_duration = 0.0;  // just lain down: the tone has not habituated
  const auto fixed = msk::solve_equilibrium(hyper, p, fixed_options);
  const auto relaxed = msk::solve_equilibrium(hyper, p, relaxed_options);
  EXPECT_GT(fixed.tone_activation.maxCoeff(), 0.04);
  EXPECT_TRUE(relaxed.converged);
  EXPECT_LE(relaxed.effort, fixed.effort + 1e-12);
}

}  // namespace
