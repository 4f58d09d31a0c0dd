// msk/laws/muscle/viscoelasticity.hpp — quasi-linear viscoelastic passive tissue (law
// "qlv_viscoelasticity", role "viscoelasticity").
//
// Fung's quasi-linear viscoelasticity as a generalised Maxwell model on the elastic passive curve
// F_PE(l) = F0 f_PE(l / L_opt): two branches whose forces h_k follow
//   dh_k/dt = g_k dF_PE/dt - h_k / tau_k,   dF_PE/dt = F0 f_PE'(l~) v / L_opt,
// and add to the fibre's passive force (data.parallel_force). A stretch that is then held relaxes
// by g_1 + g_2 of the elastic force step, over tau_1 and tau_2 (fits Magnusson et al. 1996, Scand
// J Med Sci Sports 6:323: 30-40 % in 90 s, most within 15-45 s; docs/theory/muscle.md).
// States: viscoelastic_force1, viscoelastic_force2 [N].
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct ViscoelasticityParams {
  double gain_1 = 0.28;           ///< g_1 [1]
  double time_constant_1 = 8.0;   ///< tau_1 [s]
  double gain_2 = 0.22;           ///< g_2 [1]
  double time_constant_2 = 80.0;  ///< tau_2 [s]
};

class QlvViscoelasticity : public LawWith<QlvViscoelasticity, ViscoelasticityParams> {
 public:
  static const std::vector<ParamField<ViscoelasticityParams>>& fields();
  const LawInfo& info() const override;
  void publish(LawContext& c) const override;
  void evaluate(LawContext& c) const override;
};

}  // namespace msk::laws
