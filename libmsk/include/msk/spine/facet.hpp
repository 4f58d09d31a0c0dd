// msk/spine/facet.hpp — the facet (zygapophysial) joints of one level, lumped (sagittal plane).
//
// The facets sit at a lever arm d_f behind the disc centre with an articular gap g_0 in the model's
// geometry (theta = 0) at the hydrated, unloaded disc height. Extension (theta < 0, theta measured
// from the geometry) and disc-height loss
// close the gap; once it is closed the facets carry axial load with a power-law contact:
//   delta = (h_0 - h) - d_f theta - g_0,   F_f = k_f max(0, delta)^n_f.
// The facet force adds to the compression the level carries and resists extension with the moment
// d_f F_f. (Model assumptions after Sharma 1998 and Adams & Hutton 1980; docs/theory/spine.md.)
#pragma once

namespace msk::spine {

/// Constant parameters of the facet pair of one level.
struct FacetParams {
  double lever_arm = 0.035;  ///< d_f, posterior distance from the disc centre [m]
  double gap = 5.0e-4;       ///< g_0, gap at theta = 0 and full disc height [m]
  double stiffness = 1.0e6;  ///< k_f [N/m^n_f]
  double exponent = 1.5;     ///< n_f [1]
};

/// Closure beyond contact [m] (positive when in contact) at flexion angle theta [rad] and disc
/// height loss h_0 - h [m].
double facet_penetration(const FacetParams& p, double theta, double height_loss);
/// Contact force [N] at a penetration [m].
double facet_force(const FacetParams& p, double penetration);
/// d(facet_force)/d(penetration) [N/m].
double facet_stiffness(const FacetParams& p, double penetration);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const FacetParams& p);

}  // namespace msk::spine
