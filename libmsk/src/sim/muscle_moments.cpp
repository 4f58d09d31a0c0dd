#include "msk/sim/muscle_moments.hpp"

#include <cmath>
#include <string>

#include "msk/error.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"

namespace msk {

MuscleMoments muscle_moments(const Model& model, const Eigen::VectorXd& q,
                             const Eigen::VectorXd& activation) {
  const int nm = model.n_muscles();
  const int nd = model.n_dofs();
  if (q.size() != nd)
    throw InvalidArgument("muscle_moments: q: expected " + std::to_string(nd) +
                          " coordinates, got " + std::to_string(q.size()));
  if (activation.size() != nm)
    throw InvalidArgument("muscle_moments: activation: expected " + std::to_string(nm) +
                          " values, got " + std::to_string(activation.size()));
  for (int d = 0; d < nd; ++d)
    if (!std::isfinite(q[d]))
      throw InvalidArgument("muscle_moments: q[" + std::to_string(d) + "]: expected finite, got " +
                            std::to_string(q[d]));
  for (int i = 0; i < nm; ++i)
    if (!(activation[i] >= 0.0 && activation[i] <= 1.0))
      throw InvalidArgument("muscle_moments: activation of " + model.muscle_names()[i] +
                            ": expected in [0, 1], got " + std::to_string(activation[i]));
  Data data = make_data(model);
  compute_kinematics(model, q, data);
  compute_muscle_geometry(model, Eigen::VectorXd::Zero(nd), data);
  MuscleMoments out;
  out.mtu_length = data.mtu_length;
  out.moment_arm = data.moment_arm;
  out.norm_fibre_length.resize(nm);
  out.passive_force.resize(nm);
  out.force.resize(nm);
  muscle::MuscleTendonState s;
  for (int i = 0; i < nm; ++i) {
    const auto& mp = model.muscle_params()[static_cast<std::size_t>(i)];
    muscle::compute_rigid_tendon(mp, data.mtu_length[i], 0.0, 0.0, s);
    out.norm_fibre_length[i] = s.norm_fibre_length;
    out.passive_force[i] = s.tendon_force;
    muscle::compute_rigid_tendon(mp, data.mtu_length[i], 0.0, activation[i], s);
    out.force[i] = s.tendon_force;
  }
  out.moment = out.moment_arm.transpose() * out.force;
  return out;
}

}  // namespace msk
