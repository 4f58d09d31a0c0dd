// Neural drive and passive tissue laws, through short episodes of the bundled elbow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "test_models.hpp"

namespace {

msk::Model elbow(const std::string& overrides = "") {
  return msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", overrides);
}

const char* kHypertonicFlexors =
    R"({"muscles.BIClong.tone": "hypertonic", "muscles.BICshort.tone": "hypertonic",
        "muscles.BRA.tone": "hypertonic"})";

using msk::test::value_at;

}  // namespace

TEST(Neural, HypertonicMuscleIsSemiContractedAtRestNormalIsNot) {
  const auto p = msk::parse_protocol(
      "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n  - {type: hold, joint: r_elbow_flex, "
      "duration: 1}\n");
  const auto hyper = msk::simulate_episode(elbow(kHypertonicFlexors), p);
  const auto normal = msk::simulate_episode(elbow(), p);
  EXPECT_NEAR(value_at(hyper, "muscle.BIClong.reflex_excitation", 1.0), 0.06, 0.01);
  EXPECT_NEAR(value_at(hyper, "muscle.BIClong.activation", 1.0), 0.06, 0.01);
  EXPECT_LT(value_at(normal, "muscle.BIClong.reflex_excitation", 1.0), 1e-9);
  // The extensors keep normal tone in both.
  EXPECT_LT(value_at(hyper, "muscle.TRIlat.reflex_excitation", 1.0), 1e-9);
}

TEST(Neural, FastStretchProvokesTheReflexSlowStretchDoesNot) {
  // Tone is referenced to the starting posture (90 deg): the hypertonic static threshold is that
  // length - 0.02. After flexing to 130 deg and holding, a ramp 130 -> 100 deg keeps the flexors
  // shorter than it: only the velocity term (lambda - mu v) can recruit them.
  auto ramp = [](double speed) {
    return msk::parse_protocol(
        "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n"
        "  - {type: ramp, joint: r_elbow_flex, to_deg: 130, speed_deg_s: 20}\n"
        "  - {type: hold, joint: r_elbow_flex, duration: 1}\n"
        "  - {type: ramp, joint: r_elbow_flex, to_deg: 100, speed_deg_s: " +
        std::to_string(speed) + "}\n");
  };
  const msk::Model m = elbow(kHypertonicFlexors);
  msk::EpisodeOptions o;
  o.output_dt = 0.002;
  // The peak after the hold at 130 deg has let the reflex of the start decay (t > 2.5 s).
  auto peak_after = [](const msk::EpisodeResult& r, const std::string& channel) {
    const auto v = r.channel(channel);
    double p = 0.0;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (r.time[i] > 2.5) p = std::max(p, v[i]);
    return p;
  };
  const auto slow = msk::simulate_episode(m, ramp(5.0), o);
  const auto fast = msk::simulate_episode(m, ramp(200.0), o);
  EXPECT_LT(peak_after(slow, "muscle.BIClong.reflex_excitation"), 1e-6);
  EXPECT_GT(peak_after(fast, "muscle.BIClong.reflex_excitation"), 0.02);
}

TEST(Neural, PostActivationDepressionFollowsAContractionAndDecays) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: isometric, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], effort_pct_mvc: 70, duration: 10}
  - {type: hold, joint: r_elbow_flex, duration: 12}
)");
  const auto r = msk::simulate_episode(elbow(kHypertonicFlexors), p);
  // After a long, strong contraction both stages are nearly charged (c = 0.7/0.2 / (0.7/0.2 +
  // 1/2.35) = 0.89) and the depression decays as D c (1 + t/tau) exp(-t/tau).
  const double tau = 2.35, charge = 3.5 / (3.5 + 1.0 / tau);
  EXPECT_NEAR(1.0 - value_at(r, "muscle.BIClong.pad_factor", 10.0), charge, 0.03);
  for (double after : {1.0, 5.0, 10.0}) {
    const double expected = charge * (1.0 + after / tau) * std::exp(-after / tau);
    EXPECT_NEAR(1.0 - value_at(r, "muscle.BIClong.pad_factor", 10.0 + after), expected, 0.03)
        << after << " s after the contraction";
  }
}

