// msk/laws/spine/disc_fluid.hpp — fluid flow in and out of the intervertebral disc (law
// "disc_fluid_osmotic", role "fluid", segment domain).
//
// Single-compartment osmotic balance (Broberg 1993 form; docs/theory/spine.md §2.4): fluid leaves
// while the disc's pressure p (the level's intradiscal pressure, spine/disc.hpp: Nachemson's
// k_N F_d / A under load, the swelling pressure unloaded) exceeds the osmotic pressure
// pi = pi_0 H^-n and returns below it, recovery_factor times slower, up to full hydration (fading
// over the last 5 % below H = 1):
//   dH/dt = -(p - pi) / (R pi_0)                       if p > pi,
//   dH/dt = -(p - pi) / (R pi_0 f_r) min(1, (1 - H)/0.05)  otherwise.
// The parameters are calibration targets (Urban & McMullin 1988; O'Connell et al. 2011).
// State: hydration H [1]. Channel: hydration. Ports: publishes data.segment_hydration, reads the
// level's pressure (data.segment[k].pressure).
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct DiscFluidParams {
  double osmotic_pressure = 1.5e5;      ///< pi_0, osmotic pressure at hydration 1 [Pa]
  double osmotic_exponent = 2.22;       ///< n [1]
  double fluid_time_constant = 7200.0;  ///< R: time to lose all fluid at a net pressure pi_0 [s]
  double recovery_factor = 3.5;         ///< f_r, inflow slower than outflow by this factor [1]
};

/// Rate of hydration [1/s] of a disc at intradiscal pressure [Pa] and hydration [1].
double disc_hydration_rate(const DiscFluidParams& p, double pressure, double hydration);

class DiscFluidOsmotic : public LawWith<DiscFluidOsmotic, DiscFluidParams> {
 public:
  static const std::vector<ParamField<DiscFluidParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
