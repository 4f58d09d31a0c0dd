// Tests for msk/muscle/muscle_tendon.hpp: rigid and compliant tendon, the damped equilibrium
// velocity, the initial equilibrium over wide sweeps, and argument checks.
#include "msk/muscle/muscle_tendon.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "msk/error.hpp"

namespace msk::muscle {
namespace {

// ---- Muscles, written inline --------------------------------------------------------------------

struct NamedMuscle {
  std::string name;
  MuscleTendonParams params;
};

MuscleTendonParams make_muscle(double f0, double l_opt, double l_slack, double alpha0, CurveSet set,
                               TendonModel tendon) {
  MuscleTendonParams p;
  p.max_isometric_force = f0;
  p.optimal_fibre_length = l_opt;
  p.tendon_slack_length = l_slack;
  p.pennation_at_optimal = alpha0;
  p.curves.set = set;
  p.tendon = tendon;
  return p;
}

// OpenSim Arm26: BIClong (624.3 N, 0.1157 m, 0.2723 m, 0 rad), TRIlong (798.52 N, 0.134 m,
// 0.143 m, 0.2094 rad); a generic pennate muscle with a long tendon; and a short-tendon,
// strongly pennate one.
std::vector<NamedMuscle> muscles(CurveSet set, TendonModel tendon) {
  std::vector<NamedMuscle> list = {
      {"BIClong", make_muscle(624.3, 0.1157, 0.2723, 0.0, set, tendon)},
      {"TRIlong", make_muscle(798.52, 0.134, 0.143, 0.2094, set, tendon)},
      {"generic", make_muscle(1000.0, 0.08, 0.25, 0.3, set, tendon)},
      {"pennate", make_muscle(3000.0, 0.05, 0.02, 0.6, set, tendon)},
  };
  if (set == CurveSet::Thelen2003) {
    list[0].params.curves.thelen = arm26_thelen_params();
    list[1].params.curves.thelen = arm26_thelen_params();
  }
  return list;
}

std::vector<double> grid(double first, double last, int n) {
  std::vector<double> points;
  for (int i = 0; i < n; ++i)
    points.push_back(first + (last - first) * i / (n - 1));
  return points;
}

// Fibre force along the tendon minus tendon force [N].
double equilibrium_residual(const MuscleTendonState& s) {
  return (s.active_fibre_force + s.passive_fibre_force + s.damping_fibre_force) * s.cos_pennation -
         s.tendon_force;
}

const std::vector<double> kActivations = {0.0, 1e-3, 0.01, 0.1, 0.5, 1.0};

// De Groote 2016 (supplementary material) at optimal length and zero velocity, evaluated from the
// published equations and constants: f_L(1) = sum_k b1k exp(-(1 - b2k)^2 / (2 (b3k + b4k)^2)),
// f_V(0) = d1 ln(d3 + sqrt(d3^2 + 1)) + d4 (printed as 0.9994 and 1.002 in curves.hpp).
constexpr double kDeGrooteActiveAtOptimal = 0.999433461432387;
constexpr double kDeGrooteVelocityAtZero = 1.0021192193371349;

// Tendon force [N] of a compliant unit held isometric at full activation, solved from the curves
// alone (not from muscle_tendon.cpp): the fibre length l where the fibre force along the tendon,
// F0 (f_L(l~) f_V(0) + max(0, f_PE(l~))) cos(alpha), equals the tendon force
// F0 max(0, f_T(l_T / L_s)), l_T = l_MT - l cos(alpha), sin(alpha) = L_opt sin(alpha_0) / l
// (Millard et al. 2013 at zero velocity, constant-thickness pennation), by bisection.
double full_activation_tendon_force(const MuscleTendonParams& p, double mtu) {
  const double h = p.optimal_fibre_length * std::sin(p.pennation_at_optimal);
  const auto tendon = [&](double l) {
    const double projection = std::sqrt(l * l - h * h);
    return p.max_isometric_force *
           std::max(0.0, tendon_force_length(p.curves, (mtu - projection) / p.tendon_slack_length));
  };
  const auto residual = [&](double l) {
    const double cos_alpha = std::sqrt(l * l - h * h) / l;
    const double norm = l / p.optimal_fibre_length;
    const double fibre = p.max_isometric_force *
                         (active_force_length(p.curves, norm) * force_velocity(p.curves, 0.0) +
                          std::max(0.0, passive_force_length(p.curves, norm)));
    return fibre * cos_alpha - tendon(l);
  };
  // Short fibre: a long, pulling tendon (residual < 0); the fibre spanning all but a slack tendon:
  // residual > 0.
  double lo = std::max(1.001 * h, 0.5 * p.optimal_fibre_length);
  const double slack_projection = mtu - tendon_zero_force_length(p.curves) * p.tendon_slack_length;
  double hi = std::sqrt(slack_projection * slack_projection + h * h);
  EXPECT_LT(residual(lo), 0.0);
  EXPECT_GT(residual(hi), 0.0);
  for (int it = 0; it < 200 && hi - lo > 1e-15 * p.optimal_fibre_length; ++it) {
    const double mid = 0.5 * (lo + hi);
    (residual(mid) < 0.0 ? lo : hi) = mid;
  }
  return tendon(0.5 * (lo + hi));
}

// ---- Validation ---------------------------------------------------------------------------------

void expect_rejected(const MuscleTendonParams& p, const std::string& field) {
  try {
    validate(p);
    ADD_FAILURE() << field << " not rejected";
  } catch (const InvalidArgument& error) {
    EXPECT_EQ(std::string(error.what()).rfind(field + ":", 0), 0u) << error.what();
  }
}

TEST(MuscleTendonParams, DefaultsAndValidation) {
  MuscleTendonParams p;
  EXPECT_EQ(p.max_contraction_velocity, 10.0);
  EXPECT_EQ(p.fibre_damping, 0.1);
  EXPECT_EQ(p.min_norm_fibre_length, 0.2);
  EXPECT_EQ(p.tendon, TendonModel::Rigid);
  EXPECT_EQ(p.curves.set, CurveSet::DeGroote2016);
  expect_rejected(p, "max_isometric_force");  // unset fields are NaN

  const MuscleTendonParams good =
      make_muscle(500.0, 0.1, 0.2, 0.1, CurveSet::DeGroote2016, TendonModel::Compliant);
  EXPECT_NO_THROW(validate(good));
  p = good;
  p.max_isometric_force = 0.0;
  expect_rejected(p, "max_isometric_force");
  p = good;
  p.optimal_fibre_length = -0.1;
  expect_rejected(p, "optimal_fibre_length");
  p = good;
  p.tendon_slack_length = std::nan("");
  expect_rejected(p, "tendon_slack_length");
  p = good;
  p.tendon_slack_length = 0.0;  // a compliant tendon needs a length
  expect_rejected(p, "tendon_slack_length");
  p.tendon = TendonModel::Rigid;
  EXPECT_NO_THROW(validate(p));
  p = good;
  p.pennation_at_optimal = -0.1;
  expect_rejected(p, "pennation_at_optimal");
  p.pennation_at_optimal = 1.5;  // beyond acos(0.1)
  expect_rejected(p, "pennation_at_optimal");
  p = good;
  p.max_contraction_velocity = 0.0;
  expect_rejected(p, "max_contraction_velocity");
  p = good;
  p.fibre_damping = -0.1;
  expect_rejected(p, "fibre_damping");
  p.fibre_damping = 0.0;  // the damped equilibrium needs beta > 0
  expect_rejected(p, "fibre_damping");
  p.tendon = TendonModel::Rigid;
  EXPECT_NO_THROW(validate(p));
  p = good;
  p.min_norm_fibre_length = 1.0;
  expect_rejected(p, "min_norm_fibre_length");
  p.min_norm_fibre_length = 0.0;
  expect_rejected(p, "min_norm_fibre_length");
  p = good;
  p.curves.set = CurveSet::Thelen2003;
  p.curves.thelen.af = -1.0;
  expect_rejected(p, "curves.thelen.af");
}

TEST(MuscleTendonParams, TendonModelNames) {
  EXPECT_STREQ(tendon_model_name(TendonModel::Rigid), "rigid");
  EXPECT_STREQ(tendon_model_name(TendonModel::Compliant), "compliant");
  EXPECT_EQ(tendon_model_from_name("rigid"), TendonModel::Rigid);
  EXPECT_EQ(tendon_model_from_name("compliant"), TendonModel::Compliant);
  EXPECT_THROW(tendon_model_from_name("stiff"), InvalidArgument);
}

TEST(MuscleTendon, BadArgumentsThrow) {
  const MuscleTendonParams rigid =
      make_muscle(500.0, 0.1, 0.2, 0.1, CurveSet::DeGroote2016, TendonModel::Rigid);
  MuscleTendonParams compliant = rigid;
  compliant.tendon = TendonModel::Compliant;
  MuscleTendonState s;
  const double nan = std::nan("");
  EXPECT_THROW(compute_rigid_tendon(rigid, nan, 0.0, 0.5, s), InvalidArgument);
  EXPECT_THROW(compute_rigid_tendon(rigid, 0.3, INFINITY, 0.5, s), InvalidArgument);
  EXPECT_THROW(compute_rigid_tendon(rigid, 0.3, 0.0, nan, s), InvalidArgument);
  EXPECT_THROW(compute_compliant_tendon(compliant, 0.3, 0.0, 0.5, 0.0, s), InvalidArgument);
  EXPECT_THROW(compute_compliant_tendon(compliant, 0.3, 0.0, 0.5, nan, s), InvalidArgument);
  EXPECT_THROW(compute_compliant_tendon(compliant, 0.3, nan, 0.5, 0.1, s), InvalidArgument);
  EXPECT_THROW(equilibrium_fibre_length(compliant, 0.0, 0.5), InvalidArgument);
  EXPECT_THROW(equilibrium_fibre_length(compliant, 0.3, 1.5), InvalidArgument);
  EXPECT_THROW(equilibrium_fibre_length(compliant, 0.3, -0.1), InvalidArgument);
  EXPECT_THROW(equilibrium_fibre_length(compliant, 0.3, nan), InvalidArgument);
  EXPECT_THROW(equilibrium_fibre_length(compliant, 0.3, 0.5, nan), InvalidArgument);
  EXPECT_THROW(max_isometric_tendon_force_at(compliant, -1.0), InvalidArgument);
  // Compliant-tendon functions need beta > 0 even when params.tendon says rigid.
  MuscleTendonParams undamped = rigid;
  undamped.fibre_damping = 0.0;
  EXPECT_NO_THROW(compute_rigid_tendon(undamped, 0.3, 0.0, 0.5, s));
  EXPECT_THROW(compute_compliant_tendon(undamped, 0.3, 0.0, 0.5, 0.1, s), InvalidArgument);
  EXPECT_THROW(equilibrium_fibre_length(undamped, 0.3, 0.5), InvalidArgument);
  // Invalid parameters are reported by every entry point.
  MuscleTendonParams broken = rigid;
  broken.max_isometric_force = -1.0;
  EXPECT_THROW(compute_rigid_tendon(broken, 0.3, 0.0, 0.5, s), InvalidArgument);
  EXPECT_THROW(min_fibre_length(broken), InvalidArgument);
}

// ---- Rigid tendon -------------------------------------------------------------------------------

TEST(RigidTendon, GeometryAndForceAtOptimalLength) {
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Rigid)) {
      const MuscleTendonParams& p = m.params;
      const double alpha0 = p.pennation_at_optimal;
      const double mtu = p.tendon_slack_length + p.optimal_fibre_length * std::cos(alpha0);
      MuscleTendonState s;
      compute_rigid_tendon(p, mtu, 0.0, 1.0, s);
      EXPECT_NEAR(s.norm_fibre_length, 1.0, 1e-12) << m.name;
      EXPECT_NEAR(s.pennation, alpha0, 1e-12) << m.name;
      EXPECT_NEAR(s.cos_pennation, std::cos(alpha0), 1e-12) << m.name;
      EXPECT_NEAR(s.tendon_length, p.tendon_slack_length, 1e-12) << m.name;
      EXPECT_NEAR(s.norm_tendon_length, 1.0, 1e-12) << m.name;
      EXPECT_EQ(s.fibre_velocity, 0.0);
      EXPECT_NEAR(s.passive_fibre_force, 0.0, 1e-9 * p.max_isometric_force);
      // F0 f_L(1) f_V(0) cos(alpha_0), with the published values of the curves at l = 1, v = 0.
      const double f_act = set == CurveSet::DeGroote2016 ? kDeGrooteActiveAtOptimal : 1.0;
      const double f_v0 = set == CurveSet::DeGroote2016 ? kDeGrooteVelocityAtZero : 1.0;
      const double expected = p.max_isometric_force * f_act * f_v0 * std::cos(alpha0);
      EXPECT_NEAR(s.tendon_force, expected, 1e-9 * p.max_isometric_force) << m.name;
      EXPECT_NEAR(max_isometric_tendon_force_at(p, mtu), expected, 1e-9 * p.max_isometric_force)
          << m.name;
    }
  }
}

