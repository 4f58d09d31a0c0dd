// Tests of msk/sim/lifetime.hpp on the two-level mini spine: the results file, carry-over of the
// disc's fluid, determinism, the equilibrium cache, sessions and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "msk/error.hpp"
#include "msk/io/reader.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/lifetime.hpp"
#include "msk/sim/scenario.hpp"
#include "test_models.hpp"

namespace {

const std::string kDay = R"(name: mini_day
days:
  day:
    - {label: standing, posture: standing_relaxed, hours: 6}
    - {label: sitting, posture: sitting_slouched, hours: 8}
    - {label: lifting, posture: lift_close, hours: 2, load_kg: 10, repetitions: 200, between: standing_relaxed}
    - {label: sleep, posture: lying_supine, hours: 8, sleep: true}
week: [day, day, day, day, day, day, day]
)";

std::string tmp(const std::string& name) {
  return std::string(MSK_TEST_TMP) + "/" + name;
}

const msk::Model& mini() {
  static const msk::Model m = msk::load_model_text(msk::test::kMiniSpine, "<mini>");
  return m;
}

/// Values of one channel of a results file.
std::vector<double> channel(const msk::io::ResultsData& r, const std::string& name) {
  for (std::size_t c = 0; c < r.channels.size(); ++c)
    if (r.channels[c].name == name) return r.values[c];
  ADD_FAILURE() << "no channel " << name;
  return {};
}

}  // namespace

TEST(Lifetime, StreamsOneRowPerDayWithUnits) {
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 21;
  o.out = tmp("lifetime_rows.h5");
  int calls = 0;
  o.progress = [&](int done, int total) {
    EXPECT_EQ(total, 21);
    EXPECT_EQ(done, ++calls);
    return true;
  };
  const msk::LifetimeResult r = msk::simulate_lifetime(mini(), s, o);
  EXPECT_EQ(r.n_days, 21);
  EXPECT_EQ(calls, 21);
  const msk::io::ResultsData f = msk::io::load_results(o.out);
  ASSERT_EQ(f.time.size(), 21u);
  EXPECT_DOUBLE_EQ(f.time[0], 86400.0);
  EXPECT_EQ(f.meta_strings.at("kind"), "lifetime");
  EXPECT_EQ(f.meta_strings.at("scenario"), "mini_day");
  EXPECT_EQ(f.channels.size(), msk::lifetime_channels(mini(), false).size());
  for (const msk::io::ChannelInfo& c : f.channels)
    EXPECT_FALSE(c.units.empty()) << c.name;
  // The disc loses height over the day and regains it at night; the deficit carries over (no
  // clamp): the second morning is not the rested state.
  const std::vector<double> loss = channel(f, "body.daily_stature_loss");
  const std::vector<double> morning = channel(f, "level.lower_level.hydration_morning");
  const std::vector<double> low = channel(f, "level.lower_level.hydration_min");
  EXPECT_GT(loss[5], 1e-4);
  EXPECT_DOUBLE_EQ(morning[0], 1.0);
  EXPECT_LT(morning[1], 1.0);
  EXPECT_LT(low[5], morning[5]);
  // Lifting adds fatigue damage and LiFFT damage every day.
  const std::vector<double> damage = channel(f, "level.lower_level.fatigue_damage");
  EXPECT_GT(damage[5], damage[0]);
  EXPECT_GT(damage[0], 0.0);
  // The LiFFT dose is the day's: the same lifts every day.
  const std::vector<double> lifft = channel(f, "body.lifft_damage");
  EXPECT_GT(lifft[0], 0.0);
  EXPECT_NEAR(lifft[1] / lifft[0], 1.0, 1e-12);
  EXPECT_NEAR(r.lifft_damage, 21 * lifft[0], 1e-9 * r.lifft_damage);
  // Every period's loads come from one equilibrium or the cache: 5 periods a day (the lifting
  // bout has two), the reference posture, the week the muscles are adapted to (7 x 5) and the
  // two weeks the strength law's habitual use is taken from (14 x 5).
  EXPECT_EQ(r.n_equilibria + r.n_cache_hits, 21 * 5 + 1 + 7 * 5 + 14 * 5);
  EXPECT_GT(r.n_cache_hits, 0);
}

