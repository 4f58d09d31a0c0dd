// msk/spine/shear.hpp — anterior shear of one level shared between the disc and the facets.
//
// The disc and the facet pair resist the anterior translation of the upper vertebra as two
// springs in parallel (docs/theory/spine.md, Shear). The facets resist it only while their
// articular surfaces overlap: flexion lifts the inferior facets up and forward, opening the joint
// (the facet closure delta of facet.hpp falls), and their engagement fades smoothly,
//   s = 1 / (1 + exp(-(delta + l_half) / l_w)),
// half engaged once the joint has opened by l_half. The facets carry anterior shear only (a
// posterior shear pulls the inferior facets away from the superior ones):
//   V_f = k_fs s / (k_ds + k_fs s) V+,   V_d = V - V_f,
// with V+ = V / (1 + exp(-V / 5 N)) a smooth positive part of V. Facets resist most of the shear in
// erect postures (Hutton, Stott & Cyron 1977; Adams & Hutton 1985); the applied shear V is compared
// with tolerance limits (repetitive, action, ultimate). All functions are pure.
#pragma once

namespace msk::spine {

/// Constant parameters of the level's shear law.
struct ShearParams {
  double disc_stiffness = 3.0e4;       ///< k_ds, shear stiffness of the disc [N/m]
  double facet_stiffness = 7.0e4;      ///< k_fs, shear stiffness of the engaged facets [N/m]
  double engagement_opening = 7.5e-3;  ///< l_half, facet opening at half engagement [m]
  double engagement_width = 1.5e-3;    ///< l_w, width of the fade [m]
  double repetitive_limit = 700.0;     ///< shear limit for repeated loading [N]
  double action_limit = 1000.0;        ///< shear limit for occasional loading [N]
  double ultimate = 2000.0;            ///< shear strength of a motion segment [N]
};

/// What the shear law gives for one level.
struct ShearShare {
  double engagement = 0.0;   ///< s, facet engagement [1]
  double facet_share = 0.0;  ///< k_fs s / (k_ds + k_fs s), the facets' share of anterior shear
  double disc = 0.0;         ///< V_d, shear carried by the disc [N]
  double facet = 0.0;        ///< V_f, shear carried by the facets [N]
};

/// Facet engagement in shear [1] at facet closure delta [m] (facet_penetration).
double facet_shear_engagement(const ShearParams& p, double facet_closure);

/// Shares anterior shear [N] (negative: posterior) between the disc and the facets at facet
/// closure delta [m].
ShearShare share_shear(const ShearParams& p, double shear, double facet_closure);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const ShearParams& p);

}  // namespace msk::spine
