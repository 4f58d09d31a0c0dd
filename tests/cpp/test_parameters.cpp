// Parameters without recompiling (Model::with_parameters): the same results as the same change
// made through overrides, errors that name the parameter, and groups.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/posture.hpp"

namespace {

const std::string kElbow = std::string(MSK_MODELS_DIR) + "/elbow.yaml";
const std::string kLumbar = std::string(MSK_MODELS_DIR) + "/lumbar.yaml";

msk::EpisodeResult pir(const msk::Model& m) {
  const msk::Protocol p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 0.5}
  - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], cycles: 1,
     contraction_s: 1, relaxation_s: 1, barrier_torque: 5}
)");
  msk::EpisodeOptions o;
  o.output_dt = 0.05;
  return msk::simulate_episode(m, p, o);
}

void expect_same(const msk::EpisodeResult& a, const msk::EpisodeResult& b) {
  ASSERT_EQ(a.time, b.time);
  ASSERT_EQ(a.values.size(), b.values.size());
  for (std::size_t i = 0; i < a.values.size(); ++i)
    ASSERT_EQ(a.values[i], b.values[i]) << a.channels[i % a.n_channels()].name;
}

}  // namespace

TEST(Parameters, WithParametersEqualsTheSameOverride) {
  const std::string hyper = R"({"muscles.BIClong.tone": "hypertonic",
    "muscles.BICshort.tone": "hypertonic", "muscles.BRA.tone": "hypertonic"})";
  const msk::Model base = msk::load_model(kElbow, hyper);
  const msk::Model overridden = msk::load_model(kElbow, R"({"muscles.BIClong.tone": "hypertonic",
    "muscles.BICshort.tone": "hypertonic", "muscles.BRA.tone": "hypertonic",
    "muscles.BIClong.optimal_fibre_length": 0.125, "muscles.BIClong.tendon_slack_length": 0.26,
    "muscles.BRA.max_isometric_force": 900, "muscles.BICshort.tone.gain": 4.5,
    "muscles.BRA.activation_time_constant": 0.02})");
  const msk::Model set = base.with_parameters({{"muscles.BIClong.optimal_fibre_length", 0.125},
                                               {"muscles.BIClong.tendon_slack_length", 0.26},
                                               {"muscles.BRA.max_isometric_force", 900.0},
                                               {"muscles.BICshort.tone.gain", 4.5},
                                               {"muscles.BRA.activation_time_constant", 0.02}});
  expect_same(pir(overridden), pir(set));
  // The model it came from is unchanged.
  EXPECT_EQ(base.muscle_params()[base.find_muscle("BRA")].max_isometric_force,
            msk::load_model(kElbow).muscle_params()[base.find_muscle("BRA")].max_isometric_force);
}

TEST(Parameters, LevelParametersEqualTheSameOverride) {
  const msk::Model base = msk::load_model(kLumbar);
  const msk::Model overridden = msk::load_model(
      kLumbar, R"({"segments.L4-L5.disc.height": 0.009, "segments.L4-L5.hydration": 0.8,
                   "segments.L3-L4.facet.gap": 0.0008, "segments.L5-S1.degeneration": 0.75})");
  const msk::Model set = base.with_parameters({{"segments.L4-L5.disc.height", 0.009},
                                               {"segments.L4-L5.hydration", 0.8},
                                               {"segments.L3-L4.facet.gap", 0.0008},
                                               {"segments.L5-S1.degeneration", 0.75}});
  msk::EquilibriumOptions o;
  o.mode = msk::PostureMode::Fixed;
  const msk::Posture p = msk::posture_preset("standing_flexed");
  const msk::EquilibriumResult a = msk::solve_equilibrium(overridden, p, o);
  const msk::EquilibriumResult b = msk::solve_equilibrium(set, p, o);
  for (int k = 0; k < set.n_segments(); ++k) {
    EXPECT_EQ(a.segments[k].compression, b.segments[k].compression) << set.segment_names()[k];
    EXPECT_EQ(a.segments[k].disc_height, b.segments[k].disc_height) << set.segment_names()[k];
    EXPECT_EQ(a.segments[k].facet_force, b.segments[k].facet_force) << set.segment_names()[k];
    EXPECT_EQ(a.segments[k].degeneration, b.segments[k].degeneration) << set.segment_names()[k];
  }
  const int k = set.find_segment("L4-L5");
  EXPECT_NE(base.segment_params()[k].disc.height, set.segment_params()[k].disc.height);
  EXPECT_EQ(a.segments[set.find_segment("L5-S1")].degeneration, 0.75);
  // The index is bounded to [0, 1].
  EXPECT_THROW(base.with_parameters({{"segments.L4-L5.degeneration", 1.5}}), msk::InvalidArgument);
}

TEST(Parameters, GroupsExpandToTheirMembers) {
  const msk::Model m = msk::load_model(kLumbar);
  const auto refs = m.parameters("groups.erector_spinae.tone.gain");
  ASSERT_GT(refs.size(), 10u);
  const msk::Model hyper = m.with_parameters({{"groups.erector_spinae.tone.gain", 3.0}});
  for (const auto& r : refs)
    EXPECT_EQ(hyper.parameter_value(r), 3.0);
}

TEST(Parameters, UnknownNamesAndBadValuesAreNamed) {
  const msk::Model m = msk::load_model(kElbow);
  try {
    m.parameter("muscles.BIClong.optimal_fiber_length");
    FAIL();
  } catch (const msk::InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("did you mean 'optimal_fibre_length'"), std::string::npos) << what;
  }
  try {
    m.parameter("muscles.BIClng.optimal_fibre_length");
    FAIL();
  } catch (const msk::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'BIClong'"), std::string::npos);
  }
  EXPECT_THROW(m.with_parameters({{"muscles.BIClong.optimal_fibre_length", -1.0}}),
               msk::InvalidArgument);
  EXPECT_THROW(m.with_parameters({{"muscles.BIClong.tone.gain", std::nan("")}}),
               msk::InvalidArgument);
  // Every listed name resolves.
  for (const std::string& name : m.parameter_names())
    EXPECT_NO_THROW(m.parameter(name)) << name;
}
