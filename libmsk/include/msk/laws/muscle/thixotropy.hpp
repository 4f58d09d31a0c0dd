// msk/laws/muscle/thixotropy.hpp — thixotropy of relaxed muscle (law "thixotropy", role
// "thixotropy"; a hypothesis law, off by default: hypotheses register H6).
//
// A fraction s of stable cross-bridge-like bonds forms at rest and breaks with movement
// (after Lakie & Robson 1988, Q J Exp Physiol 73:127; Proske & Morgan 1999):
//   ds/dt = (1 - s) / tau_form - k_break s |v~|,   v~ = v / L_opt,
// stiffening the elastic passive force by k_thix s (data.parallel_force += k_thix s F_PE(l)).
// A rested muscle starts with its bonds formed (s = 1). State: thixotropic_bonds s [1].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct ThixotropyParams {
  double stiffening = 0.3;                 ///< k_thix, passive-force gain at s = 1 [1]
  double formation_time_constant = 600.0;  ///< tau_form [s]
  double breaking_rate = 20.0;             ///< k_break [1/L_opt]
};

class Thixotropy : public LawWith<Thixotropy, ThixotropyParams> {
 public:
  static const std::vector<ParamField<ThixotropyParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
