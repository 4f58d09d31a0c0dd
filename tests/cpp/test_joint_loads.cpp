// Joint loads: moment arms about joints, reactions against inverse dynamics, segment loads.
#include <gtest/gtest.h>

#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"
#include "test_models.hpp"

namespace {

Eigen::VectorXd angles(double a, double b) {
  Eigen::VectorXd q(2);
  q << a, b;
  return q;
}

TEST(JointLoads, MomentArmsAboutJointsAreMinusLengthDerivatives) {
  const msk::Model m = msk::load_model_text(msk::test::kMiniSpine);
  msk::Data d = msk::make_data(m);
  const Eigen::VectorXd q = angles(0.1, -0.05);
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
  msk::compute_joint_muscle_geometry(m, d);
  const Eigen::VectorXd l0 = d.mtu_length;
  for (int dof = 0; dof < 2; ++dof) {
    const double h = 1e-7;
    Eigen::VectorXd qp = q, qm = q;
    qp[dof] += h;
    qm[dof] -= h;
    msk::compute_kinematics(m, qp, d);
    msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
    const Eigen::VectorXd lp = d.mtu_length;
    msk::compute_kinematics(m, qm, d);
    msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
    const Eigen::VectorXd lm = d.mtu_length;
    msk::compute_kinematics(m, q, d);
    msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
    msk::compute_joint_muscle_geometry(m, d);
    const int body = m.dof_body()[dof];
    for (int i = 0; i < m.n_muscles(); ++i)
      EXPECT_NEAR(d.joint_moment_arm(i, body), -(lp[i] - lm[i]) / (2 * h), 1e-7)
          << m.muscle_names()[i] << " " << m.dof_names()[dof];
  }
  // The short extensor crosses only the lower level.
  EXPECT_EQ(d.joint_moment_arm(m.find_muscle("short_extensor"), m.find_body("trunk")), 0.0);
  EXPECT_NE(d.joint_moment_arm(m.find_muscle("short_extensor"), m.find_body("vertebra")), 0.0);
}

TEST(JointLoads, ReactionMomentsEqualInverseDynamicsWithoutMuscles) {
  const msk::Model m = msk::load_model_text(msk::test::kMiniSpine);
  msk::Data d = msk::make_data(m);
  const Eigen::VectorXd q = angles(0.2, -0.1), qd = angles(0.7, -1.1), qdd = angles(2.0, 3.0);
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, qd, d);
  msk::compute_joint_muscle_geometry(m, d);
  msk::compute_joint_reactions(m, m.gravity(), Eigen::VectorXd::Zero(m.n_muscles()), {}, qd, qdd,
                               d);
  const Eigen::VectorXd tau = msk::inverse_dynamics(m, d, qd, qdd, true);
  for (int dof = 0; dof < 2; ++dof) {
    const int b = m.dof_body()[dof];
    EXPECT_NEAR(d.joint_reaction_moment[b].dot(d.joint_axis[b]), tau[dof], 1e-9);
  }
  // At rest the lowest joint carries the weight of everything above it.
  msk::compute_joint_reactions(m, m.gravity(), Eigen::VectorXd::Zero(m.n_muscles()), {},
                               Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2), d);
  EXPECT_NEAR(d.joint_reaction_force[m.find_body("vertebra")].y(), 32.0 * 9.81, 1e-9);
  EXPECT_NEAR(d.joint_reaction_force[m.find_body("trunk")].y(), 30.0 * 9.81, 1e-9);
}

TEST(JointLoads, MuscleTensionAndPointLoadsCompressTheLevels) {
  const msk::Model m = msk::load_model_text(msk::test::kMiniSpine);
  msk::Data d = msk::make_data(m);
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(2);
  msk::compute_kinematics(m, zero, d);
  msk::compute_muscle_geometry(m, zero, d);
  msk::compute_joint_muscle_geometry(m, d);
  Eigen::VectorXd force = Eigen::VectorXd::Zero(m.n_muscles());
  msk::compute_joint_reactions(m, m.gravity(), force, {}, zero, zero, d);
  msk::compute_segment_loads(m, Eigen::VectorXd::Ones(2), d);
  const double c0 = d.segment[0].compression;
  EXPECT_NEAR(c0, 32.0 * 9.81, 1e-6);             // the lower level's disc axis is vertical
  force[m.find_muscle("long_extensor")] = 500.0;  // a vertical muscle adds its tension
  msk::compute_joint_reactions(m, m.gravity(), force, {}, zero, zero, d);
  msk::compute_segment_loads(m, Eigen::VectorXd::Ones(2), d);
  EXPECT_NEAR(d.segment[0].compression, c0 + 500.0, 1e-6);
  const msk::PointLoad load{m.find_body("trunk"), Eigen::Vector3d(0.3, 0.3, 0),
                            Eigen::Vector3d(0, -196.2, 0)};
  msk::compute_joint_reactions(m, m.gravity(), force, {load}, zero, zero, d);
  msk::compute_segment_loads(m, Eigen::VectorXd::Ones(2), d);
  EXPECT_NEAR(d.segment[0].compression, c0 + 500.0 + 196.2, 1e-6);
  // The upper level's disc axis is tilted 5 deg forward: part of the weight is shear.
  EXPECT_NEAR(d.segment_shear[1],
              -d.joint_reaction_force[m.find_body("trunk")].dot(
                  Eigen::Vector3d(std::cos(5 * M_PI / 180), -std::sin(5 * M_PI / 180), 0)),
              1e-6);
}

}  // namespace