TEST(RigidTendon, FibreVelocityIsProjectedMtuVelocity) {
  for (const NamedMuscle& m : muscles(CurveSet::DeGroote2016, TendonModel::Rigid)) {
    const MuscleTendonParams& p = m.params;
    const double mtu = p.tendon_slack_length + 1.1 * p.optimal_fibre_length;
    MuscleTendonState s;
    compute_rigid_tendon(p, mtu, -0.2, 0.5, s);
    EXPECT_NEAR(s.fibre_velocity, -0.2 * s.cos_pennation, 1e-15) << m.name;
    // Finite difference of the fibre length along the MTU length.
    MuscleTendonState plus, minus;
    const double h = 1e-7;
    compute_rigid_tendon(p, mtu + h, 0.0, 0.5, plus);
    compute_rigid_tendon(p, mtu - h, 0.0, 0.5, minus);
    EXPECT_NEAR((plus.fibre_length - minus.fibre_length) / (2 * h), s.cos_pennation, 1e-7);
    EXPECT_NEAR(s.norm_fibre_velocity, s.fibre_velocity / (10.0 * p.optimal_fibre_length), 1e-15);
    EXPECT_NEAR(s.damping_fibre_force, p.max_isometric_force * 0.1 * s.norm_fibre_velocity, 1e-12);
  }
}

