#include "msk/sim/effort_qp.hpp"

#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "msk/error.hpp"

namespace msk {

namespace {

enum class Bound : signed char { Free = 0, Lower = -1, Upper = 1 };

}  // namespace

EffortQpResult solve_effort_qp(const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                               const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                               const Eigen::VectorXd& upper, const Eigen::VectorXd& x0,
                               const EffortQpOptions& options) {
  const Eigen::Index n = h.size(), m = b.size();
  if (e.rows() != m || e.cols() != n || lower.size() != n || upper.size() != n || x0.size() != n)
    throw InvalidArgument("solve_effort_qp: expected E " + std::to_string(m) + " x " +
                          std::to_string(n) + " and vectors of size n, got E " +
                          std::to_string(e.rows()) + " x " + std::to_string(e.cols()));
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(h[i] > 0.0) || !std::isfinite(h[i]))
      throw InvalidArgument("solve_effort_qp: h[" + std::to_string(i) +
                            "]: expected finite and > 0, got " + std::to_string(h[i]));
    if (!(lower[i] <= upper[i]))
      throw InvalidArgument("solve_effort_qp: bounds of x[" + std::to_string(i) +
                            "]: expected lower <= upper");
  }
  const double scale = 1.0 + b.cwiseAbs().maxCoeff();
  if ((e * x0 - b).cwiseAbs().maxCoeff() > 1e-8 * scale)
    throw InvalidArgument("solve_effort_qp: x0: expected a point with E x0 = b");

  EffortQpResult result;
  result.x = x0;
  Eigen::VectorXd& x = result.x;
  const Eigen::VectorXd hinv = h.cwiseInverse();
  if (options.start_unconstrained) {
    // A better start: the minimum with every variable free, clipped to the bounds, feasibility
    // restored by the unbounded variables (min-norm: E_U d = b - E x, d = E_U' (E_U E_U')^-1 r).
    Eigen::MatrixXd all = e * hinv.asDiagonal() * e.transpose();
    Eigen::VectorXd start = hinv.asDiagonal() * (e.transpose() * all.ldlt().solve(b));
    start = start.cwiseMax(lower).cwiseMin(upper);
    std::vector<Eigen::Index> unbounded;
    for (Eigen::Index i = 0; i < n; ++i)
      if (!std::isfinite(lower[i]) && !std::isfinite(upper[i])) unbounded.push_back(i);
    Eigen::MatrixXd eu(m, static_cast<Eigen::Index>(unbounded.size()));
    for (std::size_t k = 0; k < unbounded.size(); ++k)
      eu.col(static_cast<Eigen::Index>(k)) = e.col(unbounded[k]);
    const Eigen::MatrixXd gram = eu * eu.transpose();
    Eigen::LDLT<Eigen::MatrixXd> ldlt(gram);
    if (!unbounded.empty() && ldlt.info() == Eigen::Success && ldlt.isPositive() &&
        gram.diagonal().minCoeff() > 0.0) {
      const Eigen::VectorXd d = eu.transpose() * ldlt.solve(b - e * start);
      for (std::size_t k = 0; k < unbounded.size(); ++k)
        start[unbounded[k]] += d[static_cast<Eigen::Index>(k)];
      if ((e * start - b).cwiseAbs().maxCoeff() <= 1e-8 * scale) x = start;
    }
  }
  // Working set: a variable at a bound is held there (start: every finite bound x0 touches).
  std::vector<Bound> state(n, Bound::Free);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (x[i] <= lower[i] && std::isfinite(lower[i]))
      state[i] = Bound::Lower, x[i] = lower[i];
    else if (x[i] >= upper[i] && std::isfinite(upper[i]))
      state[i] = Bound::Upper, x[i] = upper[i];
  }
  const int max_iterations =
      options.max_iterations > 0 ? options.max_iterations : static_cast<int>(10 * (n + m) + 10);
  Eigen::MatrixXd schur(m, m);
  Eigen::VectorXd lambda(m), x_eqp(n);
  for (int it = 0; it <= max_iterations; ++it) {
    // 1. Equality-constrained QP on the free variables: x_F = H_F^-1 E_F' lambda with
    //    (E_F H_F^-1 E_F') lambda = b - E_W x_W.
    Eigen::VectorXd rhs = b;
    schur.setZero();
    for (Eigen::Index i = 0; i < n; ++i) {
      if (state[i] == Bound::Free)
        schur.noalias() += hinv[i] * e.col(i) * e.col(i).transpose();
      else
        rhs.noalias() -= e.col(i) * x[i];
    }
    lambda = schur.ldlt().solve(rhs);
    for (Eigen::Index i = 0; i < n; ++i)
      x_eqp[i] = state[i] == Bound::Free ? hinv[i] * e.col(i).dot(lambda) : x[i];
    const Eigen::VectorXd p = x_eqp - x;
    const double step_norm = p.cwiseAbs().maxCoeff();
    if (step_norm <= options.tolerance * (1.0 + x.cwiseAbs().maxCoeff())) {
      // 2. At the working set's minimum: release the bound with the most negative multiplier.
      // Each multiplier is compared with the round-off of its own terms, so that the test is
      // as tight for a muscle's multiplier as for a reserve's, whatever their scales.
      Eigen::Index worst = -1;
      double worst_mu = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        if (state[i] == Bound::Free) continue;
        const double g = h[i] * x[i] - e.col(i).dot(lambda);  // gradient of the Lagrangian
        const double mu = state[i] == Bound::Lower ? g : -g;
        const double terms = std::abs(h[i] * x[i]) + e.col(i).cwiseAbs().dot(lambda.cwiseAbs());
        if (mu < -options.tolerance * 1e3 * terms && mu < worst_mu) worst_mu = mu, worst = i;
      }
      result.lambda = lambda;
      result.iterations = it;
      if (worst < 0) {
        result.converged = true;
        return result;
      }
      state[worst] = Bound::Free;
      continue;
    }
    // 3. Step towards the working set's minimum, stopping at the first bound in the way.
    double alpha = 1.0;
    Eigen::Index blocking = -1;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (state[i] != Bound::Free || p[i] == 0.0) continue;
      const double limit = p[i] < 0.0 ? lower[i] : upper[i];
      if (!std::isfinite(limit)) continue;
      const double a = (limit - x[i]) / p[i];
      if (a < alpha) alpha = std::max(a, 0.0), blocking = i;
    }
    x += alpha * p;
    if (blocking >= 0) {
      state[blocking] = p[blocking] < 0.0 ? Bound::Lower : Bound::Upper;
      x[blocking] = p[blocking] < 0.0 ? lower[blocking] : upper[blocking];
    }
    result.iterations = it + 1;
  }
  result.lambda = lambda;
  result.converged = false;
  return result;
}

}  // namespace msk
