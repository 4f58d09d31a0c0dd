// msk/laws/lifetime/sarcomere_adaptation.hpp — serial sarcomere number follows the habitual fibre
// length (lifetime law "sarcomere_adaptation", one per muscle; docs/theory/lifetime.md §4).
//
// The optimal fibre length L_opt = rho L_opt,0 (rho: the ratio of the muscle's serial sarcomere
// number to the model's) moves toward the fibre length the muscle habitually holds, so that its
// sarcomeres work near their optimum there (Tabary et al. 1972; Williams & Goldspink 1978):
//   drho/dt = w(a) (rho* - rho) / tau,   rho* = S(l / l_ref),
// with l the fibre length in the current bout, l_ref the fibre length in the model's reference
// posture (relaxed standing, where L_opt,0 was set), S a smooth bound that keeps rho* within
// [rho_min, rho_max] (Tabary's -40 % / +20 %), and w(a) = 1 + c_a a the weight of a bout's time
// by the muscle's activation a (hypothesis H21, switch `activity_weighting`; without it every
// hour counts alike, as in a plaster cast).
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct SarcomereAdaptationParams {
  double time_constant = 7.0 * 86400.0;  ///< tau [s]
  double min_ratio = 0.6;                ///< rho_min [1]
  double max_ratio = 1.2;                ///< rho_max [1]
  double bound_width = 0.02;             ///< width of the smooth bound [1]
  double activity_weighting = 1.0;       ///< H21 switch: 1 on, 0 off [1]
  double activation_weight = 1.0;        ///< c_a [1]
};

const std::vector<ParamField<SarcomereAdaptationParams>>& sarcomere_adaptation_fields();
const LawInfo& sarcomere_adaptation_info();
/// @throws InvalidArgument naming the field outside its range (or min_ratio >= max_ratio)
void validate(const SarcomereAdaptationParams& p);

/// The smooth bound S(x) of the target ratio [1]: x inside [rho_min, rho_max] (to within a few
/// bound_width), saturating smoothly outside.
double sarcomere_target(const SarcomereAdaptationParams& p, double fibre_ratio);
/// w(a) [1] for activation a in [0, 1].
double sarcomere_weight(const SarcomereAdaptationParams& p, double activation);
/// drho/dt [1/s] at ratio rho, bout fibre ratio l/l_ref and activation a.
double sarcomere_rate(const SarcomereAdaptationParams& p, double ratio, double fibre_ratio,
                      double activation);

/// rho after `duration` [s] at a constant fibre ratio and activation, from rho_0 (the exact
/// solution of the linear law: rho* + (rho_0 - rho*) exp(-w(a) duration / tau)).
double sarcomere_ratio_after(const SarcomereAdaptationParams& p, double ratio, double fibre_ratio,
                             double activation, double duration);

}  // namespace msk::laws
