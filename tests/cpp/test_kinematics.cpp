// Body poses and muscle path geometry: moment arms are exact derivatives of path length.
#include <gtest/gtest.h>

#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"
#include "test_models.hpp"

namespace {

double mtu_length_at(const msk::Model& m, msk::Data& d, const Eigen::VectorXd& q, int muscle) {
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs), d);
  return d.mtu_length[muscle];
}

}  // namespace

TEST(Kinematics, PendulumComAndJointFrames) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum);
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(1);
  q << M_PI / 2.0;  // rotated +90 deg about z: the link points along +x
  msk::compute_kinematics(m, q, d);
  const Eigen::Vector3d com = msk::point_in_ground(d, 0, m.body_com[0]);
  EXPECT_NEAR(com.x(), 0.5, 1e-12);
  EXPECT_NEAR(com.y(), 0.0, 1e-12);
  EXPECT_NEAR(d.dof_axis[0].z(), 1.0, 1e-12);
}

TEST(Kinematics, MomentArmIsMinusLengthDerivative) {
  for (const char* file : {"elbow.yaml"}) {
    const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/" + file);
    msk::Data d = msk::make_data(m);
    for (double deg = 5.0; deg <= 125.0; deg += 20.0) {
      Eigen::VectorXd q(1);
      q << deg * M_PI / 180.0;
      msk::compute_kinematics(m, q, d);
      msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(1), d);
      const Eigen::MatrixXd r = d.moment_arm;
      for (int i = 0; i < m.n_muscles; ++i) {
        const double h = 1e-6;
        Eigen::VectorXd qp = q, qm = q;
        qp[0] += h;
        qm[0] -= h;
        const double dl = (mtu_length_at(m, d, qp, i) - mtu_length_at(m, d, qm, i)) / (2.0 * h);
        EXPECT_NEAR(r(i, 0), -dl, 1e-7) << m.muscle_names[i] << " at " << deg << " deg";
      }
    }
  }
}

TEST(Kinematics, ElbowFlexorsFlexAndExtensorsExtend) {
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(1);
  q << M_PI / 2.0;
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(1), d);
  for (const char* f : {"BIClong", "BICshort", "BRA"})
    EXPECT_GT(d.moment_arm(m.find_muscle(f), 0), 0.01) << f;
  for (const char* e : {"TRIlong", "TRIlat", "TRImed"})
    EXPECT_LT(d.moment_arm(m.find_muscle(e), 0), -0.01) << e;
}

TEST(Kinematics, MuscleVelocityIsMinusMomentArmTimesSpeed) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum);
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(1), qd(1);
  q << 0.3;
  qd << 1.7;
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, qd, d);
  EXPECT_NEAR(d.mtu_velocity[0], -d.moment_arm(0, 0) * 1.7, 1e-14);
}
