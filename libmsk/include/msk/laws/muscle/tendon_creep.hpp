// msk/laws/muscle/tendon_creep.hpp — creep of the tendon and aponeurosis under sustained tension
// (law "tendon_creep", role "tendon_creep", series stage).
//
// The series elastic tissue lengthens under a sustained pull and shortens back slowly once
// unloaded: after repeated long isometric contractions the tendon and aponeurosis of vastus
// lateralis elongate more for the same force, while brief contractions do not change them (Kubo et
// al. 2001, J Appl Physiol 91:277); after contract-relax and maximal isometric contractions the
// Achilles tendon is 18-22 % less stiff and the muscle-tendon unit 10-21 % (Kay, Husbands-Beasley &
// Blazevich 2015, Med Sci Sports Exerc 47:2181). msk lumps the creep into an extra series length
// delta, first order towards a target proportional to the tendon force F_T:
//   delta_inf = c_T L_s [F_T]+ / F0,
//   d delta/dt = (delta_inf - delta) / tau,   tau = tau_c while creeping (delta_inf > delta),
//                                             tau = tau_r while recovering,
// and takes delta off the path before the tendon law (data.series_elongation): with the joint held,
// a contraction that creeps the tendon leaves the fibre shorter, its passive force lower and the
// barrier further. Effort (F_T) and contraction time (tau_c) act only through delta; the rate is
// continuous (it is zero where the two time constants meet). A rested muscle starts at the fixed
// point delta = c_T L_s F_T(delta) / F0 of its rest tension.
// State: tendon_elongation delta [m]. Channel: tendon_elongation [m].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct TendonCreepParams {
  double creep_strain = 0.01;             ///< c_T, creep strain at F_T = F0 held long [1]
  double creep_time_constant = 10.0;      ///< tau_c, time constant of creep under load [s]
  double recovery_time_constant = 600.0;  ///< tau_r, time constant of recovery [s]
};

/// Rate of the creep elongation [m/s].
/// @param p              the law's parameters
/// @param slack_length   L_s, tendon slack length [m], >= 0
/// @param force_norm     tendon force over F0 [1] (negative counts as 0)
/// @param elongation     delta [m]
double tendon_creep_rate(const TendonCreepParams& p, double slack_length, double force_norm,
                         double elongation);

class TendonCreep : public LawWith<TendonCreep, TendonCreepParams> {
 public:
  static const std::vector<ParamField<TendonCreepParams>>& fields();
  const LawInfo& info() const override;
  void initial_state(const LawContext& c, double* x) const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