TEST(Lifetime, SameSeedSameRunOtherSeedOtherRun) {
  std::string text = kDay;
  text += "variation: {duration_spread: 0.2, seed: 5}\n";
  const msk::Scenario s = msk::parse_scenario(text, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 4;
  const msk::LifetimeResult a = msk::simulate_lifetime(mini(), s, o);
  const msk::LifetimeResult b = msk::simulate_lifetime(mini(), s, o);
  o.seed = 6;
  const msk::LifetimeResult c = msk::simulate_lifetime(mini(), s, o);
  ASSERT_EQ(a.hydration.size(), 2u);
  EXPECT_EQ(a.hydration, b.hydration);
  EXPECT_EQ(a.fatigue_damage, b.fatigue_damage);
  EXPECT_NE(a.hydration[0], c.hydration[0]);
}

TEST(Lifetime, CacheErrorIsSmall) {
  // The cache holds each posture's loads while the slow state stays within a bucket; a ten times
  // finer bucket changes the final state by little (docs/theory/lifetime.md §2).
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 5;
  const msk::LifetimeResult coarse = msk::simulate_lifetime(mini(), s, o);
  o.hydration_bucket = 0.002;
  const msk::LifetimeResult fine = msk::simulate_lifetime(mini(), s, o);
  EXPECT_GT(fine.n_snapshots, coarse.n_snapshots);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(coarse.hydration[k], fine.hydration[k], 0.01) << k;
    EXPECT_NEAR(coarse.fatigue_damage[k] / fine.fatigue_damage[k], 1.0, 0.1) << k;
  }
}

TEST(Lifetime, SessionsCarryToleranceAndStretchedTime) {
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 3;
  const msk::LifetimeResult none = msk::simulate_lifetime(mini(), s, o);
  msk::Intervention stretch;
  stretch.kind = "stretch";
  stretch.muscles = {"long_extensor"};
  stretch.duration = 3600.0;
  msk::MuscleOutcome outcome;
  outcome.muscle = "long_extensor";
  outcome.tolerance_change = 0.2;
  outcome.tolerance_lasts_s = 3.0 * 86400.0;
  stretch.outcome.muscles.push_back(outcome);
  o.interventions = {stretch};
  const msk::LifetimeResult treated = msk::simulate_lifetime(mini(), s, o);
  const int m = mini().find_muscle("long_extensor");
  const int other = mini().find_muscle("flexor");
  EXPECT_EQ(none.tolerance[static_cast<std::size_t>(m)], 0.0);
  EXPECT_GT(treated.tolerance[static_cast<std::size_t>(m)], 0.1);
  EXPECT_EQ(treated.tolerance[static_cast<std::size_t>(other)], 0.0);
  // An hour a day held stretched lengthens the fibres' optimum over what the day alone gives.
  EXPECT_GT(treated.optimal_length_ratio[static_cast<std::size_t>(m)],
            none.optimal_length_ratio[static_cast<std::size_t>(m)]);
}

