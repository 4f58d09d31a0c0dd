// The stretch-reflex depression law (msk/laws/neural/stretch_depression.hpp): its rate, and a held
// stretch of hypertonic flexors relaxing through it.
#include "msk/laws/neural/stretch_depression.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "test_models.hpp"

namespace {

using msk::laws::stretch_depression_rate;
using msk::laws::StretchDepressionParams;

const char* kHypertonicFlexors =
    R"({"muscles.BIClong.tone": "hypertonic", "muscles.BICshort.tone": "hypertonic",
        "muscles.BRA.tone": "hypertonic"})";

using msk::test::value_at;

}  // namespace

TEST(StretchDepression, GradedSaturatingTargetFasterOnsetThanOffset) {
  StretchDepressionParams p;
  p.depth = 0.7;
  p.half_stretch = 0.05;
  p.onset_time_constant = 1.0;
  p.offset_time_constant = 4.0;
  EXPECT_NEAR(stretch_depression_rate(p, 0.05, 0.0), 0.35, 1e-12);  // half of D_s, tau_on
  EXPECT_NEAR(stretch_depression_rate(p, 0.0, 0.35), -0.35 / 4.0, 1e-12);
  EXPECT_NEAR(stretch_depression_rate(p, -0.1, 0.0), 0.0, 1e-15);  // shorter than the reference
  // Graded: a larger stretch, a larger target, never beyond D_s.
  EXPECT_GT(stretch_depression_rate(p, 0.1, 0.0), stretch_depression_rate(p, 0.05, 0.0));
  EXPECT_LT(stretch_depression_rate(p, 100.0, 0.0), 0.7);
}

TEST(StretchDepression, AHeldStretchOfAHypertonicMuscleRelaxesItsReflex) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 1}
  - {type: ramp, joint: r_elbow_flex, to_deg: 60, speed_deg_s: 10}
  - {type: hold, joint: r_elbow_flex, duration: 30}
)");
  msk::EpisodeOptions o;
  o.output_dt = 0.05;
  const msk::Model on =
      msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", kHypertonicFlexors);
  const auto r = msk::simulate_episode(on, p, o);
  // The depression builds within seconds of the stretch and holds while it is held.
  EXPECT_NEAR(value_at(r, "muscle.BIClong.stretch_depression_factor", 0.5), 1.0, 1e-9);
  const double factor = value_at(r, "muscle.BIClong.stretch_depression_factor", 34.0);
  EXPECT_LT(factor, 0.8);
  EXPECT_GT(factor, 0.3);
  // Without the law the reflex of the held stretch is larger by about that factor.
  std::string off = kHypertonicFlexors;
  off.insert(off.size() - 1, R"(, "muscles.BIClong.laws": {"stretch_depression": "none"})");
  const auto r_off = msk::simulate_episode(
      msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", off), p, o);
  const double with = value_at(r, "muscle.BIClong.reflex_excitation", 34.0);
  const double without = value_at(r_off, "muscle.BIClong.reflex_excitation", 34.0);
  EXPECT_GT(without, 0.05);
  EXPECT_LT(with, 0.85 * without);
}
