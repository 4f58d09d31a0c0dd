// Tone as Feldman's lambda for the adopted posture: saturation of the static reflex, the reference
// at the posture, habituation to a held posture, reciprocal inhibition in the statics, profiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "msk/error.hpp"
#include "msk/laws/neural/habituation.hpp"
#include "msk/laws/neural/stretch_reflex.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/posture.hpp"

namespace {

const msk::Model& lumbar(const std::string& overrides) {
  static std::map<std::string, msk::Model> cache;
  auto it = cache.find(overrides);
  if (it == cache.end())
    it = cache
             .emplace(overrides,
                      msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml", overrides))
             .first;
  return it->second;
}

/// Mean of v over the members of group `name`.
double group_mean(const msk::Model& m, const std::string& name, const Eigen::VectorXd& v) {
  const auto& members = m.group_muscles()[static_cast<std::size_t>(m.find_group(name))];
  double s = 0.0;
  for (int i : members)
    s += v[i];
  return s / static_cast<double>(members.size());
}

constexpr const char* kHypertonicES = R"({"groups.erector_spinae.tone": "hypertonic"})";

}  // namespace

TEST(Tone, TheStaticDriveSaturatesSmoothlyAboveTheThreshold) {
  msk::laws::StretchReflexParams p;
  p.gain = 3.0;
  p.saturation = 0.1;
  const double lambda = 1.0;
  // Below the threshold: linear and negative (the velocity part can still recruit).
  EXPECT_DOUBLE_EQ(msk::laws::static_reflex_drive(p, 0.9, lambda), 3.0 * (0.9 - 1.0));
  // Slope g at the threshold on both sides (no kink).
  const double h = 1e-7;
  EXPECT_NEAR((msk::laws::static_reflex_drive(p, lambda + h, lambda) -
               msk::laws::static_reflex_drive(p, lambda, lambda)) /
                  h,
              3.0, 1e-5);
  // Far beyond it: at most the ceiling, increasing.
  double previous = 0.0;
  for (double l = 1.005; l < 1.1; l += 0.005) {
    const double d = msk::laws::static_reflex_drive(p, l, lambda);
    EXPECT_LT(d, 0.1);
    EXPECT_GT(d, previous);
    previous = d;
  }
  EXPECT_NEAR(msk::laws::static_reflex_drive(p, 2.0, lambda), 0.1, 1e-12);
  EXPECT_LE(msk::laws::static_reflex_drive(p, 2.0, lambda), 0.1);
}

TEST(Tone, AHypertonicMuscleIsSemiContractedByAboutTheSameAmountInEveryPosture) {
  // Tone referenced to the adopted posture: the hypertonic erector spinae's floor is a few % of
  // maximum lying, standing and flexed (it was 0 in standing and 0.5 at 40 deg of flexion when
  // referenced to the model file's recumbent shape).
  const msk::Model& m = lumbar(kHypertonicES);
  std::vector<double> floors;
  for (const char* name : {"lying_supine", "standing_relaxed", "sitting_slouched",
                           "standing_flexed", "sitting_flexed_max"}) {
    const auto r = msk::solve_equilibrium(m, msk::posture_preset(name));
    floors.push_back(group_mean(m, "erector_spinae", r.tone_activation));
    EXPECT_GT(floors.back(), 0.01) << name;
    EXPECT_LT(floors.back(), 0.10) << name;
  }
  EXPECT_LT(*std::max_element(floors.begin(), floors.end()),
            2.5 * *std::min_element(floors.begin(), floors.end()));
  // Normal tone: no floor anywhere.
  const auto normal = msk::solve_equilibrium(lumbar(""), msk::posture_preset("standing_flexed"));
  EXPECT_EQ(group_mean(lumbar(""), "erector_spinae", normal.tone_activation), 0.0);
}

TEST(Tone, HabituationLowersTheFloorWithTheTimeAPostureIsHeld) {
  const msk::Model& m = lumbar(kHypertonicES);
  auto floor_after = [&](double seconds) {
    msk::Posture p = msk::posture_preset("standing_relaxed");
    p.hold_duration = seconds;
    return group_mean(m, "erector_spinae", msk::solve_equilibrium(m, p).tone_activation);
  };
  const double fresh = floor_after(0.0), minutes = floor_after(180.0), hour = floor_after(3600.0);
  EXPECT_GT(fresh, minutes);
  EXPECT_GT(minutes, hour);
  // At most the fraction f = 0.5 fades (D / (D + D_50) < 1).
  EXPECT_GT(hour, 0.5 * fresh);
  // Switched off, the hold changes nothing.
  const msk::Model& off = lumbar(
      R"({"groups.erector_spinae.tone": "hypertonic",
          "groups.erector_spinae.laws.habituation": "none"})");
  auto off_floor_after = [&](double seconds) {
    msk::Posture p = msk::posture_preset("standing_relaxed");
    p.hold_duration = seconds;
    return group_mean(off, "erector_spinae", msk::solve_equilibrium(off, p).tone_activation);
  };
  EXPECT_NEAR(off_floor_after(3600.0), off_floor_after(0.0), 1e-9);
  EXPECT_NEAR(off_floor_after(0.0), fresh, 1e-9);
}

