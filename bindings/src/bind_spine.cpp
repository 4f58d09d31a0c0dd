// Postures and posture equilibrium (static optimisation) of spine models.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <thread>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/equilibrium_tables.hpp"
#include "msk/sim/posture.hpp"
#include "msk/spine/segment.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

py::array_t<double> vector(const Eigen::VectorXd& v) {
  py::array_t<double> a(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i)
    a.mutable_at(i) = v[i];
  return a;
}

py::array_t<double> points(const std::vector<Eigen::Vector3d>& p) {
  py::array_t<double> a({static_cast<py::ssize_t>(p.size()), py::ssize_t{3}});
  for (std::size_t i = 0; i < p.size(); ++i)
    for (int k = 0; k < 3; ++k)
      a.mutable_at(i, k) = p[i][k];
  return a;
}

/// One column of the per-segment loads as an array, shape (n_segments,).
template <class F>
py::array_t<double> segment_column(const std::vector<spine::SegmentLoads>& segments, F&& field) {
  py::array_t<double> a(static_cast<py::ssize_t>(segments.size()));
  for (std::size_t k = 0; k < segments.size(); ++k)
    a.mutable_at(k) = field(segments[k]);
  return a;
}

/// The loads of the levels `params` describes, one array per quantity (flags as 0/1) and the
/// ligament tensions per level.
py::dict segments_dict(const std::vector<spine::SegmentParams>& params,
                       const std::vector<spine::SegmentLoads>& r) {
  py::dict seg;
  using L = spine::SegmentLoads;
  auto column = [&](auto&& field) { return segment_column(r, field); };
  auto flag = [&](bool L::*member) {
    return segment_column(r, [member](const L& s) { return s.*member ? 1.0 : 0.0; });
  };
  seg["angle"] = column([](const L& s) { return s.angle; });
  seg["angle_from_neutral"] = column([](const L& s) { return s.angle_from_neutral; });
  seg["compression"] = column([](const L& s) { return s.compression; });
  seg["disc_compression"] = column([](const L& s) { return s.disc_compression; });
  seg["disc_force"] = column([](const L& s) { return s.disc_force; });
  seg["facet_force"] = column([](const L& s) { return s.facet_force; });
  seg["facet_share"] = column([](const L& s) { return s.facet_share; });
  seg["facet_closure"] = column([](const L& s) { return s.facet_closure; });
  seg["ligament_force"] = column([](const L& s) { return s.ligament_force_total; });
  seg["disc_height"] = column([](const L& s) { return s.disc_height; });
  seg["posterior_disc_height"] = column([](const L& s) { return s.posterior_disc_height; });
  seg["pressure"] = column([](const L& s) { return s.pressure; });
  seg["load_pressure"] = column([](const L& s) { return s.load_pressure; });
  seg["swelling_pressure"] = column([](const L& s) { return s.swelling_pressure; });
  seg["foramen_height"] = column([](const L& s) { return s.foramen_height; });
  seg["foramen_width"] = column([](const L& s) { return s.foramen_width; });
  seg["foramen_area"] = column([](const L& s) { return s.foramen_area; });
  seg["flavum_buckling"] = column([](const L& s) { return s.flavum_buckling; });
  seg["nerve_root_risk"] = column([](const L& s) { return s.nerve_root_risk; });
  seg["stenosis"] = flag(&L::stenosis);
  seg["stenosis_foramen"] = flag(&L::stenosis_foramen);
  seg["stenosis_posterior_disc"] = flag(&L::stenosis_posterior_disc);
  seg["shear"] = column([](const L& s) { return s.shear; });
  seg["disc_shear"] = column([](const L& s) { return s.disc_shear; });
  seg["facet_shear"] = column([](const L& s) { return s.facet_shear; });
  seg["facet_shear_share"] = column([](const L& s) { return s.facet_shear_share; });
  seg["shear_ultimate_ratio"] = column([](const L& s) { return s.shear_ultimate_ratio; });
  seg["shear_over_repetitive_limit"] = flag(&L::shear_over_repetitive_limit);
  seg["shear_over_action_limit"] = flag(&L::shear_over_action_limit);
  seg["degeneration"] = column([](const L& s) { return s.degeneration; });
  seg["disc_moment"] = column([](const L& s) { return s.disc_moment; });
  seg["ligament_moment"] = column([](const L& s) { return s.ligament_moment; });
  seg["facet_moment"] = column([](const L& s) { return s.facet_moment; });
  seg["moment"] = column([](const L& s) { return s.moment; });
  py::list ligaments;
  for (std::size_t k = 0; k < r.size(); ++k) {
    py::dict lig;
    const auto& ligament_params = params[k].ligaments;
    for (std::size_t j = 0; j < ligament_params.size(); ++j)
      lig[py::str(ligament_params[j].name)] = r[k].ligament_force[j];
    ligaments.append(lig);
  }
  seg["ligaments"] = ligaments;
  return seg;
}

