// The episode integrator: physics sanity, stepper agreement, events, errors, cancellation.
#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "msk/error.hpp"
#include "msk/io/reader.hpp"
#include "msk/law/registry.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/state.hpp"
#include "test_models.hpp"

namespace {

const msk::Model& elbow() {
  static const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  return m;
}

double last(const msk::EpisodeResult& r, const std::string& channel) {
  return r.channel(channel).back();
}

}  // namespace

TEST(Episode, FreeDoublePendulumConservesEnergy) {
  const msk::Model m = msk::load_model_text(msk::test::kDoublePendulum);
  const auto p = msk::parse_protocol(
      "initial: {angles_deg: {q1: 60, q2: -30}}\nphases:\n  - {type: rest, duration: 2.0}\n");
  msk::EpisodeOptions o;
  o.rtol = 1e-10;
  o.atol = 1e-12;
  const auto r = msk::simulate_episode(m, p, o);
  // Potential + kinetic energy from the recorded states (no damping, no muscles).
  auto energy = [&](std::size_t row) {
    const double q1 = r.channel("joint.q1.angle")[row], q2 = r.channel("joint.q2.angle")[row];
    const double w1 = r.channel("joint.q1.velocity")[row], w2 = r.channel("joint.q2.velocity")[row];
    // Positions of COMs in the plane, z offsets irrelevant for gravity.
    const Eigen::Vector2d c1(0.25 * std::sin(q1), -0.25 * std::cos(q1));
    const Eigen::Vector2d j(0.5 * std::sin(q1), -0.5 * std::cos(q1));
    const Eigen::Vector2d c2 =
        j + Eigen::Vector2d(0.2 * std::sin(q1 + q2), -0.2 * std::cos(q1 + q2));
    const Eigen::Vector2d v1 = w1 * Eigen::Vector2d(0.25 * std::cos(q1), 0.25 * std::sin(q1));
    const Eigen::Vector2d v2 =
        w1 * Eigen::Vector2d(0.5 * std::cos(q1), 0.5 * std::sin(q1)) +
        (w1 + w2) * Eigen::Vector2d(0.2 * std::cos(q1 + q2), 0.2 * std::sin(q1 + q2));
    const double kinetic = 0.5 * 1.0 * v1.squaredNorm() + 0.5 * 0.01 * w1 * w1 +
                           0.5 * 0.7 * v2.squaredNorm() + 0.5 * 0.009 * (w1 + w2) * (w1 + w2);
    const double potential = 9.81 * (1.0 * c1.y() + 0.7 * c2.y());
    return kinetic + potential;
  };
  const double e0 = energy(0);
  for (std::size_t row = 0; row < r.n_times(); row += 20)
    EXPECT_NEAR(energy(row), e0, 1e-6) << row;
  EXPECT_GT(std::abs(r.channel("joint.q2.velocity")[50]), 0.1);  // it really moves
}

TEST(Episode, ElbowRestsUnderGravityWithinItsRange) {
  const auto p = msk::parse_protocol(
      "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n  - {type: rest, duration: 3}\n");
  const auto r = msk::simulate_episode(elbow(), p);
  const double q = last(r, "joint.r_elbow_flex.angle");
  EXPECT_LT(q, 90.0 * M_PI / 180.0);  // gravity extends the elbow when the arm hangs
  EXPECT_GT(q, -0.1);
  EXPECT_NEAR(last(r, "joint.r_elbow_flex.velocity"), 0.0, 0.05);
  EXPECT_NEAR(r.time.back(), 3.0, 1e-12);
}

