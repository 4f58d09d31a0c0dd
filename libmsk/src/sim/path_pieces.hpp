// Private: the straight pieces of a muscle path and where the wrap surfaces are, shared by the
// geometry, the joint loads and the drawing geometry.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"

namespace msk::detail {

/// Where wrap surface w is in ground: the origin of its frame [m] and the rotation from its frame
/// to ground (the cylinder's axis is the frame's z). Needs compute_kinematics.
inline void wrap_surface_frame(const Model& model, const Data& data, int w, Eigen::Vector3d& origin,
                               Eigen::Matrix3d& rotation) {
  const int body = model.wrap_body()[w];
  origin = point_in_ground(data, body, model.wrap_centre()[w]);
  rotation = (body < 0 ? Eigen::Matrix3d::Identity() : data.body_rotation[body]) *
             model.wrap_rotation()[w];
}

/// Whether path point k of muscle i is active at coordinates q (conditional path points).
inline bool path_point_active(const Model& model, const Eigen::VectorXd& q, int i, std::size_t k) {
  const int d = model.muscle_path_active_dof()[i][k];
  if (d < 0) return true;
  const auto& range = model.muscle_path_active_range()[i][k];
  return q[d] >= range[0] && q[d] <= range[1];
}

/// Calls f(a, body_a, b, body_b) for each straight piece of muscle i's path, in order: between
/// consecutive active points, or, for a segment wrapped over a surface, the end point to its
/// tangent point (the tangent point fixed in the surface's body). Needs the wrap state of
/// compute_muscle_geometry (data.path_wrapped_by, wrap tangents) and data.path_point_ground.
template <class F>
void visit_path_pieces(const Model& model, const Data& data, int i, F&& f) {
  const auto& bodies = model.muscle_path_body()[i];
  const auto& ground = data.path_point_ground[i];
  const auto& wraps = model.muscle_wraps()[i];
  const std::vector<int>& wrapped_by = data.path_wrapped_by[i];
  int prev = -1;
  for (std::size_t k = 0; k < ground.size(); ++k) {
    if (!path_point_active(model, data.q, i, k)) continue;
    if (prev >= 0) {
      const int w = wrapped_by[prev];
      if (w < 0) {
        f(ground[prev], bodies[prev], ground[k], bodies[k]);
      } else {
        const int surface_body = model.wrap_body()[wraps[w].surface];
        f(ground[prev], bodies[prev], data.wrap_tangent_in[i][w], surface_body);
        f(data.wrap_tangent_out[i][w], surface_body, ground[k], bodies[k]);
      }
    }
    prev = static_cast<int>(k);
  }
}

}  // namespace msk::detail
