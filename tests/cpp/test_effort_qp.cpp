// The static-optimisation QP: KKT conditions on random problems, bounds, reserves.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "msk/error.hpp"
#include "msk/sim/effort_qp.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Checks primal feasibility and the KKT conditions with the returned multipliers.
void expect_kkt(const Eigen::VectorXd& h, const Eigen::MatrixXd& e, const Eigen::VectorXd& b,
                const Eigen::VectorXd& lo, const Eigen::VectorXd& hi,
                const msk::EffortQpResult& r) {
  ASSERT_TRUE(r.converged);
  EXPECT_LT((e * r.x - b).cwiseAbs().maxCoeff(), 1e-6);  // N m of a 50 N m problem
  for (Eigen::Index i = 0; i < h.size(); ++i) {
    EXPECT_GE(r.x[i], lo[i] - 1e-12);
    EXPECT_LE(r.x[i], hi[i] + 1e-12);
    if (hi[i] <= lo[i]) continue;  // fixed: any multiplier
    const double g = h[i] * r.x[i] - e.col(i).dot(r.lambda);
    if (r.x[i] > lo[i] + 1e-9 && r.x[i] < hi[i] - 1e-9) {
      EXPECT_NEAR(g, 0.0, 1e-7) << i;
    }
    if (r.x[i] <= lo[i] + 1e-9) {
      EXPECT_GE(g, -1e-7) << i;
    }
    if (r.x[i] >= hi[i] - 1e-9) {
      EXPECT_LE(g, 1e-7) << i;
    }
  }
}

/// A static-optimisation QP of nm muscles (weight h(), upper bound hi(), moment arms lever u) and
/// m reserves of weight reserve_h, demands 30 u, with the feasible start of all muscles at 0.
struct RandomQp {
  Eigen::VectorXd h, lo, hi, b, x0;
  Eigen::MatrixXd e;
};

template <class Weight, class Upper>
RandomQp random_qp(std::mt19937& rng, int nm, int m, double lever, double reserve_h, Weight weight,
                   Upper upper) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const int n = nm + m;
  RandomQp q{Eigen::VectorXd(n), Eigen::VectorXd(n), Eigen::VectorXd(n),
             Eigen::VectorXd(m), Eigen::VectorXd(n), Eigen::MatrixXd(m, n)};
  for (int i = 0; i < nm; ++i) {
    q.h[i] = weight();
    q.lo[i] = 0.0;
    q.hi[i] = upper();
    for (int j = 0; j < m; ++j)
      q.e(j, i) = lever * u(rng);
  }
  for (int j = 0; j < m; ++j) {
    q.h[nm + j] = reserve_h;
    q.lo[nm + j] = -kInf;
    q.hi[nm + j] = kInf;
    q.b[j] = 30.0 * u(rng);
  }
  q.e.rightCols(m).setIdentity();
  q.x0.head(nm).setZero();
  q.x0.tail(m) = q.b;
  return q;
}

TEST(EffortQp, TwoMusclesShareAMomentInProportionToTheirLeverOverWeight) {
  // min v1^2 + v2^2 s.t. 2 v1 + 1 v2 = 1: v = (0.4, 0.2).
  Eigen::VectorXd h(2), b(1), lo(2), hi(2), x0(2);
  h << 2, 2;
  Eigen::MatrixXd e(1, 2);
  e << 2, 1;
  b << 1;
  lo << 0, 0;
  hi << 1, 1;
  x0 << 0.5, 0.0;
  const auto r = msk::solve_effort_qp(h, e, b, lo, hi, x0);
  EXPECT_NEAR(r.x[0], 0.4, 1e-12);
  EXPECT_NEAR(r.x[1], 0.2, 1e-12);
  expect_kkt(h, e, b, lo, hi, r);
}

TEST(EffortQp, RandomProblemsWithReservesSatisfyKkt) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const RandomQp q = random_qp(
        rng, 5 + trial % 40, 1 + trial % 7, 50.0, 1e4, [&] { return 0.5 + std::abs(u(rng)); },
        [&] { return 0.2 + std::abs(u(rng)); });
    const auto r = msk::solve_effort_qp(q.h, q.e, q.b, q.lo, q.hi, q.x0);
    expect_kkt(q.h, q.e, q.b, q.lo, q.hi, r);
  }
}

TEST(EffortQp, InfeasibleDemandEndsInTheReserve) {
  // One muscle of lever 1 at most 1: a demand of 3 leaves 2 to the reserve.
  Eigen::VectorXd h(2), b(1), lo(2), hi(2), x0(2);
  h << 2, 2e8;
  Eigen::MatrixXd e(1, 2);
  e << 1, 1;
  b << 3;
  lo << 0, -kInf;
  hi << 1, kInf;
  x0 << 0, 3;
  const auto r = msk::solve_effort_qp(h, e, b, lo, hi, x0);
  EXPECT_NEAR(r.x[0], 1.0, 1e-12);
  EXPECT_NEAR(r.x[1], 2.0, 1e-6);
}