TEST(Episode, VoluntaryFlexionFlexesAndCoContractionIsRecorded) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 60}}
phases:
  - {type: voluntary, duration: 0.5, excitation: {BIClong: 0.3, BICshort: 0.3, BRA: 0.3, TRIlong: 0.1}}
)");
  const auto r = msk::simulate_episode(elbow(), p);
  EXPECT_GT(last(r, "joint.r_elbow_flex.angle"), 60.0 * M_PI / 180.0);
  EXPECT_GT(last(r, "muscle.BIClong.activation"), 0.25);
  const double cci = last(r, "pair.elbow.cci");
  EXPECT_GT(cci, 0.0);
  EXPECT_LT(cci, 1.0);
  // Net moment of the pair equals the sum of the two sides.
  EXPECT_NEAR(last(r, "pair.elbow.net_moment"),
              last(r, "pair.elbow.agonist_moment") + last(r, "pair.elbow.antagonist_moment"), 1e-9);
}

TEST(Episode, ExplicitAndStiffSteppersAgree) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 80}}
phases:
  - {type: voluntary, duration: 0.4, excitation: {BIClong: 0.2, TRIlat: 0.15}}
  - {type: rest, duration: 0.4}
)");
  msk::EpisodeOptions explicit_options, stiff_options;
  explicit_options.rtol = stiff_options.rtol = 1e-8;
  explicit_options.atol = stiff_options.atol = 1e-10;
  stiff_options.stepper = "rosenbrock4";
  const auto a = msk::simulate_episode(elbow(), p, explicit_options);
  const auto b = msk::simulate_episode(elbow(), p, stiff_options);
  ASSERT_EQ(a.n_times(), b.n_times());
  const auto qa = a.channel("joint.r_elbow_flex.angle"), qb = b.channel("joint.r_elbow_flex.angle");
  for (std::size_t i = 0; i < qa.size(); ++i)
    EXPECT_NEAR(qa[i], qb[i], 1e-5) << "row " << i;
  EXPECT_GT(b.stats.jacobian_calls, 0u);
}

TEST(Episode, PassiveStretchStopsAtTheBarrier) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: passive_stretch, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], speed_deg_s: 20,
     barrier_torque: 1.0, max_duration: 10}
)");
  const auto r = msk::simulate_episode(elbow(), p);
  ASSERT_FALSE(r.event_labels.empty());
  const std::string label = r.event_labels.back();
  EXPECT_TRUE(label == "barrier:r_elbow_flex" || label == "range_limit:r_elbow_flex") << label;
  // The flexors lengthen: the elbow extends.
  EXPECT_LT(last(r, "joint.r_elbow_flex.angle"), 90.0 * M_PI / 180.0);
  if (label == "barrier:r_elbow_flex") {
    // The barrier is the torque the person tolerates: the barrier torque times the stretched
    // muscles' stretch tolerance, weighted by their share of the resisting torque (it rises a
    // little during the stretch itself).
    double weighted = 0.0, total = 0.0;
    for (const char* m : {"BIClong", "BICshort", "BRA"}) {
      const std::string prefix = std::string("muscle.") + m;
      const double resisting = std::max(0.0, last(r, prefix + ".moment.r_elbow_flex"));
      weighted += resisting * last(r, prefix + ".tolerance_factor");
      total += resisting;
    }
    const double tolerance = weighted / total;
    EXPECT_GE(tolerance, 1.0);
    EXPECT_LT(tolerance, 1.05);
    EXPECT_NEAR(last(r, "examiner.r_elbow_flex.resisting_torque"), 1.0 * tolerance, 1e-4);
  }
}

TEST(Episode, StepLimitIsASimulationErrorAndTheFileKeepsTheRows) {
  const std::string path = std::string(MSK_TEST_TMP) + "/step_limit.h5";
  const auto p = msk::parse_protocol("phases:\n  - {type: rest, duration: 5}\n");
  msk::EpisodeOptions o;
  o.max_steps = 40;
  o.output_path = path;
  try {
    msk::simulate_episode(elbow(), p, o);
    FAIL() << "no SimulationError";
  } catch (const msk::SimulationError& e) {
    EXPECT_GT(e.time(), 0.0);
    EXPECT_EQ(e.law(), "dopri5");
    EXPECT_NE(std::string(e.what()).find("step limit"), std::string::npos);
  }
  const auto data = msk::io::load_results(path);
  EXPECT_GT(data.time.size(), 1u);
  EXPECT_EQ(data.meta_strings.at("status"), "failed");
}

