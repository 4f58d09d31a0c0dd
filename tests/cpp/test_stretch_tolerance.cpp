// The stretch tolerance law (msk/laws/neural/stretch_tolerance.hpp): its rate, the barrier it
// moves, and its fading at rest.
#include "msk/laws/neural/stretch_tolerance.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "test_models.hpp"

namespace {

using msk::laws::stretch_tolerance_rate;
using msk::laws::StretchToleranceParams;

msk::Model elbow(const std::string& overrides = "") {
  return msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", overrides);
}

using msk::test::value_at;

}  // namespace

TEST(StretchTolerance, RisesWithTheStretchTowardsItsMaximumAndFadesAtRest) {
  StretchToleranceParams p;
  p.rate = 2.0;
  p.max_increase = 0.5;
  p.decay_time_constant = 1000.0;
  EXPECT_NEAR(stretch_tolerance_rate(p, 0.1, 0.0), 2.0 * 0.1 * 0.5, 1e-15);
  EXPECT_NEAR(stretch_tolerance_rate(p, 0.0, 0.2), -0.2 / 1000.0, 1e-15);
  EXPECT_LT(stretch_tolerance_rate(p, 0.1, 0.5), 0.0);  // never beyond x_max
  EXPECT_NEAR(stretch_tolerance_rate(p, -1.0, 0.0), 0.0, 1e-15);
}

TEST(StretchTolerance, AtRestNothingChangesAHeldStretchRaisesItAndItFades) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 5}
  - {type: ramp, joint: r_elbow_flex, to_deg: 5, speed_deg_s: 10}
  - {type: hold, joint: r_elbow_flex, duration: 60}
  - {type: ramp, joint: r_elbow_flex, to_deg: 90, speed_deg_s: 10}
  - {type: hold, joint: r_elbow_flex, duration: 600}
)");
  msk::EpisodeOptions o;
  o.output_dt = 1.0;
  o.stepper = "rosenbrock4";
  o.max_step = 5.0;
  const auto r = msk::simulate_episode(elbow(), p, o);
  EXPECT_NEAR(value_at(r, "muscle.BIClong.tolerance_factor", 5.0), 1.0, 1e-12);
  const double raised = value_at(r, "muscle.BIClong.tolerance_factor", 5.0 + 8.5 + 60.0);
  EXPECT_GT(raised, 1.01);
  // Ten minutes later it has faded by exp(-600 / tau_tol) (the default tau_tol).
  const double tau = StretchToleranceParams{}.decay_time_constant;
  const double later = value_at(r, "muscle.BIClong.tolerance_factor", 5.0 + 17.0 + 60.0 + 600.0);
  EXPECT_NEAR((later - 1.0) / (value_at(r, "muscle.BIClong.tolerance_factor", 82.0) - 1.0),
              std::exp(-600.0 / tau), 0.02);
}

TEST(StretchTolerance, TheBarrierIsTheTorqueThePersonTolerates) {
  // The same stretch to a 1 N m barrier, with the tolerance already raised by 40 % (a muscle
  // whose law starts there is not possible, so the tolerance is raised by a long held stretch in
  // one run and switched off in the other): the barrier torque scales with the factor.
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: passive_stretch, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA],
     speed_deg_s: 5, barrier_torque: 1.0, max_duration: 40}
  - {type: hold, joint: r_elbow_flex, duration: 120}
  - {type: passive_stretch, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA],
     speed_deg_s: 5, barrier_torque: 1.0, max_duration: 40}
)");
  msk::EpisodeOptions o;
  o.output_dt = 0.05;
  const auto r = msk::simulate_episode(elbow(), p, o);
  std::vector<double> barriers;
  for (std::size_t k = 0; k < r.event_labels.size(); ++k)
    if (r.event_labels[k] == "barrier:r_elbow_flex") barriers.push_back(r.event_times[k]);
  ASSERT_EQ(barriers.size(), 2u);
  // The flexors' tolerance, weighted by their share of the resisting (flexor) moment.
  double weighted = 0.0, total = 0.0;
  for (const char* m : {"BIClong", "BICshort", "BRA"}) {
    const std::string prefix = std::string("muscle.") + m;
    const double resisting =
        std::max(0.0, value_at(r, prefix + ".moment.r_elbow_flex", barriers[1]));
    weighted += resisting * value_at(r, prefix + ".tolerance_factor", barriers[1]);
    total += resisting;
  }
  const double factor = weighted / total;
  EXPECT_GT(factor, 1.0);
  EXPECT_NEAR(value_at(r, "examiner.r_elbow_flex.resisting_torque", barriers[1]), factor, 0.02);
}
