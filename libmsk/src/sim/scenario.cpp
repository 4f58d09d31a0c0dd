#include "msk/sim/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "model/yaml_util.hpp"
#include "msk/error.hpp"
#include "msk/model/model.hpp"

namespace msk {

namespace {

constexpr double kDay = 86400.0;          // [s]
constexpr double kDegree = M_PI / 180.0;  // [rad]

/// A posture preset named at `where`, with the load if given.
Posture preset_at(const detail::NodeReader& where, const std::string& name, double load_mass) {
  try {
    return posture_preset(name, load_mass);
  } catch (const InvalidArgument&) {
    std::string names;
    for (const std::string& n : posture_preset_names())
      names += (names.empty() ? "" : ", ") + n;
    where.fail("a posture preset (" + names + ")", name);
  }
}

/// Changes of a posture a bout may make, with their keys.
void apply_pose_changes(const detail::NodeReader& b, Posture& pose) {
  struct Angle {
    const char* key;
    double Posture::*field;
  };
  static const Angle angles[] = {{"pelvic_tilt_deg", &Posture::pelvic_tilt},
                                 {"lumbar_flexion_deg", &Posture::lumbar_flexion},
                                 {"thoracic_flexion_deg", &Posture::thoracic_flexion},
                                 {"neck_flexion_deg", &Posture::neck_flexion},
                                 {"head_flexion_deg", &Posture::head_flexion},
                                 {"hip_flexion_deg", &Posture::hip_flexion}};
  for (const Angle& a : angles)
    if (b.has(a.key)) pose.*(a.field) = b.child(a.key).as_double(-120.0, 120.0) * kDegree;
  if (b.has("hand_distance_m")) pose.hand_distance = b.child("hand_distance_m").as_double(0.0, 2.0);
}

Bout parse_bout(const detail::NodeReader& b) {
  b.require_map({"label", "posture", "hours", "minutes", "repetitions", "cycle_s", "between",
                 "sleep", "variable", "load_kg", "pelvic_tilt_deg", "lumbar_flexion_deg",
                 "thoracic_flexion_deg", "neck_flexion_deg", "head_flexion_deg", "hip_flexion_deg",
                 "hand_distance_m"});
  Bout out;
  out.posture = b.child("posture").as_identifier();
  out.label = b.has("label") ? b.child("label").as_string() : out.posture;
  const bool hours = b.has("hours"), minutes = b.has("minutes");
  if (hours == minutes) b.fail("exactly one of hours or minutes", hours ? "both" : "neither");
  out.duration = hours ? b.child("hours").as_double(1.0 / 60.0, 24.0) * 3600.0
                       : b.child("minutes").as_double(1.0, 1440.0) * 60.0;
  const double load = b.has("load_kg") ? b.child("load_kg").as_double(0.0, 500.0)
                                       : std::numeric_limits<double>::quiet_NaN();
  out.pose = preset_at(b.child("posture"), out.posture, load);
  apply_pose_changes(b, out.pose);
  if (b.has("repetitions"))
    out.repetitions = static_cast<int>(b.child("repetitions").as_double(0.0, 1e5));
  if (b.has("repetitions") &&
      b.child("repetitions").as_double(0.0, 1e5) != static_cast<double>(out.repetitions))
    b.child("repetitions").fail("a whole number", detail::describe(b.child("repetitions").node()));
  if (b.has("cycle_s")) out.cycle = b.child("cycle_s").as_double(0.1, 600.0);
  if (out.repetitions * out.cycle > out.duration)
    b.fail(
        "repetitions x cycle_s within the bout's duration (" + std::to_string(out.duration) + " s)",
        std::to_string(out.repetitions * out.cycle) + " s");
  out.between = b.has("between") ? b.child("between").as_identifier() : "standing_relaxed";
  if (b.has("between") && out.repetitions == 0)
    b.child("between").fail("no 'between' posture on a bout without repetitions", out.between);
  out.between_pose = preset_at(b.has("between") ? b.child("between") : b, out.between,
                               std::numeric_limits<double>::quiet_NaN());
  if (b.has("sleep")) out.sleep = b.child("sleep").as_bool();
  if (b.has("variable")) out.variable = b.child("variable").as_bool();
  return out;
}

std::string resolve_scenario_path(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  const bool bare = name_or_path.find('/') == std::string::npos &&
                    name_or_path.find('\\') == std::string::npos &&
                    fs::path(name_or_path).extension().empty();
  if (!bare) return name_or_path;
  const std::vector<std::string> names = bundled_scenario_names();
  if (std::find(names.begin(), names.end(), name_or_path) != names.end())
    return (fs::path(bundled_model_directory()) / "scenarios" / (name_or_path + ".yaml")).string();
  std::string list;
  for (const std::string& n : names)
    list += (list.empty() ? "" : ", ") + n;
  throw ModelError(name_or_path, 0, "", "a bundled scenario (" + list + ") or a YAML file path",
                   name_or_path);
}

/// splitmix64: a well-mixed 64-bit hash (Steele, Lea, Flood 2014).
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// A standard normal number from (seed, day, bout), by Box-Muller on two hashed uniforms.
double normal_draw(std::uint64_t seed, int day, int bout) {
  const std::uint64_t a = mix(mix(seed) ^ mix(static_cast<std::uint64_t>(day) * 1000003ULL +
                                              static_cast<std::uint64_t>(bout)));
  const std::uint64_t b = mix(a);
  const double u1 = (static_cast<double>(a >> 11) + 0.5) / 9007199254740992.0;
  const double u2 = (static_cast<double>(b >> 11) + 0.5) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file) {
  const LoadLimits limits;
  const detail::NodeReader root(detail::parse_yaml(text, file, limits), file, "", limits);
  root.require_map({"name", "description", "source", "model", "days", "week", "variation"});
  Scenario s;
  s.file = file;
  s.text = text;
  s.name = root.child("name").as_identifier();
  if (root.has("description")) s.description = root.child("description").as_string();
  if (root.has("source")) s.source = root.child("source").as_string();
  if (root.has("model")) s.model = root.child("model").as_identifier();

  // Day templates: each a sequence of bouts filling exactly 24 hours.
  const detail::NodeReader days = root.child("days");
  days.require_mapping();
  if (days.node().size() == 0) days.fail("at least one day template", "an empty mapping");
  std::map<std::string, int> day_index;
  for (const auto& entry : days.node()) {
    const std::string name = entry.first.as<std::string>();
    const detail::NodeReader d = days.child(name.c_str());
    ScenarioDay day;
    day.name = name;
    const std::size_t n = d.sequence_size(1);
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      day.bouts.push_back(parse_bout(d.element(i)));
      total += day.bouts.back().duration;
    }
    if (std::abs(total - kDay) > 1.0)
      d.fail("bouts that add up to 24 hours", std::to_string(total / 3600.0) + " hours");
    day_index[name] = static_cast<int>(s.days.size());
    s.days.push_back(std::move(day));
  }

