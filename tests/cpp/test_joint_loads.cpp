// Joint loads: moment arms about joints, reactions against inverse dynamics, segment loads.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "msk/error.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/muscle_moments.hpp"
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

// muscle_moments: forces and moments at a held posture (msk/sim/muscle_moments.hpp).
TEST(MuscleMoments, MomentsAreArmsTimesForcesAndArmsAreLengthDerivatives) {
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  const int hip = 0;  // the lumbar model's first coordinate
  ASSERT_EQ(m.dof_names()[hip], "hip");
  Eigen::VectorXd q = Eigen::VectorXd::Zero(m.n_dofs());
  q[hip] = 60.0 * M_PI / 180.0;
  const Eigen::VectorXd none = Eigen::VectorXd::Zero(m.n_muscles());
  const msk::MuscleMoments passive = msk::muscle_moments(m, q, none);
  EXPECT_LT((passive.moment - passive.moment_arm.transpose() * passive.force).norm(), 1e-9);
  EXPECT_LT((passive.force - passive.passive_force).norm(), 1e-9);
  // Moment arms are -dl/dq.
  const double h = 1e-6;
  Eigen::VectorXd qp = q, qm = q;
  qp[hip] += h;
  qm[hip] -= h;
  const Eigen::VectorXd dl =
      (msk::muscle_moments(m, qp, none).mtu_length - msk::muscle_moments(m, qm, none).mtu_length) /
      (2 * h);
  EXPECT_LT((passive.moment_arm.col(hip) + dl).cwiseAbs().maxCoeff(), 1e-6);
  // With the knee straight the hamstrings' passive pull extends the hip, more with more flexion.
  q[hip] = 30.0 * M_PI / 180.0;
  const double m30 = msk::muscle_moments(m, q, none).moment[hip];
  EXPECT_LT(passive.moment[hip], m30);
  EXPECT_LT(passive.moment[hip], 0.0);
  // Activation adds force.
  const msk::MuscleMoments active =
      msk::muscle_moments(m, q, Eigen::VectorXd::Constant(m.n_muscles(), 0.5));
  EXPECT_GT(active.force.sum(), msk::muscle_moments(m, q, none).force.sum() + 1000.0);
}

TEST(MuscleMoments, BadSizesAndValuesAreRefused) {
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml");
  const Eigen::VectorXd q = Eigen::VectorXd::Zero(m.n_dofs());
  const Eigen::VectorXd a = Eigen::VectorXd::Zero(m.n_muscles());
  EXPECT_THROW(msk::muscle_moments(m, Eigen::VectorXd::Zero(2), a), msk::InvalidArgument);
  EXPECT_THROW(msk::muscle_moments(m, q, Eigen::VectorXd::Zero(3)), msk::InvalidArgument);
  Eigen::VectorXd bad = a;
  bad[4] = 1.5;
  EXPECT_THROW(msk::muscle_moments(m, q, bad), msk::InvalidArgument);
  Eigen::VectorXd qn = q;
  qn[1] = std::nan("");
  EXPECT_THROW(msk::muscle_moments(m, qn, a), msk::InvalidArgument);
}
