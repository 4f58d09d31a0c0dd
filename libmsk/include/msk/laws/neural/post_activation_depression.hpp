// msk/laws/neural/post_activation_depression.hpp — depression of the stretch reflex after a
// voluntary contraction, graded by the contraction's intensity and length (law
// "post_activation_depression", role "depression"; hypotheses register H3).
//
// After a contraction the H-reflex is depressed for seconds: -67 % at 0.05 s, -83 % from 0.1 to
// 1 s, -30 % at 5 s and -10 % at 10 s after isometric contractions at 65-75 % MVC (Moore &
// Kukulka 1991, Phys Ther 71:321). msk treats it as the use of a transmitter resource (the
// homosynaptic form of NEURO_PARAMETERS.md §3): a first stage c_1 is charged in proportion to the
// voluntary excitation u, so that a stronger or a longer contraction depresses more, and a second
// stage c_2 follows it; both recover with tau_PAD:
//   dc_1/dt = u (1 - c_1) / tau_u - c_1 / tau_PAD,
//   dc_2/dt = (c_1 - c_2) / tau_PAD,
//   reflex gain factor P = 1 - D c_2                       (data.reflex_gain).
// There is no threshold: the charge grows smoothly with u and with time, and saturates only as
// c_1 approaches 1. After a contraction c_2 first rises (it lags c_1) and then both decay; after a
// long contraction (c_1 = c_2) the depression decays as D c (1 + t/tau_PAD) exp(-t/tau_PAD).
// States: pad_stage1, pad_stage2 [1]. Channel: pad_factor P [1].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct DepressionParams {
  double depth = 1.0;                    ///< D, depth of the depression [1]
  double recovery_time_constant = 2.35;  ///< tau_PAD, of each stage [s]
  double charge_time_constant = 0.2;     ///< tau_u, charge time at full excitation [s]
};

/// Rates of the two stages [1/s] for a voluntary excitation u [1] (clamped to [0, 1]).
/// @param rate  out: {dc_1/dt, dc_2/dt}
void depression_rates(const DepressionParams& p, double voluntary, double c1, double c2,
                      double rate[2]);

class PostActivationDepression : public LawWith<PostActivationDepression, DepressionParams> {
 public:
  static const std::vector<ParamField<DepressionParams>>& fields();
  const LawInfo& info() const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
