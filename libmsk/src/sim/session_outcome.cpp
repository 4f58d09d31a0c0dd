#include "msk/sim/session_outcome.hpp"

#include <algorithm>
#include <cmath>

#include "msk/laws/muscle/passive_creep.hpp"
#include "msk/laws/muscle/tendon_creep.hpp"
#include "msk/laws/neural/post_activation_depression.hpp"
#include "msk/laws/neural/stretch_depression.hpp"
#include "msk/laws/neural/stretch_tolerance.hpp"

namespace msk {

namespace {

/// The law of `role` on muscle i as type L, and its entity index k; nullptr when absent or of
/// another type (a user's law in that role).
template <class L>
const L* muscle_law(const Model& m, int i, const char* role, int& k) {
  const int l = m.find_law(LawDomain::Muscle, i, role, &k);
  return l < 0 ? nullptr : dynamic_cast<const L*>(&m.law(l));
}

/// Time for D (1 + t/tau) exp(-t/tau) to fall to a tenth: t = 3.8897 tau.
constexpr double kTwoStageTenth = 3.88972;

}  // namespace

SessionOutcome compute_session_outcome(const Model& m, const State& before, const State& after) {
  check_state(m, before);
  check_state(m, after);
  const double ln10 = std::log(10.0);
  SessionOutcome out;
  out.time_before = before.time;
  out.time_after = after.time;
  for (int i = 0; i < m.n_muscles(); ++i) {
    MuscleOutcome o;
    o.muscle = m.muscle_names()[static_cast<std::size_t>(i)];
    int k = 0;
    auto change = [&](const Law& law, int j) {
      const int s = law.state_index(k, j);
      return after.x[s] - before.x[s];
    };
    if (const auto* law = muscle_law<laws::StretchTolerance>(m, i, "tolerance", k)) {
      o.tolerance_change = change(*law, 0);
      o.tolerance_lasts_s = law->params(k).decay_time_constant * ln10;
    }
    // Reflex gain: the product of the depressions' factors, after over before.
    double gain_before = 1.0, gain_after = 1.0, lasts = 0.0;
    if (const auto* law = muscle_law<laws::PostActivationDepression>(m, i, "depression", k)) {
      const auto& p = law->params(k);
      gain_before *= 1.0 - p.depth * std::clamp(before.x[law->state_index(k, 1)], 0.0, 1.0);
      gain_after *= 1.0 - p.depth * std::clamp(after.x[law->state_index(k, 1)], 0.0, 1.0);
      lasts = std::max(lasts, kTwoStageTenth * p.recovery_time_constant);
    }
    if (const auto* law =
            muscle_law<laws::StretchReflexDepression>(m, i, "stretch_depression", k)) {
      gain_before *= 1.0 - std::clamp(before.x[law->state_index(k, 0)], 0.0, 1.0);
      gain_after *= 1.0 - std::clamp(after.x[law->state_index(k, 0)], 0.0, 1.0);
      lasts = std::max(lasts, law->params(k).offset_time_constant * ln10);
    }
    o.reflex_gain_change = gain_after - gain_before;
    o.reflex_lasts_s = o.reflex_gain_change != 0.0 ? lasts : 0.0;
    if (const auto* law = muscle_law<laws::PassiveCreep>(m, i, "passive_creep", k)) {
      o.passive_slack_shift = change(*law, 0);
      o.passive_lasts_s = law->params(k).recovery_time_constant * ln10;
    }
    if (const auto* law = muscle_law<laws::TendonCreep>(m, i, "tendon_creep", k)) {
      o.tendon_elongation = change(*law, 0);
      o.tendon_lasts_s = law->params(k).recovery_time_constant * ln10;
    }
    o.resting_length_change =
        o.passive_slack_shift *
            m.muscle_params()[static_cast<std::size_t>(i)].optimal_fibre_length +
        o.tendon_elongation;
    out.muscles.push_back(o);
  }
  return out;
}

}  // namespace msk