TEST(Episode, ProgressIsReportedAndCanCancel) {
  const auto p = msk::parse_protocol("phases:\n  - {type: rest, duration: 2}\n");
  msk::EpisodeOptions o;
  int calls = 0;
  o.progress_interval_s = 0.0;
  o.progress = [&](double t, double t_end) {
    ++calls;
    EXPECT_DOUBLE_EQ(t_end, 2.0);
    return t < 0.5;
  };
  try {
    msk::simulate_episode(elbow(), p, o);
    FAIL();
  } catch (const msk::SimulationError&) {
    FAIL() << "cancellation is not a simulation error";
  } catch (const msk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos);
  }
  EXPECT_GT(calls, 1);
}

TEST(Episode, WritesHdf5WithUnitsAndMeta) {
  const std::string path = std::string(MSK_TEST_TMP) + "/elbow_rest.h5";
  const auto p = msk::parse_protocol("phases:\n  - {type: rest, duration: 0.2}\n");
  msk::EpisodeOptions o;
  o.output_path = path;
  o.seed = 7;
  const auto r = msk::simulate_episode(elbow(), p, o);
  const auto data = msk::io::load_results(path);
  ASSERT_EQ(data.time.size(), r.n_times());
  ASSERT_EQ(data.channels.size(), r.n_channels());
  EXPECT_EQ(data.channels[0].name, "joint.r_elbow_flex.angle");
  EXPECT_EQ(data.channels[0].units, "rad");
  EXPECT_EQ(data.meta_strings.at("model_name"), "elbow");
  EXPECT_EQ(data.meta_strings.at("status"), "complete");
  EXPECT_NE(data.meta_strings.at("model_text").find("BIClong"), std::string::npos);
  for (std::size_t i = 0; i < r.n_times(); ++i)
    EXPECT_DOUBLE_EQ(data.values[0][i], r.values[i * r.n_channels()]);
}

TEST(Episode, SameInputsGiveIdenticalResults) {
  const auto p = msk::parse_protocol(
      "phases:\n  - {type: voluntary, duration: 0.3, excitation: {BRA: 0.4}}\n");
  const auto a = msk::simulate_episode(elbow(), p), b = msk::simulate_episode(elbow(), p);
  EXPECT_EQ(a.values, b.values);
}

TEST(Episode, ThresholdEventsAreLocatedAndTerminalOnesEndTheEpisode) {
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 60}}
phases:
  - {type: voluntary, duration: 1.0, excitation: {BIClong: 0.3, BICshort: 0.3, BRA: 0.3}}
)");
  msk::EpisodeOptions o = msk::parse_episode_options(R"(
events:
  - {name: past_80, channel: joint.r_elbow_flex.angle, threshold: 1.3962634, direction: rising}
  - {name: past_100, channel: joint.r_elbow_flex.angle, threshold: 1.7453293, direction: rising,
     terminal: true}
)");
  const auto r = msk::simulate_episode(elbow(), p, o);
  ASSERT_EQ(r.event_labels.size(), 2u);
  EXPECT_EQ(r.event_labels[0], "event:past_80");
  EXPECT_EQ(r.event_labels[1], "event:past_100");
  EXPECT_LT(r.event_times[0], r.event_times[1]);
  // The episode ends at the terminal crossing, with the last row on the threshold.
  EXPECT_NEAR(r.time.back(), r.event_times[1], 1e-12);
  EXPECT_NEAR(last(r, "joint.r_elbow_flex.angle"), 1.7453293, 1e-6);
  EXPECT_LT(r.time.back(), 1.0);
}

