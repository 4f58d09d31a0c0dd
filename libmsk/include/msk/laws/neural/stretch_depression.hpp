// msk/laws/neural/stretch_depression.hpp — depression of the stretch reflex during and after a
// sustained stretch (law "stretch_reflex_depression", role "stretch_depression"; hypotheses
// register H16).
//
// The H-reflex is depressed while a muscle is held stretched and for seconds after: to about 30 %
// of its control size 2 s after a slow stretch, for 10-15 s (healthy subjects; the depression is
// smaller and shorter in spasticity after spinal cord injury; NEURO_PARAMETERS.md §3), throughout
// a static stretch (Etnyre & Abraham 1986, Electroencephalogr Clin Neurophysiol 63:174; Guissard,
// Duchateau & Hainaut 1988, Eur J Appl Physiol 58:47), recovering quickly once the stretch ends.
// msk drives a depression z from the fibre's stretch beyond the reference length the tone
// threshold is set from (data.reflex_reference_length), with a graded, saturating target and no
// threshold:
//   s = [l~ - l~_ref]+,   z_inf = D_s s / (s + s_50),
//   dz/dt = (z_inf - z) / tau,   tau = tau_on while z rises, tau_off while it falls,
//   reflex gain factor *= 1 - z                                  (data.reflex_gain).
// It acts on the reflex's gain, on seconds; the threshold's adaptation to a held length over
// minutes belongs to the stretch-reflex law's own adaptation (issue 11): if both are on, the gain
// and threshold ports compose (gain multiplies, shift adds), see docs/theory/pir.md.
// State: stretch_depression z [1]. Channel: stretch_depression_factor (1 - z) [1].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct StretchDepressionParams {
  double depth = 0.7;                 ///< D_s, largest depression [1]
  double half_stretch = 0.05;         ///< s_50, stretch for half of D_s [L_opt]
  double onset_time_constant = 1.0;   ///< tau_on [s]
  double offset_time_constant = 4.0;  ///< tau_off [s]
};

/// Rate of the depression z [1/s] for a stretch s [L_opt].
double stretch_depression_rate(const StretchDepressionParams& p, double stretch, double z);

class StretchReflexDepression : public LawWith<StretchReflexDepression, StretchDepressionParams> {
 public:
  static const std::vector<ParamField<StretchDepressionParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
  /// The settled depression at a held length: 1 - D_s s/(s + s_50).
  double rest_gain(const Model& model, const Data& data, int k, double norm_fibre_length,
                   double drive) const override;
};

}  // namespace msk::laws
