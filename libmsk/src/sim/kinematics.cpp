#include "msk/sim/kinematics.hpp"

#include <Eigen/Geometry>
#include <algorithm>

#include "msk/sim/wrapping.hpp"
#include "path_pieces.hpp"

namespace msk {

void compute_kinematics(const Model& model, const Eigen::VectorXd& q, Data& data) {
  data.q = q;
  for (int b = 0; b < model.n_bodies(); ++b) {
    const int p = model.body_parent()[b];
    const Eigen::Matrix3d parent_rotation =
        p < 0 ? Eigen::Matrix3d::Identity() : data.body_rotation[p];
    const Eigen::Vector3d parent_position = p < 0 ? Eigen::Vector3d::Zero() : data.body_position[p];
    // Joint rotation about the axis fixed in the parent frame (identity for a weld), by the angle
    // ratio q + offset, then the child's fixed orientation.
    const int d = model.body_dof()[b];
    Eigen::Matrix3d joint_rotation = Eigen::Matrix3d::Identity();
    if (d >= 0) {
      const double angle = model.joint_ratio()[b] * q[d] + model.joint_offset()[b];
      joint_rotation = Eigen::AngleAxisd(angle, model.joint_axis()[b]).toRotationMatrix();
    }
    const Eigen::Vector3d origin =
        parent_position + parent_rotation * model.joint_location_in_parent()[b];
    data.body_rotation[b] = parent_rotation * joint_rotation * model.joint_orientation()[b];
    data.body_position[b] = origin - data.body_rotation[b] * model.joint_location_in_child()[b];
    if (d >= 0) {
      data.joint_axis[b] = parent_rotation * model.joint_axis()[b];
      data.joint_origin[b] = origin;
      if (model.dof_body()[d] == b) {
        data.dof_axis[d] = data.joint_axis[b];
        data.dof_origin[d] = origin;
      }
    }
  }
}

Eigen::Vector3d point_in_ground(const Data& data, int body, const Eigen::Vector3d& point) {
  if (body < 0) return point;
  return data.body_position[body] + data.body_rotation[body] * point;
}

namespace {

/// Adds the derivative of the straight segment length |b - a| to moment arm row i, with a and b
/// fixed in bodies body_a and body_b:
/// dl/dq_d = sum over joints j driven by q_d of ratio_j e . (a_j x (b - o_j) - a_j x (a - o_j)),
/// counting only the points that move with joint j.
void add_segment(const Model& model, Data& data, int i, const Eigen::Vector3d& a, int body_a,
                 const Eigen::Vector3d& b, int body_b) {
  const Eigen::Vector3d seg = b - a;
  const double seg_length = seg.norm();
  if (seg_length <= 1e-12) return;
  const Eigen::Vector3d e = seg / seg_length;
  // Only joints that move exactly one of the two bodies change the length (precomputed in
  // Data::work by make_data, in decreasing joint order).
  const Data::Workspace& w = data.work;
  const std::size_t pair =
      static_cast<std::size_t>((body_a + 1) * (model.n_bodies() + 1) + body_b + 1);
  for (int n = w.crossing_begin[pair]; n < w.crossing_begin[pair + 1]; ++n) {
    const int j = w.crossing_joint[static_cast<std::size_t>(n)];
    const bool b_moves = w.crossing_moves_b[static_cast<std::size_t>(n)] != 0;
    const Eigen::Vector3d& axis = data.joint_axis[j];
    const Eigen::Vector3d& o = data.joint_origin[j];
    const double dl = b_moves ? e.dot(axis.cross(b - o)) : -e.dot(axis.cross(a - o));
    data.moment_arm(i, model.body_dof()[j]) -= model.joint_ratio()[j] * dl;
  }
}

/// Wraps the segment a-b over surface w when it should: fills the tangent points (in ground) and
/// the length on the surface. Returns false when the straight segment stands.
bool wrap_segment(const Model& model, const Data& data, int w, const Eigen::Vector3d& a,
                  const Eigen::Vector3d& b, Eigen::Vector3d& tangent_in,
                  Eigen::Vector3d& tangent_out, double& arc_length) {
  // Surface frame in ground: origin and rotation.
  Eigen::Vector3d origin;
  Eigen::Matrix3d rotation;
  detail::wrap_surface_frame(model, data, w, origin, rotation);
  const Eigen::Vector3d pa = rotation.transpose() * (a - origin);
  const Eigen::Vector3d pb = rotation.transpose() * (b - origin);
  const WrapSide side{model.wrap_side_axis()[w], model.wrap_side_sign()[w]};
  const WrapPath path =
      model.wrap_type()[w] == WrapType::Cylinder
          ? wrap_cylinder(pa, pb, model.wrap_radius()[w], model.wrap_length()[w], side)
          : wrap_sphere(pa, pb, model.wrap_radius()[w], side);
  if (!path.wrapped) return false;
  tangent_in = origin + rotation * path.tangent_in;
  tangent_out = origin + rotation * path.tangent_out;
  arc_length = path.arc_length;
  return true;
}

}  // namespace

void compute_muscle_geometry(const Model& model, const Eigen::VectorXd& qd, Data& data) {
  data.moment_arm.setZero();
  const Eigen::VectorXd& q = data.q;  // for conditional path points

  for (int i = 0; i < model.n_muscles(); ++i) {
    const auto& bodies = model.muscle_path_body()[i];
    const auto& points = model.muscle_path_point()[i];
    const std::size_t n_points = points.size();
    auto& ground = data.path_point_ground[i];
    for (std::size_t k = 0; k < n_points; ++k)
      ground[k] = point_in_ground(data, bodies[k], points[k]);

    // Each wrap takes the first segment of its range (between consecutive active points) that
    // wraps over its surface and that no earlier wrap took. wrapped_by[k]: the wrap of the segment
    // that starts at active point k, or -1.
    const auto& wraps = model.muscle_wraps()[i];
    std::vector<int>& wrapped_by = data.path_wrapped_by[i];
    std::fill(wrapped_by.begin(), wrapped_by.end(), -1);
    for (std::size_t w = 0; w < wraps.size(); ++w) {
      data.wrap_active[i][w] = false;
      const auto& pw = wraps[w];
      int prev = -1;
      for (int k = pw.from_point; k <= pw.to_point; ++k) {
        if (!detail::path_point_active(model, q, i, static_cast<std::size_t>(k))) continue;
        if (prev >= 0 && wrapped_by[prev] < 0 &&
            wrap_segment(model, data, pw.surface, ground[prev], ground[k],
                         data.wrap_tangent_in[i][w], data.wrap_tangent_out[i][w],
                         data.wrap_arc_length[i][w])) {
          wrapped_by[prev] = static_cast<int>(w);
          data.wrap_active[i][w] = true;
          break;
        }
        prev = k;
      }
    }

    // Length and its exact derivative. A wrapped segment a-b counts as the straight pieces a-T1
    // and T2-b, with the tangent points held fixed in the surface's body (the geodesic is the
    // shortest path, so moving the tangent points does not change the length to first order),
    // plus the length on the surface, which depends only on the points' positions relative to it.
    double length = 0.0;
    detail::visit_path_pieces(
        model, data, i,
        [&](const Eigen::Vector3d& a, int body_a, const Eigen::Vector3d& b, int body_b) {
          length += (b - a).norm();
          add_segment(model, data, i, a, body_a, b, body_b);
        });
    for (std::size_t w = 0; w < wraps.size(); ++w)
      if (data.wrap_active[i][w]) length += data.wrap_arc_length[i][w];
    data.mtu_length[i] = length;
  }
  data.mtu_velocity.noalias() = -data.moment_arm * qd;
}

}  // namespace msk
