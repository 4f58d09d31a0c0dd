#include "msk/laws/neural/reciprocal_inhibition.hpp"

#include <algorithm>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

const std::vector<ParamField<InhibitionParams>>& ReciprocalInhibition::fields() {
  static const std::vector<ParamField<InhibitionParams>> f = {
      {"reciprocal_inhibition", &InhibitionParams::reciprocal_inhibition, "1", 0.0, 10.0,
       "hypothesis H7: assumption (size in trunk muscles unknown; Crone et al. 1987)",
       "k_RI, reflex inhibition per unit of mean opposite voluntary excitation"},
  };
  return f;
}

const LawInfo& ReciprocalInhibition::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "reciprocal_inhibition";
    x.role = "inhibition";
    x.domain = LawDomain::Pair;
    x.stage = LawStage::Modulation;
    x.summary = "agonist voluntary drive inhibits the antagonists' reflex (and vice versa)";
    x.equation = "I_i = max over pairs of k_RI mean(u_vol of the opposite side)";
    x.citation = "Crone et al. 1987, J Physiol 389:163; Geyer & Herr 2010 (form)";
    x.hypothesis = "H7";
    x.params = param_infos<InhibitionParams>(fields());
    return x;
  }();
  return i;
}

void ReciprocalInhibition::evaluate(LawContext& c) const {
  Data& d = c.data;
  auto mean_drive = [&](const std::vector<int>& group) {
    double s = 0.0;
    for (int i : group)
      s += d.voluntary_excitation[i];
    return group.empty() ? 0.0 : s / static_cast<double>(group.size());
  };
  for (int k = 0; k < n_entities(); ++k) {
    const int pair = entity(k);
    const double k_ri = params_[static_cast<std::size_t>(k)].reciprocal_inhibition;
    const auto& agonists = c.model.pair_agonists()[static_cast<std::size_t>(pair)];
    const auto& antagonists = c.model.pair_antagonists()[static_cast<std::size_t>(pair)];
    const double ag = mean_drive(agonists), ant = mean_drive(antagonists);
    for (int i : antagonists)
      d.reflex_inhibition[i] = std::max(d.reflex_inhibition[i], k_ri * ag);
    for (int i : agonists)
      d.reflex_inhibition[i] = std::max(d.reflex_inhibition[i], k_ri * ant);
  }
}

}  // namespace msk::laws