TEST(Neural, PostActivationDepressionIsGradedByEffortAndLengthWithoutAThreshold) {
  // Depression 1 s after contractions of different effort and length: it grows with both and
  // never jumps (no threshold of voluntary excitation).
  auto depression = [](double effort, double duration) {
    const auto p = msk::parse_protocol(
        "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n"
        "  - {type: isometric, joint: r_elbow_flex, muscles: [BIClong], effort_pct_mvc: " +
        std::to_string(effort) + ", duration: " + std::to_string(duration) +
        "}\n  - {type: hold, joint: r_elbow_flex, duration: 1.5}\n");
    msk::EpisodeOptions o;
    o.output_dt = 0.05;
    const auto r = msk::simulate_episode(elbow(), p, o);
    return 1.0 - value_at(r, "muscle.BIClong.pad_factor", duration + 1.0);
  };
  std::vector<double> by_effort;
  for (double effort : {2.0, 5.0, 10.0, 25.0, 50.0, 100.0})
    by_effort.push_back(depression(effort, 5.0));
  for (std::size_t k = 1; k < by_effort.size(); ++k) {
    EXPECT_GT(by_effort[k], by_effort[k - 1] + 0.02) << k;
    EXPECT_LT(by_effort[k] - by_effort[k - 1], 0.3) << k;  // smooth: no jump
  }
  EXPECT_GT(by_effort.front(), 0.02);  // even 2 % MVC depresses a little
  EXPECT_GT(depression(20.0, 10.0), depression(20.0, 5.0) + 0.03);
  EXPECT_GT(depression(20.0, 5.0), depression(20.0, 1.0) + 0.1);
}

TEST(Neural, ReciprocalInhibitionLowersTheAntagonistReflex) {
  // Hypertonic extensors held at 90 deg (semi-contracted); a voluntary flexor contraction
  // inhibits their reflex by k_RI times the flexors' mean drive.
  const std::string ext =
      R"({"muscles.TRIlong.tone": "hypertonic", "muscles.TRIlat.tone": "hypertonic",
                              "muscles.TRImed.tone": "hypertonic"})";
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 1}
  - {type: isometric, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], effort_pct_mvc: 10, duration: 1}
)");
  const auto r = msk::simulate_episode(elbow(ext), p);
  const double before = value_at(r, "muscle.TRIlat.reflex_excitation", 0.9);
  const double during = value_at(r, "muscle.TRIlat.reflex_excitation", 1.9);
  EXPECT_GT(before, 0.03);
  EXPECT_NEAR(during, std::max(0.0, before - 0.3 * 0.1), 0.01);
}

TEST(Neural, PassiveTorqueRelaxesDuringAHeldStretch) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: ramp, joint: r_elbow_flex, to_deg: 10, speed_deg_s: 20}
  - {type: hold, joint: r_elbow_flex, duration: 90}
)");
  const auto r = msk::simulate_episode(elbow(), p);
  const double t_hold = 5.0;  // 1 s after the ramp ends: reflex and activation transients gone
  const double start = value_at(r, "examiner.r_elbow_flex.resisting_torque", t_hold);
  const double end = value_at(r, "examiner.r_elbow_flex.resisting_torque", t_hold + 90.0);
  EXPECT_GT(start, 0.5);
  EXPECT_LT(end, 0.85 * start);  // relaxes ...
  EXPECT_GT(end, 0.4 * start);   // ... towards the elastic curve, not to nothing
  // Without the viscoelastic branches, the passive creep (the slack shift) and the tendon creep
  // nothing relaxes.
  const auto no_visco = msk::simulate_episode(
      elbow(R"({"law_defaults": {"muscles": {"viscoelasticity": "none", "passive_creep": "none",
                                             "tendon_creep": "none"}}})"),
      p);
  EXPECT_NEAR(value_at(no_visco, "examiner.r_elbow_flex.resisting_torque", t_hold),
              value_at(no_visco, "examiner.r_elbow_flex.resisting_torque", t_hold + 90.0), 1e-6);
}

TEST(Neural, ThixotropicBondsBreakWithMovementAndStiffenAtRest) {
  const std::string on = R"({"muscles.BIClong.thixotropy.enabled": true})";
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 60}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 1}
  - {type: ramp, joint: r_elbow_flex, to_deg: 20, speed_deg_s: 40}
  - {type: ramp, joint: r_elbow_flex, to_deg: 60, speed_deg_s: 40}
)");
  const auto r = msk::simulate_episode(elbow(on), p);
  EXPECT_NEAR(value_at(r, "muscle.BIClong.thixotropic_bonds", 0.5), 1.0, 1e-3);
  EXPECT_LT(r.channel("muscle.BIClong.thixotropic_bonds").back(), 0.3);
  // Same posture, same (relaxed) branches: the rested muscle is stiffer than the moved one.
  const auto off = msk::simulate_episode(elbow(), p);
  EXPECT_GT(value_at(r, "muscle.BIClong.passive_force", 0.5),
            1.2 * value_at(off, "muscle.BIClong.passive_force", 0.5));
  // The law is off by default: the muscle has no such state or channel.
  EXPECT_THROW(off.channel("muscle.BIClong.thixotropic_bonds"), msk::InvalidArgument);
}
