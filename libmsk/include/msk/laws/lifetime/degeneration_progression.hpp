// msk/laws/lifetime/degeneration_progression.hpp — a level's disc degeneration grows with its
// fatigue damage and its sustained load above a threshold (lifetime law
// "degeneration_progression", one per level; hypothesis H23; docs/theory/lifetime.md §11).
//
// The degeneration index D (0 healthy ... 1 severe, Pfirrmann grade G: D = (G - 1)/4;
// msk/spine/degeneration.hpp maps it onto the disc's height, swelling pressure and stiffness)
// follows
//   dD/dt = (1 - D) (k_f dM/dt + k_s s(C)),   s(C) = softplus(C - C_th; w) / C_ref,
// with dM/dt the rate of the level's Miner's sum (law spine_damage) and C its compression: each
// unit of fatigue damage and each second of load above C_th use up a fraction of what is left
// of the healthy disc. Smooth (no on/off at the threshold), bounded to [D_0, 1), never
// decreasing (no repair). Within a period (constant C, Miner increment dM) the exact solution is
//   D(T) = 1 - (1 - D_0) exp(-(k_f dM + k_s s(C) T)).
// The degeneration lowers the segment's ultimate strength in the damage law:
//   S_u(D) = S_u (1 - c_S D),
// so a degenerating level accumulates fatigue damage faster.
//
// The claim is a hypothesis (H23, switch `enabled`, off by default). For: "the process of disc
// degeneration is an aberrant, cell-mediated response to progressive structural failure", and
// excessive mechanical loading disrupts a disc's structure and precipitates it (Adams & Roughley
// 2006, Spine 31:2151); static compression induces degeneration in animal discs (Lotz et al.
// 1998, recalled, not re-verified). Against: in the Twin Spine Study familial aggregation
// explained 61 % of the variance of degeneration at T12-L4, age and occupational physical loading
// together 16 % (11 % at L4-S1) (Battie et al. 2009, Spine J 9:47); heritability of lumbar
// degeneration 74 % (Sambrook et al. 1999, Arthritis Rheum 42:366). The rates are assumptions,
// not fitted.
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct DegenerationProgressionParams {
  double enabled = 0.0;            ///< H23 switch: 1 on, 0 off (D stays the model's) [1]
  double fatigue_rate = 0.5;       ///< k_f, per unit of Miner's sum [1]
  double load_rate = 2.7e-9;       ///< k_s [1/s]
  double load_threshold = 1500.0;  ///< C_th [N]
  double load_width = 200.0;       ///< w [N]
  double load_reference = 1000.0;  ///< C_ref [N]
  double strength_loss = 0.3;      ///< c_S [1]
};

const std::vector<ParamField<DegenerationProgressionParams>>& degeneration_progression_fields();
const LawInfo& degeneration_progression_info();
/// @throws InvalidArgument naming the field outside its range
void validate(const DegenerationProgressionParams& p);

/// s(C) [1]: the sustained-load drive at compression C [N].
double degeneration_load_drive(const DegenerationProgressionParams& p, double compression);
/// dD/dt [1/s] at D, a Miner's sum rate [1/s] and a compression [N] (0 when off).
double degeneration_rate(const DegenerationProgressionParams& p, double degeneration,
                         double miner_rate, double compression);
/// D after `duration` [s] at a constant compression with Miner increment `miner_increment` over
/// it (the exact solution; D itself when off).
double degeneration_after(const DegenerationProgressionParams& p, double degeneration,
                          double miner_increment, double compression, double duration);
/// S_u(D) / S_u [1]: 1 - c_S D when on, 1 when off.
double degeneration_strength_factor(const DegenerationProgressionParams& p, double degeneration);

}  // namespace msk::laws
