// Lifetime runs: scenarios in, a results file and a summary out (msk/sim/lifetime.hpp).
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/sim/lifetime.hpp"
#include "msk/sim/scenario.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

py::dict bout_dict(const Bout& b) {
  py::dict d;
  d["label"] = b.label;
  d["posture"] = b.posture;
  d["duration_s"] = b.duration;
  d["repetitions"] = b.repetitions;
  d["cycle_s"] = b.cycle;
  d["between"] = b.repetitions > 0 ? py::object(py::str(b.between)) : py::object(py::none());
  d["sleep"] = b.sleep;
  d["variable"] = b.variable;
  d["load_kg"] = b.pose.load_mass;
  const double deg = 180.0 / M_PI;
  d["lumbar_flexion_deg"] = b.pose.lumbar_flexion * deg;
  d["thoracic_flexion_deg"] = b.pose.thoracic_flexion * deg;
  d["neck_flexion_deg"] = b.pose.neck_flexion * deg;
  d["head_flexion_deg"] = b.pose.head_flexion * deg;
  d["pelvic_tilt_deg"] = b.pose.pelvic_tilt * deg;
  d["hip_flexion_deg"] = b.pose.hip_flexion * deg;
  d["hand_distance_m"] = std::isnan(b.pose.hand_distance)
                             ? py::object(py::none())
                             : py::object(py::float_(b.pose.hand_distance));
  d["hand_height_m"] = b.pose.hand_height;
  return d;
}

py::dict scenario_dict(const Scenario& s) {
  py::dict d;
  d["name"] = s.name;
  d["description"] = s.description;
  d["source"] = s.source;
  d["file"] = s.file;
  d["text"] = s.text;
  d["model"] = s.model;
  py::dict days;
  for (const ScenarioDay& day : s.days) {
    py::list bouts;
    for (const Bout& b : day.bouts)
      bouts.append(bout_dict(b));
    days[py::str(day.name)] = bouts;
  }
  d["days"] = days;
  py::list week;
  for (int i : s.week)
    week.append(s.days[static_cast<std::size_t>(i)].name);
  d["week"] = week;
  d["duration_spread"] = s.duration_spread;
  d["seed"] = s.seed;
  return d;
}

/// Sets "LAW.FIELD" of the options' law parameters. @throws InvalidArgument naming the key
template <class P>
bool set_field(P& params, const std::vector<ParamField<P>>& fields, const std::string& field,
               double value) {
  for (const ParamField<P>& f : fields) {
    if (field != f.name) continue;
    params.*(f.member) = value;
    return true;
  }
  return false;
}

void set_parameter(LifetimeOptions& o, const std::string& key, double value) {
  const std::size_t dot = key.find('.');
  const std::string law = key.substr(0, dot);
  const std::string field = dot == std::string::npos ? "" : key.substr(dot + 1);
  bool done = false;
  if (law == "disc") done = set_field(o.disc, laws::disc_fluid_two_phase_fields(), field, value);
  if (law == "sarcomere")
    done = set_field(o.sarcomere, laws::sarcomere_adaptation_fields(), field, value);
  if (law == "damage") done = set_field(o.damage, laws::spine_damage_fields(), field, value);
  if (law == "sessions") done = set_field(o.sessions, laws::session_effects_fields(), field, value);
  if (law == "strength")
    done = set_field(o.strength, laws::strength_adaptation_fields(), field, value);
  if (law == "degeneration")
    done = set_field(o.degeneration, laws::degeneration_progression_fields(), field, value);
  if (key == "stature_factor") o.stature_factor = value, done = true;
  if (key == "hydration_bucket") o.hydration_bucket = value, done = true;
  if (key == "length_bucket") o.length_bucket = value, done = true;
  if (key == "strength_bucket") o.strength_bucket = value, done = true;
  if (key == "degeneration_bucket") o.degeneration_bucket = value, done = true;
  if (key == "flush_interval_s") o.flush_interval_s = value, done = true;
  if (!done)
    throw InvalidArgument(
        "parameters: expected disc.FIELD, sarcomere.FIELD, damage.FIELD, "
        "sessions.FIELD, strength.FIELD, degeneration.FIELD, stature_factor, hydration_bucket, "
        "length_bucket, strength_bucket, degeneration_bucket or flush_interval_s, got " +
        key);
}

MuscleOutcome outcome_of(const py::dict& d) {
  MuscleOutcome m;
  m.muscle = d["muscle"].cast<std::string>();
  auto get = [&](const char* key, double& into) {
    if (d.contains(key)) into = d[key].cast<double>();
  };
  get("tolerance_change", m.tolerance_change);
  get("tolerance_lasts_s", m.tolerance_lasts_s);
  get("reflex_gain_change", m.reflex_gain_change);
  get("reflex_lasts_s", m.reflex_lasts_s);
  get("passive_slack_shift", m.passive_slack_shift);
  get("passive_lasts_s", m.passive_lasts_s);
  get("tendon_elongation", m.tendon_elongation);
  get("tendon_lasts_s", m.tendon_lasts_s);
  get("resting_length_change", m.resting_length_change);
  return m;
}

