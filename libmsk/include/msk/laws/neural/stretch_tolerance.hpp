// msk/laws/neural/stretch_tolerance.hpp — stretch tolerance as a state: the torque a person
// tolerates rises during a session of stretching and fades afterwards (law "stretch_tolerance",
// role "tolerance"; hypotheses register H15).
//
// Most of the range of motion gained in one session of stretching, and after 3-8 weeks of it, is a
// change of sensation: the subject accepts a larger torque before asking to stop, while the
// torque at a given angle changes little (Magnusson et al. 1996, J Physiol 497:291; Weppler &
// Magnusson 2010, Phys Ther 90:438); the peak passive moment tolerated rose 14 % after
// contract-relax of the hamstrings in the field (Kay et al. 2020, Scand J Med Sci Sports 30:74).
// msk keeps, per muscle, the fractional rise x of the tolerated torque, charged by the stretch the
// muscle feels and fading at rest:
//   s = [f_PE(l~) - f_PE(l~_ref)]+ + w_a a f_L(l~)      (stretch beyond the habitual length,
//                                                         plus the hypothesis w_a of contraction)
//   dx/dt = k_s s (x_max - x) - x / tau_tol,
//   tolerated torque = T_b (1 + x)                        (data.stretch_tolerance = 1 + x),
// with l~_ref the reference fibre length of the tone threshold (the habitual length) and T_b the
// examiner's barrier torque of the protocol, which is the tolerated torque at baseline: a
// stretch ends at the barrier the person tolerates (sim/protocol.hpp). The rate is graded in the
// stretch and has no threshold; a muscle at rest in its habitual posture keeps x = 0.
// State: stretch_tolerance x [1]. Channel: tolerance_factor (1 + x) [1].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct StretchToleranceParams {
  double rate = 0.08;                   ///< k_s [1/s per unit stimulus]
  double max_increase = 0.5;            ///< x_max, largest fractional rise [1]
  double decay_time_constant = 1800.0;  ///< tau_tol [s]
  double contraction_weight = 0.0;      ///< w_a, stimulus per unit active stress [1]
};

/// Rate of the tolerance rise x [1/s] for a stimulus s [1].
double stretch_tolerance_rate(const StretchToleranceParams& p, double stimulus, double x);

class StretchTolerance : public LawWith<StretchTolerance, StretchToleranceParams> {
 public:
  static const std::vector<ParamField<StretchToleranceParams>>& fields();
  const LawInfo& info() const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
