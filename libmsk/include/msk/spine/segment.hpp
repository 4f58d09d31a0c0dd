// msk/spine/segment.hpp — one spinal level: disc, facets and ligaments sharing the load.
//
// A level (motion segment) sits at a revolute joint between two vertebrae; its joint centre is the
// disc centre. Given the flexion angle theta (measured from the model's geometry, the standing
// shape), the compressive force the rest of the body presses the upper vertebra down with, the
// anterior shear, and the disc's hydration, compute_segment solves the quasi-static axial balance
// of the level for the disc's elastic compression e:
//   F_d(e) + F_f(e) = C + sum_k T_k(e),
// (disc + facets = applied compression + ligament tensions; every term is monotonic in e, so the
// root is unique) and from it the disc height, pressure, facet share, ligament forces, the shear
// carried by the disc and by the facets, the foramen and nerve-root risk, and the level's passive
// restoring moment
//   M = M_d(theta_n, F_d) - sum_k d_k T_k(theta_n) + d_f F_f(theta).
// The disc and the ligaments are unloaded at the neutral angle (theta_n = theta - neutral_angle,
// e.g. the recumbent shape); the facet gap and the foramen height are given in the geometry. The
// level's degeneration index (0 healthy ... 1 severe) changes the disc it sees (degeneration.hpp).
// Equations, parameters and sources: docs/theory/spine.md.
#pragma once

#include <string>
#include <vector>

#include "msk/spine/degeneration.hpp"
#include "msk/spine/disc.hpp"
#include "msk/spine/facet.hpp"
#include "msk/spine/foramen.hpp"
#include "msk/spine/ligament.hpp"
#include "msk/spine/shear.hpp"

namespace msk::spine {

/// Constant parameters of one level.
struct SegmentParams {
  std::string name;  ///< e.g. "L4-L5"
  DiscParams disc;
  FacetParams facet;
  std::vector<LigamentParams> ligaments;
  ForamenParams foramen;
  ShearParams shear;
  DegenerationParams degeneration_effects;
  /// Flexion from the geometry at which the disc and ligaments are unloaded [rad].
  double neutral_angle = 0.0;
  /// Degeneration index D [1]: 0 healthy ... 1 severe (Pfirrmann grade G: D = (G - 1) / 4).
  double degeneration = 0.0;
};

/// Everything compute_segment computes for one level.
struct SegmentLoads {
  double angle = 0.0;                        ///< theta, flexion from the model's geometry [rad]
  double angle_from_neutral = 0.0;           ///< theta - neutral_angle [rad]
  double compression = 0.0;                  ///< C, applied compression (along the disc axis) [N]
  double disc_compression = 0.0;             ///< e, elastic compression of the disc [m]
  double disc_force = 0.0;                   ///< F_d [N]
  double facet_force = 0.0;                  ///< F_f [N]
  double facet_share = 0.0;                  ///< F_f / (F_d + F_f) [1] (0 when both are 0)
  double facet_closure = 0.0;                ///< delta, facet closure beyond contact [m]
  double ligament_force_total = 0.0;         ///< sum_k T_k [N]
  std::vector<double> ligament_force;        ///< T_k [N], per ligament
  double disc_height = 0.0;                  ///< h [m]
  double posterior_disc_height = 0.0;        ///< h_post [m]
  double pressure = 0.0;                     ///< intradiscal (nucleus) pressure [Pa]
  double load_pressure = 0.0;                ///< k_N F_d / A, the load's share of it [Pa]
  double swelling_pressure = 0.0;            ///< p_sw H, the unloaded disc's pressure [Pa]
  double shear = 0.0;                        ///< V, applied anterior shear [N]
  double disc_shear = 0.0;                   ///< V_d, shear carried by the disc [N]
  double facet_shear = 0.0;                  ///< V_f, shear carried by the facets [N]
  double facet_shear_engagement = 0.0;       ///< s, facet engagement in shear [1]
  double facet_shear_share = 0.0;            ///< the facets' share of an anterior shear [1]
  double shear_ultimate_ratio = 0.0;         ///< V / ultimate shear strength [1]
  bool shear_over_repetitive_limit = false;  ///< V above the repetitive-loading limit
  bool shear_over_action_limit = false;      ///< V above the occasional (action) limit
  double foramen_height = 0.0;               ///< FH [m]
  double foramen_width = 0.0;                ///< W [m]
  double foramen_area = 0.0;                 ///< A_f [m^2]
  double flavum_buckling = 0.0;              ///< ligamentum flavum bulge into the foramen [m]
  double nerve_root_risk = 0.0;              ///< R [1]
  bool stenosis = false;                     ///< FH or h_post at or below its threshold
  bool stenosis_foramen = false;             ///< FH at or below its threshold (Hasegawa 1995)
  bool stenosis_posterior_disc = false;      ///< h_post at or below its threshold (Hasegawa 1995)
  double degeneration = 0.0;                 ///< D, the level's degeneration index [1]
  double disc_moment = 0.0;                  ///< M_d [N m]
  double ligament_moment = 0.0;              ///< -sum_k d_k T_k [N m]
  double facet_moment = 0.0;                 ///< d_f F_f [N m]
  double moment = 0.0;  ///< total passive restoring moment [N m] (flexion axis)
};

/// Solves the level's axial balance and fills `out` (see the header comment).
/// @param theta        flexion angle from the model's geometry [rad], finite
/// @param compression  applied compression [N], finite (negative: the level is pulled apart)
/// @param shear        applied anterior shear on the upper vertebra [N], finite
/// @param hydration    disc fluid content [1], in (0, 2]
/// @throws msk::InvalidArgument for non-finite arguments
void compute_segment(const SegmentParams& params, double theta, double compression, double shear,
                     double hydration, SegmentLoads& out);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const SegmentParams& params);

}  // namespace msk::spine
