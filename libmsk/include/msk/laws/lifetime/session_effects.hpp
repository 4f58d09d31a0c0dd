// msk/laws/lifetime/session_effects.hpp — what stretching and PIR sessions leave in the slow
// states (lifetime law "session_effects", one per treated muscle; docs/theory/lifetime.md §6).
//
// A session's outcome (sim/session_outcome.hpp, per muscle) feeds the slow states:
//   - stretch tolerance T [1] rises by the outcome's tolerance_change and decays with the
//     outcome's time constant (tolerance_lasts_s / ln 10): dT/dt = -T / tau_T;
//   - the muscle-tendon unit's resting length is longer by the outcome's resting_length_change,
//     decaying with passive_lasts_s / ln 10; while it lasts, the muscle's fibres sit that much
//     longer in every bout, which the sarcomere law sees (the only route to a lasting length
//     change: time spent longer);
//   - the session itself holds the muscle at a stretched fibre length l_s = r_s l_ref for the
//     session's duration.
// Hypothesis H20 (switch `tone_setpoint`, off by default): each PIR session raises the muscle's
// tone threshold set-point (threshold_offset of the stretch reflex) by delta_lambda, which returns
// with tau_lambda: d(dlambda)/dt = -dlambda / tau_lambda.
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct SessionEffectsParams {
  double stretch_fibre_ratio = 1.15;                    ///< r_s [1]
  double tone_setpoint = 0.0;                           ///< H20 switch: 1 on, 0 off [1]
  double tone_setpoint_step = 0.01;                     ///< delta_lambda [L_opt]
  double tone_setpoint_time_constant = 14.0 * 86400.0;  ///< tau_lambda [s]
};

const std::vector<ParamField<SessionEffectsParams>>& session_effects_fields();
const LawInfo& session_effects_info();
/// @throws InvalidArgument naming the field outside its range
void validate(const SessionEffectsParams& p);

/// Decay factor exp(-dt / tau) of a carried-over change over dt [s]; 0 for tau <= 0.
double carry_over(double dt, double time_constant);
/// The time constant [s] of a change that falls to 10 % in `lasts` seconds: lasts / ln 10.
double time_constant_from_lasts(double lasts);

}  // namespace msk::laws
