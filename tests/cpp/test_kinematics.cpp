// Body poses and muscle path geometry: moment arms are exact derivatives of path length.
#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>
#include <string>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/wrapping.hpp"
#include "test_models.hpp"

namespace {

double mtu_length_at(const msk::Model& m, msk::Data& d, const Eigen::VectorXd& q, int muscle) {
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), d);
  return d.mtu_length[muscle];
}

}  // namespace

TEST(Kinematics, PendulumComAndJointFrames) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum);
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(1);
  q << M_PI / 2.0;  // rotated +90 deg about z: the link points along +x
  msk::compute_kinematics(m, q, d);
  const Eigen::Vector3d com = msk::point_in_ground(d, 0, m.body_com()[0]);
  EXPECT_NEAR(com.x(), 0.5, 1e-12);
  EXPECT_NEAR(com.y(), 0.0, 1e-12);
  EXPECT_NEAR(d.dof_axis[0].z(), 1.0, 1e-12);
}

/// Checks moment arms against a central difference of the length at q, for every muscle and
/// coordinate. Returns how many muscle paths wrap over a surface at q.
int check_moment_arms(const msk::Model& m, msk::Data& d, const Eigen::VectorXd& q,
                      const std::string& where) {
  msk::compute_kinematics(m, q, d);
  msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), d);
  const Eigen::MatrixXd r = d.moment_arm;
  int wrapped = 0;
  for (int i = 0; i < m.n_muscles(); ++i)
    for (bool w : d.wrap_active[i])
      wrapped += w ? 1 : 0;
  for (int i = 0; i < m.n_muscles(); ++i) {
    for (int j = 0; j < m.n_dofs(); ++j) {
      const double h = 1e-6;
      Eigen::VectorXd qp = q, qm = q;
      qp[j] += h;
      qm[j] -= h;
      const double dl = (mtu_length_at(m, d, qp, i) - mtu_length_at(m, d, qm, i)) / (2.0 * h);
      EXPECT_NEAR(r(i, j), -dl, 1e-7) << m.muscle_names()[i] << " / " << m.dof_names()[j] << where;
    }
  }
  return wrapped;
}

TEST(Kinematics, MomentArmIsMinusLengthDerivative) {
  // Straight, wrapped (cylinders, spheres), coupled and conditional paths alike: the analytic
  // moment arm is the exact derivative of the path length.
  const msk::Model elbow = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  msk::Data d = msk::make_data(elbow);
  int wrapped = 0;
  for (double deg = 5.0; deg <= 125.0; deg += 20.0) {
    Eigen::VectorXd q(1);
    q << deg * M_PI / 180.0;
    wrapped += check_moment_arms(elbow, d, q, " at " + std::to_string(deg) + " deg");
  }
  EXPECT_GT(wrapped, 10);  // the triceps wrap over the TRI cylinder

  const msk::Model arm26 = msk::load_model(std::string(MSK_TEST_DATA_DIR) + "/opensim/arm26.osim");
  msk::Data d26 = msk::make_data(arm26);
  wrapped = 0;
  for (double shoulder : {-40.0, 10.0, 70.0, 100.0})
    for (double elbow_deg : {15.0, 75.0, 115.0}) {
      Eigen::VectorXd q(2);
      q << shoulder * M_PI / 180.0, elbow_deg * M_PI / 180.0;
      wrapped += check_moment_arms(
          arm26, d26, q,
          " at " + std::to_string(shoulder) + ", " + std::to_string(elbow_deg) + " deg");
    }
  EXPECT_GT(wrapped, 20);

  const msk::Model column = msk::load_model_text(msk::test::kCoupledColumn);
  msk::Data dc = msk::make_data(column);
  wrapped = 0;
  for (double flex : {-0.7, -0.2, 0.3, 0.8})
    for (double bend : {-0.7, -0.1, 0.4}) {
      Eigen::VectorXd q(2);
      q << flex, bend;
      wrapped += check_moment_arms(column, dc, q,
                                   " at " + std::to_string(flex) + ", " + std::to_string(bend));
    }
  EXPECT_GT(wrapped, 4);
}

TEST(Kinematics, CoupledJointsTurnByRatioTimesCoordinate) {
  const msk::Model m = msk::load_model_text(msk::test::kCoupledColumn);
  ASSERT_EQ(m.n_dofs(), 2);
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(2);
  q << 0.5, -0.3;
  msk::compute_kinematics(m, q, d);
  // seg2 relative to seg1: Rot(z, 0.6 * 0.5 + 0.05).
  const int s1 = m.find_body("seg1"), s2 = m.find_body("seg2");
  const Eigen::Matrix3d rel = d.body_rotation[s1].transpose() * d.body_rotation[s2];
  const Eigen::Matrix3d expected =
      Eigen::AngleAxisd(0.35, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  EXPECT_LT((rel - expected).norm(), 1e-12);
  // seg1 relative to the massless frame: Rot(x, 0.5 * -0.3) then the fixed orientation.
  const Eigen::Matrix3d orientation = (Eigen::AngleAxisd(0.1, Eigen::Vector3d::UnitX()) *
                                       Eigen::AngleAxisd(-0.2, Eigen::Vector3d::UnitY()) *
                                       Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ()))
                                          .toRotationMatrix();
  const Eigen::Matrix3d rel1 = d.body_rotation[0].transpose() * d.body_rotation[s1];
  EXPECT_LT(
      (rel1 - Eigen::AngleAxisd(-0.15, Eigen::Vector3d::UnitX()).toRotationMatrix() * orientation)
          .norm(),
      1e-12);
}

