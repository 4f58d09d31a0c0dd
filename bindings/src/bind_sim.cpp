// Episodes: protocols in, results out (NumPy views on the C++ result, no copies).
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/protocol.hpp"
#include "msk/sim/session_outcome.hpp"
#include "msk/sim/state.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

/// A NumPy view on memory owned by `owner` (kept alive by the array's base).
py::array_t<double> view(const std::vector<double>& data, std::vector<py::ssize_t> shape,
                         const py::object& owner) {
  std::vector<py::ssize_t> strides(shape.size(), sizeof(double));
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  py::array_t<double> a(shape, strides, data.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

/// A state of `model` from (time, names, values) given by Python.
State named_state(const Model& model, double time, const std::vector<std::string>& names,
                  const std::vector<double>& values) {
  return state_from_named(model, time, names, values);
}

py::dict state_dict(const Model* model, const State& s, const std::vector<std::string>& names) {
  py::dict d;
  d["time"] = s.time;
  d["values"] = py::array_t<double>(static_cast<py::ssize_t>(s.x.size()), s.x.data());
  d["names"] = model ? model->layout().names : names;
  return d;
}

std::shared_ptr<EpisodeResult> simulate(const std::shared_ptr<Model>& model,
                                        const std::string& protocol_json,
                                        const std::string& options_json, const std::string& output,
                                        const std::function<bool(double, double)>& progress,
                                        const py::object& initial_state) {
  const Protocol protocol = parse_protocol(protocol_json, "<protocol>");
  EpisodeOptions options = parse_episode_options(options_json, "<options>");
  options.output_path = output;
  if (!initial_state.is_none()) {
    const auto d = initial_state.cast<py::dict>();
    options.initial_state =
        named_state(*model, d["time"].cast<double>(), d["names"].cast<std::vector<std::string>>(),
                    d["values"].cast<std::vector<double>>());
  }
  if (progress) {
    // The callback runs Python: take the GIL for it, and only for it.
    options.progress = [progress](double t, double t_end) {
      py::gil_scoped_acquire acquire;
      return progress(t, t_end);
    };
  }
  auto result = std::make_shared<EpisodeResult>();
  {
    py::gil_scoped_release release;
    *result = simulate_episode(*model, protocol, options);
  }
  return result;
}

/// A state of `model` from a {time, names, values} dict.
State state_of(const Model& model, const py::dict& d) {
  return named_state(model, d["time"].cast<double>(), d["names"].cast<std::vector<std::string>>(),
                     d["values"].cast<std::vector<double>>());
}

/// The session outcome as a list of per-muscle dicts.
py::list session_outcome(const std::shared_ptr<Model>& model, const py::dict& before,
                         const py::dict& after) {
  const SessionOutcome o =
      compute_session_outcome(*model, state_of(*model, before), state_of(*model, after));
  py::list out;
  for (const MuscleOutcome& m : o.muscles) {
    py::dict d;
    d["muscle"] = m.muscle;
    d["tolerance_change"] = m.tolerance_change;
    d["tolerance_lasts_s"] = m.tolerance_lasts_s;
    d["reflex_gain_change"] = m.reflex_gain_change;
    d["reflex_lasts_s"] = m.reflex_lasts_s;
    d["passive_slack_shift"] = m.passive_slack_shift;
    d["passive_lasts_s"] = m.passive_lasts_s;
    d["tendon_elongation"] = m.tendon_elongation;
    d["tendon_lasts_s"] = m.tendon_lasts_s;
    d["resting_length_change"] = m.resting_length_change;
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_sim(py::module_& m) {
  py::class_<EpisodeResult, std::shared_ptr<EpisodeResult>>(m, "EpisodeResult",
                                                            "Recorded channels of one episode.")
      .def_property_readonly(
          "time",
          [](py::object self) {
            const auto& r = self.cast<const EpisodeResult&>();
            return view(r.time, {static_cast<py::ssize_t>(r.time.size())}, self);
          },
          "time of each row [s], shape (n,)")
      .def_property_readonly(
          "values",
          [](py::object self) {
            const auto& r = self.cast<const EpisodeResult&>();
            return view(
                r.values,
                {static_cast<py::ssize_t>(r.n_times()), static_cast<py::ssize_t>(r.n_channels())},
                self);
          },
          "channel values, shape (n, n_channels), units in channel_units")
      .def_property_readonly("channel_names",
                             [](const EpisodeResult& r) {
                               std::vector<std::string> v;
                               for (const auto& c : r.channels)
                                 v.push_back(c.name);
                               return v;
                             })
      .def_property_readonly("channel_units",
                             [](const EpisodeResult& r) {
                               std::vector<std::string> v;
                               for (const auto& c : r.channels)
                                 v.push_back(c.units);
                               return v;
                             })
      .def_property_readonly("channel_descriptions",
                             [](const EpisodeResult& r) {
                               std::vector<std::string> v;
                               for (const auto& c : r.channels)
                                 v.push_back(c.description);
                               return v;
                             })
      .def_property_readonly(
          "event_times",
          [](py::object self) {
            const auto& r = self.cast<const EpisodeResult&>();
            return view(r.event_times, {static_cast<py::ssize_t>(r.event_times.size())}, self);
          },
          "event times [s], shape (m,)")
      .def_readonly("event_labels", &EpisodeResult::event_labels)
      .def_readonly("warnings", &EpisodeResult::warnings,
                    "what the run noticed and went on with: 't = <time> s: <message>'")
      .def_property_readonly(
          "final_state",
          [](const EpisodeResult& r) { return state_dict(nullptr, r.final_state, r.state_names); },
          "the state the episode ended in: {time [s], names, values} (plain data)")
      .def_readonly("output", &EpisodeResult::output_path)
      .def_property_readonly("stats",
                             [](const EpisodeResult& r) {
                               py::dict d;
                               d["steps"] = r.stats.steps;
                               d["rhs_calls"] = r.stats.rhs_calls;
                               d["jacobian_calls"] = r.stats.jacobian_calls;
                               d["retries"] = r.stats.retries;
                               d["wall_time_s"] = r.stats.wall_time_s;
                               d["stepper"] = r.stats.stepper;
                               return d;
                             })
      .def("__repr__", [](const EpisodeResult& r) {
        return "<msk._core.EpisodeResult " + std::to_string(r.n_times()) + " rows x " +
               std::to_string(r.n_channels()) + " channels>";
      });

  m.def("session_outcome", &session_outcome, py::arg("model"), py::arg("before"), py::arg("after"),
        "What a session left behind, per muscle (msk/sim/session_outcome.hpp): before and after "
        "are states {time, names, values}; returns one dict per muscle: muscle, "
        "tolerance_change [1], tolerance_lasts_s, reflex_gain_change [1], reflex_lasts_s, "
        "passive_slack_shift [L_opt], passive_lasts_s, tendon_elongation [m], tendon_lasts_s, "
        "resting_length_change [m].");
  m.def("simulate", &simulate, py::arg("model"), py::arg("protocol_json"),
        py::arg("options_json") = "", py::arg("output") = "", py::arg("progress") = nullptr,
        py::arg("initial_state") = py::none(),
        "Integrates an episode. protocol_json: {initial, phases}; options_json: {stepper, rtol, "
        "atol, output_dt, max_step, max_steps, seed}; initial_state: {time, names, values} to "
        "continue from (e.g. an earlier final_state). The GIL is released while integrating; "
        "progress(t, t_end) -> bool is called with the GIL, False cancels (msk.Error).");
  m.def(
      "initial_state",
      [](const std::shared_ptr<Model>& model, const std::vector<double>& angles) {
        Eigen::VectorXd q;
        if (!angles.empty()) q = Eigen::Map<const Eigen::VectorXd>(angles.data(), angles.size());
        return state_dict(model.get(), make_initial_state(*model, q), {});
      },
      py::arg("model"), py::arg("angles") = std::vector<double>(),
      "The rest state at the given coordinates [rad] (default: the model's): {time, names, "
      "values}.");
  m.def(
      "check_state",
      [](const std::shared_ptr<Model>& model, double time, const std::vector<std::string>& names,
         const std::vector<double>& values) {
        return state_dict(model.get(), named_state(*model, time, names, values), {});
      },
      py::arg("model"), py::arg("time"), py::arg("names"), py::arg("values"),
      "A state of the model from named values (any order), checked; raises InvalidArgument "
      "naming a missing or unknown state.");
  m.def(
      "check_protocol",
      [](const std::shared_ptr<Model>& model, const std::string& protocol_json) {
        const Protocol p = parse_protocol(protocol_json, "<protocol>");
        return expand_protocol(*model, p).size();
      },
      py::arg("model"), py::arg("protocol_json"),
      "Parses and resolves a protocol against a model; returns the number of elementary phases.");
  m.def(
      "phase_schema",
      []() {
        // The parser's own table (msk::phase_types): what Python's builders check and default.
        auto bound = [](double x) {
          return std::isfinite(x) ? py::object(py::float_(x)) : py::object(py::none());
        };
        py::list types;
        for (const PhaseType& t : phase_types()) {
          py::list fields;
          for (const PhaseField& f : t.fields) {
            py::dict d;
            d["name"] = f.name;
            d["kind"] = phase_field_kind_name(f.kind);
            d["unit"] = f.unit;
            d["required"] = f.required;
            d["default"] = std::isnan(f.default_value) ? py::object(py::none())
                                                       : py::object(py::float_(f.default_value));
            d["low"] = bound(f.low);
            d["high"] = bound(f.high);
            d["low_open"] = f.low_open;
            d["description"] = f.description;
            fields.append(d);
          }
          py::dict d;
          d["name"] = t.name;
          d["description"] = t.description;
          d["fields"] = fields;
          types.append(d);
        }
        return types;
      },
      "The phase types of protocols and their fields, from the parser's own table: "
      "[{name, description, fields: [{name, kind, unit, required, default, low, high, low_open, "
      "description}]}] (default None: required or not a number; low/high None: unbounded).");
}

}  // namespace msk::python
