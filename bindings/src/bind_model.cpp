// Models: loading with overrides, and the compiled model's names and parameters.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/laws/neural/stretch_reflex.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/protocol.hpp"
#include "msk/sim/rhs.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

std::vector<std::string> channel_field(const Model& m, std::string ChannelSpec::*field) {
  std::vector<std::string> out;
  for (const auto& c : m.channels())
    out.push_back(c.*field);
  return out;
}

py::dict muscle_parameters(const Model& m, const std::string& name) {
  const int i = m.find_muscle(name);
  if (i < 0) throw InvalidArgument("muscle: expected a muscle of the model, got '" + name + "'");
  const auto& p = m.muscle_params()[i];
  py::dict d;
  d["max_isometric_force"] = p.max_isometric_force;
  d["optimal_fibre_length"] = p.optimal_fibre_length;
  d["tendon_slack_length"] = p.tendon_slack_length;
  d["pennation_at_optimal"] = p.pennation_at_optimal;
  d["max_contraction_velocity"] = p.max_contraction_velocity;
  d["curves"] = m.muscle_curves()[i];
  d["tendon"] = m.muscle_tendon()[i];
  // Every law attached to the muscle: its parameters under "ROLE.PARAM", and its law's name.
  const Data data = make_data(m);
  for (const auto& [l, k] : m.muscle_laws(i)) {
    const Law& law = m.law(l);
    const std::string role = m.law_role(l);
    d[py::str("laws." + role)] = law.info().name;
    for (std::size_t f = 0; f < law.info().params.size(); ++f)
      d[py::str("laws." + role + "." + law.info().params[f].name)] =
          law.param(k, static_cast<int>(f));
    if (const auto* reflex = dynamic_cast<const laws::TonicStretchReflex*>(&law)) {
      d["tone_preset"] = law.label(k).empty() ? std::string("normal") : law.label(k);
      d["tone_threshold"] = reflex->threshold(data, k);
      d["tone_gain"] = reflex->params(k).gain;
      d["tone_velocity_sensitivity"] = reflex->params(k).velocity_sensitivity;
      d["reflex_time_constant"] = reflex->params(k).time_constant;
    }
  }
  // The keys of earlier versions: activation time constants, and no tone without a reflex.
  for (const char* key : {"activation_time_constant", "deactivation_time_constant"})
    if (d.contains(std::string("laws.activation.") + key))
      d[key] = d[py::str(std::string("laws.activation.") + key)];
  if (!d.contains("tone_gain")) {
    d["tone_preset"] = "none";
    d["tone_gain"] = 0.0;
  }
  d["habitual_norm_fibre_length"] = data.reflex_reference_length[i];
  return d;
}

/// The right-hand side and the recorded row at one state (see Model.derivatives).
py::tuple derivatives(const Model& m, const std::vector<double>& values, double t,
                      const std::optional<std::vector<double>>& voluntary) {
  const std::size_t n = static_cast<std::size_t>(m.layout().n_states);
  if (values.size() != n)
    throw InvalidArgument("values: expected " + std::to_string(n) +
                          " state values (Model.state_names), got " +
                          std::to_string(values.size()));
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(values[i]))
      throw InvalidArgument("values[" + std::to_string(i) + "] (" + m.layout().names[i] +
                            "): expected a finite number, got " + std::to_string(values[i]));
  if (!std::isfinite(t)) throw InvalidArgument("t: expected a finite time [s]");
  // A phase that holds the voluntary excitation from its start (no ramp), nothing driven.
  Phase phase;
  phase.type = "voluntary";
  phase.rise_s = 0.0;
  Drive drive;
  if (voluntary) {
    if (voluntary->size() != static_cast<std::size_t>(m.n_muscles()))
      throw InvalidArgument("voluntary: expected " + std::to_string(m.n_muscles()) +
                            " excitations (Model.muscle_names), got " +
                            std::to_string(voluntary->size()));
    for (double u : *voluntary)
      if (!(u >= 0.0 && u <= 1.0))
        throw InvalidArgument("voluntary: expected excitations in [0, 1], got " +
                              std::to_string(u));
    phase.voluntary = *voluntary;
    drive.phase = &phase;
    drive.phase_start = t;
  }
  const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(values.data(), n);
  py::array_t<double> xdot(static_cast<py::ssize_t>(n));
  py::array_t<double> row(static_cast<py::ssize_t>(m.channels().size()));
  double* xdot_out = xdot.mutable_data();
  double* row_out = row.mutable_data();
  {
    py::gil_scoped_release release;
    Data data = make_data(m);
    compute_derivatives(m, drive, t, x, data);
    std::copy(data.xdot.data(), data.xdot.data() + n, xdot_out);
    compute_channels(m, data, x, t, row_out);
  }
  return py::make_tuple(xdot, row);
}

}  // namespace

