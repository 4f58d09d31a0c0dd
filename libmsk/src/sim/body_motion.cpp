#include "body_motion.hpp"

#include <Eigen/Geometry>

namespace msk::detail {

void compute_body_motion(const Model& model, const Data& data, const Eigen::VectorXd& qd,
                         const Eigen::VectorXd& qdd, const Eigen::Vector3d& ground_acc,
                         BodyMotion& motion) {
  const int nb = model.n_bodies();
  motion.omega.resize(nb);
  motion.alpha.resize(nb);
  motion.ref.resize(nb);
  motion.acc_ref.resize(nb);
  motion.com.resize(nb);
  motion.acc_com.resize(nb);
  for (int b = 0; b < nb; ++b) {
    const int p = model.body_parent()[b];
    const Eigen::Vector3d w_p = p < 0 ? Eigen::Vector3d::Zero() : motion.omega[p];
    const Eigen::Vector3d al_p = p < 0 ? Eigen::Vector3d::Zero() : motion.alpha[p];
    // The joint centre in ground, as a point of the parent.
    motion.ref[b] =
        data.body_position[b] + data.body_rotation[b] * model.joint_location_in_child()[b];
    Eigen::Vector3d a_ref = ground_acc;
    if (p >= 0) {
      const Eigen::Vector3d r = motion.ref[b] - motion.ref[p];
      a_ref = motion.acc_ref[p] + al_p.cross(r) + w_p.cross(w_p.cross(r));
    }
    motion.acc_ref[b] = a_ref;
    // The body turns with its parent, plus its own joint.
    motion.omega[b] = w_p;
    motion.alpha[b] = al_p;
    const int d = model.body_dof()[b];
    if (d >= 0) {
      const Eigen::Vector3d axis = model.joint_ratio()[b] * data.joint_axis[b];
      motion.omega[b] += axis * qd[d];
      motion.alpha[b] += axis * qdd[d] + w_p.cross(axis * qd[d]);
    }
    // The centre of mass, as a point of the body.
    motion.com[b] = data.body_position[b] + data.body_rotation[b] * model.body_com()[b];
    const Eigen::Vector3d c = motion.com[b] - motion.ref[b];
    motion.acc_com[b] = motion.acc_ref[b] + motion.alpha[b].cross(c) +
                        motion.omega[b].cross(motion.omega[b].cross(c));
  }
}

}  // namespace msk::detail