  // The week, Monday first, by template name.
  const detail::NodeReader week = root.child("week");
  if (week.sequence_size(7) != 7) week.fail("7 day names (Monday first)", "more than 7");
  for (std::size_t i = 0; i < 7; ++i) {
    const detail::NodeReader w = week.element(i);
    const std::string name = w.as_identifier();
    const auto it = day_index.find(name);
    if (it == day_index.end()) w.fail("the name of a day template under 'days'", name);
    s.week[i] = it->second;
  }

  if (root.has("variation")) {
    const detail::NodeReader v = root.child("variation");
    v.require_map({"duration_spread", "seed"});
    if (v.has("duration_spread"))
      s.duration_spread = v.child("duration_spread").as_double(0.0, 1.0);
    if (v.has("seed"))
      s.seed = static_cast<std::uint64_t>(v.child("seed").as_double(0.0, 9007199254740992.0));
  }
  return s;
}

Scenario load_scenario(const std::string& name_or_path) {
  const std::string path = resolve_scenario_path(name_or_path);
  return parse_scenario(detail::read_text_file(path, LoadLimits{}.max_bytes), path);
}

std::vector<std::string> bundled_scenario_names() {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const std::string dir = bundled_model_directory();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(fs::path(dir) / "scenarios", ec)) return out;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "scenarios", ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      out.push_back(entry.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Bout> scenario_day(const Scenario& scenario, int day, std::uint64_t seed) {
  if (day < 0) throw InvalidArgument("day: expected >= 0, got " + std::to_string(day));
  if (scenario.days.empty()) throw InvalidArgument("scenario: expected day templates, got none");
  std::vector<Bout> bouts =
      scenario.days[static_cast<std::size_t>(scenario.week[static_cast<std::size_t>(day % 7)])]
          .bouts;
  const double sigma = scenario.duration_spread;
  if (sigma <= 0.0) return bouts;
  // Scale each variable bout by a mean-one log-normal factor.
  double changed = 0.0;
  for (std::size_t i = 0; i < bouts.size(); ++i) {
    Bout& b = bouts[i];
    if (!b.variable || b.sleep) continue;
    const double factor =
        std::exp(sigma * normal_draw(seed, day, static_cast<int>(i)) - 0.5 * sigma * sigma);
    const double d = std::max(b.duration * factor, b.repetitions * b.cycle);
    changed += d - b.duration;
    b.duration = d;
  }
  // The sleep bouts (else the last bout) absorb the difference; a day that cannot keeps its
  // template's durations.
  std::vector<std::size_t> absorb;
  for (std::size_t i = 0; i < bouts.size(); ++i)
    if (bouts[i].sleep) absorb.push_back(i);
  if (absorb.empty()) absorb.push_back(bouts.size() - 1);
  double room = 0.0;
  for (std::size_t i : absorb)
    room += bouts[i].duration;
  if (room - changed < 60.0 * absorb.size()) {
    return scenario.days[static_cast<std::size_t>(scenario.week[static_cast<std::size_t>(day % 7)])]
        .bouts;
  }
  for (std::size_t i : absorb)
    bouts[i].duration -= changed * bouts[i].duration / room;
  return bouts;
}

}  // namespace msk
