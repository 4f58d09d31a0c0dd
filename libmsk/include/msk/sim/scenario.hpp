// msk/sim/scenario.hpp — a person's week of activity: the schedule a lifetime run repeats
// (docs/theory/lifetime.md §1, file format in docs/guide/python.md "Lifetime").
//
// A scenario names day templates, each a list of bouts that fill exactly 24 hours, and the seven
// days of the week (Monday first) as template names. A bout holds one posture preset (any of
// posture_preset_names(), with its parameters changed by the bout) for a duration; a bout with
// repetitions alternates `repetitions` cycles of `cycle_s` seconds in its posture (a lift) with its
// `between` posture for the rest of the bout. Sleep bouts are marked. Day-to-day variation scales
// every bout's duration by a log-normal factor of a given spread, drawn from the scenario's seed
// (the other bouts of the day absorb the difference, so the day keeps 24 hours); the same seed
// gives the same days.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "msk/sim/posture.hpp"

namespace msk {

/// One bout of a day.
struct Bout {
  std::string label;      ///< e.g. "desk work"
  std::string posture;    ///< posture preset name (posture_preset_names())
  Posture pose;           ///< the preset with the bout's changes applied
  double duration = 0.0;  ///< [s], > 0
  int repetitions = 0;    ///< load cycles in the bout (lifts) [1]; 0: held throughout
  double cycle = 3.0;     ///< duration of one repetition [s]
  std::string between;    ///< posture preset between repetitions (repetitions > 0)
  Posture between_pose;   ///< that preset
  bool sleep = false;     ///< a night's sleep (recovery bout)
  bool variable = true;   ///< whether day-to-day variation changes its duration
};

/// A day: bouts filling 24 hours, in order.
struct ScenarioDay {
  std::string name;
  std::vector<Bout> bouts;
};

/// A weekly schedule (see the header comment).
struct Scenario {
  std::string name;
  std::string description;
  std::string source;             ///< where the schedule comes from
  std::string file = "<string>";  ///< file it was read from
  std::string text;               ///< the scenario's YAML text
  std::string model;              ///< model the scenario is written for ("" = any)
  std::vector<ScenarioDay> days;  ///< day templates
  std::array<int, 7> week{};      ///< index into days, Monday first
  double duration_spread = 0.0;   ///< sigma of log(duration factor) per bout and day [1]
  std::uint64_t seed = 0;         ///< seed of the day-to-day variation
};

/// Parses scenario text. @throws ModelError naming file, line and field
Scenario parse_scenario(const std::string& text, const std::string& file = "<string>");

/// Loads a bundled scenario by name (bundled_scenario_names()) or a YAML file.
/// @throws ModelError when it cannot be read or is malformed
Scenario load_scenario(const std::string& name_or_path);

/// Names of the bundled scenarios (files in bundled_model_directory()/scenarios).
std::vector<std::string> bundled_scenario_names();

/// The bouts of day `day` (0 = the first Monday) with the day-to-day variation applied: each
/// variable bout's duration times exp(sigma z - sigma^2/2), z standard normal from (seed, day,
/// bout); the sleep bouts (or, without one, the last bout) absorb the difference so that the day
/// keeps 24 h. Deterministic in (scenario, seed, day).
/// @throws InvalidArgument for day < 0
std::vector<Bout> scenario_day(const Scenario& scenario, int day, std::uint64_t seed);

}  // namespace msk
