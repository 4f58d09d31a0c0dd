// msk/laws/neural/reciprocal_inhibition.hpp — reciprocal Ia inhibition within an
// agonist/antagonist pair (law "reciprocal_inhibition", role "inhibition", pair domain).
//
// The mean voluntary excitation of one side, times k_RI, is subtracted from the reflex of every
// muscle of the other side (subtractive form, cf. Geyer & Herr 2010; Crone et al. 1987):
//   I_i = max over the pairs of i of k_RI mean(u_vol of the opposite side),
// into data.reflex_inhibition. Hypothesis H7: k_RI in trunk muscles is unknown (0.3 assumed).
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct InhibitionParams {
  double reciprocal_inhibition = 0.3;  ///< k_RI [1]
};

class ReciprocalInhibition : public LawWith<ReciprocalInhibition, InhibitionParams> {
 public:
  static const std::vector<ParamField<InhibitionParams>>& fields();
  const LawInfo& info() const override;
  void evaluate(LawContext& c) const override;
};

}  // namespace msk::laws
