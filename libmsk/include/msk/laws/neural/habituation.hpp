// msk/laws/neural/habituation.hpp — habituation of the tonic stretch reflex to a held posture
// (law "postural_habituation", role "habituation"; hypotheses register H18).
//
// Reflexive activity of the back muscles decays while a posture is held: in the cat, multifidus
// EMG elicited by a static lumbar flexion fell within the first 3 minutes, in step with the
// tissues' tension relaxation, and decayed through 20-50 minutes of held flexion (Solomonow et al.
// 2003, J Electromyogr Kinesiol 13:381; Williams et al. 2000, Clin Biomech 15:92); long-latency
// stretch responses habituate with repetition (Rothwell et al. 1986, Exp Brain Res 63:197). msk
// lets a fraction of the tonic reflex drive fade toward a steady state over minutes:
//   D = sum of the reflex laws' static drive at the fibre length (Law::rest_excitation),
//   h_inf = f D / (D + D_50),   dh/dt = (h_inf - h) / tau_h,   reflex gain factor *= 1 - h,
// so no threshold turns it on and an unstretched, silent muscle does not habituate. In the
// equilibrium, a posture held for T seconds from rest has h = h_inf (1 - exp(-T / tau_h)).
// The fraction f is an assumption (no human value found); tau_h follows the cat's 3 minutes.
// State: habituation h [1]. Channel: habituation_factor (1 - h) [1].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct HabituationParams {
  double fraction = 0.5;         ///< f, largest fraction of the tonic drive that fades [1]
  double half_drive = 0.02;      ///< D_50, static drive giving half of f [1]
  double time_constant = 180.0;  ///< tau_h [s]
};

/// Steady habituation h_inf [1] for a static reflex drive D [1].
double habituation_target(const HabituationParams& p, double drive);

class PosturalHabituation : public LawWith<PosturalHabituation, HabituationParams> {
 public:
  static const std::vector<ParamField<HabituationParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
  double rest_gain(const Model& model, const Data& data, int k, double norm_fibre_length,
                   double drive) const override;
};

}  // namespace msk::laws
