// msk/laws/lifetime/disc_fluid_two_phase.hpp — the disc's height over days: a fast viscoelastic
// compartment and a slow fluid compartment (lifetime law "disc_fluid_two_phase", one per level;
// docs/theory/lifetime.md §3).
//
// Fluid (hours). The fluid content H [1] (1 = the unloaded, rested content) moves with the net
// pressure across the endplates and annulus:
//   dH/dt = (k(H)/k_0) (pi(H) - p_a(H) - p_L) / (pi_0 tau_f),
// with the osmotic (swelling) pressure of the nucleus pi(H) = pi_0 H^-n (Urban & McMullin 1988),
// the annulus pre-stress p_a(H) = pi_0 exp(beta (H - 1)) that holds the unloaded disc at H = 1
// (pi(1) = p_a(1): the unloaded hydration is an osmotic balance, not a clamp; Schroeder et al.
// 2006), the load's share of the nucleus pressure p_L = k_N F_d / A (spine/disc.hpp), and a
// permeability that falls as fluid is lost, k(H)/k_0 = exp(M (H - 1)) (the strain-dependent
// permeability of Lai & Mow 1980 in the form of Argoubi & Shirazi-Adl 1996). A loaded disc loses
// fluid quickly at first and ever more slowly; overnight it regains it more slowly than it lost
// it, since the low permeability of the drained disc and the small net pressure both slow inflow.
//
// Viscoelastic (minutes). The solid matrix creeps under the disc force F_d towards a height loss
// c_v F_d with time constant tau_v: du/dt = (c_v F_d - u) / tau_v.
//
// Height change from the rested state: dh = fluid_height (1 - H) + u (fluid_height from the
// level's disc parameters).
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct DiscFluidTwoPhaseParams {
  double osmotic_pressure = 1.5e5;     ///< pi_0 [Pa]
  double osmotic_exponent = 2.22;      ///< n [1]
  double prestress_exponent = 6.0;     ///< beta [1]
  double permeability_exponent = 4.0;  ///< M [1]
  double fluid_time_constant = 2.5e4;  ///< tau_f [s]
  double creep_compliance = 1.5e-7;    ///< c_v [m/N]
  double creep_time_constant = 600.0;  ///< tau_v [s]
  double min_hydration = 0.2;          ///< H below which the permeability law is not used [1]
};

/// The fields (unit, range, source) of DiscFluidTwoPhaseParams.
const std::vector<ParamField<DiscFluidTwoPhaseParams>>& disc_fluid_two_phase_fields();
/// Name, equations, citation, parameters, states of the law.
const LawInfo& disc_fluid_two_phase_info();
/// @throws InvalidArgument naming the field outside its range
void validate(const DiscFluidTwoPhaseParams& p);

/// pi(H) = pi_0 H^-n [Pa].
double disc_osmotic_pressure(const DiscFluidTwoPhaseParams& p, double hydration);
/// p_a(H) = pi_0 exp(beta (H - 1)) [Pa].
double disc_annulus_prestress(const DiscFluidTwoPhaseParams& p, double hydration);
/// k(H)/k_0 = exp(M (H - 1)) [1].
double disc_permeability_factor(const DiscFluidTwoPhaseParams& p, double hydration);
/// dH/dt [1/s] at the load's nucleus pressure p_L [Pa] (>= 0) and hydration H [1] (> 0).
double disc_fluid_rate(const DiscFluidTwoPhaseParams& p, double load_pressure, double hydration);
/// The hydration at which dH/dt = 0 under a constant p_L [Pa] (bisection) [1].
double disc_equilibrium_hydration(const DiscFluidTwoPhaseParams& p, double load_pressure);
/// H after `duration` [s] under a constant p_L [Pa] from H_0 [1] (Dormand-Prince 5(4), relative
/// and absolute tolerance 1e-10).
double disc_hydration_after(const DiscFluidTwoPhaseParams& p, double hydration,
                            double load_pressure, double duration);
/// du/dt [m/s] of the viscoelastic height loss u [m] under the disc force F_d [N].
double disc_creep_rate(const DiscFluidTwoPhaseParams& p, double disc_force, double creep);

}  // namespace msk::laws
