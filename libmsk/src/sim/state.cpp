#include "msk/sim/state.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "msk/error.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/rhs.hpp"

namespace msk {

Data make_data(const Model& m) {
  const int nm = m.n_muscles(), nd = m.n_dofs(), nb = m.n_bodies(), ns = m.n_segments();
  Data d;
  d.q.setZero(nd);
  d.body_rotation.assign(nb, Eigen::Matrix3d::Identity());
  d.body_position.assign(nb, Eigen::Vector3d::Zero());
  d.dof_axis.assign(nd, Eigen::Vector3d::UnitZ());
  d.dof_origin.assign(nd, Eigen::Vector3d::Zero());
  d.joint_axis.assign(nb, Eigen::Vector3d::UnitZ());
  d.joint_origin.assign(nb, Eigen::Vector3d::Zero());
  d.mtu_length.setZero(nm);
  d.mtu_velocity.setZero(nm);
  d.moment_arm.setZero(nm, nd);
  d.path_point_ground.resize(nm);
  d.path_wrapped_by.resize(nm);
  d.wrap_active.resize(nm);
  d.wrap_arc_length.resize(nm);
  d.wrap_tangent_in.resize(nm);
  d.wrap_tangent_out.resize(nm);
  for (int i = 0; i < nm; ++i) {
    const std::size_t n_wraps = m.muscle_wraps()[i].size();
    const std::size_t n_points = m.muscle_path_point()[i].size();
    d.path_point_ground[i].assign(n_points, Eigen::Vector3d::Zero());
    d.path_wrapped_by[i].assign(n_points, -1);
    d.wrap_active[i].assign(n_wraps, false);
    d.wrap_arc_length[i].assign(n_wraps, 0.0);
    d.wrap_tangent_in[i].assign(n_wraps, Eigen::Vector3d::Zero());
    d.wrap_tangent_out[i].assign(n_wraps, Eigen::Vector3d::Zero());
  }
  d.voluntary_excitation.setZero(nm);
  d.activation.setZero(nm);
  d.series_elongation.setZero(nm);
  d.fibre_length.setZero(nm);
  d.parallel_force.setZero(nm);
  d.stretch_tolerance.setOnes(nm);
  d.reflex_threshold_shift.setZero(nm);
  d.reflex_gain.setOnes(nm);
  d.reflex_inhibition.setZero(nm);
  d.reflex_drive.setZero(nm);
  d.reflex_excitation.setZero(nm);
  d.excitation.setZero(nm);
  d.segment_hydration.setZero(ns);
  for (int k = 0; k < ns; ++k)
    d.segment_hydration[k] = m.segment_hydration()[static_cast<std::size_t>(k)];
  // The tone thresholds' reference: the rigid-tendon fibre length at the default coordinates.
  d.reflex_reference_length.setZero(nm);
  const std::vector<double>& lmt = m.default_mtu_length();
  for (int i = 0; i < nm && static_cast<std::size_t>(i) < lmt.size(); ++i) {
    const auto& p = m.muscle_params()[static_cast<std::size_t>(i)];
    d.reflex_reference_length[i] =
        std::hypot(std::max(lmt[static_cast<std::size_t>(i)] - p.tendon_slack_length, 0.0),
                   p.optimal_fibre_length * std::sin(p.pennation_at_optimal)) /
        p.optimal_fibre_length;
  }
  d.mtu.assign(nm, muscle::MuscleTendonState{});
  d.passive_force.setZero(nm);
  d.muscle_force.setZero(nm);
  d.muscle_moment.setZero(nd);
  d.passive_moment.setZero(nd);
  d.segment_moment.setZero(nd);
  d.trunk_moment.setZero(nd);
  d.trunk_loads.reserve(8);
  d.abdominal_pressure.setZero(ns);
  d.examiner_torque.setZero(nd);
  d.resisting_torque.setZero(nd);
  d.mass_matrix.setZero(nd, nd);
  d.bias.setZero(nd);
  d.qdd.setZero(nd);
  d.constrained.assign(static_cast<std::size_t>(nd), 0);
  d.xdot.setZero(m.layout().n_states);
  d.tau.setZero(nd);
  d.joint_muscle_force.assign(nb, Eigen::Matrix3Xd::Zero(3, nm));
  d.joint_muscle_moment.assign(nb, Eigen::Matrix3Xd::Zero(3, nm));
  d.joint_moment_arm.setZero(nm, nb);
  d.joint_reaction_force.assign(nb, Eigen::Vector3d::Zero());
  d.joint_reaction_moment.assign(nb, Eigen::Vector3d::Zero());
  d.segment.assign(ns, spine::SegmentLoads{});
  d.segment_shear.setZero(ns);
  d.segment_disc_axis.assign(ns, Eigen::Vector3d::UnitY());
  d.qd.setZero(nd);
  Data::Workspace& w = d.work;
  for (auto* v : {&w.omega, &w.alpha, &w.ref, &w.acc_ref, &w.com, &w.acc_com, &w.force, &w.moment,
                  &w.sub_force, &w.sub_moment})
    v->assign(nb, Eigen::Vector3d::Zero());
  w.jac_linear.setZero(3, nd);
  w.jac_angular.setZero(3, nd);
  w.zero_dofs.setZero(nd);
  // Factors sized by a first factorisation (Eigen's size-only constructor leaves the factor's
  // status unset, which copying Data would read).
  w.mass_ldlt.compute(Eigen::MatrixXd::Identity(nd, nd));
  w.free_dofs.reserve(static_cast<std::size_t>(nd));
  const int nf = std::max(nd - 1, 0);
  w.mass_free.setZero(nf, nf);
  w.free_ldlt.compute(Eigen::MatrixXd::Identity(nf, nf));
  w.rhs_free.setZero(nf);
  // Model::law_order is sorted by stage: the first law of each stage, and the end.
  const int n_stages = static_cast<int>(LawStage::Segment) + 1;
  w.stage_begin.assign(static_cast<std::size_t>(n_stages) + 1, 0);
  const std::vector<int>& order = m.law_order();
  for (int s = 0; s <= n_stages; ++s) {
    int n = 0;
    while (n < static_cast<int>(order.size()) &&
           static_cast<int>(m.law(order[static_cast<std::size_t>(n)]).info().stage) < s)
      ++n;
    w.stage_begin[static_cast<std::size_t>(s)] = n;
  }
  // The joints that change the length of a path piece between two bodies (kinematics.cpp).
  w.crossing_begin.assign(static_cast<std::size_t>((nb + 1) * (nb + 1) + 1), 0);
  w.crossing_joint.clear();
  w.crossing_moves_b.clear();
  for (int a = -1; a < nb; ++a) {
    for (int b = -1; b < nb; ++b) {
      w.crossing_begin[static_cast<std::size_t>((a + 1) * (nb + 1) + b + 1)] =
          static_cast<int>(w.crossing_joint.size());
      for (int j = std::max(a, b); j >= 0; --j) {
        if (m.body_dof()[j] < 0) continue;
        const auto& moves = m.body_moves_with_joint()[j];
        const bool a_moves = a >= 0 && moves[a];
        const bool b_moves = b >= 0 && moves[b];
        if (a_moves == b_moves) continue;
        w.crossing_joint.push_back(j);
        w.crossing_moves_b.push_back(b_moves ? 1 : 0);
      }
    }
  }
  w.crossing_begin.back() = static_cast<int>(w.crossing_joint.size());
  return d;
}

State make_initial_state(const Model& m, const Eigen::VectorXd& angles) {
  const StateLayout& L = m.layout();
  State s;
  s.time = 0.0;
  s.x.setZero(L.n_states);
  Eigen::VectorXd q(m.n_dofs());
  if (angles.size() == 0) {
    for (int d = 0; d < m.n_dofs(); ++d)
      q[d] = m.dof_default()[d];
  } else {
    if (angles.size() != m.n_dofs())
      throw InvalidArgument("angles: expected size " + std::to_string(m.n_dofs()) + ", got " +
                            std::to_string(angles.size()));
    q = angles;
  }
  s.x.segment(L.q_offset, m.n_dofs()) = q;
  // The rest state of the neural loop at q (geometry, excitation, activation, fibre state).
  Data data = make_data(m);
  set_tone_reference(m, q, data);
  Eigen::VectorXd activation;
  compute_rest_activation(m, q, data, activation);
  // Each law writes its states, from the neural command outward.
  const LawContext context{m, data, 0.0, s.x.data(), data.xdot.data()};
  for (LawStage stage :
       {LawStage::Activation, LawStage::Reflex, LawStage::Modulation, LawStage::Tissue,
        LawStage::Series, LawStage::Mechanics, LawStage::Trunk, LawStage::Segment})
    for (int l : m.law_order())
      if (m.law(l).info().stage == stage) m.law(l).initial_state(context, s.x.data());
  return s;
}

State state_from_named(const Model& m, double time, const std::vector<std::string>& names,
                       const std::vector<double>& values) {
  const StateLayout& L = m.layout();
  if (names.size() != values.size())
    throw InvalidArgument("state: expected as many values as names, got " +
                          std::to_string(values.size()) + " values and " +
                          std::to_string(names.size()) + " names");
  std::unordered_map<std::string, std::size_t> given;
  for (std::size_t j = 0; j < names.size(); ++j)
    given.emplace(names[j], j);
  State s;
  s.time = time;
  s.x.setZero(L.n_states);
  for (int j = 0; j < L.n_states; ++j) {
    const auto it = given.find(L.names[static_cast<std::size_t>(j)]);
    if (it == given.end())
      throw InvalidArgument("state: expected a value for state '" +
                            L.names[static_cast<std::size_t>(j)] + "' of model '" + m.name() +
                            "' (the state comes from a different model or laws)");
    s.x[j] = values[it->second];
    given.erase(it);
  }
  if (!given.empty())
    throw InvalidArgument("state: '" + given.begin()->first + "' is not a state of model '" +
                          m.name() + "'");
  check_state(m, s);
  return s;
}

void check_state(const Model& m, const State& s) {
  if (s.x.size() != m.layout().n_states)
    throw InvalidArgument("state: expected " + std::to_string(m.layout().n_states) +
                          " values for model '" + m.name() + "', got " +
                          std::to_string(s.x.size()));
  if (!std::isfinite(s.time))
    throw InvalidArgument("state.time: expected a finite time [s], got " + std::to_string(s.time));
  for (int j = 0; j < s.x.size(); ++j)
    if (!std::isfinite(s.x[j]))
      throw InvalidArgument("state: expected finite values, got " + std::to_string(s.x[j]) +
                            " for '" + m.layout().names[static_cast<std::size_t>(j)] + "'");
}

}  // namespace msk
