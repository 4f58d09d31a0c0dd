// msk/laws/neural/stretch_reflex.hpp — the tonic stretch reflex of Feldman's lambda model (law
// "tonic_stretch_reflex", role "reflex").
//
// A muscle is recruited when its fibre length exceeds a velocity-dependent threshold
// (Feldman 1986; St-Onge et al. 1997; NEURO_PARAMETERS.md §1); the static (length) part saturates
// at s (1 by default; the spine models set 0.1: chronic resting back-muscle tone stays within a
// few % to about 10 % of maximum; docs/theory/neural.md):
//   rho = [S(g (l~ - lambda*)) + g mu v~]+,   S(e) = s tanh(e / s) for e > 0, e otherwise,
//   lambda* = lambda + delta_lambda,
//   dr/dt = (G rho - r) / tau_r,       reflex excitation = [r - I]+,
// with l~ the fibre length over L_opt, v~ the fibre velocity in L_opt/s, G the product of the
// modulators' gains (data.reflex_gain: post-activation depression), delta_lambda the modulators'
// threshold shifts (data.reflex_threshold_shift) and I the reciprocal inhibition
// (data.reflex_inhibition). The first-order lag tau_r stands for the loop delay. lambda is set by
// the central command for the posture the person adopts: lambda = l~_ref + threshold_offset, with
// l~_ref the fibre length in that posture (data.reflex_reference_length: an episode's starting
// posture, an equilibrium's task posture; sim/rhs.hpp set_tone_reference), unless an absolute
// `threshold` is given.
// Presets (docs/theory/neural.md): hypertonic (lambda 0.02 L_opt below the reference, g = 3,
// mu = 0.10 s), normal (0.5 L_opt beyond it: no reflex at rest), hypotonic (0.8, g = 1).
// States: reflex_excitation r [1]; tone_reference_length l~_ref [L_opt], set at the start of an
// episode and published to data.reflex_reference_length, so that a chained episode keeps the
// reference of the one it continues. Channel: reflex_excitation (after inhibition).
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct StretchReflexParams {
  double threshold_offset = 0.5;  ///< lambda - l~_ref [L_opt]
  /// Absolute threshold lambda [L_opt]; NaN (the default) sets it from the reference instead.
  double threshold = std::numeric_limits<double>::quiet_NaN();
  double gain = 2.0;                   ///< g [1 per L_opt]
  double velocity_sensitivity = 0.06;  ///< mu [s]
  double time_constant = 0.03;         ///< tau_r, lag standing for the loop delay [s]
  double saturation = 1.0;             ///< s, ceiling of the static (length) drive [1]
};

/// Static drive S(g (l~ - lambda)) [1] of the stretch reflex at normalised fibre length l~ for
/// threshold lambda [L_opt]: g (l~ - lambda) below the threshold (negative), s tanh(g (l~ -
/// lambda) / s) above it.
double static_reflex_drive(const StretchReflexParams& p, double norm_fibre_length, double lambda);

class TonicStretchReflex : public LawWith<TonicStretchReflex, StretchReflexParams> {
 public:
  static const std::vector<ParamField<StretchReflexParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
  double rest_excitation(const Model& model, const Data& data, int k,
                         double norm_fibre_length) const override;
  /// The threshold lambda of entity k [L_opt] for the reference length in data.
  double threshold(const Data& data, int k) const;
};

}  // namespace msk::laws