py::dict result_dict(const Model& m, const EquilibriumResult& r, PostureMode mode) {
  py::dict d;
  d["q"] = vector(r.q);
  d["gravity"] = vector(r.gravity);
  d["load_gravity"] = vector(r.load_gravity);
  py::list loads;
  for (const PointLoad& l : r.loads) {
    py::dict ld;
    ld["body"] = l.body >= 0 ? m.body_names()[l.body] : std::string("ground");
    ld["point"] = vector(l.point);
    ld["force"] = vector(l.force);
    loads.append(ld);
  }
  d["loads"] = loads;
  d["tone_activation"] = vector(r.tone_activation);
  d["voluntary_activation"] = vector(r.voluntary_activation);
  d["activation"] = vector(r.activation);
  d["muscle_force"] = vector(r.muscle_force);
  py::dict seg = segments_dict(m.segment_params(), r.segments);
  d["segments"] = seg;
  // Reserves and demands per balanced joint, also keyed by segment where there is one.
  std::vector<std::string> joints;
  py::array_t<double> segment_reserve(m.n_segments()), segment_demand(m.n_segments());
  for (int k = 0; k < m.n_segments(); ++k)
    segment_reserve.mutable_at(k) = segment_demand.mutable_at(k) = 0.0;
  for (std::size_t j = 0; j < r.balanced_bodies.size(); ++j) {
    const int b = r.balanced_bodies[j];
    joints.push_back(m.dof_names()[m.body_dof()[b]] + ":" + m.body_names()[b]);
    const int k = m.body_segment()[b];
    if (k >= 0) {
      // In the level's flexion sense.
      const double s = m.segment_flexion_sign()[k];
      segment_reserve.mutable_at(k) = s * r.reserve_moment[static_cast<Eigen::Index>(j)];
      segment_demand.mutable_at(k) = s * r.muscle_moment_demand[static_cast<Eigen::Index>(j)];
    }
  }
  seg["reserve_moment"] = segment_reserve;
  seg["muscle_moment_demand"] = segment_demand;
  d["balanced_joints"] = joints;
  d["reserve_moment"] = vector(r.reserve_moment);
  d["joint_load_moment"] = vector(r.joint_load_moment);
  d["muscle_moment_demand"] = vector(r.muscle_moment_demand);
  d["body_position"] = points(r.body_position);
  py::array_t<double> rot(
      {static_cast<py::ssize_t>(r.body_rotation.size()), py::ssize_t{3}, py::ssize_t{3}});
  for (std::size_t b = 0; b < r.body_rotation.size(); ++b)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        rot.mutable_at(b, i, j) = r.body_rotation[b](i, j);
  d["body_rotation"] = rot;
  d["joint_origin"] = points(r.joint_origin);
  py::list paths;
  for (const auto& p : r.muscle_path)
    paths.append(points(p));
  d["muscle_path"] = paths;
  d["effort"] = r.effort;
  d["qp_iterations"] = r.qp_iterations;
  d["load_iterations"] = r.load_iterations;
  d["relax_iterations"] = r.relax_iterations;
  d["mode"] = std::string(posture_mode_name(r.mode));
  d["pelvic_tilt"] = r.pelvic_tilt;
  d["trunk_inclination"] = r.trunk_inclination;
  d["gaze_inclination"] = r.gaze_inclination;
  d["thigh_inclination"] = r.thigh_inclination;
  d["balance_moment"] = r.balance_moment;
  d["balance_evaluations"] = r.balance_evaluations;
  py::dict regions;
  for (const auto& [name, flexion] : r.region_flexion)
    regions[py::str(name)] = flexion;
  d["region_flexion"] = regions;
  d["seat_force"] = vector(r.seat_force);
  d["abdominal_pressure"] = r.abdominal_pressure;
  d["converged"] = r.converged;
  d["warnings"] = r.warnings;
  // The tables and geometry as equilibrium files store them (make_stored_equilibrium).
  d["stored"] = equilibrium_dict(make_stored_equilibrium(m, r, "default", mode));
  return d;
}

}  // namespace