TEST(RigidTendon, ShortMtuHoldsTheFibreAtTheGuard) {
  for (const NamedMuscle& m : muscles(CurveSet::DeGroote2016, TendonModel::Rigid)) {
    const MuscleTendonParams& p = m.params;
    MuscleTendonState s;
    compute_rigid_tendon(p, 0.5 * p.tendon_slack_length, -1.0, 1.0, s);
    EXPECT_NEAR(s.fibre_length, min_fibre_length(p), 1e-15) << m.name;
    EXPECT_EQ(s.fibre_velocity, 0.0);
    EXPECT_GE(s.cos_pennation, kMinCosPennation - 1e-12);
    EXPECT_LT(s.norm_tendon_length, 1.0);
    EXPECT_GE(s.tendon_force, 0.0);
  }
}

TEST(RigidTendon, TendonForceIsNeverNegative) {
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Rigid)) {
      const MuscleTendonParams& p = m.params;
      for (double mtu : grid(0.5 * p.tendon_slack_length,
                             1.5 * (p.tendon_slack_length + p.optimal_fibre_length), 40)) {
        for (double v : {-2.0, -0.5, 0.0, 0.5}) {
          for (double a : kActivations) {
            MuscleTendonState s;
            compute_rigid_tendon(p, mtu, v, a, s);
            EXPECT_GE(s.tendon_force, 0.0);
            EXPECT_GE(s.passive_fibre_force, 0.0);
            EXPECT_TRUE(std::isfinite(s.tendon_force));
          }
        }
      }
    }
  }
}

