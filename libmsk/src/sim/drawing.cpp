#include "msk/sim/drawing.hpp"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

#include "msk/error.hpp"
#include "msk/sim/kinematics.hpp"
#include "path_pieces.hpp"

namespace msk {

namespace {

void require_coordinates(const Model& model, const Eigen::VectorXd& q) {
  if (q.size() != model.n_dofs())
    throw InvalidArgument("q: expected " + std::to_string(model.n_dofs()) +
                          " coordinates (one per joint of model '" + model.name() + "'), got " +
                          std::to_string(q.size()));
}

/// `n` points strictly inside the path on wrap surface w of muscle i, from its tangent point in
/// to its tangent point out, in ground. On a cylinder the path is a helix: it turns about the
/// axis by the angle whose arc, with the rise along the axis, gives the path's length; on a
/// sphere it is the great-circle arc of that length in the plane of the centre and the tangents.
void append_arc(const Model& model, const Data& data, int i, int w, int n,
                std::vector<Eigen::Vector3d>& path) {
  const int surface = model.muscle_wraps()[i][w].surface;
  Eigen::Vector3d origin;
  Eigen::Matrix3d rotation;
  detail::wrap_surface_frame(model, data, surface, origin, rotation);
  const Eigen::Vector3d t1 = rotation.transpose() * (data.wrap_tangent_in[i][w] - origin);
  const Eigen::Vector3d t2 = rotation.transpose() * (data.wrap_tangent_out[i][w] - origin);
  const double arc = data.wrap_arc_length[i][w];
  const double radius = model.wrap_radius()[surface];
  if (model.wrap_type()[surface] == WrapType::Cylinder) {
    // Turn about z from t1's angle; the shorter turn unless the arc's length says otherwise.
    const double rise = t2.z() - t1.z();
    const double start = std::atan2(t1.y(), t1.x());
    double turn = std::atan2(t1.x() * t2.y() - t1.y() * t2.x(), t1.x() * t2.x() + t1.y() * t2.y());
    const double around = std::sqrt(std::max(arc * arc - rise * rise, 0.0)) / radius;
    if (std::abs(std::abs(turn) - around) > std::abs(2.0 * M_PI - std::abs(turn) - around))
      turn -= std::copysign(2.0 * M_PI, turn);
    for (int k = 1; k <= n; ++k) {
      const double s = static_cast<double>(k) / (n + 1);
      const double angle = start + s * turn;
      const Eigen::Vector3d p(radius * std::cos(angle), radius * std::sin(angle),
                              t1.z() + s * rise);
      path.push_back(origin + rotation * p);
    }
  } else {
    // A great circle: about the normal of the plane through the centre and the tangents.
    const double angle = arc / radius;
    Eigen::Vector3d axis = t1.cross(t2);
    if (axis.norm() < 1e-15 * radius * radius) return;  // opposite points: no plane to draw in
    axis.normalize();
    const double short_angle = std::acos(std::clamp(t1.dot(t2) / t1.norm() / t2.norm(), -1.0, 1.0));
    if (std::abs(angle - short_angle) > std::abs(angle - (2.0 * M_PI - short_angle))) axis = -axis;
    for (int k = 1; k <= n; ++k) {
      const double s = static_cast<double>(k) / (n + 1);
      path.push_back(origin + rotation * (Eigen::AngleAxisd(s * angle, axis) * t1));
    }
  }
}

}  // namespace

BodyFrames make_body_frames(const Model& model, const Data& data) {
  if (data.body_rotation.size() != static_cast<std::size_t>(model.n_bodies()))
    throw InvalidArgument("data: expected a workspace of model '" + model.name() + "' (" +
                          std::to_string(model.n_bodies()) + " bodies), got one of " +
                          std::to_string(data.body_rotation.size()));
  BodyFrames frames;
  frames.rotation = data.body_rotation;
  frames.origin = data.body_position;
  // Every joint's centre, welds too, as compute_kinematics places it: a point of the parent.
  frames.joint_centre.resize(model.n_bodies());
  frames.centre_of_mass.resize(model.n_bodies());
  for (int b = 0; b < model.n_bodies(); ++b) {
    frames.centre_of_mass[b] = point_in_ground(data, b, model.body_com()[b]);
    const int p = model.body_parent()[b];
    frames.joint_centre[b] =
        p < 0 ? model.joint_location_in_parent()[b]
              : Eigen::Vector3d(data.body_position[p] +
                                data.body_rotation[p] * model.joint_location_in_parent()[b]);
  }
  return frames;
}

BodyFrames make_body_frames(const Model& model, const Eigen::VectorXd& q) {
  require_coordinates(model, q);
  Data data = make_data(model);
  compute_kinematics(model, q, data);
  return make_body_frames(model, data);
}

std::vector<std::vector<Eigen::Vector3d>> make_muscle_paths(const Model& model, const Data& data,
                                                            int arc_points) {
  if (arc_points < 0)
    throw InvalidArgument("arc_points: expected a number >= 0, got " + std::to_string(arc_points));
  std::vector<std::vector<Eigen::Vector3d>> paths(model.n_muscles());
  for (int i = 0; i < model.n_muscles(); ++i) {
    std::vector<Eigen::Vector3d>& path = paths[i];
    const auto& ground = data.path_point_ground[i];
    const std::vector<int>& wrapped_by = data.path_wrapped_by[i];
    // The active points in order; a segment that wraps goes over its surface on the way.
    int prev = -1;
    for (std::size_t k = 0; k < ground.size(); ++k) {
      if (!detail::path_point_active(model, data.q, i, k)) continue;
      if (prev >= 0) {
        const int w = wrapped_by[prev];
        if (w >= 0 && data.wrap_active[i][w]) {
          path.push_back(data.wrap_tangent_in[i][w]);
          append_arc(model, data, i, w, arc_points, path);
          path.push_back(data.wrap_tangent_out[i][w]);
        }
      }
      path.push_back(ground[k]);
      prev = static_cast<int>(k);
    }
  }
  return paths;
}

std::vector<std::vector<Eigen::Vector3d>> make_muscle_paths(const Model& model,
                                                            const Eigen::VectorXd& q,
                                                            int arc_points) {
  require_coordinates(model, q);
  Data data = make_data(model);
  compute_kinematics(model, q, data);
  compute_muscle_geometry(model, Eigen::VectorXd::Zero(model.n_dofs()), data);
  return make_muscle_paths(model, data, arc_points);
}

}  // namespace msk