void bind_spine(py::module_& m) {
  py::class_<Posture>(m, "Posture",
                      "A static posture (SI units: angles in rad, lengths in m, masses in kg).")
      .def(py::init<>())
      .def_readwrite("name", &Posture::name)
      .def_readwrite("orientation", &Posture::orientation, "'upright', 'supine', 'prone' or 'side'")
      .def_readwrite("supported", &Posture::supported,
                     "a support carries every body's weight (lying)")
      .def_readwrite("pelvic_tilt", &Posture::pelvic_tilt, "anterior pelvic tilt [rad]")
      .def_readwrite("lumbar_flexion", &Posture::lumbar_flexion, "[rad]")
      .def_readwrite("thoracic_flexion", &Posture::thoracic_flexion, "[rad]")
      .def_readwrite("neck_flexion", &Posture::neck_flexion, "[rad]")
      .def_readwrite("head_flexion", &Posture::head_flexion, "[rad]")
      .def_readwrite("hip_flexion", &Posture::hip_flexion, "[rad]")
      .def_readwrite("level_flexion", &Posture::level_flexion, "{level: flexion [rad]}")
      .def_readwrite("load_mass", &Posture::load_mass, "held in the hands [kg]")
      .def_readwrite("hand_distance", &Posture::hand_distance,
                     "hands in front of the load reference level [m]; NaN: arms hang")
      .def_readwrite("hand_height", &Posture::hand_height, "[m]")
      .def_readwrite("hydration", &Posture::hydration, "disc fluid content [1]; NaN: model's")
      .def_readwrite("support", &Posture::support,
                     "'feet', 'seat' or 'bed'; '' from the orientation")
      .def_readwrite("thigh_flexion", &Posture::thigh_flexion,
                     "thighs' forward inclination from vertical [rad]; NaN: hip - pelvic tilt")
      .def_readwrite("knee_flexion", &Posture::knee_flexion, "[rad]")
      .def_readwrite("trunk_flexion", &Posture::trunk_flexion,
                     "task: trunk's forward inclination in the world [rad]; NaN: nominal")
      .def_readwrite("gaze_flexion", &Posture::gaze_flexion,
                     "task: gaze body's forward inclination in the world [rad]; NaN: nominal")
      .def_readwrite("instructed", &Posture::instructed,
                     "the task instructs the spine's shape (posture preference)")
      .def_readwrite("balance", &Posture::balance,
                     "task mode: the thighs' inclination found by balance over the feet")
      .def_readwrite("hold_duration", &Posture::hold_duration,
                     "how long the posture is held [s] (tone habituation)")
      .def_readwrite("source", &Posture::source)
      .def("validate", [](const Posture& p) { validate(p); });

  m.def("posture_preset_names", &posture_preset_names, "Names of the bundled postures.");
  m.def("posture_preset", &posture_preset, py::arg("name"),
        py::arg("load_mass") = std::numeric_limits<double>::quiet_NaN(),
        "A bundled posture; the lifts hold load_mass kg (NaN: 20 kg).");
  m.def(
      "posture_coordinates",
      [](const std::shared_ptr<Model>& model, const Posture& p) {
        return vector(posture_coordinates(*model, p));
      },
      py::arg("model"), py::arg("posture"), "The coordinates of a posture [rad], shape (n_dofs,).");
  m.def(
      "solve_equilibrium",
      [](const std::shared_ptr<Model>& model, const Posture& posture, const std::string& mode,
         double posture_stiffness, double reserve_tolerance, double reserve_fraction,
         const std::vector<double>& effort_weight) {
        EquilibriumOptions o;
        o.mode = posture_mode_from_name(mode);
        o.posture_stiffness = posture_stiffness;
        o.reserve_tolerance = reserve_tolerance;
        o.reserve_fraction = reserve_fraction;
        o.effort_weight = effort_weight;
        EquilibriumResult r;
        {
          py::gil_scoped_release release;
          r = solve_equilibrium(*model, posture, o);
        }
        return result_dict(*model, r, o.mode);
      },
      py::arg("model"), py::arg("posture"), py::arg("mode") = "rhythm",
      py::arg("posture_stiffness") = EquilibriumOptions{}.posture_stiffness,
      py::arg("reserve_tolerance") = EquilibriumOptions{}.reserve_tolerance,
      py::arg("reserve_fraction") = EquilibriumOptions{}.reserve_fraction,
      py::arg("effort_weight") = std::vector<double>{},
      "Posture equilibrium (static optimisation): activations, muscle forces and the loads of "
      "every spinal level. Returns a dict of NumPy arrays (SI units); 'stored' holds the "
      "tables and geometry as equilibrium files store them. Raises EquilibriumError "
      "naming the level no activation can balance. The GIL is released while solving.");
  m.def(
      "solve_equilibria",
      [](const std::vector<std::shared_ptr<Model>>& models, const std::vector<Posture>& postures,
         const std::string& mode, double posture_stiffness, double reserve_tolerance,
         double reserve_fraction, const std::vector<double>& effort_weight, int threads) {
        if (models.size() != postures.size())
          throw InvalidArgument("solve_equilibria: expected as many models as postures, got " +
                                std::to_string(models.size()) + " and " +
                                std::to_string(postures.size()));
        EquilibriumOptions o;
        o.mode = posture_mode_from_name(mode);
        o.posture_stiffness = posture_stiffness;
        o.reserve_tolerance = reserve_tolerance;
        o.reserve_fraction = reserve_fraction;
        o.effort_weight = effort_weight;
        const std::size_t n = postures.size();
        std::vector<EquilibriumResult> results(n);
        std::vector<std::pair<std::string, std::string>> errors(n);  // kind, message
        {
          py::gil_scoped_release release;
          std::atomic<std::size_t> next{0};
          auto work = [&] {
            for (std::size_t i = next++; i < n; i = next++) {
              try {
                results[i] = solve_equilibrium(*models[i], postures[i], o);
              } catch (const EquilibriumError& e) {
                errors[i] = {"EquilibriumError", e.what()};
              } catch (const InvalidArgument& e) {
                errors[i] = {"InvalidArgument", e.what()};
              } catch (const ModelError& e) {
                errors[i] = {"ModelError", e.what()};
              } catch (const std::exception& e) {
                errors[i] = {"Error", e.what()};
              }
            }
          };
          const int hardware = static_cast<int>(std::thread::hardware_concurrency());
          const int count = std::max(
              1, std::min<int>(threads > 0 ? threads : std::max(hardware, 1), static_cast<int>(n)));
          std::vector<std::thread> pool;
          for (int t = 1; t < count; ++t)
            pool.emplace_back(work);
          work();
          for (std::thread& t : pool)
            t.join();
        }
        py::list out;
        for (std::size_t i = 0; i < n; ++i) {
          if (!errors[i].first.empty()) {
            py::dict e;
            e["error"] = errors[i].first;
            e["message"] = errors[i].second;
            out.append(e);
          } else {
            out.append(result_dict(*models[i], results[i], o.mode));
          }
        }
        return out;
      },
      py::arg("models"), py::arg("postures"), py::arg("mode") = "rhythm",
      py::arg("posture_stiffness") = EquilibriumOptions{}.posture_stiffness,
      py::arg("reserve_tolerance") = EquilibriumOptions{}.reserve_tolerance,
      py::arg("reserve_fraction") = EquilibriumOptions{}.reserve_fraction,
      py::arg("effort_weight") = std::vector<double>{}, py::arg("threads") = 0,
      "solve_equilibrium for each (models[i], postures[i]) on `threads` threads (0: one per "
      "core) with the GIL released. Returns one dict per pair: solve_equilibrium's, or "
      "{'error': kind, 'message': text} for a pair that failed (kind: EquilibriumError, "
      "InvalidArgument, ModelError or Error).");
  m.def(
      "segment_loads",
      [](const std::shared_ptr<Model>& model, const std::string& level, double angle,
         double compression, double shear, double hydration) {
        const int k = model->find_segment(level);
        if (k < 0)
          throw InvalidArgument("level: expected a spinal level of model '" + model->name() +
                                "', got '" + level + "'");
        const spine::SegmentParams& params = model->segment_params()[static_cast<std::size_t>(k)];
        std::vector<spine::SegmentLoads> out(1);
        spine::compute_segment(params, angle, compression, shear, hydration, out[0]);
        return table_as_dict(
            make_level_table(*model, {k}, out, {std::numeric_limits<double>::quiet_NaN()}));
      },
      py::arg("model"), py::arg("level"), py::arg("angle"), py::arg("compression"),
      py::arg("shear") = 0.0, py::arg("hydration") = 1.0,
      "The loads of one spinal level at a prescribed flexion from the model's geometry [rad], "
      "compression and anterior shear [N] and hydration [1], as on a testing machine (no "
      "muscles, no posture). Returns the dict of solve_equilibrium's 'segments' for that level "
      "(arrays of length 1).");
}

}  // namespace msk::python
