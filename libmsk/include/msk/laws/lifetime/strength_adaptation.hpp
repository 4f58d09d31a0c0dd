// msk/laws/lifetime/strength_adaptation.hpp — maximal isometric force follows use and training in
// a neural and a morphological compartment (lifetime law "strength_adaptation", one per muscle;
// docs/theory/lifetime.md §10).
//
// The muscle's maximal isometric force is F_max = s F_max,0 with s = s_n s_m: a neural
// compartment s_n (activation of the motor pool; fast, days to weeks) and a morphological one
// s_m (cross-sectional area; weeks to months). Each follows
//   ds/dt = k g(a) (s_max - s) + (T(a) - s) / tau,
// with a the muscle's activation in the bout [fraction of MVC]:
//   - training stimulus g(a) = softplus(a - a_th; w) / (1 - a_th): smooth, about 0 below the
//     training threshold a_th, 1 at a maximal contraction; it drives s toward s_max with rate k;
//   - use target T(a) = S(1 + d ((a + a_0) / u_ref - 1)): the use of the bout relative to the
//     muscle's habitual use u_ref; S a smooth bound to [T_min, T_max]. Long disuse (bed rest,
//     immobilisation: a about 0) pulls s toward 1 - d (1 - a_0 / u_ref), habitual use holds it.
// Overload: a muscle whose habitual week already reaches activation a_peak trains only above
// a_th,i = max(a_th, a_peak + m_o) (strength_training_threshold), so habitual work is not
// training. u_ref is chosen per muscle so that the use target averages 1 over the person's habitual
// week (strength_use_reference); the week's own training (lifts above the threshold) holds each
// compartment at its adapted level s* = (G s_max + 1/tau) / (G + 1/tau), G the week's mean k g
// (strength_adapted_ratio; 1 for a week without training). The model's F_max,0 is the strength
// of the adapted state: the applied ratio is s_n s_m / (s_n* s_m*). A trained person has less
// room to gain and loses the training's share when it stops.
// Within a bout (a constant) the law is linear: s(T) = s_inf + (s0 - s_inf) exp(-lambda T) with
// lambda = k g + 1/tau and s_inf = (k g s_max + T(a)/tau) / lambda.
//
// Sources: Moritani & deVries 1979 (Am J Phys Med 58:115; neural factors dominate the first
// 3–5 weeks of training, hypertrophy thereafter); Narici et al. 1989 (Eur J Appl Physiol 59:310;
// 60 days of maximal isokinetic knee extension 4 times a week: MVC +20.8 %, quadriceps CSA
// +8.5 %, iEMG +42 %; detraining over 40 days with a similar time course) — the calibration of
// k_n and k_m; Narici et al. 1996 (Acta Physiol Scand 157:175; CSA +18.8 % after 6 months) —
// a prediction; McDonnell et al., as tabulated by Marusic et al. 2021 (J Appl Physiol 131:194,
// Table 1: 10 days of bed rest, knee extensor MVC -14.5 %, quadriceps CSA -3.6 %) — the
// calibration of d; Bamman et al. in the same table (14 days of head-down bed rest, MVC -14.5 %)
// and Mulder et al. (5 days, MVC -8.6 %, CSA -2.2 %) — predictions. Marusic et al. 2021 and the
// abstracts of Moritani & deVries 1979 and Narici et al. 1989 and 1996 were read; the journal
// volumes and pages of the last three are recalled, not re-verified.
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct StrengthAdaptationParams {
  double enabled = 1.0;                                 ///< switch: 1 on, 0 off (s stays 1) [1]
  double training_threshold = 0.4;                      ///< a_th [1] (fraction of MVC)
  double threshold_width = 0.02;                        ///< w [1]
  double overload_margin = 0.1;                         ///< m_o [1]
  double neural_gain_rate = 1.2e-3;                     ///< k_n [1/s] (per second of stimulus)
  double neural_time_constant = 21.0 * 86400.0;         ///< tau_n [s]
  double neural_max = 1.3;                              ///< s_n,max [1]
  double morphological_gain_rate = 1.5e-4;              ///< k_m [1/s]
  double morphological_time_constant = 70.0 * 86400.0;  ///< tau_m [s]
  double morphological_max = 1.6;                       ///< s_m,max [1]
  double use_slope = 0.4;                               ///< d [1]
  double use_floor = 0.005;                             ///< a_0 [1]
  double min_ratio = 0.5;                               ///< T_min [1]
  double max_use_ratio = 1.2;                           ///< T_max [1]
  double bound_width = 0.02;                            ///< width of the smooth bound of T [1]
};

/// The two compartments of s = s_n s_m.
enum class StrengthCompartment { Neural, Morphological };

const std::vector<ParamField<StrengthAdaptationParams>>& strength_adaptation_fields();
const LawInfo& strength_adaptation_info();
/// @throws InvalidArgument naming the field outside its range (or min_ratio >= max_use_ratio)
void validate(const StrengthAdaptationParams& p);

/// The training threshold of a muscle whose habitual week peaks at activation a_peak [1]:
/// min(0.95, max(a_th, a_peak + m_o)).
double strength_training_threshold(const StrengthAdaptationParams& p, double habitual_peak);
/// Training stimulus g(a) [1] at activation a (clamped to [0, 1]).
double strength_stimulus(const StrengthAdaptationParams& p, double activation);
/// Use target T(a) [1] at activation a for a habitual use u_ref [1] (> 0).
double strength_use_target(const StrengthAdaptationParams& p, double activation,
                           double use_reference);
/// ds/dt [1/s] of a compartment at ratio s, activation a and habitual use u_ref (0 when off).
double strength_rate(const StrengthAdaptationParams& p, StrengthCompartment c, double ratio,
                     double activation, double use_reference);
/// The compartment's ratio after `duration` [s] at a constant activation (the exact solution;
/// the ratio itself when the law is off).
double strength_ratio_after(const StrengthAdaptationParams& p, StrengthCompartment c, double ratio,
                            double activation, double use_reference, double duration);
/// The habitual use u_ref [1] for which the use target averages 1 over a week of bouts
/// (activations [1], durations [s]): sum_j d_j (T(a_j) - 1) = 0, by bisection in log u_ref on
/// [1e-6, 1e3] (T falls from T_max to T_min along it, so the root exists). @throws
/// InvalidArgument when the sizes differ or the durations add up to no time
double strength_use_reference(const StrengthAdaptationParams& p,
                              const std::vector<double>& activations,
                              const std::vector<double>& durations);
/// The compartment's adapted ratio s* [1] under the week's bouts: the fixed point of the
/// week-averaged law, (G s_max + T_mean/tau) / (G + 1/tau), G and T_mean the duration-weighted
/// means of k g(a) and T(a). 1 when the law is off. @throws InvalidArgument as above
double strength_adapted_ratio(const StrengthAdaptationParams& p, StrengthCompartment c,
                              const std::vector<double>& activations,
                              const std::vector<double>& durations, double use_reference);

}  // namespace msk::laws
