// What a picture of a model needs (msk/sim/drawing.hpp): body frames and muscle paths in ground,
// from the core's kinematics.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/drawing.hpp"
#include "msk/sim/muscle_moments.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

Eigen::VectorXd coordinates(const std::vector<double>& q) {
  return Eigen::Map<const Eigen::VectorXd>(q.data(), static_cast<Eigen::Index>(q.size()));
}

py::array_t<double> vector_array(const Eigen::VectorXd& v) {
  py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
  auto w = a.mutable_unchecked<1>();
  for (Eigen::Index i = 0; i < v.size(); ++i)
    w(static_cast<py::ssize_t>(i)) = v[i];
  return a;
}

py::array_t<double> points_array(const std::vector<Eigen::Vector3d>& points) {
  py::array_t<double> a({static_cast<py::ssize_t>(points.size()), py::ssize_t{3}});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < points.size(); ++i)
    for (int k = 0; k < 3; ++k)
      v(static_cast<py::ssize_t>(i), k) = points[i][k];
  return a;
}

}  // namespace

void bind_drawing(py::module_& m) {
  m.def(
      "body_frames",
      [](const std::shared_ptr<Model>& model, const std::vector<double>& q) {
        BodyFrames frames;
        {
          py::gil_scoped_release release;
          frames = make_body_frames(*model, coordinates(q));
        }
        const auto n = static_cast<py::ssize_t>(frames.rotation.size());
        py::array_t<double> rotation({n, py::ssize_t{3}, py::ssize_t{3}});
        auto r = rotation.mutable_unchecked<3>();
        for (py::ssize_t b = 0; b < n; ++b)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
              r(b, i, j) = frames.rotation[static_cast<std::size_t>(b)](i, j);
        py::dict d;
        d["rotation"] = rotation;
        d["origin"] = points_array(frames.origin);
        d["joint_centre"] = points_array(frames.joint_centre);
        d["centre_of_mass"] = points_array(frames.centre_of_mass);
        return d;
      },
      py::arg("model"), py::arg("q"),
      "The frame of every body at coordinates q [rad] (model.joint_names order), in ground: dict "
      "of rotation (n_bodies, 3, 3) [body to ground], origin, joint_centre and centre_of_mass "
      "(n_bodies, 3) [m]. Raises InvalidArgument for a q of another size.");
  m.def(
      "muscle_paths",
      [](const std::shared_ptr<Model>& model, const std::vector<double>& q, int arc_points) {
        std::vector<std::vector<Eigen::Vector3d>> paths;
        {
          py::gil_scoped_release release;
          paths = make_muscle_paths(*model, coordinates(q), arc_points);
        }
        py::list out;
        for (const auto& path : paths)
          out.append(points_array(path));
        return out;
      },
      py::arg("model"), py::arg("q"), py::arg("arc_points") = 8,
      "Per muscle (model order), its path in ground at coordinates q [rad], shape (k, 3) [m]: "
      "the active path points, with the tangent points and arc_points points along each wrap "
      "arc. Raises InvalidArgument for a q of another size.");
  m.def(
      "muscle_moments",
      [](const std::shared_ptr<Model>& model, const std::vector<double>& q,
         const std::vector<double>& activation) {
        MuscleMoments mm;
        {
          py::gil_scoped_release release;
          mm = muscle_moments(*model, coordinates(q), coordinates(activation));
        }
        const auto nm = static_cast<py::ssize_t>(mm.moment_arm.rows());
        const auto nd = static_cast<py::ssize_t>(mm.moment_arm.cols());
        py::array_t<double> arm({nm, nd});
        auto r = arm.mutable_unchecked<2>();
        for (py::ssize_t i = 0; i < nm; ++i)
          for (py::ssize_t d = 0; d < nd; ++d)
            r(i, d) = mm.moment_arm(i, d);
        py::dict out;
        out["mtu_length"] = vector_array(mm.mtu_length);
        out["norm_fibre_length"] = vector_array(mm.norm_fibre_length);
        out["passive_force"] = vector_array(mm.passive_force);
        out["force"] = vector_array(mm.force);
        out["moment_arm"] = arm;
        out["moment"] = vector_array(mm.moment);
        return out;
      },
      py::arg("model"), py::arg("q"), py::arg("activation"),
      "Muscle forces and joint moments at coordinates q [rad] with activations [1] (model "
      "order), quasi-static with rigid tendons (msk/sim/muscle_moments.hpp): dict of mtu_length "
      "[m], norm_fibre_length [1], passive_force and force [N] (n_muscles,), moment_arm "
      "(n_muscles, n_dofs) [m] and moment (n_dofs,) [N m]. Raises InvalidArgument for sizes or "
      "values out of range.");
}

}  // namespace msk::python