/// Law documentation as a dict (registry entry or attached law).
py::dict law_info_dict(const LawInfo& info) {
  py::dict d;
  d["name"] = info.name;
  d["role"] = info.role;
  d["domain"] = law_domain_name(info.domain);
  d["stage"] = law_stage_name(info.stage);
  d["time_scale"] = info.time_scale == TimeScale::Episode ? "episode" : "lifetime";
  d["summary"] = info.summary;
  d["equation"] = info.equation;
  d["citation"] = info.citation;
  d["hypothesis"] = info.hypothesis;
  py::list params;
  for (const ParamInfo& p : info.params) {
    py::dict e;
    e["name"] = p.name;
    e["unit"] = p.unit;
    e["default"] = p.default_value;
    e["min"] = p.min;
    e["max"] = p.max;
    e["optional"] = p.optional;
    e["source"] = p.source;
    e["description"] = p.description;
    params.append(e);
  }
  d["params"] = params;
  auto vars = [](const std::vector<VarInfo>& v) {
    py::list out;
    for (const VarInfo& x : v) {
      py::dict e;
      e["name"] = x.name;
      e["unit"] = x.unit;
      e["description"] = x.description;
      out.append(e);
    }
    return out;
  };
  d["states"] = vars(info.states);
  d["channels"] = vars(info.channels);
  py::dict presets;
  for (const auto& [name, values] : info.presets)
    presets[py::str(name)] = values;
  d["presets"] = presets;
  return d;
}