// ---- Compliant tendon: damped-equilibrium fibre velocity ----------------------------------------

TEST(CompliantTendon, FibreVelocitySatisfiesDampedEquilibrium) {
  int checked = 0;
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Compliant)) {
      const MuscleTendonParams& p = m.params;
      const double l_min = min_fibre_length(p);
      for (double mtu : grid(0.8 * p.tendon_slack_length,
                             1.3 * (p.tendon_slack_length + p.optimal_fibre_length), 25)) {
        for (double norm_l : grid(0.2, 1.8, 25)) {
          for (double a : {0.0, 1e-3, 0.5, 1.0}) {
            const double fibre_length = norm_l * p.optimal_fibre_length;
            MuscleTendonState s;
            const double v = compute_compliant_tendon(p, mtu, 0.0, a, fibre_length, s);
            ASSERT_TRUE(std::isfinite(v)) << m.name << " mtu " << mtu << " l " << norm_l;
            EXPECT_EQ(v, s.fibre_velocity);
            EXPECT_GE(s.tendon_force, 0.0);
            const bool guard_clamped = fibre_length <= l_min && v == 0.0;
            if (guard_clamped) continue;
            const double scale = p.max_isometric_force + s.tendon_force / s.cos_pennation;
            EXPECT_NEAR(equilibrium_residual(s), 0.0, 1e-10 * scale)
                << m.name << " " << curve_set_name(set) << " mtu " << mtu << " l " << norm_l
                << " a " << a;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 10000);
}

TEST(CompliantTendon, ShorteningIsStoppedAtTheGuard) {
  const MuscleTendonParams p =
      make_muscle(1000.0, 0.1, 0.2, 0.2, CurveSet::DeGroote2016, TendonModel::Compliant);
  const double l_min = min_fibre_length(p);
  MuscleTendonState s;
  // Slack tendon, active fibre at (and below) its minimum: it would shorten, but cannot.
  EXPECT_EQ(compute_compliant_tendon(p, 0.1, 0.0, 1.0, l_min, s), 0.0);
  EXPECT_EQ(compute_compliant_tendon(p, 0.1, 0.0, 1.0, 0.5 * l_min, s), 0.0);
  EXPECT_EQ(s.fibre_length, l_min);
  EXPECT_EQ(s.fibre_velocity, 0.0);
  // Tendon stretched hard, fibre at its minimum: it is pulled longer.
  EXPECT_GT(compute_compliant_tendon(p, 0.3, 0.0, 1.0, l_min, s), 0.0);
  // Slack tendon, active fibre above its minimum: it shortens.
  EXPECT_LT(compute_compliant_tendon(p, 0.2, 0.0, 1.0, 0.08, s), 0.0);
}

TEST(CompliantTendon, ThelenVelocityUsesTheActivationScaledMaximum) {
  MuscleTendonParams p =
      make_muscle(1000.0, 0.1, 0.2, 0.0, CurveSet::Thelen2003, TendonModel::Compliant);
  p.fibre_damping = 1e-9;  // nearly undamped, so the velocity follows the inverse relation
  const double a = 0.4;
  const double l_fibre = 0.1;
  // Choose the MTU length so that the tendon carries 0.5 * a * F0 (f_V = 0.5, shortening).
  const double l_tendon = 0.2 * thelen2003_tendon_force_length_inverse(p.curves.thelen, 0.5 * a);
  MuscleTendonState s;
  const double v = compute_compliant_tendon(p, l_tendon + l_fibre, 0.0, a, l_fibre, s);
  const double expected = thelen2003_force_velocity_inverse(p.curves.thelen, 0.5) *
                          thelen2003_max_velocity_scale(a) * 10.0 * 0.1;
  EXPECT_NEAR(v, expected, 1e-6 * std::abs(expected));
  EXPECT_NEAR(s.force_velocity, 0.5, 1e-8);
}

// ---- Initial equilibrium ------------------------------------------------------------------------

struct SweepCounts {
  int taut = 0, slack = 0, guard = 0, guard_taut = 0;
  double worst_residual = 0.0;        // taut, [F0]
  double worst_guard_residual = 0.0;  // taut tendon, fibre at the guard, [F0]
};

SweepCounts equilibrium_sweep(const NamedMuscle& m, int n_lengths) {
  const MuscleTendonParams& p = m.params;
  const double l_s = p.tendon_slack_length;
  const double l_opt = p.optimal_fibre_length;
  const double l_min = min_fibre_length(p);
  const double first = 0.6 * (l_s + l_opt * std::cos(p.pennation_at_optimal));
  const double last = 1.5 * (l_s + l_opt);
  SweepCounts counts;
  for (double mtu : grid(first, last, n_lengths)) {
    for (double a : kActivations) {
      const double l = equilibrium_fibre_length(p, mtu, a);
      EXPECT_TRUE(std::isfinite(l)) << m.name << " mtu " << mtu << " a " << a;
      EXPECT_GE(l, l_min);
      MuscleTendonState s;
      const double v = compute_compliant_tendon(p, mtu, 0.0, a, l, s);
      EXPECT_TRUE(std::isfinite(v));
      const double residual = equilibrium_residual(s) / p.max_isometric_force;
      if (l <= l_min) {
        // Guard: the shortest fibre still pulls at least as hard as the tendon.
        ++counts.guard;
        if (s.tendon_force > 0.0) {
          ++counts.guard_taut;
          counts.worst_guard_residual = std::max(counts.worst_guard_residual, residual);
        }
        EXPECT_GE(residual, -1e-6) << m.name << " mtu " << mtu << " a " << a;
      } else if (s.tendon_force <= 1e-9 * p.max_isometric_force) {
        // Slack: tendon at (or below) its zero-force length, fibre not pulling.
        ++counts.slack;
        EXPECT_LE(s.norm_tendon_length, tendon_zero_force_length(p.curves) + 1e-12);
        EXPECT_NEAR(residual, 0.0, 1e-6) << m.name << " mtu " << mtu << " a " << a;
      } else {
        ++counts.taut;
        EXPECT_LT(std::abs(residual), 1e-6) << m.name << " mtu " << mtu << " a " << a;
        EXPECT_NEAR(v, 0.0, 1e-9);
        counts.worst_residual = std::max(counts.worst_residual, std::abs(residual));
      }
    }
  }
  return counts;
}

TEST(Equilibrium, SweepBothCurveSets) {
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Compliant)) {
      const SweepCounts c = equilibrium_sweep(m, 200);
      std::printf(
          "[sweep] %-12s %-8s taut %4d slack %4d guard %4d (taut tendon %d, residual <= %.1e F0) "
          "worst taut |residual| %.1e F0\n",
          curve_set_name(set), m.name.c_str(), c.taut, c.slack, c.guard, c.guard_taut,
          c.worst_guard_residual, c.worst_residual);
      EXPECT_GT(c.taut, 600) << m.name;
    }
  }
}

