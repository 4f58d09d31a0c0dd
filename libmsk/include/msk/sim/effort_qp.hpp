// msk/sim/effort_qp.hpp — the convex QP of static optimisation, solved by a primal active set.
//
//   minimise   1/2 sum_i h_i x_i^2
//   subject to E x = b,   lower_i <= x_i <= upper_i,
// with h_i > 0 (a diagonal Hessian), a handful of equality rows (one per balanced joint) and tens
// to hundreds of variables. Variables with infinite bounds (the reserve moments of static
// optimisation) keep every working set's reduced system E_F H_F^-1 E_F' positive definite, so a
// feasible start and every step are well defined (Nocedal & Wright 2006, Algorithm 16.3).
//
// solve_effort_qp_dual solves the same QP on its dual: with the multipliers lambda of E x = b,
// each variable's minimum is x_i(lambda) = clip(e_i . lambda / h_i, lower_i, upper_i) and the dual
// function is concave, piecewise quadratic in the m multipliers; a Newton step on the free
// variables' reduced system E_F H_F^-1 E_F' (semismooth Newton, with a backtracking line search on
// the dual) changes any number of bounds at once and ends when a full step keeps the set of free
// variables, i.e. at the same KKT point as the active-set method. From the previous solution's
// multipliers a nearby problem takes one or two steps.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <vector>

namespace msk {

/// Settings of solve_effort_qp.
struct EffortQpOptions {
  int max_iterations = 0;    ///< active-set changes allowed; 0 = 10 (n + m) + 10
  double tolerance = 1e-12;  ///< step and multiplier tolerance (relative)
  /// Start from the unconstrained minimum clipped to the bounds (feasibility restored by the
  /// unbounded variables) instead of x0, when that point is feasible: far fewer active-set
  /// changes from a cold start. x0 must still be feasible (it is the fallback).
  bool start_unconstrained = false;
};

/// What solve_effort_qp found.
struct EffortQpResult {
  Eigen::VectorXd x;       ///< the solution, size n
  Eigen::VectorXd lambda;  ///< multipliers of E x = b, size m
  int iterations = 0;      ///< active-set changes
  bool converged = false;  ///< false when max_iterations ran out (x is feasible, not optimal)
};

/// Solves the QP above from the feasible start x0 (E x0 = b, within the bounds).
/// @param h      diagonal of the Hessian, size n, all > 0
/// @param e      equality matrix E, m x n
/// @param b      right-hand side, size m
/// @param lower  lower bounds, size n (may be -infinity)
/// @param upper  upper bounds, size n (may be +infinity), lower <= upper
/// @param x0     feasible start, size n
/// @throws InvalidArgument for inconsistent sizes, non-positive h or an infeasible start
EffortQpResult solve_effort_qp(const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                               const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                               const Eigen::VectorXd& upper, const Eigen::VectorXd& x0,
                               const EffortQpOptions& options = {});

/// What solve_effort_qp_dual may keep between calls with the same h and E (e.g. the passes of an
/// iteration that changes only b and the bounds): the last reduced system's free variables and
/// its Cholesky factor, reused when a Newton step has the same free variables. Call reset()
/// whenever h or E change.
struct EffortQpDualCache {
  std::vector<signed char> free;  ///< per variable: 1 if free in the factor
  Eigen::LLT<Eigen::MatrixXd> factor;
  bool valid = false;
  void reset() { valid = false; }
};

/// Solves the QP above on its dual (see the header comment) from the multipliers lambda0 (size m;
/// empty: the unconstrained minimum's). Needs every reduced system positive definite, which
/// variables with infinite bounds whose columns span the m rows (the reserves) guarantee; without
/// them, or if options.max_iterations (0: 50 + m) Newton steps do not end, it returns
/// converged = false (x = clip(H^-1 E' lambda) of the last multipliers, not feasible).
/// `iterations` counts Newton steps.
/// @throws InvalidArgument for inconsistent sizes or non-positive h
EffortQpResult solve_effort_qp_dual(const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                                    const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                                    const Eigen::VectorXd& upper, const Eigen::VectorXd& lambda0,
                                    const EffortQpOptions& options = {},
                                    EffortQpDualCache* cache = nullptr);

}  // namespace msk