TEST(Episode, OutputAtRequestedTimes) {
  const auto p = msk::parse_protocol("phases:\n  - {type: rest, duration: 1}\n");
  const msk::EpisodeOptions o = msk::parse_episode_options("output_times: [0.125, 0.5, 0.75]");
  const auto r = msk::simulate_episode(elbow(), p, o);
  // The initial row, the requested times and the end of the phase.
  EXPECT_EQ(r.time, (std::vector<double>{0.0, 0.125, 0.5, 0.75, 1.0}));
  EXPECT_THROW(msk::parse_episode_options("output_times: [0.5, 0.25]"), msk::ModelError);
  msk::EpisodeOptions bad;
  bad.events.push_back({"x", "joint.knee.angle", 0.0, 0, false});
  EXPECT_THROW(msk::simulate_episode(elbow(), p, bad), msk::InvalidArgument);
}

TEST(Episode, BlowUpIsASimulationErrorNamingTimeAndChannel) {
  // A coordinate started far outside a very stiff range limit: the explicit stepper cannot follow.
  const msk::Model m = msk::load_model_text(msk::test::kPendulum, "p.yaml",
                                            R"({"bodies.link.joint.limit_stiffness": 1.0e6,
                                                "bodies.link.joint.limit_sharpness": 1.0e4,
                                                "bodies.link.joint.range_deg": [-10, 10]})");
  const auto p = msk::parse_protocol(
      "initial: {angles_deg: {hinge: 90}}\nphases:\n  - {type: rest, duration: 1}\n");
  msk::EpisodeOptions o;
  o.max_steps = 100000;
  try {
    msk::simulate_episode(m, p, o);
    FAIL() << "no SimulationError";
  } catch (const msk::SimulationError& e) {
    EXPECT_GE(e.time(), 0.0);
    EXPECT_FALSE(e.channel().empty());
    EXPECT_FALSE(e.law().empty());
  }
}

// ---- Numerical faults: a SimulationError naming time, channel and law; the file keeps every row
// recorded before the fault ----

namespace {

/// Runs the episode into `name` under MSK_TEST_TMP; returns its SimulationError (fails if none).
msk::SimulationError fault_of(const msk::Model& m, const std::string& protocol,
                              msk::EpisodeOptions o, const std::string& name) {
  o.output_path = std::string(MSK_TEST_TMP) + "/" + name;
  try {
    msk::simulate_episode(m, msk::parse_protocol(protocol), o);
  } catch (const msk::SimulationError& e) {
    return e;
  }
  ADD_FAILURE() << name << ": no SimulationError";
  return msk::SimulationError(0.0, "", "", "");
}

/// The rows the file of a failed run holds: all those recorded before the fault, none after.
void expect_rows_before(const std::string& name, double fault_time, double output_dt) {
  const auto data = msk::io::load_results(std::string(MSK_TEST_TMP) + "/" + name);
  EXPECT_EQ(data.meta_strings.at("status"), "failed");
  ASSERT_FALSE(data.time.empty());
  EXPECT_EQ(data.time.front(), 0.0);
  EXPECT_LE(data.time.back(), fault_time);
  EXPECT_GE(data.time.back(), fault_time - output_dt - 1e-9) << "rows before the fault are lost";
  for (const auto& column : data.values) {
    ASSERT_EQ(column.size(), data.time.size());
    for (double v : column)
      EXPECT_TRUE(std::isfinite(v));
  }
}

}  // namespace

namespace {

/// A law whose state runs away to infinity at t = 0.305 s (its rate overflows): the loader and the
/// laws refuse such values, so only a law can feed one to the integrator's own check.
struct RunawayParams {
  double onset = 0.305;  ///< [s]
};
class Runaway : public msk::LawWith<Runaway, RunawayParams> {
 public:
  static const std::vector<msk::ParamField<RunawayParams>>& fields() {
    static const std::vector<msk::ParamField<RunawayParams>> f = {
        {"onset", &RunawayParams::onset, "s", 0.0, 10.0, "test", "time the rate overflows"}};
    return f;
  }
  const msk::LawInfo& info() const override {
    static const msk::LawInfo i = [] {
      msk::LawInfo x;
      x.name = "runaway";
      x.role = "runaway";
      x.stage = msk::LawStage::Tissue;
      x.params = msk::param_infos<RunawayParams>(fields());
      x.states = {{"runaway", "1", "a state that overflows"}};
      return x;
    }();
    return i;
  }
  void evaluate(msk::LawContext& c) const override {
    for (int k = 0; k < n_entities(); ++k)
      c.xdot[state_index(k, 0)] = c.t >= params(k).onset ? 1e308 * 1e308 : 0.0;
  }
};

}  // namespace

