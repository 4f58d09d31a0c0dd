// Tests of msk/sim/scenario.hpp: reading weekly schedules and their day-to-day variation.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "msk/error.hpp"
#include "msk/sim/scenario.hpp"

namespace {

const std::string kWeek = R"(name: test_week
description: two day templates
days:
  work:
    - {label: desk, posture: sitting_slouched, hours: 8}
    - {posture: standing_relaxed, hours: 6, lumbar_flexion_deg: 5}
    - {label: lifting, posture: lift_round_back, hours: 2, load_kg: 10, repetitions: 100, cycle_s: 4}
    - {label: sleep, posture: lying_supine, hours: 8, sleep: true}
  free:
    - {posture: standing_relaxed, minutes: 960}
    - {posture: lying_supine, hours: 8, sleep: true}
week: [work, work, work, work, work, free, free]
variation: {duration_spread: 0.2, seed: 7}
)";

double day_seconds(const std::vector<msk::Bout>& bouts) {
  double s = 0.0;
  for (const msk::Bout& b : bouts)
    s += b.duration;
  return s;
}

/// The ModelError a text raises (fails the test when none is raised).
msk::ModelError error_of(const std::string& text) {
  try {
    msk::parse_scenario(text, "week.yaml");
  } catch (const msk::ModelError& e) {
    return e;
  }
  ADD_FAILURE() << "no ModelError for:\n" << text;
  return msk::ModelError("", 0, "", "", "");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST(Scenario, ReadsDaysBoutsAndWeek) {
  const msk::Scenario s = msk::parse_scenario(kWeek, "week.yaml");
  EXPECT_EQ(s.name, "test_week");
  ASSERT_EQ(s.days.size(), 2u);
  EXPECT_EQ(s.week[0], s.week[4]);
  EXPECT_NE(s.week[4], s.week[5]);
  const msk::ScenarioDay& work = s.days[static_cast<std::size_t>(s.week[0])];
  ASSERT_EQ(work.bouts.size(), 4u);
  EXPECT_DOUBLE_EQ(work.bouts[0].duration, 8 * 3600.0);
  EXPECT_EQ(work.bouts[1].label, "standing_relaxed");  // label defaults to the posture
  EXPECT_NEAR(work.bouts[1].pose.lumbar_flexion, 5.0 * M_PI / 180.0, 1e-12);
  const msk::Bout& lift = work.bouts[2];
  EXPECT_EQ(lift.repetitions, 100);
  EXPECT_DOUBLE_EQ(lift.cycle, 4.0);
  EXPECT_DOUBLE_EQ(lift.pose.load_mass, 10.0);
  EXPECT_EQ(lift.between, "standing_relaxed");
  EXPECT_TRUE(work.bouts[3].sleep);
  EXPECT_DOUBLE_EQ(s.duration_spread, 0.2);
  EXPECT_EQ(s.seed, 7u);
}

TEST(Scenario, BundledScenariosLoadAndFillTheirDays) {
  const std::vector<std::string> names = msk::bundled_scenario_names();
  for (const char* expected :
       {"office_worker", "manual_handler", "standing_worker", "forward_head_office"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  for (const std::string& name : names) {
    const msk::Scenario s = msk::load_scenario(name);
    EXPECT_EQ(s.name, name);
    for (int day = 0; day < 14; ++day)
      EXPECT_NEAR(day_seconds(msk::scenario_day(s, day, s.seed)), 86400.0, 1e-6) << name;
  }
}

TEST(Scenario, ErrorsNameFileLineAndField) {
  // A day that does not fill 24 hours.
  msk::ModelError e = error_of(replaced(kWeek, "minutes: 960", "minutes: 900"));
  EXPECT_EQ(e.file(), "week.yaml");
  EXPECT_EQ(e.field(), "days.free");
  EXPECT_EQ(e.line(), 10);
  EXPECT_NE(std::string(e.what()).find("24 hours"), std::string::npos);
  // An unknown posture.
  e = error_of(replaced(kWeek, "posture: sitting_slouched", "posture: sitting_sideways"));
  EXPECT_EQ(e.field(), "days.work[0].posture");
  EXPECT_EQ(e.line(), 5);
  EXPECT_NE(std::string(e.what()).find("sitting_slouched"), std::string::npos);  // the choices
  // An unknown key.
  e = error_of(replaced(kWeek, "sleep: true}\n  free", "slept: true}\n  free"));
  EXPECT_EQ(e.field(), "days.work[3].slept");
  // A week naming a missing template, and a short week.
  e = error_of(replaced(kWeek, "[work, work, work", "[work, work, holiday"));
  EXPECT_EQ(e.field(), "week[2]");
  e = error_of(replaced(kWeek, "free, free]", "free]"));
  EXPECT_EQ(e.field(), "week");
  // Repetitions that do not fit the bout, both or neither duration key.
  e = error_of(replaced(kWeek, "repetitions: 100", "repetitions: 10000"));
  EXPECT_EQ(e.field(), "days.work[2]");
  e = error_of(replaced(kWeek, "minutes: 960", "minutes: 960, hours: 16"));
  EXPECT_EQ(e.field(), "days.free[0]");
  e = error_of(replaced(kWeek, "load_kg: 10", "load_kg: -1"));
  EXPECT_EQ(e.field(), "days.work[2].load_kg");
  // Not YAML at all, and a missing file.
  EXPECT_THROW(msk::parse_scenario("days: [", "bad.yaml"), msk::ModelError);
  EXPECT_THROW(msk::load_scenario("/no/such/scenario.yaml"), msk::ModelError);
  EXPECT_THROW(msk::load_scenario("no_such_scenario"), msk::ModelError);
}

TEST(Scenario, VariationKeepsTheDayAndDependsOnlyOnSeedAndDay) {
  const msk::Scenario s = msk::parse_scenario(kWeek, "week.yaml");
  double mean_factor = 0.0;
  const int n = 2000;
  for (int day = 0; day < n; ++day) {
    const std::vector<msk::Bout> a = msk::scenario_day(s, day, 11);
    EXPECT_NEAR(day_seconds(a), 86400.0, 1e-6);
    mean_factor +=
        a[0].duration / s.days[static_cast<std::size_t>(s.week[day % 7])].bouts[0].duration;
    const std::vector<msk::Bout> b = msk::scenario_day(s, day, 11);
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_EQ(a[i].duration, b[i].duration);
  }
  // The factor has mean 1 (log-normal with mu = -sigma^2/2): within 3 standard errors.
  EXPECT_NEAR(mean_factor / n, 1.0, 3 * 0.2 / std::sqrt(n));
  // Another seed gives other days; the sleep bout absorbs the change.
  EXPECT_NE(msk::scenario_day(s, 3, 11)[0].duration, msk::scenario_day(s, 3, 12)[0].duration);
  EXPECT_NE(msk::scenario_day(s, 3, 11)[3].duration, 8 * 3600.0);
  EXPECT_THROW(msk::scenario_day(s, -1, 11), msk::InvalidArgument);
}