TEST(Equilibrium, SweepThelenDefaultsOnArm26Muscles) {
  for (NamedMuscle m : muscles(CurveSet::Thelen2003, TendonModel::Compliant)) {
    m.params.curves.thelen = ThelenCurveParams{};
    const SweepCounts c = equilibrium_sweep(m, 100);
    EXPECT_GT(c.taut, 300) << m.name;
  }
}

TEST(Equilibrium, ExtremeLengthsDoNotFail) {
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Compliant)) {
      const MuscleTendonParams& p = m.params;
      for (double mtu : {1e-6, 0.01 * p.tendon_slack_length, 3.0 * p.tendon_slack_length,
                         10.0 * (p.tendon_slack_length + p.optimal_fibre_length)}) {
        for (double a : kActivations) {
          for (double v : {-1.0, 0.0, 1.0}) {
            const double l = equilibrium_fibre_length(p, mtu, a, v);
            EXPECT_TRUE(std::isfinite(l)) << m.name << " mtu " << mtu;
            EXPECT_GE(l, min_fibre_length(p));
          }
        }
      }
    }
  }
}

TEST(Equilibrium, MovingMtuSharesVelocityAndBalances) {
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Compliant)) {
      const MuscleTendonParams& p = m.params;
      const double mtu = p.tendon_slack_length * 1.01 + p.optimal_fibre_length;
      for (double a : {0.1, 0.5, 1.0}) {
        for (double mtu_velocity : {-0.3, 0.3}) {
          const double l = equilibrium_fibre_length(p, mtu, a, mtu_velocity);
          ASSERT_TRUE(std::isfinite(l));
          MuscleTendonState s;
          const double v = compute_compliant_tendon(p, mtu, mtu_velocity, a, l, s);
          // The returned length balances forces at the shared velocity, which has the sign of the
          // MTU velocity and is no faster than the rigid-tendon fibre velocity.
          EXPECT_NEAR(equilibrium_residual(s), 0.0, 1e-6 * p.max_isometric_force);
          EXPECT_GT(v * mtu_velocity, 0.0) << m.name;
          EXPECT_LE(std::abs(v), std::abs(mtu_velocity) * s.cos_pennation * (1 + 1e-9));
        }
      }
    }
  }
}