Intervention intervention_of(const py::dict& d) {
  Intervention iv;
  iv.kind = d["kind"].cast<std::string>();
  if (d.contains("muscles")) iv.muscles = d["muscles"].cast<std::vector<std::string>>();
  if (d.contains("first_day")) iv.first_day = d["first_day"].cast<int>();
  if (d.contains("last_day")) iv.last_day = d["last_day"].cast<int>();
  if (d.contains("every_days")) iv.every_days = d["every_days"].cast<int>();
  if (d.contains("duration_s")) iv.duration = d["duration_s"].cast<double>();
  if (d.contains("intensity")) iv.intensity = d["intensity"].cast<double>();
  if (d.contains("from_posture")) iv.from_posture = d["from_posture"].cast<std::string>();
  if (d.contains("to_posture")) iv.to_posture = d["to_posture"].cast<std::string>();
  if (d.contains("fraction")) iv.fraction = d["fraction"].cast<double>();
  if (d.contains("rest_day")) iv.rest_day = d["rest_day"].cast<std::string>();
  if (d.contains("outcome"))
    for (const py::handle& m : d["outcome"].cast<py::list>())
      iv.outcome.muscles.push_back(outcome_of(m.cast<py::dict>()));
  return iv;
}

py::dict lifetime(const std::shared_ptr<Model>& model, const py::dict& scenario_spec,
                  double duration_days, const py::list& interventions, const std::string& out,
                  std::int64_t seed, const py::dict& parameters, bool record_muscles,
                  const std::string& mode, const std::string& adapted_to, bool resume,
                  const std::function<bool(int, int)>& progress) {
  // The scenario: from text (with its file name) as the Python layer read it.
  const Scenario scenario = parse_scenario(scenario_spec["text"].cast<std::string>(),
                                           scenario_spec["file"].cast<std::string>());
  LifetimeOptions o;
  o.duration_days = duration_days;
  o.out = out;
  o.seed = seed;
  o.record_muscles = record_muscles;
  o.adapted_to = adapted_to;
  o.resume = resume;
  if (!mode.empty()) o.equilibrium.mode = posture_mode_from_name(mode);
  for (const auto& [key, value] : parameters)
    set_parameter(o, key.cast<std::string>(), value.cast<double>());
  for (const py::handle& iv : interventions)
    o.interventions.push_back(intervention_of(iv.cast<py::dict>()));
  if (progress) {
    o.progress = [progress](int done, int total) {
      py::gil_scoped_acquire acquire;
      return progress(done, total);
    };
  }
  LifetimeResult r;
  {
    py::gil_scoped_release release;
    r = simulate_lifetime(*model, scenario, o);
  }
  py::dict d;
  d["n_days"] = r.n_days;
  d["path"] = r.path;
  d["hydration"] = r.hydration;
  d["creep"] = r.creep;
  d["fatigue_damage"] = r.fatigue_damage;
  d["degeneration"] = r.degeneration;
  d["optimal_length_ratio"] = r.optimal_length_ratio;
  d["tolerance"] = r.tolerance;
  d["strength_ratio"] = r.strength_ratio;
  d["lifft_damage"] = r.lifft_damage;
  d["last_day_stature_loss"] = r.last_day_stature_loss;
  d["n_equilibria"] = r.n_equilibria;
  d["n_cache_hits"] = r.n_cache_hits;
  d["n_snapshots"] = r.n_snapshots;
  d["stopped"] = r.stopped;
  return d;
}

template <class P>
P params_of(const py::dict& d, const std::vector<ParamField<P>>& fields, const char* law) {
  P p;
  for (const auto& [key, value] : d)
    if (!set_field(p, fields, py::cast<std::string>(key), py::cast<double>(value)))
      throw InvalidArgument(std::string(law) + ": expected one of its parameters, got " +
                            py::cast<std::string>(key));
  laws::validate(p);
  return p;
}

}  // namespace