TEST(EffortQp, InconsistentInputsThrow) {
  Eigen::VectorXd h(2), b(1), lo(2), hi(2), x0(2);
  h << 2, 2;
  Eigen::MatrixXd e(1, 2);
  e << 1, 1;
  b << 1;
  lo << 0, 0;
  hi << 1, 1;
  x0 << 0, 0;  // E x0 != b
  EXPECT_THROW(msk::solve_effort_qp(h, e, b, lo, hi, x0), msk::InvalidArgument);
  x0 << 1, 0;
  h[1] = 0.0;
  EXPECT_THROW(msk::solve_effort_qp(h, e, b, lo, hi, x0), msk::InvalidArgument);
}

}  // namespace

TEST(EffortQp, UnconstrainedStartFindsTheSameSolutionInFewerChanges) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    const RandomQp q = random_qp(
        rng, 60, 5, 20.0, 2e4, [] { return 2.0; }, [] { return 1.0; });
    const auto& [h, lo, hi, b, x0, e] = q;
    const auto cold = msk::solve_effort_qp(h, e, b, lo, hi, x0);
    msk::EffortQpOptions o;
    o.start_unconstrained = true;
    const auto warm = msk::solve_effort_qp(h, e, b, lo, hi, x0, o);
    expect_kkt(h, e, b, lo, hi, warm);
    EXPECT_LT((cold.x - warm.x).cwiseAbs().maxCoeff(), 1e-7);
    EXPECT_LE(warm.iterations, cold.iterations);
  }
}

TEST(EffortQp, TheDualNewtonMethodFindsTheActiveSetMethodsSolution) {
  // Random problems of every size of the random test above, some with muscles fixed at zero
  // (upper bound 0) and a muscle of no lever, from the unconstrained multipliers and from the
  // solution of a perturbed problem (the warm start of the equilibrium's passes).
  std::mt19937 rng(23);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    RandomQp q = random_qp(
        rng, 5 + trial % 40, 1 + trial % 7, 50.0, 1e4, [&] { return 0.5 + std::abs(u(rng)); },
        [&] { return trial % 3 == 0 && u(rng) > 0.5 ? 0.0 : 0.2 + std::abs(u(rng)); });
    q.e.col(0).setZero();
    const auto primal = msk::solve_effort_qp(q.h, q.e, q.b, q.lo, q.hi, q.x0);
    const auto cold = msk::solve_effort_qp_dual(q.h, q.e, q.b, q.lo, q.hi, Eigen::VectorXd());
    expect_kkt(q.h, q.e, q.b, q.lo, q.hi, cold);
    const double scale = 1.0 + primal.x.cwiseAbs().maxCoeff();
    // Both stop at the KKT point to the primal method's tolerances (about 1e-8 of the reserves'
    // scale here: reserve weights 1e4 times the muscles').
    EXPECT_LT((cold.x - primal.x).cwiseAbs().maxCoeff(), 1e-7 * scale) << trial;
    EXPECT_LT((cold.lambda - primal.lambda).cwiseAbs().maxCoeff(),
              1e-7 * (1.0 + primal.lambda.cwiseAbs().maxCoeff()))
        << trial;
    const Eigen::VectorXd nearby = primal.lambda * (1.0 + 0.01 * u(rng));
    const auto warm = msk::solve_effort_qp_dual(q.h, q.e, q.b, q.lo, q.hi, nearby);
    expect_kkt(q.h, q.e, q.b, q.lo, q.hi, warm);
    EXPECT_LT((warm.x - primal.x).cwiseAbs().maxCoeff(), 1e-7 * scale) << trial;
  }
}

TEST(EffortQp, TheDualNewtonMethodNeedsVariablesThatCanCarryEveryRow) {
  // Without a reserve, no free variable may remain for a row: the reduced system is singular and
  // the method says it did not converge (the caller falls back on the active-set method).
  Eigen::VectorXd h(2), b(2), lo(2), hi(2);
  h << 2, 2;
  Eigen::MatrixXd e(2, 2);
  e << 1, 0, 0, 0;
  b << 0.5, 0.0;
  lo << 0, 0;
  hi << 1, 1;
  const auto r = msk::solve_effort_qp_dual(h, e, b, lo, hi, Eigen::VectorXd());
  EXPECT_FALSE(r.converged);
  EXPECT_THROW(msk::solve_effort_qp_dual(h, e, b, lo, hi, Eigen::VectorXd::Zero(3)),
               msk::InvalidArgument);
}

TEST(EffortQp, TheDualMethodsCacheGivesTheSameSolutions) {
  // A sequence of right-hand sides with the same h and E, as the equilibrium's passes: with the
  // cache the factor of an unchanged free set is reused, and the solutions are those without it.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  RandomQp q = random_qp(
      rng, 40, 5, 20.0, 2e4, [] { return 2.0; }, [] { return 1.0; });
  msk::EffortQpDualCache cache;
  Eigen::VectorXd lambda;
  for (int pass = 0; pass < 20; ++pass) {
    q.b += 0.02 * Eigen::VectorXd::NullaryExpr(q.b.size(), [&] { return u(rng); });
    const auto plain = msk::solve_effort_qp_dual(q.h, q.e, q.b, q.lo, q.hi, lambda);
    const auto cached = msk::solve_effort_qp_dual(q.h, q.e, q.b, q.lo, q.hi, lambda, {}, &cache);
    ASSERT_TRUE(cached.converged);
    EXPECT_TRUE(cache.valid);
    EXPECT_EQ(cached.x, plain.x) << pass;
    EXPECT_EQ(cached.lambda, plain.lambda) << pass;
    lambda = cached.lambda;
  }
}
