#include "msk/laws/lifetime/session_effects.hpp"

#include <cmath>

#include "msk/error.hpp"

namespace msk::laws {

const std::vector<ParamField<SessionEffectsParams>>& session_effects_fields() {
  using P = SessionEffectsParams;
  static const std::vector<ParamField<P>> f = {
      {"stretch_fibre_ratio", &P::stretch_fibre_ratio, "1", 1.0, 2.0,
       "assumption: end-range fibre length about 15 % beyond relaxed standing (Herbert et al. "
       "2002: fascicles take about half of the muscle-tendon stretch)",
       "r_s, fibre length during a stretch over the reference fibre length"},
      {"tone_setpoint", &P::tone_setpoint, "1", 0.0, 1.0,
       "hypothesis H20 (docs/theory/hypotheses.md); off by default",
       "switch: 1 lets each PIR session raise the tone threshold set-point"},
      {"tone_setpoint_step", &P::tone_setpoint_step, "L_opt", 0.0, 0.5,
       "hypothesis H20: assumption (no published per-session value)",
       "delta_lambda, rise of the threshold offset per PIR session"},
      {"tone_setpoint_time_constant", &P::tone_setpoint_time_constant, "s", 60.0, 1e9,
       "hypothesis H20: assumption (weeks, DESIGN.md tone set-point time scale)",
       "tau_lambda, return of the set-point"},
  };
  return f;
}

const LawInfo& session_effects_info() {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "session_effects";
    x.role = "sessions";
    x.domain = LawDomain::Muscle;
    x.stage = LawStage::Modulation;
    x.time_scale = TimeScale::Lifetime;
    x.summary = "carry-over of stretch tolerance, resting length and (H20) tone after sessions";
    x.equation =
        "T += dT_session, dT/dt = -T ln10/t_T; dL_rest += dL_session, decays with t_P; "
        "H20: dlambda += delta_lambda per PIR session, d(dlambda)/dt = -dlambda/tau_lambda";
    x.citation = "session outcome record (sim/session_outcome.hpp); Magnusson et al. 1996";
    x.hypothesis = "H20 (tone set-point per PIR session)";
    x.params = param_infos<SessionEffectsParams>(session_effects_fields());
    x.states = {{"tolerance", "1", "carried-over stretch tolerance"},
                {"resting_length_change", "m", "carried-over resting length change"},
                {"tone_shift", "L_opt", "threshold offset shift (H20)"}};
    x.channels = x.states;
    return x;
  }();
  return i;
}

void validate(const SessionEffectsParams& p) {
  check_fields("session_effects", session_effects_fields(), p);
}

double carry_over(double dt, double time_constant) {
  return time_constant > 0.0 ? std::exp(-dt / time_constant) : 0.0;
}

double time_constant_from_lasts(double lasts) {
  return lasts > 0.0 ? lasts / std::log(10.0) : 0.0;
}

}  // namespace msk::laws
