// Rigid-body dynamics: the Jacobian mass matrix and recursive Newton-Euler agree, and match the
// closed forms of a pendulum.
#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <cmath>
#include <random>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/kinematics.hpp"
#include "test_models.hpp"

TEST(Dynamics, PointMassPendulumClosedForm) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum);
  msk::Data d = msk::make_data(m);
  for (double q0 : {0.0, 0.4, 1.3, -2.0}) {
    Eigen::VectorXd q(1), qd(1);
    q << q0;
    qd << 0.0;
    msk::compute_kinematics(m, q, d);
    msk::compute_mass_matrix(m, d);
    msk::compute_bias(m, qd, d);
    EXPECT_NEAR(d.mass_matrix(0, 0), 1.0 * 0.25, 1e-12);
    // Torque to hold the pendulum against gravity: m g L sin(q).
    EXPECT_NEAR(d.bias[0], 1.0 * 9.81 * 0.5 * std::sin(q0), 1e-12);
  }
}

TEST(Dynamics, InverseDynamicsEqualsMassMatrixTimesAccelerationPlusBias) {
  const msk::Model m = msk::load_model_text(msk::test::kDoublePendulum);
  msk::Data d = msk::make_data(m);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  for (int trial = 0; trial < 20; ++trial) {
    Eigen::VectorXd q(2), qd(2), qdd(2);
    q << u(rng), u(rng);
    qd << u(rng), u(rng);
    qdd << u(rng), u(rng);
    msk::compute_kinematics(m, q, d);
    msk::compute_mass_matrix(m, d);
    msk::compute_bias(m, qd, d);
    const Eigen::VectorXd tau = msk::inverse_dynamics(m, d, qd, qdd);
    EXPECT_LT((tau - (d.mass_matrix * qdd + d.bias)).norm(), 1e-10);
    EXPECT_LT((d.mass_matrix - d.mass_matrix.transpose()).norm(), 1e-12);
    EXPECT_GT(d.mass_matrix.determinant(), 0.0);
  }
}

TEST(Dynamics, CoriolisTermsAreConsistentWithMassMatrixDerivative) {
  // For a serial chain, qd' (dM/dt - 2 C) qd = 0 (skew symmetry): check the power balance
  // qd' (bias - g) = 0.5 qd' dM/dt qd using a finite-difference dM/dt.
  const msk::Model m = msk::load_model_text(msk::test::kDoublePendulum);
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(2), qd(2);
  q << 0.3, -0.7;
  qd << 1.1, -0.4;
  msk::compute_kinematics(m, q, d);
  const Eigen::VectorXd c = msk::inverse_dynamics(m, d, qd, Eigen::VectorXd::Zero(2), false);
  const double h = 1e-6;
  msk::compute_kinematics(m, q + h * qd, d);
  msk::compute_mass_matrix(m, d);
  const Eigen::MatrixXd mp = d.mass_matrix;
  msk::compute_kinematics(m, q - h * qd, d);
  msk::compute_mass_matrix(m, d);
  const Eigen::MatrixXd mdot = (mp - d.mass_matrix) / (2.0 * h);
  EXPECT_NEAR(qd.dot(c), 0.5 * qd.dot(mdot * qd), 1e-7);
}

TEST(Dynamics, CoupledJointsAndMasslessFramesAgreeBetweenBothAlgorithms) {
  // Joints that follow a coordinate with a ratio (a spinal rhythm) and a massless intermediate
  // frame: the Jacobian mass matrix and recursive Newton-Euler must still agree.
  const msk::Model m = msk::load_model_text(msk::test::kCoupledColumn);
  msk::Data d = msk::make_data(m);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    Eigen::VectorXd q(2), qd(2), qdd(2);
    q << u(rng), u(rng);
    qd << u(rng), u(rng);
    qdd << u(rng), u(rng);
    msk::compute_kinematics(m, q, d);
    msk::compute_mass_matrix(m, d);
    msk::compute_bias(m, qd, d);
    const Eigen::VectorXd tau = msk::inverse_dynamics(m, d, qd, qdd);
    EXPECT_LT((tau - (d.mass_matrix * qdd + d.bias)).norm(), 1e-10);
    EXPECT_LT((d.mass_matrix - d.mass_matrix.transpose()).norm(), 1e-12);
    EXPECT_GT(d.mass_matrix.determinant(), 0.0);
  }
  // The power balance with coupling: qd' (C qd) = 0.5 qd' dM/dt qd.
  Eigen::VectorXd q(2), qd(2);
  q << 0.4, -0.3;
  qd << 0.9, -1.2;
  msk::compute_kinematics(m, q, d);
  const Eigen::VectorXd c = msk::inverse_dynamics(m, d, qd, Eigen::VectorXd::Zero(2), false);
  const double h = 1e-6;
  msk::compute_kinematics(m, q + h * qd, d);
  msk::compute_mass_matrix(m, d);
  const Eigen::MatrixXd mp = d.mass_matrix;
  msk::compute_kinematics(m, q - h * qd, d);
  msk::compute_mass_matrix(m, d);
  const Eigen::MatrixXd mdot = (mp - d.mass_matrix) / (2.0 * h);
  EXPECT_NEAR(qd.dot(c), 0.5 * qd.dot(mdot * qd), 1e-7);
}

TEST(Dynamics, CoordinateThatMovesNoMassIsAModelError) {
  EXPECT_THROW(msk::load_model_text(R"(name: empty
bodies:
  - name: frame
    joint: {name: q, type: revolute, axis: [0, 0, 1]}
    mass: 0
)"),
               msk::ModelError);
}
