#include "msk/laws/lifetime/disc_fluid_two_phase.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <cmath>

#include "msk/error.hpp"

namespace msk::laws {

const std::vector<ParamField<DiscFluidTwoPhaseParams>>& disc_fluid_two_phase_fields() {
  using P = DiscFluidTwoPhaseParams;
  static const std::vector<ParamField<P>> f = {
      {"osmotic_pressure", &P::osmotic_pressure, "Pa", 1e3, 1e7,
       "Urban & McMullin 1988 (swelling pressure 0.10-0.23 MPa); Schroeder et al. 2006 (0.2 MPa)",
       "pi_0, osmotic pressure of the nucleus at the rested fluid content"},
      {"osmotic_exponent", &P::osmotic_exponent, "1", 0.1, 20.0,
       "calibration: Urban & McMullin 1988 (40-60 % of nucleus fluid lost at 0.6-0.8 MPa)",
       "n, steepness of the osmotic pressure with fluid loss"},
      {"prestress_exponent", &P::prestress_exponent, "1", 0.0, 100.0,
       "assumption: annulus fibres stiffen with swelling (Schroeder et al. 2006 pre-stress)",
       "beta, growth of the annulus pre-stress with fluid content"},
      {"permeability_exponent", &P::permeability_exponent, "1", 0.0, 30.0,
       "Lai & Mow 1980 form k = k_0 exp(M e); Argoubi & Shirazi-Adl 1996 (value: calibration)",
       "M, fall of the permeability with fluid loss"},
      {"fluid_time_constant", &P::fluid_time_constant, "s", 10.0, 1e9,
       "calibration: Tyrrell et al. 1985 daily stature loss 19.3 mm (office_worker scenario)",
       "tau_f, time to lose all fluid at a net pressure pi_0 and full permeability"},
      {"creep_compliance", &P::creep_compliance, "m/N", 0.0, 1e-5,
       "assumption: fast creep of 0.1-0.2 mm per kN per disc (order of the in-vitro fast phase)",
       "c_v, viscoelastic height loss per newton of disc force"},
      {"creep_time_constant", &P::creep_time_constant, "s", 1.0, 1e5,
       "assumption: fast (viscoelastic) creep phase of minutes (van der Veen et al. 2013 "
       "double-Voigt fits; Adams & Hutton 1983)",
       "tau_v, time constant of the viscoelastic compartment"},
      {"min_hydration", &P::min_hydration, "1", 0.01, 0.9, "numerical guard",
       "fluid content below which the rates are evaluated at this value"},
  };
  return f;
}

const LawInfo& disc_fluid_two_phase_info() {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "disc_fluid_two_phase";
    x.role = "disc_fluid";
    x.domain = LawDomain::Segment;
    x.stage = LawStage::Segment;
    x.time_scale = TimeScale::Lifetime;
    x.summary = "disc height over days: fast viscoelastic creep and slow osmotic fluid flow";
    x.equation =
        "dH/dt = exp(M (H-1)) (pi_0 H^-n - pi_0 exp(beta (H-1)) - p_L) / (pi_0 tau_f); "
        "du/dt = (c_v F_d - u)/tau_v";
    x.citation =
        "Urban & McMullin 1988; Lai & Mow 1980; Argoubi & Shirazi-Adl 1996; Schroeder et al. "
        "2006; Tyrrell et al. 1985";
    x.params = param_infos<DiscFluidTwoPhaseParams>(disc_fluid_two_phase_fields());
    x.states = {{"hydration", "1", "disc fluid content (1 = rested, unloaded)"},
                {"creep", "m", "viscoelastic height loss"}};
    x.channels = x.states;
    return x;
  }();
  return i;
}

void validate(const DiscFluidTwoPhaseParams& p) {
  check_fields("disc_fluid_two_phase", disc_fluid_two_phase_fields(), p);
}

double disc_osmotic_pressure(const DiscFluidTwoPhaseParams& p, double hydration) {
  return p.osmotic_pressure * std::pow(std::max(hydration, p.min_hydration), -p.osmotic_exponent);
}

double disc_annulus_prestress(const DiscFluidTwoPhaseParams& p, double hydration) {
  return p.osmotic_pressure * std::exp(p.prestress_exponent * (hydration - 1.0));
}

double disc_permeability_factor(const DiscFluidTwoPhaseParams& p, double hydration) {
  return std::exp(p.permeability_exponent * (std::max(hydration, p.min_hydration) - 1.0));
}

double disc_fluid_rate(const DiscFluidTwoPhaseParams& p, double load_pressure, double hydration) {
  // Net inward pressure: osmotic minus annulus pre-stress minus the load's share.
  const double net = disc_osmotic_pressure(p, hydration) - disc_annulus_prestress(p, hydration) -
                     std::max(load_pressure, 0.0);
  return disc_permeability_factor(p, hydration) * net /
         (p.osmotic_pressure * p.fluid_time_constant);
}

double disc_equilibrium_hydration(const DiscFluidTwoPhaseParams& p, double load_pressure) {
  // The net pressure falls strictly with H: bisection on [min_hydration, 2].
  double lo = p.min_hydration, hi = 2.0;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (disc_fluid_rate(p, load_pressure, mid) > 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double disc_hydration_after(const DiscFluidTwoPhaseParams& p, double hydration,
                            double load_pressure, double duration) {
  namespace odeint = boost::numeric::odeint;
  if (!(duration >= 0.0))
    throw InvalidArgument("duration: expected >= 0 s, got " + std::to_string(duration));
  double h = hydration;
  if (duration == 0.0) return h;
  odeint::integrate_adaptive(
      odeint::make_controlled(1e-10, 1e-10, odeint::runge_kutta_dopri5<double>()),
      [&](double x, double& dx, double) { dx = disc_fluid_rate(p, load_pressure, x); }, h, 0.0,
      duration, std::min(duration, 60.0));
  return h;
}

double disc_creep_rate(const DiscFluidTwoPhaseParams& p, double disc_force, double creep) {
  return (p.creep_compliance * std::max(disc_force, 0.0) - creep) / p.creep_time_constant;
}

}  // namespace msk::laws