TEST(Episode, NonFiniteStateNamesTimeChannelAndLawAndKeepsTheRows) {
  // A law whose rate overflows at 0.305 s: the rows before are finite; the stage state that
  // overflows is named with its law.
  msk::LawRegistry laws = msk::builtin_laws();
  laws.add<Runaway>();
  msk::LoadOptions options;
  options.laws = std::make_shared<const msk::LawRegistry>(laws);
  options.overrides["law_defaults"] = "{muscles: {runaway: runaway}}";
  const msk::Model m = msk::load_model_text(msk::test::kPendulum, "p.yaml", options);
  const std::string protocol = "phases:\n  - {type: rest, duration: 1}\n";
  msk::EpisodeOptions o;
  o.output_dt = 0.01;
  o.max_step = 0.002;
  const msk::SimulationError e = fault_of(m, protocol, o, "non_finite.h5");
  const std::string what = e.what();
  EXPECT_NE(what.find("non-finite state"), std::string::npos) << what;
  EXPECT_GE(e.time(), 0.3) << what;
  EXPECT_LT(e.time(), 0.31) << what;
  EXPECT_EQ(e.channel(), "muscle.flexor.runaway") << what;
  EXPECT_EQ(e.law(), "runaway") << what;
  EXPECT_EQ(what.rfind("t = ", 0), 0u) << what;
  EXPECT_NE(what.find(e.channel() + " (" + e.law() + ")"), std::string::npos) << what;
  expect_rows_before("non_finite.h5", e.time(), o.output_dt);
}

TEST(Episode, StepSizeUnderflowNamesTimeAndStepperAndKeepsTheRows) {
  const std::string protocol =
      "phases:\n  - {type: rest, duration: 0.3}\n  - {type: rest, duration: 1.0e-15}\n"
      "  - {type: rest, duration: 1}\n";
  msk::EpisodeOptions o;
  o.output_dt = 0.01;
  const msk::SimulationError e = fault_of(elbow(), protocol, o, "underflow.h5");
  const std::string what = e.what();
  EXPECT_NE(what.find("step size underflow"), std::string::npos) << what;
  EXPECT_NEAR(e.time(), 0.3, 1e-9) << what;
  EXPECT_EQ(e.channel(), "<step size>");
  EXPECT_EQ(e.law(), "dopri5");
  expect_rows_before("underflow.h5", e.time(), o.output_dt);
}

TEST(Episode, StepLimitNamesTimeAndStepperAndKeepsTheRowsForBothSteppers) {
  for (const std::string stepper : {"dopri5", "rosenbrock4"}) {
    SCOPED_TRACE(stepper);
    msk::EpisodeOptions o;
    o.stepper = stepper;
    o.max_steps = 200;
    o.output_dt = 0.001;
    const std::string name = "step_limit_" + stepper + ".h5";
    const msk::SimulationError e =
        fault_of(elbow(), "phases:\n  - {type: rest, duration: 50}\n", o, name);
    const std::string what = e.what();
    EXPECT_NE(what.find("step limit of 200 reached"), std::string::npos) << what;
    EXPECT_GT(e.time(), 0.0);
    EXPECT_LT(e.time(), 50.0);
    EXPECT_EQ(e.channel(), "<all states>");
    EXPECT_EQ(e.law(), stepper);
    expect_rows_before(name, e.time(), o.output_dt);
  }
}

