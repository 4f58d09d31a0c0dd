#include "msk/sim/dynamics.hpp"

#include <Eigen/Geometry>

#include "body_motion.hpp"

namespace msk {

void compute_mass_matrix(const Model& model, Data& data) {
  const int n = model.n_dofs();
  data.mass_matrix.setZero(n, n);
  Eigen::MatrixXd jv(3, n), jw(3, n);
  for (int b = 0; b < model.n_bodies(); ++b) {
    if (model.body_mass()[b] <= 0.0 && model.body_inertia()[b].isZero()) continue;
    const Eigen::Vector3d com = data.body_position[b] + data.body_rotation[b] * model.body_com()[b];
    jv.setZero();
    jw.setZero();
    // Columns of the body Jacobian: sum over the joints j that move b of ratio_j a_j (x r).
    for (int j = b; j >= 0; j = model.body_parent()[j]) {
      const int d = model.body_dof()[j];
      if (d < 0) continue;
      const Eigen::Vector3d axis = model.joint_ratio()[j] * data.joint_axis[j];
      jv.col(d) += axis.cross(com - data.joint_origin[j]);
      jw.col(d) += axis;
    }
    const Eigen::Matrix3d inertia_world =
        data.body_rotation[b] * model.body_inertia()[b] * data.body_rotation[b].transpose();
    data.mass_matrix.noalias() += model.body_mass()[b] * jv.transpose() * jv;
    data.mass_matrix.noalias() += jw.transpose() * inertia_world * jw;
  }
}

Eigen::VectorXd inverse_dynamics(const Model& model, const Data& data, const Eigen::VectorXd& qd,
                                 const Eigen::VectorXd& qdd, bool with_gravity) {
  const int nb = model.n_bodies();
  // Forward pass: angular velocity and acceleration of each body, linear acceleration of its
  // joint centre and centre of mass, all in ground. Gravity enters as a ground acceleration -g.
  detail::BodyMotion motion;
  detail::compute_body_motion(
      model, data, qd, qdd,
      with_gravity ? Eigen::Vector3d(-model.gravity()) : Eigen::Vector3d::Zero(), motion);
  const auto& omega = motion.omega;
  const auto& alpha = motion.alpha;
  const auto& ref = motion.ref;
  // Backward pass: forces and moments (about the joint centre) transmitted to the parent.
  std::vector<Eigen::Vector3d> force(nb, Eigen::Vector3d::Zero()),
      moment(nb, Eigen::Vector3d::Zero());
  Eigen::VectorXd tau = Eigen::VectorXd::Zero(model.n_dofs());
  for (int b = nb - 1; b >= 0; --b) {
    const Eigen::Vector3d c = motion.com[b] - ref[b];
    const Eigen::Vector3d& a_com = motion.acc_com[b];
    const Eigen::Matrix3d inertia =
        data.body_rotation[b] * model.body_inertia()[b] * data.body_rotation[b].transpose();
    const Eigen::Vector3d f = model.body_mass()[b] * a_com;
    const Eigen::Vector3d n = inertia * alpha[b] + omega[b].cross(inertia * omega[b]);
    force[b] += f;
    moment[b] += n + c.cross(f);
    const int d = model.body_dof()[b];
    if (d >= 0) tau[d] += model.joint_ratio()[b] * data.joint_axis[b].dot(moment[b]);
    const int p = model.body_parent()[b];
    if (p >= 0) {
      force[p] += force[b];
      moment[p] += moment[b] + (ref[b] - ref[p]).cross(force[b]);
    }
  }
  return tau;
}

void compute_bias(const Model& model, const Eigen::VectorXd& qd, Data& data) {
  data.bias = inverse_dynamics(model, data, qd, Eigen::VectorXd::Zero(model.n_dofs()), true);
}

}  // namespace msk