// ---- Compliant against rigid --------------------------------------------------------------------

TEST(CompliantVersusRigid, StiffTendonApproachesRigid) {
  for (const NamedMuscle& named : muscles(CurveSet::Thelen2003, TendonModel::Compliant)) {
    MuscleTendonParams compliant = named.params;
    compliant.curves.thelen.fmax_tendon_strain = 1e-6;  // 1 micro-strain at F0
    MuscleTendonParams rigid = compliant;
    rigid.tendon = TendonModel::Rigid;
    const double l_s = compliant.tendon_slack_length;
    const double l_opt = compliant.optimal_fibre_length;
    for (double norm : grid(0.6, 1.5, 19)) {
      const double mtu =
          l_s + std::sqrt(std::pow(norm * l_opt, 2) -
                          std::pow(l_opt * std::sin(compliant.pennation_at_optimal), 2));
      for (double a : {0.1, 0.5, 1.0}) {
        MuscleTendonState s_rigid;
        MuscleTendonState s_compliant;
        compute_rigid_tendon(rigid, mtu, 0.0, a, s_rigid);
        const double l = equilibrium_fibre_length(compliant, mtu, a);
        compute_compliant_tendon(compliant, mtu, 0.0, a, l, s_compliant);
        EXPECT_NEAR(s_compliant.tendon_force, s_rigid.tendon_force,
                    1e-3 * compliant.max_isometric_force)
            << named.name << " norm " << norm << " a " << a;
        EXPECT_NEAR(s_compliant.fibre_length, s_rigid.fibre_length, 1e-4 * l_opt);
      }
    }
  }
}

