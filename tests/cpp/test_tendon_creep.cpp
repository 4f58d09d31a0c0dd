// The tendon creep law (msk/laws/muscle/tendon_creep.hpp): its rate, and what an isometric
// contraction at a held elbow does through it.
#include "msk/laws/muscle/tendon_creep.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "test_models.hpp"

namespace {

using msk::laws::tendon_creep_rate;
using msk::laws::TendonCreepParams;

msk::Model elbow(const std::string& overrides = "") {
  return msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", overrides);
}

using msk::test::value_at;

/// 1 s held at 90 deg, an isometric contraction of the flexors, then `rest` s held.
msk::EpisodeResult contraction(const msk::Model& m, double effort_pct, double duration,
                               double rest) {
  const auto p = msk::parse_protocol(
      "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n"
      "  - {type: hold, joint: r_elbow_flex, duration: 1}\n"
      "  - {type: isometric, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], "
      "effort_pct_mvc: " +
      std::to_string(effort_pct) + ", duration: " + std::to_string(duration) +
      "}\n  - {type: hold, joint: r_elbow_flex, duration: " + std::to_string(rest) + "}\n");
  msk::EpisodeOptions o;
  o.output_dt = 0.05;
  return msk::simulate_episode(m, p, o);
}

}  // namespace

TEST(TendonCreep, CreepsTowardsATargetProportionalToForceAndRecoversMoreSlowly) {
  TendonCreepParams p;
  p.creep_strain = 0.01;
  p.creep_time_constant = 10.0;
  p.recovery_time_constant = 600.0;
  const double slack = 0.2;
  // At the target the rate is zero from both sides (continuous).
  EXPECT_NEAR(tendon_creep_rate(p, slack, 0.5, 0.001), 0.0, 1e-15);
  // Below the target it creeps with tau_c, above it recovers with tau_r.
  EXPECT_NEAR(tendon_creep_rate(p, slack, 1.0, 0.0), 0.002 / 10.0, 1e-15);
  EXPECT_NEAR(tendon_creep_rate(p, slack, 0.0, 0.002), -0.002 / 600.0, 1e-15);
  // A compressive (negative) force pulls nothing.
  EXPECT_EQ(tendon_creep_rate(p, slack, -1.0, 0.0), 0.0);
}

TEST(TendonCreep, AContractionAtAHeldJointLengthensTheTendonAndShortensTheFibre) {
  const msk::Model m = elbow();
  const auto r = contraction(m, 50.0, 5.0, 30.0);
  const double before = value_at(r, "muscle.BIClong.tendon_elongation", 0.9);
  const double after = value_at(r, "muscle.BIClong.tendon_elongation", 6.0);
  EXPECT_GT(after - before, 1e-4);  // > 0.1 mm after 5 s at 50 % MVC
  // With the joint held, the fibre is shorter by the creep once the contraction is over.
  const double fibre_before = value_at(r, "muscle.BIClong.fibre_length", 0.9);
  const double fibre_after = value_at(r, "muscle.BIClong.fibre_length", 8.0);
  EXPECT_NEAR(fibre_before - fibre_after,
              value_at(r, "muscle.BIClong.tendon_elongation", 8.0) - before, 2e-5);
  // It recovers on minutes, not seconds: most of the creep is left 30 s later.
  EXPECT_GT(value_at(r, "muscle.BIClong.tendon_elongation", 36.0) - before, 0.8 * (after - before));
}

TEST(TendonCreep, EffortAndContractionTimeActThroughTheCreepWithoutAThreshold) {
  const msk::Model m = elbow();
  auto creep = [&](double effort, double duration) {
    const auto r = contraction(m, effort, duration, 0.5);
    return value_at(r, "muscle.BIClong.tendon_elongation", 1.0 + duration + 0.4) -
           value_at(r, "muscle.BIClong.tendon_elongation", 0.9);
  };
  const double e5 = creep(5.0, 5.0), e10 = creep(10.0, 5.0), e25 = creep(25.0, 5.0),
               e100 = creep(100.0, 5.0);
  EXPECT_GT(e5, 0.0);
  EXPECT_GT(e10, 1.5 * e5);
  EXPECT_GT(e25, 1.5 * e10);
  EXPECT_GT(e100, 2.0 * e25);
  EXPECT_GT(creep(25.0, 10.0), 1.2 * e25);
  EXPECT_LT(creep(25.0, 1.0), 0.5 * e25);
}

TEST(TendonCreep, RoleNoneSwitchesItOff) {
  const msk::Model m = elbow(R"({"muscles.BIClong.laws": {"tendon_creep": "none"}})");
  const auto r = contraction(m, 50.0, 2.0, 0.5);
  EXPECT_THROW(r.channel("muscle.BIClong.tendon_elongation"), msk::InvalidArgument);
  EXPECT_NO_THROW(r.channel("muscle.BRA.tendon_elongation"));
}