TEST(Lifetime, AStrengtheningProgrammeRaisesStrengthAndNothingElseChangesWithoutIt) {
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 28;
  o.record_muscles = true;
  o.out = tmp("lifetime_untrained.h5");
  const msk::LifetimeResult none = msk::simulate_lifetime(mini(), s, o);
  // The habitual week keeps every muscle at the model's strength (to within the day's swing),
  // so the law changes nothing else: the same run with the law off gives the same discs.
  for (double r : none.strength_ratio)
    EXPECT_NEAR(r, 1.0, 0.01);
  msk::LifetimeOptions off = o;
  off.out.clear();
  off.strength.enabled = 0.0;
  const msk::LifetimeResult unchanged = msk::simulate_lifetime(mini(), s, off);
  EXPECT_EQ(none.hydration, unchanged.hydration);
  EXPECT_EQ(none.fatigue_damage, unchanged.fatigue_damage);
  EXPECT_EQ(none.optimal_length_ratio, unchanged.optimal_length_ratio);
  for (double r : unchanged.strength_ratio)
    EXPECT_EQ(r, 1.0);
  // Every other day 90 s of loaded contractions of the long extensor at 80 % MVC.
  msk::Intervention train;
  train.kind = "strengthen";
  train.muscles = {"long_extensor"};
  train.every_days = 2;
  train.duration = 90.0;
  train.intensity = 0.8;
  o.interventions = {train};
  o.out = tmp("lifetime_trained.h5");
  const msk::LifetimeResult trained = msk::simulate_lifetime(mini(), s, o);
  const auto m = static_cast<std::size_t>(mini().find_muscle("long_extensor"));
  const auto other = static_cast<std::size_t>(mini().find_muscle("flexor"));
  EXPECT_GT(trained.strength_ratio[m], 1.08);
  EXPECT_LT(trained.strength_ratio[m], 1.3);
  // Another muscle changes only through the equilibria the stronger extensor changes.
  EXPECT_NEAR(trained.strength_ratio[other], none.strength_ratio[other], 0.03);
  // The file's channel rises over the programme.
  const msk::io::ResultsData f = msk::io::load_results(o.out);
  const std::vector<double> ratio = channel(f, "muscle.long_extensor.strength_ratio");
  ASSERT_EQ(ratio.size(), 28u);
  EXPECT_GT(ratio[27], ratio[13]);
  EXPECT_GT(ratio[13], ratio[0]);
  EXPECT_DOUBLE_EQ(ratio[27], trained.strength_ratio[m]);
  // Refused: an intensity outside (0, 1].
  train.intensity = 1.5;
  o.interventions = {train};
  o.out.clear();
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
}

TEST(Lifetime, DegenerationGrowsWithDamageAndLoadUnderH23) {
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 28;
  const msk::LifetimeResult off = msk::simulate_lifetime(mini(), s, o);
  // Off (the default): the model's index, every day.
  for (double d : off.degeneration)
    EXPECT_EQ(d, 0.0);
  o.degeneration.enabled = 1.0;
  o.out = tmp("lifetime_degeneration.h5");
  const msk::LifetimeResult on = msk::simulate_lifetime(mini(), s, o);
  ASSERT_EQ(on.degeneration.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_GT(on.degeneration[k], 0.05) << k;
    EXPECT_LE(on.degeneration[k], 1.0) << k;
    // A weaker segment accumulates fatigue damage faster.
    EXPECT_GT(on.fatigue_damage[k], off.fatigue_damage[k]) << k;
  }
  // The channel grows day by day and ends at the final state; the degenerated disc (its
  // snapshot) has lost height, so the level's morning hydration differs from the healthy run's.
  const msk::io::ResultsData f = msk::io::load_results(o.out);
  const std::vector<double> d = channel(f, "level.lower_level.degeneration");
  ASSERT_EQ(d.size(), 28u);
  for (std::size_t i = 1; i < d.size(); ++i)
    EXPECT_GE(d[i], d[i - 1]);
  EXPECT_GT(d[27], d[0]);
  EXPECT_DOUBLE_EQ(d[27], on.degeneration[0]);
  EXPECT_NE(on.hydration[0], off.hydration[0]);
  o.degeneration_bucket = 0.0;
  o.out.clear();
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
}