TEST(Kinematics, ConditionalPathPointIsUsedOnlyInItsRange) {
  const msk::Model m = msk::load_model_text(msk::test::kCoupledColumn);
  msk::Data d = msk::make_data(m);
  const int back = m.find_muscle("back");
  // bend inside [-30, 30] deg: three points; outside: the straight line from the first to the last.
  for (double bend : {0.2, 0.9}) {
    Eigen::VectorXd q(2);
    q << 0.1, bend;
    msk::compute_kinematics(m, q, d);
    msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
    const auto& p = d.path_point_ground[back];
    const double direct = (p[2] - p[0]).norm();
    if (bend < 30.0 * M_PI / 180.0)
      EXPECT_GT(d.mtu_length[back], direct + 1e-6);
    else
      EXPECT_NEAR(d.mtu_length[back], direct, 1e-12);
  }
}

TEST(Wrapping, CylinderInThePlaneHasTheTangentArcTangentLength) {
  // Circle of radius 1, segment from (-2, 0.5) to (2, 0.5): symmetric tangents and arc.
  const Eigen::Vector3d p(-2.0, 0.5, 0.0), s(2.0, 0.5, 0.0);
  const msk::WrapPath w = msk::wrap_cylinder(p, s, 1.0, 0.0, msk::WrapSide{});
  ASSERT_TRUE(w.wrapped);
  const double n = p.norm();
  const double tangent = std::sqrt(n * n - 1.0);
  const double angle_p = std::atan2(0.5, -2.0) - std::acos(1.0 / n);  // tangent point angle
  const double arc = 2.0 * (angle_p - M_PI / 2.0);
  EXPECT_NEAR(w.length, 2.0 * tangent + arc, 1e-12);
  EXPECT_NEAR(w.arc_length, arc, 1e-12);
  EXPECT_NEAR(w.tangent_in.norm(), 1.0, 1e-12);
  EXPECT_NEAR((w.tangent_in - p).dot(w.tangent_in), 0.0, 1e-12);  // tangency
  EXPECT_GT(w.tangent_in.y(), 0.0);                               // over the top, where it passes
  // The same in 3-D rising along the axis: the unrolled path is straight.
  const msk::WrapPath h =
      msk::wrap_cylinder(p, Eigen::Vector3d(2.0, 0.5, 0.3), 1.0, 0.0, msk::WrapSide{});
  EXPECT_NEAR(h.length, std::hypot(w.length, 0.3), 1e-12);
  // A sphere in the plane of the centre gives the same path.
  const msk::WrapPath sphere = msk::wrap_sphere(p, s, 1.0, msk::WrapSide{});
  EXPECT_NEAR(sphere.length, w.length, 1e-12);
}

TEST(Wrapping, NoWrapWhenMissingInsideOrOnTheOtherSide) {
  const msk::WrapSide any{}, plus_y{1, 1.0}, minus_y{1, -1.0};
  const Eigen::Vector3d p(-2.0, 0.5, 0.0), s(2.0, 0.5, 0.0);
  EXPECT_FALSE(
      msk::wrap_cylinder(Eigen::Vector3d(-2, 1.5, 0), Eigen::Vector3d(2, 1.5, 0), 1.0, 0.0, any)
          .wrapped);  // misses
  EXPECT_FALSE(msk::wrap_cylinder(Eigen::Vector3d(0.2, 0.3, 0), s, 1.0, 0.0, any).wrapped);
  EXPECT_TRUE(msk::wrap_cylinder(p, s, 1.0, 0.0, plus_y).wrapped);
  EXPECT_FALSE(msk::wrap_cylinder(p, s, 1.0, 0.0, minus_y).wrapped);
  // Beyond the cylinder's length.
  EXPECT_FALSE(
      msk::wrap_cylinder(Eigen::Vector3d(-2, 0.5, 3), Eigen::Vector3d(2, 0.5, 3), 1.0, 1.0, any)
          .wrapped);
  EXPECT_FALSE(msk::wrap_sphere(p, s, 1.0, minus_y).wrapped);
}

TEST(Wrapping, LengthIsContinuousWhenWrappingStarts) {
  // As the segment approaches tangency the wrapped length tends to the straight length.
  for (double y : {0.99, 0.999999}) {
    const Eigen::Vector3d p(-2.0, y, 0.1), s(2.0, y, -0.2);
    const msk::WrapPath w = msk::wrap_cylinder(p, s, 1.0, 0.0, msk::WrapSide{});
    ASSERT_TRUE(w.wrapped);
    EXPECT_NEAR(w.length, (s - p).norm(), y > 0.9999 ? 1e-8 : 1e-3);
    const msk::WrapPath b = msk::wrap_sphere(p, s, 1.0, msk::WrapSide{});
    if (b.wrapped) {
      EXPECT_NEAR(b.length, (s - p).norm(), y > 0.9999 ? 1e-8 : 1e-2);
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