void bind_lifetime(py::module_& m) {
  m.def(
      "lifetime_disc_hydration_after",
      [](double hydration, double load_pressure, double duration, const py::dict& params) {
        return laws::disc_hydration_after(
            params_of(params, laws::disc_fluid_two_phase_fields(), "disc_fluid_two_phase"),
            hydration, load_pressure, duration);
      },
      py::arg("hydration"), py::arg("load_pressure"), py::arg("duration"),
      py::arg("params") = py::dict(),
      "Disc fluid content [1] after duration [s] at load pressure [Pa] (law "
      "disc_fluid_two_phase).");
  m.def(
      "lifetime_disc_equilibrium_hydration",
      [](double load_pressure, const py::dict& params) {
        return laws::disc_equilibrium_hydration(
            params_of(params, laws::disc_fluid_two_phase_fields(), "disc_fluid_two_phase"),
            load_pressure);
      },
      py::arg("load_pressure"), py::arg("params") = py::dict(),
      "Fluid content [1] at which a disc under load pressure [Pa] neither gains nor loses fluid.");
  m.def(
      "lifetime_sarcomere_ratio_after",
      [](double ratio, double fibre_ratio, double activation, double duration,
         const py::dict& params) {
        return laws::sarcomere_ratio_after(
            params_of(params, laws::sarcomere_adaptation_fields(), "sarcomere_adaptation"), ratio,
            fibre_ratio, activation, duration);
      },
      py::arg("ratio"), py::arg("fibre_ratio"), py::arg("activation"), py::arg("duration"),
      py::arg("params") = py::dict(),
      "L_opt / L_opt,0 after duration [s] at a fibre ratio and activation (law "
      "sarcomere_adaptation).");
  const auto compartment = [](const std::string& name) {
    if (name == "neural") return laws::StrengthCompartment::Neural;
    if (name == "morphological") return laws::StrengthCompartment::Morphological;
    throw InvalidArgument("compartment: expected neural or morphological, got " + name);
  };
  m.def(
      "lifetime_strength_ratio_after",
      [compartment](const std::string& which, double ratio, double activation, double use_reference,
                    double duration, const py::dict& params) {
        return laws::strength_ratio_after(
            params_of(params, laws::strength_adaptation_fields(), "strength_adaptation"),
            compartment(which), ratio, activation, use_reference, duration);
      },
      py::arg("compartment"), py::arg("ratio"), py::arg("activation"), py::arg("use_reference"),
      py::arg("duration"), py::arg("params") = py::dict(),
      "A strength compartment's ratio [1] (\"neural\" or \"morphological\") after duration [s] at "
      "an activation [fraction of MVC], for a habitual use u_ref [1] (law strength_adaptation).");
  m.def(
      "lifetime_strength_use_reference",
      [](const std::vector<double>& activations, const std::vector<double>& durations,
         const py::dict& params) {
        return laws::strength_use_reference(
            params_of(params, laws::strength_adaptation_fields(), "strength_adaptation"),
            activations, durations);
      },
      py::arg("activations"), py::arg("durations"), py::arg("params") = py::dict(),
      "The habitual use u_ref [1] for which the use target averages 1 over bouts of these "
      "activations [1] and durations [s] (law strength_adaptation).");
  m.def("scenario_names", &bundled_scenario_names, "Names of the bundled scenarios.");
  m.def(
      "load_scenario", [](const std::string& name) { return scenario_dict(load_scenario(name)); },
      py::arg("name_or_path"),
      "A bundled scenario by name or a scenario file, as a dict (msk/sim/scenario.hpp).");
  m.def(
      "parse_scenario",
      [](const std::string& text, const std::string& file) {
        return scenario_dict(parse_scenario(text, file));
      },
      py::arg("text"), py::arg("file") = "<string>", "Scenario text as a dict.");
  m.def(
      "scenario_day",
      [](const py::dict& spec, int day, std::int64_t seed) {
        const Scenario s =
            parse_scenario(spec["text"].cast<std::string>(), spec["file"].cast<std::string>());
        py::list out;
        for (const Bout& b :
             scenario_day(s, day, seed >= 0 ? static_cast<std::uint64_t>(seed) : s.seed))
          out.append(bout_dict(b));
        return out;
      },
      py::arg("scenario"), py::arg("day"), py::arg("seed") = -1,
      "The bouts of one day with the day-to-day variation (seed -1: the scenario's).");
  m.def("simulate_lifetime", &lifetime, py::arg("model"), py::arg("scenario"),
        py::arg("duration_days"), py::arg("interventions"), py::arg("out"), py::arg("seed"),
        py::arg("parameters"), py::arg("record_muscles"), py::arg("mode"), py::arg("adapted_to"),
        py::arg("resume"), py::arg("progress") = nullptr,
        "Runs a lifetime (msk/sim/lifetime.hpp); returns the summary dict. progress(done, total) "
        "-> bool is called after each day with the GIL, False stops the run.");
  m.def(
      "lifetime_laws",
      [] {
        py::list out;
        out.append(law_info_dict(laws::disc_fluid_two_phase_info()));
        out.append(law_info_dict(laws::sarcomere_adaptation_info()));
        out.append(law_info_dict(laws::spine_damage_info()));
        out.append(law_info_dict(laws::session_effects_info()));
        out.append(law_info_dict(laws::strength_adaptation_info()));
        out.append(law_info_dict(laws::degeneration_progression_info()));
        return out;
      },
      "Documentation of the lifetime laws (name, equations, parameters with units, defaults "
      "and sources).");
  m.def(
      "lifetime_channels",
      [](const std::shared_ptr<Model>& model, bool record_muscles) {
        py::list out;
        for (const LifetimeChannel& c : lifetime_channels(*model, record_muscles))
          out.append(py::make_tuple(c.name, c.units, c.description));
        return out;
      },
      py::arg("model"), py::arg("record_muscles") = false,
      "(name, units, description) of every channel of a lifetime results file.");
}

}  // namespace msk::python