void bind_model(py::module_& m) {
  py::class_<Model, std::shared_ptr<Model>>(m, "Model", "A compiled, immutable msk model.")
      .def_property_readonly("name", [](const Model& x) { return x.name(); })
      .def_property_readonly("description", [](const Model& x) { return x.description(); })
      .def_property_readonly(
          "file", [](const Model& x) { return x.file(); },
          "file the model was read from ('<string>' otherwise)")
      .def_property_readonly(
          "text", [](const Model& x) { return x.text(); }, "model YAML after overrides")
      .def_property_readonly("body_names", [](const Model& x) { return x.body_names(); })
      .def_property_readonly("muscle_names", [](const Model& x) { return x.muscle_names(); })
      .def_property_readonly("pair_names", [](const Model& x) { return x.pair_names(); })
      .def_property_readonly(
          "warnings", [](const Model& x) { return x.warnings(); },
          "what the import of the model approximated or left out, one sentence each")
      .def_property_readonly(
          "joint_names", [](const Model& x) { return x.dof_names(); },
          "coordinate (revolute joint) names")
      .def_property_readonly("state_names", [](const Model& x) { return x.layout().names; })
      .def_property_readonly("n_states", [](const Model& x) { return x.layout().n_states; })
      .def_property_readonly("channel_names",
                             [](const Model& x) { return channel_field(x, &ChannelSpec::name); })
      .def_property_readonly("channel_units",
                             [](const Model& x) { return channel_field(x, &ChannelSpec::units); })
      .def_property_readonly(
          "channel_descriptions",
          [](const Model& x) { return channel_field(x, &ChannelSpec::description); })
      .def_property_readonly(
          "joint_ranges",
          [](const Model& x) {
            py::dict d;
            for (int j = 0; j < x.n_dofs(); ++j)
              d[py::str(x.dof_names()[j])] =
                  py::make_tuple(x.dof_range_min()[j], x.dof_range_max()[j]);
            return d;
          },
          "coordinate ranges {name: (min, max)} [rad]")
      .def_property_readonly(
          "joint_defaults",
          [](const Model& x) {
            py::dict d;
            for (int j = 0; j < x.n_dofs(); ++j)
              d[py::str(x.dof_names()[j])] = x.dof_default()[j];
            return d;
          },
          "default coordinate values {name: value} [rad]")
      .def_property_readonly(
          "regions",
          [](const Model& x) {
            py::dict d;
            for (std::size_t r = 0; r < x.region_names().size(); ++r) {
              py::dict e;
              std::vector<std::string> joints;
              for (int dof : x.region_dofs()[r])
                joints.push_back(x.dof_names()[dof]);
              e["joints"] = joints;
              e["weights"] = x.region_weights()[r];
              d[py::str(x.region_names()[r])] = e;
            }
            return d;
          },
          "spinal regions {name: {joints, weights}}: an examiner moves a region's joints by "
          "these shares (the levels' rhythm, summing to 1)")
      .def_property_readonly(
          "pairs",
          [](const Model& x) {
            py::dict d;
            for (int k = 0; k < x.n_pairs(); ++k) {
              py::dict p;
              p["joint"] = x.dof_names()[x.pair_dof()[k]];
              std::vector<std::string> ag, ant;
              for (int i : x.pair_agonists()[k])
                ag.push_back(x.muscle_names()[i]);
              for (int i : x.pair_antagonists()[k])
                ant.push_back(x.muscle_names()[i]);
              p["agonists"] = ag;
              p["antagonists"] = ant;
              const int l = x.find_law(LawDomain::Pair, k, "inhibition");
              p["reciprocal_inhibition"] =
                  l < 0 ? 0.0
                        : x.parameter_value(
                              x.parameter("pairs." + x.pair_names()[k] + ".reciprocal_inhibition"));
              d[py::str(x.pair_names()[k])] = p;
            }
            return d;
          },
          "pairs {name: {joint, agonists, antagonists, reciprocal_inhibition}}")
      .def_property_readonly(
          "segment_names", [](const Model& x) { return x.segment_names(); },
          "spinal levels, bottom up")
      .def_property_readonly(
          "segment_joints",
          [](const Model& x) {
            std::vector<std::string> v;
            for (int k = 0; k < x.n_segments(); ++k)
              v.push_back(x.dof_names()[x.body_dof()[x.segment_body()[k]]]);
            return v;
          },
          "coordinate of each level's joint")
      .def_property_readonly(
          "segment_bodies",
          [](const Model& x) {
            std::vector<std::string> v;
            for (int k = 0; k < x.n_segments(); ++k)
              v.push_back(x.body_names()[x.segment_body()[k]]);
            return v;
          },
          "upper vertebra (body) of each level")
      .def_property_readonly("segment_regions", [](const Model& x) { return x.segment_region(); })
      .def_property_readonly(
          "segment_rhythm", [](const Model& x) { return x.segment_rhythm(); },
          "share of the region's flexion")
      .def_property_readonly(
          "groups",
          [](const Model& x) {
            py::dict d;
            for (std::size_t g = 0; g < x.group_names().size(); ++g) {
              std::vector<std::string> names;
              for (int i : x.group_muscles()[g])
                names.push_back(x.muscle_names()[i]);
              d[py::str(x.group_names()[g])] = names;
            }
            return d;
          },
          "muscle groups {name: [muscles]}")
      .def_property_readonly(
          "body_parents",
          [](const Model& x) {
            std::vector<std::string> v;
            for (int b = 0; b < x.n_bodies(); ++b)
              v.push_back(x.body_parent()[b] < 0 ? "ground" : x.body_names()[x.body_parent()[b]]);
            return v;
          },
          "parent of each body ('ground' for the root bodies)")
      .def_property_readonly(
          "subject",
          [](const Model& x) {
            py::dict d;
            d["reference_mass"] = x.subject().reference_mass;
            d["reference_height"] = x.subject().reference_height;
            d["mass"] = x.subject().mass;
            d["height"] = x.subject().height;
            return d;
          },
          "the person the model stands for {reference_mass, reference_height, mass, height} "
          "[kg, m] (zeros when the model is not scalable)")
      .def("muscle_parameters", &muscle_parameters, py::arg("name"),
           "Parameters of one muscle as a dict (SI units; tone threshold in optimal fibre "
           "lengths): the mechanical ones, then laws.ROLE (the law's name) and laws.ROLE.PARAM for "
           "every law attached.")
      .def_property_readonly(
          "laws",
          [](const Model& x) {
            py::list out;
            for (int l = 0; l < x.n_laws(); ++l) {
              const Law& law = x.law(l);
              py::dict d;
              d["role"] = x.law_role(l);
              d["law"] = law.info().name;
              d["domain"] = law_domain_name(law.info().domain);
              std::vector<std::string> entities;
              for (int k = 0; k < law.n_entities(); ++k) {
                const int e = law.entity(k);
                entities.push_back(law.info().domain == LawDomain::Muscle
                                       ? x.muscle_names()[e]
                                       : (law.info().domain == LawDomain::Pair
                                              ? x.pair_names()[e]
                                              : x.segment_names()[e]));
              }
              d["entities"] = entities;
              out.append(d);
            }
            return out;
          },
          "the laws attached: [{role, law, domain, entities}]")
      .def(
          "law_info", [](const Model& x, int l) { return law_info_dict(x.law(l).info()); },
          py::arg("index"), "documentation of the model's l-th law (see laws)")
      .def("parameter_names", &Model::parameter_names,
           "every parameter with_parameters can set, one name per entity and field")
      .def(
          "parameter_values",
          [](const Model& x, const std::vector<std::string>& names) {
            std::vector<double> out;
            for (const std::string& n : names)
              for (const ParameterRef& r : x.parameters(n))
                out.push_back(x.parameter_value(r));
            return out;
          },
          py::arg("names"), "current values of parameters by name (groups expand)")
      .def(
          "with_parameters",
          [](const Model& x, const std::map<std::string, double>& changes) {
            return std::make_shared<Model>(x.with_parameters(changes));
          },
          py::arg("changes"),
          "A model with parameters changed, without recompiling its text; raises "
          "InvalidArgument for unknown names or values out of range.")
      .def("derivatives", &derivatives, py::arg("values"), py::arg("t") = 0.0,
           py::arg("voluntary") = py::none(),
           "The right-hand side at one state: (xdot, row), xdot the time derivative of each state "
           "(shape (n_states,), units of state_names per second) and row every recorded channel "
           "(shape (n_channels,), channel_names order), as an episode computes them at time t "
           "[s] with the voluntary excitation given per muscle (in [0, 1], muscle_names order; "
           "None: none) and nothing driven. values: the state, shape (n_states,). Raises "
           "InvalidArgument for a wrong size or a non-finite value, and whatever a law raises for "
           "a state outside its domain.")
      .def("__repr__", [](const Model& x) {
        return "<msk._core.Model '" + x.name() + "': " + std::to_string(x.n_dofs()) + " joints, " +
               std::to_string(x.n_muscles()) + " muscles, " + std::to_string(x.n_pairs()) +
               " pairs>";
      });

  m.def(
      "law_registry",
      []() {
        py::list out;
        const LawRegistry r = builtin_laws();
        for (const std::string& name : r.names())
          out.append(law_info_dict(*r.find(name)));
        return out;
      },
      "Documentation of msk's built-in laws (name, role, parameters, states, channels).");
  m.def("bundled_model_names", &bundled_model_names,
        "Names of the models bundled with the C++ library (found via MSK_MODEL_PATH or the "
        "installed share/msk/models).");
  m.def(
      "load_model_text",
      [](const std::string& text, const std::string& file, const std::string& overrides_json,
         const std::string& overrides_source) {
        py::gil_scoped_release release;
        LoadOptions options;
        options.overrides_json = overrides_json;
        options.overrides_source = overrides_source;
        return std::make_shared<Model>(load_model_text(text, file, options));
      },
      py::arg("text"), py::arg("file") = "<string>", py::arg("overrides_json") = "",
      py::arg("overrides_source") = "<overrides>",
      "Parses and compiles model YAML. overrides_json maps dotted paths to values. Raises "
      "ModelError naming file, line and field; or, for an override the model refuses, "
      "overrides_source (who gave them) and the key as given.");
  m.def(
      "load_model_file",
      [](const std::string& path, const std::string& overrides_json,
         const std::string& overrides_source) {
        py::gil_scoped_release release;
        LoadOptions options;
        options.overrides_json = overrides_json;
        options.overrides_source = overrides_source;
        return std::make_shared<Model>(load_model(path, options));
      },
      py::arg("path"), py::arg("overrides_json") = "", py::arg("overrides_source") = "<overrides>",
      "Reads, parses and compiles a model file: msk YAML, or an OpenSim model (.osim). Errors "
      "as load_model_text.");
}

}  // namespace msk::python