TEST(Episode, ChainedEpisodesEqualOneEpisodeWithTheSamePhases) {
  // A PIR session, 30 min held at rest, then a re-test stretch to the barrier: as one episode, and
  // as three, each starting from the state the previous one ended in.
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml",
                                       R"({"muscles.BIClong.tone": "hypertonic",
                                           "muscles.BICshort.tone": "hypertonic",
                                           "muscles.BRA.tone": "hypertonic"})");
  const std::string session = R"(
  - {type: hold, joint: r_elbow_flex, duration: 1}
  - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], cycles: 2,
     contraction_s: 2, relaxation_s: 1, barrier_torque: 5})";
  const std::string rest = R"(
  - {type: hold, joint: r_elbow_flex, duration: 1800})";
  const std::string retest = R"(
  - {type: passive_stretch, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA],
     speed_deg_s: 5, barrier_torque: 5})";
  msk::EpisodeOptions o;
  o.output_dt = 0.5;
  const std::string start = "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:";
  const msk::EpisodeResult whole =
      msk::simulate_episode(m, msk::parse_protocol(start + session + rest + retest), o);
  const msk::EpisodeResult first =
      msk::simulate_episode(m, msk::parse_protocol(start + session), o);
  o.initial_state = first.final_state;
  const msk::EpisodeResult second =
      msk::simulate_episode(m, msk::parse_protocol("phases:" + rest), o);
  o.initial_state = second.final_state;
  const msk::EpisodeResult third =
      msk::simulate_episode(m, msk::parse_protocol("phases:" + retest), o);
  // The episodes continue each other's time and end where the single episode ends.
  EXPECT_EQ(second.time.front(), first.time.back());
  ASSERT_EQ(third.final_state.x.size(), whole.final_state.x.size());
  EXPECT_NEAR(third.final_state.time, whole.final_state.time, 1e-9);
  for (int j = 0; j < whole.final_state.x.size(); ++j)
    EXPECT_NEAR(third.final_state.x[j], whole.final_state.x[j],
                1e-9 * (1.0 + std::abs(whole.final_state.x[j])))
        << m.layout().names[static_cast<std::size_t>(j)];
  // Every row the chain recorded at a time the single episode recorded matches it.
  const std::vector<double> angle = whole.channel("joint.r_elbow_flex.angle");
  int compared = 0;
  for (const msk::EpisodeResult* part : {&first, &second, &third}) {
    const std::vector<double> a = part->channel("joint.r_elbow_flex.angle");
    const std::vector<double> force = part->channel("muscle.BIClong.force");
    const std::vector<double> whole_force = whole.channel("muscle.BIClong.force");
    for (std::size_t i = 0; i < part->time.size(); ++i) {
      const auto it = std::find(whole.time.begin(), whole.time.end(), part->time[i]);
      if (it == whole.time.end()) continue;
      const auto r = static_cast<std::size_t>(it - whole.time.begin());
      EXPECT_NEAR(a[i], angle[r], 1e-9) << part->time[i];
      EXPECT_NEAR(force[i], whole_force[r], 1e-7 * (1.0 + std::abs(whole_force[r])));
      ++compared;
    }
  }
  EXPECT_GT(compared, 3600);
  // The re-test's barrier is the single episode's.
  EXPECT_EQ(third.event_labels.back(), whole.event_labels.back());
  EXPECT_NEAR(third.event_times.back(), whole.event_times.back(), 1e-9);
}

TEST(Episode, AStateFromAnotherModelIsRefused) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum, "p.yaml");
  const msk::Model other = msk::load_model_text(msk::test::kDoublePendulum, "d.yaml");
  msk::EpisodeOptions o;
  o.initial_state = msk::make_initial_state(other);
  EXPECT_THROW(
      msk::simulate_episode(m, msk::parse_protocol("phases: [{type: rest, duration: 1}]"), o),
      msk::InvalidArgument);
  // Angles and a state together are ambiguous.
  o.initial_state = msk::make_initial_state(m);
  EXPECT_THROW(msk::simulate_episode(m,
                                     msk::parse_protocol("initial: {angles_deg: {hinge: 10}}\n"
                                                         "phases: [{type: rest, duration: 1}]"),
                                     o),
               msk::InvalidArgument);
}

