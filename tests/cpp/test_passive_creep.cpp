// The passive creep law (msk/laws/muscle/passive_creep.hpp): its rate, and the slack shift a held
// stretch leaves behind, recovering over minutes.
#include "msk/laws/muscle/passive_creep.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "test_models.hpp"

namespace {

using msk::laws::passive_creep_rate;
using msk::laws::PassiveCreepParams;

msk::Model elbow(const std::string& overrides = "") {
  return msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", overrides);
}

using msk::test::value_at;

}  // namespace

TEST(PassiveCreep, CreepsTowardsATargetProportionalToStressAndRecoversMoreSlowly) {
  PassiveCreepParams p;
  p.creep_gain = 0.2;
  p.creep_time_constant = 50.0;
  p.recovery_time_constant = 400.0;
  EXPECT_NEAR(passive_creep_rate(p, 0.1, 0.02), 0.0, 1e-15);  // at the target
  EXPECT_NEAR(passive_creep_rate(p, 0.1, 0.0), 0.02 / 50.0, 1e-15);
  EXPECT_NEAR(passive_creep_rate(p, 0.0, 0.02), -0.02 / 400.0, 1e-15);
  EXPECT_NEAR(passive_creep_rate(p, -0.3, 0.02), -0.02 / 400.0, 1e-15);  // shorter: recovers
}

TEST(PassiveCreep, AHeldStretchLeavesTheMuscleSlackerForMinutes) {
  // Normal tone (no reflex): extend the elbow to 5 deg, hold 2 min, return to 90 deg and hold,
  // then stretch again to 5 deg: the flexors' passive force there is lower than the first time.
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: ramp, joint: r_elbow_flex, to_deg: 5, speed_deg_s: 10}
  - {type: hold, joint: r_elbow_flex, duration: 120}
  - {type: ramp, joint: r_elbow_flex, to_deg: 90, speed_deg_s: 10}
  - {type: hold, joint: r_elbow_flex, duration: 180}
  - {type: ramp, joint: r_elbow_flex, to_deg: 5, speed_deg_s: 10}
)");
  msk::EpisodeOptions o;
  o.output_dt = 0.5;
  const msk::Model m = elbow();
  const auto r = msk::simulate_episode(m, p, o);
  const double t_first = 8.5, t_hold_end = 128.5, t_second = 8.5 + 120 + 8.5 + 180 + 8.5;
  EXPECT_NEAR(value_at(r, "muscle.BIClong.passive_slack_shift", 0.0), 0.0, 1e-12);
  const double shift = value_at(r, "muscle.BIClong.passive_slack_shift", t_hold_end);
  EXPECT_GT(shift, 2e-3);
  // Three minutes later at the habitual length part of it is left ...
  const double left = value_at(r, "muscle.BIClong.passive_slack_shift", t_second - 8.5);
  EXPECT_GT(left, 0.3 * shift);
  EXPECT_LT(left, 0.9 * shift);
  // ... and the same stretch meets a smaller passive force.
  const auto off =
      msk::simulate_episode(elbow(R"({"muscles.BIClong.laws": {"passive_creep": "none"}})"), p, o);
  const double first = value_at(r, "muscle.BIClong.passive_force", t_first);
  // (The creep starts during the first ramp itself, by less than 2 %.)
  EXPECT_NEAR(first, value_at(off, "muscle.BIClong.passive_force", t_first), 0.02 * first);
  EXPECT_LT(value_at(r, "muscle.BIClong.passive_force", t_second),
            value_at(off, "muscle.BIClong.passive_force", t_second));
}
