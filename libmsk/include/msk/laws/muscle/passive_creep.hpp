// msk/laws/muscle/passive_creep.hpp — creep of the passive muscle under stretch and its recovery
// over minutes (law "passive_creep", role "passive_creep"; hypotheses register H5).
//
// The quasi-linear branches (viscoelasticity.hpp) relax a held stretch and give the force back as
// fast as they took it, whereas muscle-tendon stiffness lowered by a few minutes of stretching
// recovers within 10-20 min (Ryan et al. 2008, J Orthop Sports Phys Ther 38:632; Mizuno et al.
// 2013, Scand J Med Sci Sports 23:23) and the slack angles of the stretched muscles shift (Hirata
// et al. 2016, Eur J Appl Physiol, doi 10.1007/s00421-016-3349-3). msk adds a slack shift Delta of
// the passive elastic curve, in optimal fibre lengths: the passive element's resting length. It
// creeps towards a target proportional to the elastic passive stress beyond that of the habitual
// length l~_ref (the reference length of the tone threshold, data.reflex_reference_length) and
// recovers more slowly:
//   Delta_inf = c_p [f_PE(l~ - Delta) - f_PE(l~_ref)]+,
//   dDelta/dt = (Delta_inf - Delta) / tau,   tau = tau_c while creeping, tau_r while recovering,
//   parallel force += F0 [f_PE(l~ - Delta) - f_PE(l~)]        (data.parallel_force, <= 0),
// so that the passive force and stiffness at a given length fall by the factor
// f_PE(l~ - Delta) / f_PE(l~) (about exp(-k_PE Delta / e_0) on the De Groote curve). A muscle at
// rest at or below its habitual length keeps Delta = 0; one that starts stretched starts at the
// fixed point of its length.
// State: passive_slack_shift Delta [L_opt]. Channel: passive_slack_shift [L_opt].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct PassiveCreepParams {
  double creep_gain = 0.15;               ///< c_p, target shift per unit of f_PE [L_opt]
  double creep_time_constant = 60.0;      ///< tau_c, time constant of creep under stretch [s]
  double recovery_time_constant = 300.0;  ///< tau_r, time constant of recovery [s]
};

/// Rate of the slack shift [L_opt/s] for a passive stress beyond the habitual,
/// f_PE(l~ - Delta) - f_PE(l~_ref) [1] (negative counts as 0).
double passive_creep_rate(const PassiveCreepParams& p, double passive_stress, double shift);

class PassiveCreep : public LawWith<PassiveCreep, PassiveCreepParams> {
 public:
  static const std::vector<ParamField<PassiveCreepParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