TEST(Lifetime, PostureRetrainingMovesTimeFromOnePresetToAnother) {
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 6;
  o.out = tmp("lifetime_slouched.h5");
  const msk::LifetimeResult none = msk::simulate_lifetime(mini(), s, o);
  // Half of the slouched sitting becomes straight sitting, from day 2 on.
  msk::Intervention retrain;
  retrain.kind = "posture_retraining";
  retrain.from_posture = "sitting_slouched";
  retrain.to_posture = "sitting_straight";
  retrain.fraction = 0.5;
  retrain.first_day = 2;
  o.interventions = {retrain};
  o.out = tmp("lifetime_retrained.h5");
  const msk::LifetimeResult retrained = msk::simulate_lifetime(mini(), s, o);
  const msk::io::ResultsData a = msk::io::load_results(tmp("lifetime_slouched.h5"));
  const msk::io::ResultsData b = msk::io::load_results(o.out);
  const std::vector<double> dose_a = channel(a, "level.lower_level.sustained_dose");
  const std::vector<double> dose_b = channel(b, "level.lower_level.sustained_dose");
  EXPECT_EQ(dose_a[0], dose_b[0]);  // before the programme: the same days
  EXPECT_EQ(dose_a[1], dose_b[1]);
  EXPECT_NE(dose_a[3], dose_b[3]);
  // One more period a day from day 2 (the split bout).
  EXPECT_EQ(retrained.n_equilibria + retrained.n_cache_hits,
            none.n_equilibria + none.n_cache_hits + 4);
  // A fraction of 0, or a preset the schedule does not hold, changes nothing.
  for (const auto& [from, fraction] :
       {std::pair<std::string, double>{"sitting_slouched", 0.0}, {"lying_prone", 0.5}}) {
    retrain.from_posture = from;
    retrain.fraction = fraction;
    o.interventions = {retrain};
    o.out.clear();
    const msk::LifetimeResult same = msk::simulate_lifetime(mini(), s, o);
    EXPECT_EQ(same.hydration, none.hydration) << from;
    EXPECT_EQ(same.fatigue_damage, none.fatigue_damage) << from;
  }
  retrain.to_posture = "sitting_upright_please";
  o.interventions = {retrain};
  try {
    msk::simulate_lifetime(mini(), s, o);
    ADD_FAILURE() << "no error";
  } catch (const msk::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("interventions[0].to_posture"), std::string::npos);
  }
  retrain.to_posture = "sitting_straight";
  retrain.fraction = 1.5;
  o.interventions = {retrain};
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
}

TEST(Lifetime, AStoppedRunResumesToTheSameFile) {
  std::string text = kDay;
  text += "variation: {duration_spread: 0.2, seed: 5}\n";
  const msk::Scenario s = msk::parse_scenario(text, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 12;
  o.flush_interval_s = 0.0;
  o.out = tmp("lifetime_whole.h5");
  msk::simulate_lifetime(mini(), s, o);
  // Stopped after 5 days (the checkpoint of a flushed day), then resumed to 12.
  o.out = tmp("lifetime_resumed.h5");
  o.progress = [](int done, int) { return done < 5; };
  EXPECT_EQ(msk::simulate_lifetime(mini(), s, o).n_days, 5);
  o.progress = nullptr;
  o.resume = true;
  EXPECT_EQ(msk::simulate_lifetime(mini(), s, o).n_days, 12);
  const msk::io::ResultsData whole = msk::io::load_results(tmp("lifetime_whole.h5"));
  const msk::io::ResultsData resumed = msk::io::load_results(tmp("lifetime_resumed.h5"));
  EXPECT_EQ(whole.time, resumed.time);
  ASSERT_EQ(whole.values.size(), resumed.values.size());
  for (std::size_t c = 0; c < whole.values.size(); ++c)
    EXPECT_EQ(whole.values[c], resumed.values[c]) << whole.channels[c].name;
  EXPECT_EQ(whole.states.at("lifetime_checkpoint").values,
            resumed.states.at("lifetime_checkpoint").values);
  // Another seed cannot resume this file.
  o.seed = 9;
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
}

TEST(Lifetime, BadOptionsAreRefused) {
  const msk::Scenario s = msk::parse_scenario(kDay, "mini_day.yaml");
  msk::LifetimeOptions o;
  o.duration_days = 0;
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
  o.duration_days = 2.5;
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
  o.duration_days = 2;
  msk::Intervention iv;
  iv.kind = "pir";
  iv.muscles = {"no_such_muscle"};
  o.interventions = {iv};
  try {
    msk::simulate_lifetime(mini(), s, o);
    ADD_FAILURE() << "no error";
  } catch (const msk::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("interventions[0].muscles"), std::string::npos);
  }
  iv.kind = "massage";
  o.interventions = {iv};
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
  iv.kind = "rest";
  iv.rest_day = "holiday";
  o.interventions = {iv};
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
  o.interventions.clear();
  o.disc.fluid_time_constant = -1.0;
  EXPECT_THROW(msk::simulate_lifetime(mini(), s, o), msk::InvalidArgument);
  const msk::Model elbow = msk::load_model("elbow");
  EXPECT_THROW(msk::simulate_lifetime(elbow, s, msk::LifetimeOptions{}), msk::InvalidArgument);
}
