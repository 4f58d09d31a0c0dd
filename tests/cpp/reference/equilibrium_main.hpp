// tests/cpp/reference/equilibrium_main.hpp — main's posture equilibrium (commit bb55f85), kept
// for comparison with the library's (see equilibrium_main.cpp).
#pragma once

#include "msk/sim/effort_qp.hpp"
#include "msk/sim/equilibrium.hpp"

namespace msk::reference {

/// main's solve_effort_qp (a full Schur rebuild at every active-set change).
EffortQpResult solve_effort_qp(const Eigen::VectorXd& h, const Eigen::MatrixXd& e,
                               const Eigen::VectorXd& b, const Eigen::VectorXd& lower,
                               const Eigen::VectorXd& upper, const Eigen::VectorXd& x0,
                               const EffortQpOptions& options = {});

/// main's solve_equilibrium, same contract as msk::solve_equilibrium.
EquilibriumResult solve_equilibrium(const Model& model, const Posture& posture,
                                    const EquilibriumOptions& options = {});

}  // namespace msk::reference
