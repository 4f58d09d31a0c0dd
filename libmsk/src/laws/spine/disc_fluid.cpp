#include "msk/laws/spine/disc_fluid.hpp"

#include <algorithm>
#include <cmath>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

double disc_hydration_rate(const DiscFluidParams& p, double pressure, double hydration) {
  // Outflow while the disc's pressure exceeds the osmotic pressure pi = pi_0 H^-n.
  const double h = std::max(hydration, 1e-3);
  const double osmotic = p.osmotic_pressure * std::pow(h, -p.osmotic_exponent);
  const double net = pressure - osmotic;
  const double rate = -net / (p.fluid_time_constant * p.osmotic_pressure);
  if (net > 0.0) return rate;
  // Inflow fills the disc up to its full content and no further (the annulus and endplates hold
  // it): it fades over the last 5 % below hydration 1.
  return rate / p.recovery_factor * std::clamp((1.0 - hydration) / 0.05, 0.0, 1.0);
}

const std::vector<ParamField<DiscFluidParams>>& DiscFluidOsmotic::fields() {
  static const std::vector<ParamField<DiscFluidParams>> f = {
      {"osmotic_pressure", &DiscFluidParams::osmotic_pressure, "Pa", 1.0, 1e7,
       "calibration: Urban & McMullin 1988 (swelling pressure 0.10-0.23 MPa)",
       "pi_0, osmotic pressure at full hydration"},
      {"osmotic_exponent", &DiscFluidParams::osmotic_exponent, "1", 0.0, 20.0,
       "calibration: Urban & McMullin 1988 (40-60 % of fluid lost at 0.6-0.8 MPa)",
       "n, steepness of the osmotic pressure with fluid loss"},
      {"fluid_time_constant", &DiscFluidParams::fluid_time_constant, "s", 1.0, 1e9,
       "calibration: creep time constants of hours (PUBLISHED.md)",
       "R, time to lose all fluid at a net pressure pi_0"},
      {"recovery_factor", &DiscFluidParams::recovery_factor, "1", 1.0, 100.0,
       "O'Connell et al. 2011 (recovery 3-4 times slower than loading)",
       "f_r, inflow slower than outflow by this factor"},
  };
  return f;
}

const LawInfo& DiscFluidOsmotic::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "disc_fluid_osmotic";
    x.role = "fluid";
    x.domain = LawDomain::Segment;
    x.stage = LawStage::Segment;
    x.summary = "disc fluid loss under load and recovery below the osmotic pressure";
    x.equation =
        "dH/dt = -(p - pi_0 H^-n)/(R pi_0), p the intradiscal pressure; inflow / f_r up to "
        "H = 1";
    x.citation = "Broberg 1993 (form); Urban & McMullin 1988; O'Connell et al. 2011";
    x.params = param_infos<DiscFluidParams>(fields());
    x.states = {{"hydration", "1", "disc fluid content (1 = fully hydrated)"}};
    x.channels = {{"hydration", "1", "disc fluid content (1 = fully hydrated)"}};
    return x;
  }();
  return i;
}

void DiscFluidOsmotic::initial_state(const LawContext& c, double* x) const {
  for (int k = 0; k < n_entities(); ++k)
    x[state_index(k, 0)] = c.data.segment_hydration[entity(k)];
}

void DiscFluidOsmotic::publish(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k)
    c.data.segment_hydration[entity(k)] = c.x[state_index(k, 0)];
}

void DiscFluidOsmotic::evaluate(LawContext& c) const {
  for (int k = 0; k < n_entities(); ++k) {
    const int s = entity(k);
    c.xdot[state_index(k, 0)] = disc_hydration_rate(
        params_[static_cast<std::size_t>(k)], c.data.segment[static_cast<std::size_t>(s)].pressure,
        c.x[state_index(k, 0)]);
  }
}

void DiscFluidOsmotic::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = c.x[state_index(k, 0)];
}

}  // namespace msk::laws
