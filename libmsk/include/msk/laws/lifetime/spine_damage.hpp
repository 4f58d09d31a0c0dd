// msk/laws/lifetime/spine_damage.hpp — cumulative damage and load doses of a spinal level
// (lifetime law "spine_damage", one per level; docs/theory/lifetime.md §5).
//
// Fatigue (Miner's sum) with the S-N relation of lumbar motion segments under cyclic compression
// (Brinckmann, Biggemann & Hilweg 1988): a cycle to a compression C is a fraction 1/N(C) of the
// segment's fatigue life,
//   log10 N(C) = (1 - C / S_u) / b,
// with S_u the segment's ultimate compressive strength and b the slope through Brinckmann's data
// (about half the segments failed within 5000 cycles at 40-50 % of S_u, every segment fails in
// one cycle at S_u). D = sum_cycles 1/N(C_i); D = 1 is the expected fatigue failure. Every bout
// counts as one cycle at its compression, and each repetition of a lift as one more.
//
// Lifting (LiFFT, Gallagher et al. 2017): a lift with peak load moment PLM [N m] (load weight
// times its horizontal distance) adds 1 / (a exp(-b_L PLM)) to the cumulative damage CD; the
// probability that a job is high-risk for low back outcomes is
//   P = exp(c_0 + c_1 log10 CD) / (1 + exp(c_0 + c_1 log10 CD)).
//
// Doses: the sustained-load dose int C dt [N s] (compression time integral, Seidel et al. 1995
// style cumulative load), the facet load dose int F_f dt [N s], the nerve-root risk time
// int R dt [s] and the time the foramen height is at or below the nerve-root threshold [s].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct SpineDamageParams {
  double ultimate_strength = 5.0e3;  ///< S_u [N]
  double sn_slope = 0.149;           ///< b [1]
  double lifft_a = 902416.0;         ///< a [1]
  double lifft_b = 0.162;            ///< b_L [1/(N m)]
  double lifft_c0 = 1.72;            ///< c_0 [1]
  double lifft_c1 = 1.03;            ///< c_1 [1]
};

const std::vector<ParamField<SpineDamageParams>>& spine_damage_fields();
const LawInfo& spine_damage_info();
/// @throws InvalidArgument naming the field outside its range
void validate(const SpineDamageParams& p);

/// N(C): cycles to fatigue failure at compression C [N] (infinite for C <= 0).
double cycles_to_failure(const SpineDamageParams& p, double compression);
/// 1/N(C) [1].
double fatigue_damage_per_cycle(const SpineDamageParams& p, double compression);
/// LiFFT damage of one lift with peak load moment PLM [N m] [1].
double lifft_damage_per_lift(const SpineDamageParams& p, double peak_load_moment);
/// LiFFT probability of a high-risk job at cumulative damage CD [1] (0 for CD <= 0).
double lifft_high_risk_probability(const SpineDamageParams& p, double cumulative_damage);

}  // namespace msk::laws
