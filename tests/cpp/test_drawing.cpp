// Tests of msk/sim/drawing.hpp: the body frames and muscle paths a picture draws are the core's
// kinematics (an unnamed revolute joint turns as the core turns it), and a muscle's drawn path
// has its muscle-tendon length (exactly without wraps; in the limit of many arc points with).
#include "msk/sim/drawing.hpp"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/posture.hpp"

namespace {

constexpr double kDeg = M_PI / 180.0;

std::string model_path(const std::string& name) {
#ifdef MSK_MODELS_DIR
  return std::string(MSK_MODELS_DIR) + "/" + name + ".yaml";
#else
  return name;
#endif
}

double polyline_length(const std::vector<Eigen::Vector3d>& points) {
  double length = 0.0;
  for (std::size_t k = 1; k < points.size(); ++k)
    length += (points[k] - points[k - 1]).norm();
  return length;
}

// A revolute joint without `name`: the core names its coordinate "<body>_joint".
const char* kUnnamedJoint = R"(name: unnamed
bodies:
  - name: link
    joint: {type: revolute, axis: [0, 0, 1], offset: 0.3490658503988659, ratio: 0.5}
    mass: 1.0
    com: [0, -0.5, 0]
  - name: tip
    parent: link
    joint: {type: weld, location_in_parent: [0, -1, 0]}
    mass: 0.1
muscles:
  - name: m
    max_isometric_force: 100
    optimal_fibre_length: 0.1
    tendon_slack_length: 0.2
    path:
      - {body: ground, point: [0.1, 0, 0]}
      - {body: tip, point: [0.05, 0, 0]}
)";

TEST(Drawing, BodyFramesTurnUnnamedJointsAsTheCoreDoes) {
  const msk::Model m = msk::load_model_text(kUnnamedJoint);
  ASSERT_EQ(m.dof_names(), (std::vector<std::string>{"link_joint"}));
  Eigen::VectorXd q(1);
  q << 40.0 * kDeg;
  const msk::BodyFrames frames = msk::make_body_frames(m, q);
  ASSERT_EQ(frames.rotation.size(), 2u);
  // The joint turns by ratio q + offset = 0.5 * 40 + 20 = 40 degrees about z.
  const Eigen::Matrix3d expected =
      Eigen::AngleAxisd(40.0 * kDeg, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  EXPECT_LT((frames.rotation[0] - expected).norm(), 1e-14);
  EXPECT_LT((frames.rotation[1] - expected).norm(), 1e-14);
  // The tip is 1 m down the link, turned with it.
  const Eigen::Vector3d tip = expected * Eigen::Vector3d(0, -1, 0);
  EXPECT_LT((frames.origin[1] - tip).norm(), 1e-14);
  EXPECT_LT((frames.joint_centre[1] - tip).norm(), 1e-14);
  EXPECT_LT(frames.joint_centre[0].norm(), 1e-15);
  const Eigen::Vector3d com = expected * Eigen::Vector3d(0, -0.5, 0);  // the link's
  EXPECT_LT((frames.centre_of_mass[0] - com).norm(), 1e-14);
  // The same as compute_kinematics.
  msk::Data data = msk::make_data(m);
  msk::compute_kinematics(m, q, data);
  const msk::BodyFrames again = msk::make_body_frames(m, data);
  EXPECT_EQ(again.origin, frames.origin);
  EXPECT_EQ(again.rotation, frames.rotation);
  EXPECT_THROW(msk::make_body_frames(m, Eigen::VectorXd::Zero(2)), msk::InvalidArgument);
}

TEST(Drawing, APathThatWrapsNowhereHasTheMuscleTendonLength) {
  const msk::Model m = msk::load_model(model_path("elbow"));
  msk::Data data = msk::make_data(m);
  for (double angle_deg : {0.0, 45.0, 90.0, 130.0}) {
    Eigen::VectorXd q = Eigen::VectorXd::Constant(m.n_dofs(), angle_deg * kDeg);
    msk::compute_kinematics(m, q, data);
    msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
    const auto paths = msk::make_muscle_paths(m, data, 0);
    ASSERT_EQ(paths.size(), static_cast<std::size_t>(m.n_muscles()));
    const int i = m.find_muscle("BICshort");  // no wrap surface
    EXPECT_NEAR(polyline_length(paths[i]), data.mtu_length[i], 1e-12);
    EXPECT_EQ(paths[i].front(), data.path_point_ground[i].front());
    EXPECT_EQ(paths[i].back(), data.path_point_ground[i].back());
  }
}

TEST(Drawing, WrapArcsApproachTheMuscleTendonLength) {
  // The elbow's triceps wrap a cylinder at the elbow, BIClong a sphere at the shoulder.
  const msk::Model m = msk::load_model(model_path("elbow"));
  msk::Data data = msk::make_data(m);
  int wrapped = 0;
  for (double angle_deg : {10.0, 60.0, 120.0}) {
    const Eigen::VectorXd q = Eigen::VectorXd::Constant(m.n_dofs(), angle_deg * kDeg);
    msk::compute_kinematics(m, q, data);
    msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
    const auto coarse = msk::make_muscle_paths(m, data, 0);
    const auto fine = msk::make_muscle_paths(m, data, 64);
    for (int i = 0; i < m.n_muscles(); ++i) {
      bool wraps = false;
      for (bool active : data.wrap_active[i])
        wraps = wraps || active;
      if (!wraps) continue;
      ++wrapped;
      const double l = data.mtu_length[i];
      // The chord between the tangent points is shorter than the arc; 64 points close the gap.
      EXPECT_LT(polyline_length(coarse[i]), l) << m.muscle_names()[i];
      EXPECT_NEAR(polyline_length(fine[i]), l, 1e-4 * l) << m.muscle_names()[i];
      EXPECT_GT(fine[i].size(), coarse[i].size());
      // The arc stays on the surface's side: no point comes closer than the radius.
      EXPECT_LE(polyline_length(fine[i]), l + 1e-12) << m.muscle_names()[i];
    }
  }
  EXPECT_GT(wrapped, 3);
}

TEST(Drawing, WithoutArcPointsAPathIsTheEquilibriumsPath) {
  const msk::Model m = msk::load_model(model_path("lumbar"));
  const msk::EquilibriumResult r =
      msk::solve_equilibrium(m, msk::posture_preset("sitting_slouched"));
  const auto paths = msk::make_muscle_paths(m, r.q, 0);
  ASSERT_EQ(paths.size(), r.muscle_path.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    ASSERT_EQ(paths[i].size(), r.muscle_path[i].size()) << m.muscle_names()[i];
    for (std::size_t k = 0; k < paths[i].size(); ++k)
      EXPECT_LT((paths[i][k] - r.muscle_path[i][k]).norm(), 1e-12);
  }
  const msk::BodyFrames frames = msk::make_body_frames(m, r.q);
  for (int b = 0; b < m.n_bodies(); ++b) {
    EXPECT_LT((frames.origin[b] - r.body_position[b]).norm(), 1e-12);
    EXPECT_LT((frames.rotation[b] - r.body_rotation[b]).norm(), 1e-12);
    if (m.body_dof()[b] >= 0) {  // the result holds the centres of revolute joints
      EXPECT_LT((frames.joint_centre[b] - r.joint_origin[b]).norm(), 1e-12);
    }
  }
  EXPECT_THROW(msk::make_muscle_paths(m, r.q, -1), msk::InvalidArgument);
}

}  // namespace
