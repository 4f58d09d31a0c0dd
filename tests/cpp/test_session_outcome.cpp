// The session outcome record (msk/sim/session_outcome.hpp): per muscle, what a session left behind
// and how long it lasts.
#include "msk/sim/session_outcome.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "msk/error.hpp"
#include "msk/laws/muscle/passive_creep.hpp"
#include "msk/laws/neural/stretch_tolerance.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"

namespace {

msk::Model elbow(const std::string& overrides = "") {
  return msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", overrides);
}

const char* kSession = R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 1}
  - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], cycles: 2,
     effort_pct_mvc: 30, contraction_s: 5, relaxation_s: 2, barrier_torque: 1.5}
)";

}  // namespace

TEST(SessionOutcome, ASessionLeavesToleranceSlackAndTendonChangesThatLastMinutes) {
  const msk::Model m = elbow();
  const msk::Protocol p = msk::parse_protocol(kSession);
  Eigen::VectorXd q(1);
  q[0] = M_PI / 2.0;
  const msk::State before = msk::make_initial_state(m, q);
  const msk::EpisodeResult r = msk::simulate_episode(m, p);
  const msk::SessionOutcome o = msk::compute_session_outcome(m, before, r.final_state);
  ASSERT_EQ(o.muscles.size(), static_cast<std::size_t>(m.n_muscles()));
  const msk::MuscleOutcome& bic = o.muscles[static_cast<std::size_t>(m.find_muscle("BIClong"))];
  EXPECT_EQ(bic.muscle, "BIClong");
  EXPECT_GT(bic.tolerance_change, 0.0);
  EXPECT_GT(bic.passive_slack_shift, 0.0);
  EXPECT_GT(bic.tendon_elongation, 0.0);
  EXPECT_LT(bic.reflex_gain_change, 0.0);  // depressed right after the session
  EXPECT_NEAR(
      bic.resting_length_change,
      bic.passive_slack_shift * m.muscle_params()[3].optimal_fibre_length + bic.tendon_elongation,
      1e-12);
  // How long: tau ln 10 of each law's recovery.
  EXPECT_NEAR(bic.tolerance_lasts_s,
              msk::laws::StretchToleranceParams{}.decay_time_constant * std::log(10.0), 1e-9);
  EXPECT_NEAR(bic.passive_lasts_s,
              msk::laws::PassiveCreepParams{}.recovery_time_constant * std::log(10.0), 1e-9);
  EXPECT_GT(bic.tolerance_lasts_s, bic.passive_lasts_s);
  EXPECT_GT(bic.passive_lasts_s, bic.reflex_lasts_s);
  // The unstretched extensors barely change.
  const msk::MuscleOutcome& tri = o.muscles[static_cast<std::size_t>(m.find_muscle("TRIlat"))];
  EXPECT_LT(std::abs(tri.tolerance_change), 0.1 * bic.tolerance_change);
}

TEST(SessionOutcome, AMechanismSwitchedOffGivesNothingAndStatesMustFit) {
  const msk::Model m = elbow(R"({"law_defaults": {"muscles": {"tolerance": "none"}}})");
  const msk::EpisodeResult r = msk::simulate_episode(m, msk::parse_protocol(kSession));
  Eigen::VectorXd q(1);
  q[0] = M_PI / 2.0;
  const msk::SessionOutcome o =
      msk::compute_session_outcome(m, msk::make_initial_state(m, q), r.final_state);
  for (const msk::MuscleOutcome& mo : o.muscles) {
    EXPECT_EQ(mo.tolerance_change, 0.0);
    EXPECT_EQ(mo.tolerance_lasts_s, 0.0);
  }
  msk::State wrong = r.final_state;
  wrong.x.conservativeResize(wrong.x.size() - 1);
  EXPECT_THROW(msk::compute_session_outcome(m, wrong, r.final_state), msk::InvalidArgument);
}