TEST(Tone, HabituationTargetIsSmoothAndBounded) {
  const msk::laws::HabituationParams p;
  EXPECT_EQ(msk::laws::habituation_target(p, 0.0), 0.0);
  EXPECT_EQ(msk::laws::habituation_target(p, -1.0), 0.0);
  EXPECT_NEAR(msk::laws::habituation_target(p, p.half_drive), 0.5 * p.fraction, 1e-15);
  EXPECT_LT(msk::laws::habituation_target(p, 1e6), p.fraction);
}

TEST(Tone, AHeldHypertonicElbowHabituatesInAnEpisode) {
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml",
                                       R"({"muscles.BIClong.tone": "hypertonic"})");
  const auto p = msk::parse_protocol(
      "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n"
      "  - {type: hold, joint: r_elbow_flex, duration: 600}\n");
  msk::EpisodeOptions o;
  o.output_dt = 10.0;
  const auto r = msk::simulate_episode(m, p, o);
  const auto reflex = r.channel("muscle.BIClong.reflex_excitation");
  const auto factor = r.channel("muscle.BIClong.habituation_factor");
  EXPECT_NEAR(factor.front(), 1.0, 1e-12);
  EXPECT_LT(factor.back(), 0.9);
  EXPECT_LT(reflex.back(), 0.9 * reflex[1]);
  EXPECT_GT(reflex.back(), 0.0);
}

TEST(Tone, ReciprocalInhibitionLowersAntagonistFloorsInTheStatics) {
  // Holding 20 kg close to the body the extensors work; their drive inhibits the abdominals'
  // reflex (k_RI 0.3), so hypertonic abdominals keep less tone than without inhibition.
  const msk::Model& with = lumbar(R"({"groups.abdominals.tone": "hypertonic"})");
  const msk::Model& without = lumbar(
      R"({"groups.abdominals.tone": "hypertonic", "pairs.trunk.reciprocal_inhibition": 0.0})");
  const msk::Posture lift = msk::posture_preset("lift_close");
  const auto a = msk::solve_equilibrium(with, lift);
  const auto b = msk::solve_equilibrium(without, lift);
  EXPECT_TRUE(a.converged);
  EXPECT_GT(group_mean(without, "abdominals", b.tone_activation), 0.01);
  EXPECT_LT(group_mean(with, "abdominals", a.tone_activation),
            0.5 * group_mean(without, "abdominals", b.tone_activation));
}

TEST(Tone, AToneProfileSetsTheGroupsToneAndStrength) {
  const msk::Model& base = lumbar("");
  const msk::Model& crossed = lumbar(R"({"tone_profile": "lower_crossed"})");
  const int abd = base.find_muscle("rect_abd");
  EXPECT_NEAR(crossed.muscle_params()[abd].max_isometric_force,
              0.8 * base.muscle_params()[abd].max_isometric_force, 1e-9);
  // Group overrides given with a profile refine it.
  const msk::Model& refined =
      lumbar(R"({"tone_profile": "lower_crossed", "groups.abdominals.tone": "normal"})");
  const auto r = msk::solve_equilibrium(refined, msk::posture_preset("standing_relaxed"));
  EXPECT_GT(group_mean(refined, "hip_flexors", r.tone_activation), 0.0);
  EXPECT_EQ(group_mean(refined, "abdominals", r.tone_activation), 0.0);
  // "normal" changes nothing; an unknown profile names the key and the valid ones.
  EXPECT_EQ(lumbar(R"({"tone_profile": "normal"})").muscle_params()[abd].max_isometric_force,
            base.muscle_params()[abd].max_isometric_force);
  try {
    msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml", R"({"tone_profile": "crossed"})");
    FAIL() << "expected a ModelError";
  } catch (const msk::ModelError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("tone_profile"), std::string::npos) << what;
    EXPECT_NE(what.find("lower_crossed"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(msk::load_model(std::string(MSK_MODELS_DIR) + "/cervical.yaml",
                                  R"({"tone_profile": "upper_crossed"})"));
}

TEST(Tone, InTheTaskModeHypertonicExtensorsTiltThePelvisForwardAndDeepenTheLordosis) {
  // The chain the muscle-imbalance account rests on, as the model gives it: standing, hypertonic
  // erector spinae pull the lumbar spine into extension and the pelvis forward by about as much
  // (voluntary tilt moves lordosis about 1 deg per deg, Levine & Whittle 1996).
  msk::EquilibriumOptions o;
  o.mode = msk::PostureMode::Task;
  const msk::Posture standing = msk::posture_preset("standing_relaxed");
  const auto normal = msk::solve_equilibrium(lumbar(""), standing, o);
  const auto tight = msk::solve_equilibrium(lumbar(kHypertonicES), standing, o);
  ASSERT_TRUE(normal.converged && tight.converged);
  auto lumbar_flexion = [](const msk::EquilibriumResult& r) {
    for (const auto& [region, flexion] : r.region_flexion)
      if (region == "lumbar") return flexion;
    return std::nan("");
  };
  const double tilt = tight.pelvic_tilt - normal.pelvic_tilt;
  const double lordosis = lumbar_flexion(normal) - lumbar_flexion(tight);
  EXPECT_GT(tilt, 1.0 * M_PI / 180.0);
  EXPECT_GT(lordosis, 1.0 * M_PI / 180.0);
  EXPECT_NEAR(tight.trunk_inclination, normal.trunk_inclination, 1e-6);  // the task is kept
}