TEST(Episode, TheFinalStateRoundTripsThroughTheResultsFile) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum, "p.yaml");
  msk::EpisodeOptions o;
  o.output_path = std::string(MSK_TEST_TMP) + "/final_state.h5";
  const msk::EpisodeResult r =
      msk::simulate_episode(m, msk::parse_protocol("phases: [{type: rest, duration: 0.5}]"), o);
  const auto data = msk::io::load_results(o.output_path);
  const auto& stored = data.states.at("final");
  const msk::State back = msk::state_from_named(m, stored.time, stored.names, stored.values);
  EXPECT_EQ(back.time, r.final_state.time);
  for (int j = 0; j < back.x.size(); ++j)
    EXPECT_EQ(back.x[j], r.final_state.x[j]);
}

TEST(Episode, TheExaminerMovesARegionByItsRhythmAndRecordsItsAngleAndTorque) {
  const msk::Model spine = msk::load_model_text(msk::test::kMiniSpine);
  const auto p = msk::parse_protocol(R"(phases:
  - {type: ramp, region: lumbar, to_deg: 6, speed_deg_s: 5}
  - {type: hold, region: lumbar, duration: 0.5}
)");
  msk::EpisodeOptions o;
  o.output_dt = 0.05;
  const auto r = msk::simulate_episode(spine, p, o);
  const double lower = last(r, "joint.lower_joint.angle"),
               upper = last(r, "joint.upper_joint.angle");
  EXPECT_NEAR(last(r, "region.lumbar.angle"), lower + upper, 1e-12);
  EXPECT_NEAR(last(r, "region.lumbar.angle"), 6.0 * M_PI / 180.0, 1e-6);
  EXPECT_NEAR(lower, upper, 1e-9);  // rhythm 0.5 / 0.5, both from 0
  EXPECT_NEAR(
      last(r, "examiner.lumbar.torque"),
      0.5 * last(r, "examiner.lower_joint.torque") + 0.5 * last(r, "examiner.upper_joint.torque"),
      1e-9);
}

TEST(Episode, AStretchThatStartsPastItsBarrierSaysSo) {
  // Hypertonic flexors at 90 deg already resist with more than 0.5 N m.
  const msk::Model m = msk::load_model(
      std::string(MSK_MODELS_DIR) + "/elbow.yaml",
      R"({"muscles.BIClong.tone": "hypertonic", "muscles.BICshort.tone": "hypertonic",
          "muscles.BRA.tone": "hypertonic"})");
  const auto p = msk::parse_protocol(R"(initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 0.5}
  - {type: passive_stretch, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA],
     speed_deg_s: 5, barrier_torque: 0.5}
)");
  const auto r = msk::simulate_episode(m, p);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("starts past its barrier"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("t = 0.5000 s"), std::string::npos) << r.warnings[0];
  EXPECT_NE(
      std::find(r.event_labels.begin(), r.event_labels.end(), "barrier_exceeded:r_elbow_flex"),
      r.event_labels.end());
  EXPECT_NEAR(r.time.back(), 0.5, 1e-12);  // no stretch
}

