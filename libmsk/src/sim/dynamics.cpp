#include "msk/sim/dynamics.hpp"

#include <Eigen/Geometry>

#include "body_motion.hpp"

namespace msk {

namespace {

/// Per-body buffers of the recursive Newton-Euler pass (size n_bodies each).
struct NewtonEulerBuffers {
  detail::BodyMotion motion;
  std::vector<Eigen::Vector3d>& force;
  std::vector<Eigen::Vector3d>& moment;
};

/// Inverse dynamics by recursive Newton-Euler into tau (size n_dofs), using the buffers given.
void newton_euler(const Model& model, const Data& data, const Eigen::VectorXd& qd,
                  const Eigen::VectorXd& qdd, bool with_gravity, NewtonEulerBuffers& w,
                  Eigen::VectorXd& tau) {
  const int nb = model.n_bodies();
  // Forward pass (body_motion.hpp); gravity enters as a ground acceleration -g.
  const detail::BodyMotion& m = w.motion;
  detail::compute_body_motion(
      model, data, qd, qdd,
      with_gravity ? Eigen::Vector3d(-model.gravity()) : Eigen::Vector3d::Zero(), w.motion);
  // Backward pass: forces and moments (about the joint centre) transmitted to the parent.
  for (int b = 0; b < nb; ++b) {
    w.force[b].setZero();
    w.moment[b].setZero();
  }
  tau.setZero(model.n_dofs());
  for (int b = nb - 1; b >= 0; --b) {
    const Eigen::Vector3d c = m.com[b] - m.ref[b];
    const Eigen::Matrix3d inertia =
        data.body_rotation[b] * model.body_inertia()[b] * data.body_rotation[b].transpose();
    const Eigen::Vector3d f = model.body_mass()[b] * m.acc_com[b];
    const Eigen::Vector3d n = inertia * m.alpha[b] + m.omega[b].cross(inertia * m.omega[b]);
    w.force[b] += f;
    w.moment[b] += n + c.cross(f);
    const int d = model.body_dof()[b];
    if (d >= 0) tau[d] += model.joint_ratio()[b] * data.joint_axis[b].dot(w.moment[b]);
    const int p = model.body_parent()[b];
    if (p >= 0) {
      w.force[p] += w.force[b];
      w.moment[p] += w.moment[b] + (m.ref[b] - m.ref[p]).cross(w.force[b]);
    }
  }
}

}  // namespace

void compute_mass_matrix(const Model& model, Data& data) {
  const int n = model.n_dofs();
  data.mass_matrix.setZero(n, n);
  Eigen::Matrix3Xd& jv = data.work.jac_linear;
  Eigen::Matrix3Xd& jw = data.work.jac_angular;
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
    // M += m Jv' Jv + Jw' I Jw, a column of I Jw at a time (no temporary matrix).
    data.mass_matrix.noalias() += model.body_mass()[b] * jv.transpose() * jv;
    for (int d = 0; d < n; ++d) {
      const Eigen::Vector3d i_col = inertia_world * jw.col(d);
      data.mass_matrix.col(d).noalias() += jw.transpose() * i_col;
    }
  }
}

Eigen::VectorXd inverse_dynamics(const Model& model, const Data& data, const Eigen::VectorXd& qd,
                                 const Eigen::VectorXd& qdd, bool with_gravity) {
  const std::size_t nb = static_cast<std::size_t>(model.n_bodies());
  std::vector<Eigen::Vector3d> omega(nb), alpha(nb), ref(nb), acc_ref(nb), com(nb), acc_com(nb),
      force(nb), moment(nb);
  NewtonEulerBuffers w{{omega, alpha, ref, acc_ref, com, acc_com}, force, moment};
  Eigen::VectorXd tau(model.n_dofs());
  newton_euler(model, data, qd, qdd, with_gravity, w, tau);
  return tau;
}

void compute_bias(const Model& model, const Eigen::VectorXd& qd, Data& data) {
  Data::Workspace& ws = data.work;
  NewtonEulerBuffers w{
      {ws.omega, ws.alpha, ws.ref, ws.acc_ref, ws.com, ws.acc_com}, ws.force, ws.moment};
  newton_euler(model, data, qd, ws.zero_dofs, true, w, data.bias);
}

}  // namespace msk
