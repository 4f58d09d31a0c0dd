// msk/laws/neural/post_activation_depression.hpp — depression of the stretch reflex after a
// voluntary contraction (law "post_activation_depression", role "depression").
//
// Two first-order stages c_1, c_2 are charged by a voluntary contraction and recover after it
// (fitted to Moore & Kukulka 1991, Phys Ther 71:321: H-reflex -83 % at 0.1-1 s, -30 % at 5 s,
// -10 % at 10 s):
//   dc_1/dt = (s - c_1)/tau_1,   dc_2/dt = (c_1 - c_2)/tau_2,
//   tau_k = tau_rise while charging, tau_recovery while recovering,
//   reflex gain factor = 1 - D c_2 (1 - s)   (into data.reflex_gain),
// with s in [0, 1] a smooth indicator of voluntary contraction (0 below half the threshold u_v,
// 1 above 1.5 u_v): the depression acts only while the muscle is relaxed. Hypothesis H3.
// States: pad_stage1, pad_stage2 [1]. Channel: pad_factor.
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct DepressionParams {
  double depth = 0.83;                  ///< D, depth of the depression [1]
  double recovery_time_constant = 2.5;  ///< tau of each recovery stage [s]
  double rise_time_constant = 0.3;      ///< tau of conditioning during a contraction [s]
  double voluntary_threshold = 0.05;    ///< u_v, voluntary excitation that counts [1]
};

class PostActivationDepression : public LawWith<PostActivationDepression, DepressionParams> {
 public:
  static const std::vector<ParamField<DepressionParams>>& fields();
  const LawInfo& info() const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
  /// The contraction indicator s in [0, 1] at voluntary excitation u [1].
  static double contraction_indicator(double voluntary, double threshold);
};

}  // namespace msk::laws
