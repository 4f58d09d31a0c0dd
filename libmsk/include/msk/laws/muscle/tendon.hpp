// msk/laws/muscle/tendon.hpp — the tendon of a muscle-tendon unit (role "tendon"): laws
// "rigid_tendon" (no state) and "compliant_tendon" (state: fibre length).
//
// Both evaluate the Hill-type unit of muscle/muscle_tendon.hpp at the muscle's activation
// (data.activation) with the passive tissue force beside the fibre (data.parallel_force, from the
// tissue laws), which is tension-only: the total passive force (elastic + tissue) never goes
// below zero. Rigid: the fibre length follows the path, l = sqrt((l_MT - L_s)^2 + h^2) with
// h = L_opt sin(alpha_0). Compliant: the fibre length is a state whose rate balances fibre and
// tendon force in the damped equilibrium of Millard et al. 2013 (J Biomech Eng 135:021005).
// Ports: read data.series_elongation (tendon creep: taken off the path, i.e. a longer tendon slack
// length); publish data.fibre_length; evaluate fills data.mtu, passive_force and muscle_force.
// The unit's parameters (F0, L_opt, L_s, pennation, v_max, damping, curves) are the model's
// muscle parameters (Model::muscle_params), not the law's.
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

/// A law without parameters of its own.
struct NoParams {};

class RigidTendon : public LawWith<RigidTendon, NoParams> {
 public:
  static const std::vector<ParamField<NoParams>>& fields();
  const LawInfo& info() const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
};

class CompliantTendon : public LawWith<CompliantTendon, NoParams> {
 public:
  static const std::vector<ParamField<NoParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
};

}  // namespace msk::laws
