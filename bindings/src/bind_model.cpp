// Models: loading with overrides, and the compiled model's names and parameters.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

std::vector<std::string> channel_field(const Model& m, std::string ChannelSpec::*field) {
  std::vector<std::string> out;
  for (const auto& c : m.channels)
    out.push_back(c.*field);
  return out;
}

py::dict muscle_parameters(const Model& m, const std::string& name) {
  const int i = m.find_muscle(name);
  if (i < 0) throw InvalidArgument("muscle: expected a muscle of the model, got '" + name + "'");
  const auto& p = m.muscle_params[i];
  const auto& t = m.muscle_tone[i];
  py::dict d;
  d["max_isometric_force"] = p.max_isometric_force;
  d["optimal_fibre_length"] = p.optimal_fibre_length;
  d["tendon_slack_length"] = p.tendon_slack_length;
  d["pennation_at_optimal"] = p.pennation_at_optimal;
  d["max_contraction_velocity"] = p.max_contraction_velocity;
  d["activation_time_constant"] = m.muscle_tau_act[i];
  d["deactivation_time_constant"] = m.muscle_tau_deact[i];
  d["curves"] = m.muscle_curves[i];
  d["tendon"] = m.muscle_tendon[i];
  d["tone_preset"] = t.preset;
  d["tone_threshold"] = t.threshold;
  d["tone_gain"] = t.gain;
  d["tone_velocity_sensitivity"] = t.velocity_sensitivity;
  d["reflex_time_constant"] = t.reflex_time_constant;
  d["habitual_norm_fibre_length"] = m.muscle_habitual_norm_fibre_length[i];
  return d;
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<Model, std::shared_ptr<Model>>(m, "Model", "A compiled, immutable msk model.")
      .def_readonly("name", &Model::name)
      .def_readonly("description", &Model::description)
      .def_readonly("file", &Model::file, "file the model was read from ('<string>' otherwise)")
      .def_readonly("text", &Model::text, "model YAML after overrides")
      .def_readonly("body_names", &Model::body_names)
      .def_readonly("muscle_names", &Model::muscle_names)
      .def_readonly("pair_names", &Model::pair_names)
      .def_readonly("warnings", &Model::warnings,
                    "what the import of the model approximated or left out, one sentence each")
      .def_property_readonly(
          "joint_names", [](const Model& x) { return x.dof_names; },
          "coordinate (revolute joint) names")
      .def_property_readonly("state_names", [](const Model& x) { return x.layout.names; })
      .def_property_readonly("n_states", [](const Model& x) { return x.layout.n_states; })
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
            for (int j = 0; j < x.n_dofs; ++j)
              d[py::str(x.dof_names[j])] = py::make_tuple(x.dof_range_min[j], x.dof_range_max[j]);
            return d;
          },
          "coordinate ranges {name: (min, max)} [rad]")
      .def_property_readonly(
          "pairs",
          [](const Model& x) {
            py::dict d;
            for (int k = 0; k < x.n_pairs; ++k) {
              py::dict p;
              p["joint"] = x.dof_names[x.pair_dof[k]];
              std::vector<std::string> ag, ant;
              for (int i : x.pair_agonists[k])
                ag.push_back(x.muscle_names[i]);
              for (int i : x.pair_antagonists[k])
                ant.push_back(x.muscle_names[i]);
              p["agonists"] = ag;
              p["antagonists"] = ant;
              p["reciprocal_inhibition"] = x.pair_reciprocal_inhibition[k];
              d[py::str(x.pair_names[k])] = p;
            }
            return d;
          },
          "pairs {name: {joint, agonists, antagonists, reciprocal_inhibition}}")
      .def_readonly("segment_names", &Model::segment_names, "spinal levels, bottom up")
      .def_property_readonly(
          "segment_joints",
          [](const Model& x) {
            std::vector<std::string> v;
            for (int k = 0; k < x.n_segments; ++k)
              v.push_back(x.dof_names[x.body_dof[x.segment_body[k]]]);
            return v;
          },
          "coordinate of each level's joint")
      .def_property_readonly(
          "segment_bodies",
          [](const Model& x) {
            std::vector<std::string> v;
            for (int k = 0; k < x.n_segments; ++k)
              v.push_back(x.body_names[x.segment_body[k]]);
            return v;
          },
          "upper vertebra (body) of each level")
      .def_readonly("segment_regions", &Model::segment_region)
      .def_readonly("segment_rhythm", &Model::segment_rhythm, "share of the region's flexion")
      .def_property_readonly(
          "groups",
          [](const Model& x) {
            py::dict d;
            for (std::size_t g = 0; g < x.group_names.size(); ++g) {
              std::vector<std::string> names;
              for (int i : x.group_muscles[g])
                names.push_back(x.muscle_names[i]);
              d[py::str(x.group_names[g])] = names;
            }
            return d;
          },
          "muscle groups {name: [muscles]}")
      .def_property_readonly(
          "body_parents",
          [](const Model& x) {
            std::vector<std::string> v;
            for (int b = 0; b < x.n_bodies; ++b)
              v.push_back(x.body_parent[b] < 0 ? "ground" : x.body_names[x.body_parent[b]]);
            return v;
          },
          "parent of each body ('ground' for the root bodies)")
      .def_property_readonly(
          "subject",
          [](const Model& x) {
            py::dict d;
            d["reference_mass"] = x.subject.reference_mass;
            d["reference_height"] = x.subject.reference_height;
            d["mass"] = x.subject.mass;
            d["height"] = x.subject.height;
            return d;
          },
          "the person the model stands for {reference_mass, reference_height, mass, height} "
          "[kg, m] (zeros when the model is not scalable)")
      .def("muscle_parameters", &muscle_parameters, py::arg("name"),
           "Parameters of one muscle as a dict (SI units; tone threshold in optimal fibre "
           "lengths).")
      .def("__repr__", [](const Model& x) {
        return "<msk._core.Model '" + x.name + "': " + std::to_string(x.n_dofs) + " joints, " +
               std::to_string(x.n_muscles) + " muscles, " + std::to_string(x.n_pairs) + " pairs>";
      });

  m.def(
      "load_model_text",
      [](const std::string& text, const std::string& file, const std::string& overrides_json) {
        py::gil_scoped_release release;
        return std::make_shared<Model>(load_model_text(text, file, overrides_json));
      },
      py::arg("text"), py::arg("file") = "<string>", py::arg("overrides_json") = "",
      "Parses and compiles model YAML. overrides_json maps dotted paths to values. Raises "
      "ModelError naming file, line and field.");
  m.def(
      "load_model_file",
      [](const std::string& path, const std::string& overrides_json) {
        py::gil_scoped_release release;
        return std::make_shared<Model>(load_model(path, overrides_json));
      },
      py::arg("path"), py::arg("overrides_json") = "",
      "Reads, parses and compiles a model file: msk YAML, or an OpenSim model (.osim).");
}

}  // namespace msk::python