TEST(Episode, AnEndFeelStiffnessPutsTheBarrierOnTheRise) {
  // Normal tone: the resisting torque reaches 0.3 N m early, where it still rises slowly; asking
  // also for 0.08 N m/deg moves the barrier to where the curve is steep.
  auto barrier_angle = [](double stiffness) {
    const auto p = msk::parse_protocol(
        "initial: {angles_deg: {r_elbow_flex: 90}}\nphases:\n"
        "  - {type: passive_stretch, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], "
        "speed_deg_s: 10, barrier_torque: 0.3, barrier_stiffness_nm_per_deg: " +
        std::to_string(stiffness) + ", max_duration: 12}\n");
    msk::EpisodeOptions o;
    o.output_dt = 0.02;
    const auto r = msk::simulate_episode(elbow(), p, o);
    EXPECT_EQ(r.event_labels.back(), "barrier:r_elbow_flex");
    // The slope of the recorded torque over the last 0.5 deg, per degree.
    const auto a = r.channel("joint.r_elbow_flex.angle");
    const auto t = r.channel("examiner.r_elbow_flex.resisting_torque");
    const std::size_t n = a.size(), k = n - 4;
    const double slope = (t[n - 1] - t[k]) / ((a[k] - a[n - 1]) * 180.0 / M_PI);
    return std::make_pair(a.back() * 180.0 / M_PI, slope);
  };
  const auto [torque_only, slope_torque_only] = barrier_angle(0.0);
  const auto [with_end_feel, slope_end_feel] = barrier_angle(0.08);
  EXPECT_LT(with_end_feel, torque_only - 1.0);  // further into the stretch (smaller angle)
  EXPECT_LT(slope_torque_only, 0.08);
  EXPECT_GT(slope_end_feel, 0.06);
}

TEST(Episode, LooseTolerancesRunArm26ToTheEnd) {
  // Arm26's compliant tendons at rtol up to 1e-3: a trial stage that takes a fibre length below
  // zero makes the step retry shorter instead of stopping the run.
  const std::string data = std::string(MSK_TEST_DATA_DIR) + "/opensim/";
  const msk::Model m = msk::load_model(data + "arm26.osim");
  const msk::Protocol p = msk::parse_protocol(
      "phases:\n  - {type: voluntary, excitation_file: forward_controls.sto, duration: 1.0}\n",
      data + "forward_protocol.yaml");
  msk::EpisodeOptions tight;
  tight.rtol = 1e-9;
  tight.atol = 1e-11;
  const double reference = last(msk::simulate_episode(m, p, tight), "joint.r_elbow_flex.angle");
  for (const char* stepper : {"dopri5", "rosenbrock4"}) {
    for (double rtol : {1e-3, 3e-4, 1e-4, 1e-5}) {
      msk::EpisodeOptions o;
      o.stepper = stepper;
      o.rtol = rtol;
      o.atol = 1e-6;
      msk::EpisodeResult r;
      ASSERT_NO_THROW(r = msk::simulate_episode(m, p, o)) << stepper << " rtol " << rtol;
      EXPECT_NEAR(r.time.back(), 1.0, 1e-12) << stepper << " rtol " << rtol;
      // The answer degrades with the tolerance, but stays an answer (5 deg at 1e-3).
      EXPECT_NEAR(last(r, "joint.r_elbow_flex.angle"), reference, 5.0 * M_PI / 180.0)
          << stepper << " rtol " << rtol;
    }
  }
}

TEST(Episode, AStateALawRefusesIsASimulationErrorNamingTheStateAndLaw) {
  // A negative fibre length (compliant tendon) in the initial state: the tendon law refuses it,
  // and the error names the time, the state and the law, never an InvalidArgument.
  const std::string data = std::string(MSK_TEST_DATA_DIR) + "/opensim/";
  const msk::Model m = msk::load_model(data + "arm26.osim");
  msk::State start = msk::make_initial_state(m, Eigen::VectorXd());
  const auto& names = m.layout().names;
  const auto it = std::find(names.begin(), names.end(), "muscle.BIClong.fibre_length");
  ASSERT_NE(it, names.end());
  start.x[it - names.begin()] = -0.01;
  msk::EpisodeOptions o;
  o.initial_state = start;
  try {
    msk::simulate_episode(m, msk::parse_protocol("phases: [{type: rest, duration: 0.1}]"), o);
    FAIL() << "expected a SimulationError";
  } catch (const msk::SimulationError& e) {
    EXPECT_EQ(e.channel(), "muscle.BIClong.fibre_length");
    EXPECT_EQ(e.law(), "compliant_tendon");
    EXPECT_DOUBLE_EQ(e.time(), 0.0);
    EXPECT_NE(std::string(e.what()).find("fibre_length"), std::string::npos) << e.what();
  }
}
