#include "msk/sim/effort_qp.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "msk/error.hpp"

namespace msk {

namespace {

enum class Bound : signed char { Free = 0, Lower = -1, Upper = 1 };

/// Checks the sizes, h > 0 and lower <= upper. @throws InvalidArgument
void check_problem(const char* who, const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                   const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                   const Eigen::VectorXd& upper, Eigen::Index x_size) {
  const Eigen::Index n = h.size(), m = b.size();
  if (e.rows() != m || e.cols() != n || lower.size() != n || upper.size() != n || x_size != n)
    throw InvalidArgument(std::string(who) + ": expected E " + std::to_string(m) + " x " +
                          std::to_string(n) + " and vectors of size n, got E " +
                          std::to_string(e.rows()) + " x " + std::to_string(e.cols()));
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(h[i] > 0.0) || !std::isfinite(h[i]))
      throw InvalidArgument(std::string(who) + ": h[" + std::to_string(i) +
                            "]: expected finite and > 0, got " + std::to_string(h[i]));
    if (!(lower[i] <= upper[i]))
      throw InvalidArgument(std::string(who) + ": bounds of x[" + std::to_string(i) +
                            "]: expected lower <= upper");
  }
}

}  // namespace

EffortQpResult solve_effort_qp(const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                               const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                               const Eigen::VectorXd& upper, const Eigen::VectorXd& x0,
                               const EffortQpOptions& options) {
  const Eigen::Index n = h.size(), m = b.size();
  check_problem("solve_effort_qp", h, e, b, lower, upper, x0.size());
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

EffortQpResult solve_effort_qp_dual(const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                                    const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                                    const Eigen::VectorXd& upper, const Eigen::VectorXd& lambda0,
                                    const EffortQpOptions& options, EffortQpDualCache* cache) {
  const Eigen::Index n = h.size(), m = b.size();
  check_problem("solve_effort_qp_dual", h, e, b, lower, upper, n);
  if (lambda0.size() != 0 && lambda0.size() != m)
    throw InvalidArgument("solve_effort_qp_dual: lambda0: expected size 0 or " + std::to_string(m) +
                          ", got " + std::to_string(lambda0.size()));
  EffortQpResult result;
  const Eigen::VectorXd hinv = h.cwiseInverse();
  Eigen::VectorXd& lambda = result.lambda;
  Eigen::VectorXd& x = result.x;
  x.resize(n);
  // The reduced system E_F H_F^-1 E_F' of the variables whose `weight` is hinv (others 0),
  // summed over those columns only (its lower triangle, which the Cholesky factor reads): few
  // muscles are free at a solution of static optimisation.
  Eigen::VectorXd weight(n);
  Eigen::MatrixXd reduced(m, m);
  EffortQpDualCache local;
  EffortQpDualCache& store = cache != nullptr ? *cache : local;
  Eigen::LLT<Eigen::MatrixXd>& llt = store.factor;
  auto factor = [&]() {
    // The cached factor when it has the same free variables (same h and E: the caller's word).
    bool same = store.valid && store.free.size() == static_cast<std::size_t>(n);
    for (Eigen::Index i = 0; same && i < n; ++i)
      same = store.free[static_cast<std::size_t>(i)] == (weight[i] != 0.0 ? 1 : 0);
    if (same) return true;
    store.valid = false;
    reduced.setZero();
    for (Eigen::Index i = 0; i < n; ++i) {
      const double w = weight[i];
      if (w == 0.0) continue;
      const double* col = e.data() + i * m;
      for (Eigen::Index c = 0; c < m; ++c) {
        const double wc = w * col[c];
        if (wc == 0.0) continue;
        for (Eigen::Index r = c; r < m; ++r)
          reduced(r, c) += wc * col[r];
      }
    }
    llt.compute(reduced);
    if (llt.info() != Eigen::Success) return false;
    store.free.resize(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
      store.free[static_cast<std::size_t>(i)] = weight[i] != 0.0 ? 1 : 0;
    store.valid = true;
    return true;
  };
  if (lambda0.size() == m) {
    lambda = lambda0;
  } else {
    weight = hinv;
    if (!factor()) return result;  // lambda empty: not converged
    lambda = llt.solve(b);
  }
  // x(lambda) = clip(H^-1 c) with c = E' lambda, and each variable's bound (-1 lower, 0 free,
  // +1 upper).
  Eigen::VectorXd c(n), d(n), c_trial(n), residual(m), step(m);
  std::vector<signed char> state(static_cast<std::size_t>(n)), next(state);
  auto evaluate = [&](const Eigen::VectorXd& cc, std::vector<signed char>& st) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double y = hinv[i] * cc[i];
      signed char si = 0;
      double xi = y;
      if (!(y > lower[i])) si = -1, xi = lower[i];
      if (!(y < upper[i])) si = 1, xi = upper[i];
      x[i] = xi;
      st[static_cast<std::size_t>(i)] = si;
    }
  };
  // Exact line search on the concave, piecewise quadratic dual along the step: the root of its
  // slope phi'(t) = step . (b - E x(lambda + t step)), piecewise linear in t with a kink where a
  // variable reaches or leaves a bound.
  std::vector<std::pair<double, double>> events;  // (t, change of phi'' there)
  auto line_search = [&](double slope) {
    events.clear();
    double rate = 0.0;  // phi'' just after t = 0
    for (Eigen::Index i = 0; i < n; ++i) {
      const double a = hinv[i] * c[i], s = hinv[i] * d[i], curvature = d[i] * s;
      if (s == 0.0) continue;
      const double t_lower = (lower[i] - a) / s, t_upper = (upper[i] - a) / s;
      const double t_in = s > 0.0 ? t_lower : t_upper, t_out = s > 0.0 ? t_upper : t_lower;
      // Free on (t_in, t_out); infinite bounds give infinite (or NaN-free infinite) times.
      if (!(t_out > 0.0)) continue;
      if (t_in > 0.0)
        events.emplace_back(t_in, -curvature);
      else
        rate -= curvature;
      if (std::isfinite(t_out)) events.emplace_back(t_out, curvature);
    }
    std::sort(events.begin(), events.end(),
              [](const auto& p, const auto& q) { return p.first < q.first; });
    double t = 0.0, value = slope;
    for (const auto& [at, change] : events) {
      if (rate < 0.0 && value + rate * (at - t) <= 0.0) break;
      value += rate * (at - t);
      t = at;
      rate += change;
    }
    return rate < 0.0 ? t - value / rate : std::numeric_limits<double>::quiet_NaN();
  };
  const int max_iterations =
      options.max_iterations > 0 ? options.max_iterations : static_cast<int>(50 + m);
  c.noalias() = e.transpose() * lambda;
  evaluate(c, state);
  for (int it = 0; it < max_iterations; ++it) {
    for (Eigen::Index i = 0; i < n; ++i)
      weight[i] = state[static_cast<std::size_t>(i)] == 0 ? hinv[i] : 0.0;
    if (!factor()) break;
    residual = b;
    residual.noalias() -= e * x;
    step = llt.solve(residual);
    d.noalias() = e.transpose() * step;
    result.iterations = it + 1;
    // A full step that keeps every bound solves E x = b on this set: the KKT point.
    c_trial = c + d;
    evaluate(c_trial, next);
    if (next == state) {
      lambda += step;
      result.converged = true;
      return result;
    }
    const double slope = residual.dot(step);  // phi'(0) > 0 away from the maximum
    if (!(slope > options.tolerance * options.tolerance * (1.0 + b.squaredNorm()))) {
      // At the maximum to rounding (a variable exactly at a bound flips the sets).
      evaluate(c, state);
      result.converged = true;
      return result;
    }
    const double t = line_search(slope);
    if (!(t > 0.0) || !std::isfinite(t)) break;
    lambda += t * step;
    c.noalias() = e.transpose() * lambda;
    evaluate(c, state);
  }
  c.noalias() = e.transpose() * lambda;
  evaluate(c, state);
  result.converged = false;
  return result;
}

}  // namespace msk
