// msk/spine/segment.hpp — one spinal level: disc, facets and ligaments sharing the load.
//
// A level (motion segment) sits at a revolute joint between two vertebrae; its joint centre is the
// disc centre. Given the flexion angle theta (measured from the model's geometry, the standing
// shape), the compressive force the rest of the body presses the upper vertebra down with, and the
// disc's hydration, compute_segment solves the quasi-static axial balance of the level for the
// disc's elastic compression e:
//   F_d(e) + F_f(e) = C + sum_k T_k(e),
// (disc + facets = applied compression + ligament tensions; every term is monotonic in e, so the
// root is unique) and from it the disc height, pressure, facet share, ligament forces, foramen
// height and the level's passive restoring moment
//   M = M_d(theta_n, F_d) - sum_k d_k T_k(theta_n) + d_f F_f(theta).
// The disc and the ligaments are unloaded at the neutral angle (theta_n = theta - neutral_angle,
// e.g. the recumbent shape); the facet gap and the foramen height are given in the geometry.
// Equations, parameters and sources: docs/theory/spine.md.
#pragma once

#include <string>
#include <vector>

#include "msk/spine/disc.hpp"
#include "msk/spine/facet.hpp"
#include "msk/spine/ligament.hpp"

namespace msk::spine {

/// Nerve-root room of the level: foraminal height follows the disc height and the angle,
///   FH = FH_0 + g_h (h - h_0) + g_theta theta
/// (an inference from Inufusa 1996 and the in-vivo axial-loading CT data; docs/theory/spine.md).
struct ForamenParams {
  double height = 0.020;           ///< FH_0 at theta = 0 and full disc height [m]
  double disc_gain = 1.0;          ///< g_h [1]
  double angle_gain = 0.0229;      ///< g_theta [m/rad] (0.4 mm per degree)
  double stenosis_height = 0.015;  ///< FH at or below which a root is at risk [m] (Hasegawa 1995)
  double stenosis_posterior_disc_height = 0.004;  ///< idem for the posterior disc height [m]
};

/// Constant parameters of one level.
struct SegmentParams {
  std::string name;  ///< e.g. "L4-L5"
  DiscParams disc;
  FacetParams facet;
  std::vector<LigamentParams> ligaments;
  ForamenParams foramen;
  /// Flexion from the geometry at which the disc and ligaments are unloaded [rad].
  double neutral_angle = 0.0;
};

/// Everything compute_segment computes for one level.
struct SegmentLoads {
  double angle = 0.0;                  ///< theta, flexion from the model's geometry [rad]
  double angle_from_neutral = 0.0;     ///< theta - neutral_angle [rad]
  double compression = 0.0;            ///< C, applied compression (along the disc axis) [N]
  double disc_compression = 0.0;       ///< e, elastic compression of the disc [m]
  double disc_force = 0.0;             ///< F_d [N]
  double facet_force = 0.0;            ///< F_f [N]
  double facet_share = 0.0;            ///< F_f / (F_d + F_f) [1] (0 when both are 0)
  double ligament_force_total = 0.0;   ///< sum_k T_k [N]
  std::vector<double> ligament_force;  ///< T_k [N], per ligament
  double disc_height = 0.0;            ///< h [m]
  double posterior_disc_height = 0.0;  ///< h_post [m]
  double pressure = 0.0;               ///< intradiscal pressure [Pa]
  double foramen_height = 0.0;         ///< FH [m]
  bool stenosis = false;               ///< FH or h_post at or below its threshold
  double disc_moment = 0.0;            ///< M_d [N m]
  double ligament_moment = 0.0;        ///< -sum_k d_k T_k [N m]
  double facet_moment = 0.0;           ///< d_f F_f [N m]
  double moment = 0.0;                 ///< total passive restoring moment [N m] (flexion axis)
};

/// Solves the level's axial balance and fills `out` (see the header comment).
/// @param theta        flexion angle from the model's geometry [rad], finite
/// @param compression  applied compression [N], finite (negative: the level is pulled apart)
/// @param hydration    disc fluid content [1], in (0, 2]
/// @throws msk::InvalidArgument for non-finite arguments
void compute_segment(const SegmentParams& params, double theta, double compression,
                     double hydration, SegmentLoads& out);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const SegmentParams& params);

}  // namespace msk::spine
