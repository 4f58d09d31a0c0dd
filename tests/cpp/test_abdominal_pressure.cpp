// Intra-abdominal pressure (law abdominal_pressure, hypothesis H22): the pressure law's form, the
// generalised forces of the pair it applies, and its effect on the lumbar equilibrium.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "msk/laws/spine/abdominal_pressure.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/posture.hpp"

namespace {

using msk::laws::abdominal_pressure;
using msk::laws::AbdominalPressureParams;

const msk::Model& lumbar(const std::string& overrides) {
  static std::map<std::string, msk::Model> cache;
  auto it = cache.find(overrides);
  if (it == cache.end())
    it = cache
             .emplace(overrides,
                      msk::load_model(std::string(MSK_MODELS_DIR) + "/lumbar.yaml", overrides))
             .first;
  return it->second;
}

constexpr const char* kWithout = R"({"segments.L4-L5.laws.abdominal_pressure": "none"})";

TEST(AbdominalPressure, FollowsMairiauxsLineAboveTheOnsetAndSaturatesSmoothly) {
  const AbdominalPressureParams p;
  // Mairiaux et al. 1984: 0.079 kPa per N m above 14.3 N m; the ceiling bends it a little.
  for (double m : {60.0, 100.0, 150.0}) {
    const double line = 79.0 * (m - 14.3);
    EXPECT_NEAR(abdominal_pressure(p, m), line, 0.08 * line) << m;
  }
  // Small below the onset, never negative, monotone, below p_max.
  EXPECT_LT(abdominal_pressure(p, 0.0), 50.0);  // 0.4 mmHg
  EXPECT_GE(abdominal_pressure(p, -200.0), 0.0);
  double last = -1.0;
  for (double m = -50.0; m <= 1000.0; m += 5.0) {
    const double v = abdominal_pressure(p, m);
    EXPECT_GT(v, last) << m;
    EXPECT_LT(v, p.max_pressure);
    last = v;
  }
  EXPECT_GT(abdominal_pressure(p, 1000.0), 0.99 * p.max_pressure);
}

TEST(AbdominalPressure, PointLoadTorquesAreTheVirtualWorkOfTheForces) {
  // tau_d = sum F . dp/dq_d, checked by central differences of the points' positions.
  const msk::Model& m = lumbar("");
  msk::Data data = msk::make_data(m);
  Eigen::VectorXd q(m.n_dofs());
  for (int d = 0; d < m.n_dofs(); ++d)
    q[d] = m.dof_default()[d] + 0.05 * std::sin(1.0 + d);
  std::vector<msk::PointLoad> loads = {
      {m.find_body("thorax"), {0.1, 0.3, 0.0}, {40.0, 200.0, 0.0}},
      {m.find_body("pelvis"), {0.05, 0.95, 0.0}, {-40.0, -200.0, 0.0}},
      {m.find_body("L3"), {0.02, 0.01, 0.0}, {0.0, -30.0, 0.0}}};
  msk::compute_kinematics(m, q, data);
  Eigen::VectorXd tau = Eigen::VectorXd::Zero(m.n_dofs());
  msk::add_point_load_torques(m, data, loads, tau);
  auto work = [&](const Eigen::VectorXd& qq) {
    msk::compute_kinematics(m, qq, data);
    double w = 0.0;
    for (const msk::PointLoad& l : loads)
      w += l.force.dot(data.body_position[l.body] + data.body_rotation[l.body] * l.point);
    return w;
  };
  const double h = 1e-6;
  for (int d = 0; d < m.n_dofs(); ++d) {
    Eigen::VectorXd qp = q, qm = q;
    qp[d] += h;
    qm[d] -= h;
    EXPECT_NEAR(tau[d], (work(qp) - work(qm)) / (2.0 * h), 1e-5 * (1.0 + std::abs(tau[d])))
        << m.dof_names()[d];
  }
}

TEST(AbdominalPressure, RisesInLiftsUnloadsTheLumbarLevelsAndBarelyActsInStanding) {
  msk::EquilibriumOptions fixed;
  fixed.mode = msk::PostureMode::Fixed;
  const msk::Model& with = lumbar("");
  const msk::Model& without = lumbar(kWithout);
  const int l4 = with.find_segment("L4-L5");
  const msk::EquilibriumResult lift =
      msk::solve_equilibrium(with, msk::posture_preset("lift_round_back", 20.0), fixed);
  const msk::EquilibriumResult lift0 =
      msk::solve_equilibrium(without, msk::posture_preset("lift_round_back", 20.0), fixed);
  // A 20 kg stoop lift: the pressure is in the range measured in lifts (a few to 18 kPa;
  // Mairiaux 1984, Cresswell 1994) and the levels carry less compression than without it.
  EXPECT_GT(lift.abdominal_pressure, 3e3);
  EXPECT_LT(lift.abdominal_pressure, 26.6e3);
  EXPECT_EQ(lift0.abdominal_pressure, 0.0);
  ASSERT_EQ(lift.trunk_loads.size(), 2u);
  EXPECT_NEAR((lift.trunk_loads[0].force + lift.trunk_loads[1].force).norm(), 0.0, 1e-9);
  EXPECT_LT(lift.segments[l4].compression, lift0.segments[l4].compression);
  // Relaxed standing: the moment is below the onset; the pressure is small.
  const msk::EquilibriumResult stand =
      msk::solve_equilibrium(with, msk::posture_preset("standing_relaxed"), fixed);
  const msk::EquilibriumResult stand0 =
      msk::solve_equilibrium(without, msk::posture_preset("standing_relaxed"), fixed);
  EXPECT_LT(stand.abdominal_pressure, 1e3);
  EXPECT_NEAR(stand.segments[l4].compression, stand0.segments[l4].compression,
              0.05 * stand0.segments[l4].compression);
}

}  // namespace