TEST(CompliantVersusRigid, SameFibreStateSameForce) {
  // De Groote: a rigid-tendon state at fibre length l; the compliant MTU whose tendon is stretched
  // to carry that force is in equilibrium at the same fibre length, with zero fibre velocity.
  for (const NamedMuscle& named : muscles(CurveSet::DeGroote2016, TendonModel::Compliant)) {
    MuscleTendonParams compliant = named.params;
    MuscleTendonParams rigid = compliant;
    rigid.tendon = TendonModel::Rigid;
    const double l_s = compliant.tendon_slack_length;
    const double l_opt = compliant.optimal_fibre_length;
    for (double norm : grid(0.7, 1.4, 8)) {
      for (double a : {0.2, 1.0}) {
        const double h = l_opt * std::sin(compliant.pennation_at_optimal);
        const double x = std::sqrt(std::pow(norm * l_opt, 2) - h * h);
        MuscleTendonState s_rigid;
        compute_rigid_tendon(rigid, l_s + x, 0.0, a, s_rigid);
        const double f_t = s_rigid.tendon_force / compliant.max_isometric_force;
        const double mtu = x + l_s * tendon_force_length_inverse(compliant.curves, f_t);
        MuscleTendonState s_compliant;
        const double v =
            compute_compliant_tendon(compliant, mtu, 0.0, a, s_rigid.fibre_length, s_compliant);
        EXPECT_NEAR(v, 0.0, 1e-10);
        EXPECT_NEAR(s_compliant.tendon_force, s_rigid.tendon_force,
                    1e-9 * compliant.max_isometric_force);
        const double l = equilibrium_fibre_length(compliant, mtu, a);
        EXPECT_NEAR(l, s_rigid.fibre_length, 1e-9 * l_opt) << named.name << " norm " << norm;
      }
    }
  }
}

TEST(MaxIsometricForce, CompliantIsTheFullActivationEquilibrium) {
  for (CurveSet set : {CurveSet::DeGroote2016, CurveSet::Thelen2003}) {
    for (const NamedMuscle& m : muscles(set, TendonModel::Compliant)) {
      const MuscleTendonParams& p = m.params;
      const double mtu = 1.02 * p.tendon_slack_length + p.optimal_fibre_length;
      const double force = max_isometric_tendon_force_at(p, mtu);
      // The same equilibrium solved here from the curves alone.
      EXPECT_NEAR(force, full_activation_tendon_force(p, mtu), 1e-9 * p.max_isometric_force)
          << m.name;
      EXPECT_GT(force, 0.0);
      EXPECT_LT(force, 2.0 * p.max_isometric_force);
      // Lower activation, lower force.
      MuscleTendonState s;
      compute_compliant_tendon(p, mtu, 0.0, 0.3, equilibrium_fibre_length(p, mtu, 0.3), s);
      EXPECT_LT(s.tendon_force, force) << m.name;
    }
  }
}

}  // namespace
}  // namespace msk::muscle
