// msk/muscle/muscle_tendon.hpp — the Hill-type muscle-tendon unit (MTU).
//
// A contractile element with active force a f_L f_V, a parallel elastic element f_PE and a parallel
// damper beta * v (Millard et al. 2013, J Biomech Eng 135:021005), pennated at alpha, in series
// with a tendon. Pennation follows the constant-thickness model: h = L_opt sin(alpha_0) stays
// fixed, so sin(alpha) = h / fibre_length and the fibre's projection on the tendon is fibre_length
// cos(alpha). Curves come from curves.hpp (De Groote 2016 by default, Thelen 2003 as an option).
//
// Two tendon models:
//   - Rigid: the tendon keeps its slack length; the fibre length follows the MTU length.
//   - Compliant: fibre length is a state; the fibre velocity is the one that balances fibre and
//     tendon force in the damped equilibrium of Millard et al. 2013,
//       (a f_L(l) f_V(v) + f_PE(l) + beta v) cos(alpha) = f_T(l_T).
//
// Common rules, both models:
//   - elastic elements are tension-only: passive fibre force = F0 max(0, f_PE), tendon force =
//     F0 max(0, f_T) (the published curves dip slightly below zero near l = 1 and l_T = 1);
//   - the fibre never gets shorter than min_fibre_length(params) = max(min_norm_fibre_length L_opt,
//     h / sin(alpha_max)) with cos(alpha_max) = kMinCosPennation = 0.1, so cos(alpha) >= 0.1;
//   - velocities normalise by v_max L_opt; for Thelen 2003 the force-velocity curve takes the
//     velocity over (0.25 + 0.75 a) v_max L_opt (see max_velocity_scale in curves.hpp).
// All functions are pure: they read the parameters and write only `out`.
#pragma once

#include <limits>
#include <string>

#include "msk/muscle/curves.hpp"

namespace msk::muscle {

/// Lower bound on cos(pennation): the fibre length guard keeps alpha <= acos(0.1) = 84.3 deg
/// (OpenSim's default maximum pennation angle).
inline constexpr double kMinCosPennation = 0.1;

/// How the tendon is modelled.
enum class TendonModel { Rigid, Compliant };

/// Constant parameters of one muscle-tendon unit. Fields without a default must be set.
struct MuscleTendonParams {
  /// F0, maximum isometric force [N]. Bounds (0, inf).
  double max_isometric_force = std::numeric_limits<double>::quiet_NaN();
  /// L_opt, optimal fibre length [m]. Bounds (0, inf).
  double optimal_fibre_length = std::numeric_limits<double>::quiet_NaN();
  /// L_s, tendon slack length [m]. Bounds [0, inf) (0 only with a rigid tendon).
  double tendon_slack_length = std::numeric_limits<double>::quiet_NaN();
  /// alpha_0, pennation angle at optimal fibre length [rad]. Bounds [0, acos(0.1)).
  double pennation_at_optimal = std::numeric_limits<double>::quiet_NaN();
  /// v_max, maximum contraction velocity [L_opt/s]. Default 10. Bounds (0, inf).
  double max_contraction_velocity = 10.0;
  /// beta, normalised fibre damping (force / F0 per unit norm_fibre_velocity) [-] (Millard 2013).
  /// Default 0.1. Bounds [0, inf) with a rigid tendon, (0, inf) with a compliant one.
  double fibre_damping = 0.1;
  /// Lower guard on fibre length / L_opt [-]. Default 0.2. Bounds (0, 1).
  double min_norm_fibre_length = 0.2;
  /// Characteristic curves.
  CurveParams curves;
  /// Tendon model.
  TendonModel tendon = TendonModel::Rigid;
};

/// Everything one evaluation of the MTU computes. Filled by compute_rigid_tendon or
/// compute_compliant_tendon.
struct MuscleTendonState {
  double fibre_length = 0.0;          ///< fibre length actually evaluated (after the guard) [m]
  double norm_fibre_length = 0.0;     ///< fibre_length / L_opt [-]
  double fibre_velocity = 0.0;        ///< d(fibre_length)/dt, lengthening positive [m/s]
  double norm_fibre_velocity = 0.0;   ///< fibre_velocity / (v_max L_opt) [-]
  double pennation = 0.0;             ///< pennation angle alpha [rad]
  double cos_pennation = 1.0;         ///< cos(alpha) [-]
  double tendon_length = 0.0;         ///< mtu_length - fibre_length cos(alpha) [m]
  double norm_tendon_length = 0.0;    ///< tendon_length / L_s [-] (0 if L_s = 0)
  double active_force_length = 0.0;   ///< f_L(norm_fibre_length) [-]
  double passive_force_length = 0.0;  ///< max(0, f_PE(norm_fibre_length)) [-]
  double force_velocity = 1.0;        ///< f_V at the fibre velocity [-]
  double active_fibre_force = 0.0;    ///< F0 a f_L f_V, along the fibre [N]
  double passive_fibre_force = 0.0;   ///< F0 max(0, f_PE), along the fibre [N]
  double damping_fibre_force = 0.0;   ///< F0 beta norm_fibre_velocity, along the fibre [N]
  /// Tendon force = force the MTU transmits to the bones [N], >= 0. Rigid tendon:
  /// max(0, (active + passive + damping) cos(alpha)); compliant: F0 max(0,
  /// f_T(norm_tendon_length)).
  double tendon_force = 0.0;
};

/// Checks every field (and the curve parameters).
/// @throws msk::InvalidArgument naming the field, e.g.
///         "max_isometric_force: expected finite and > 0, got -1"
void validate(const MuscleTendonParams& params);

/// "rigid" or "compliant".
const char* tendon_model_name(TendonModel model);
/// Inverse of tendon_model_name.
/// @throws msk::InvalidArgument for any other name
TendonModel tendon_model_from_name(const std::string& name);

/// Shortest fibre length the model allows [m]:
/// max(min_norm_fibre_length L_opt, L_opt sin(alpha_0) / sqrt(1 - kMinCosPennation^2)).
/// @throws msk::InvalidArgument if params is invalid
double min_fibre_length(const MuscleTendonParams& params);

/// Rigid tendon: the tendon keeps length L_s; the fibre's projection is mtu_length - L_s, the fibre
/// length follows from the constant thickness (l = sqrt(x^2 + h^2)) and its velocity is
/// cos(alpha) * mtu_velocity. If mtu_length - L_s is shorter than the guard allows, the fibre is
/// held at min_fibre_length (velocity 0) and the tendon is slack by the difference.
/// @param params        muscle parameters (validated)
/// @param mtu_length    origin-to-insertion path length [m], finite
/// @param mtu_velocity  its time derivative [m/s], finite
/// @param activation    a [-], finite; clamped to [0, 1]
/// @param out           all fields written
/// @param extra_fibre_force  further force along the fibre [N] (e.g. viscoelastic branches), added
///                      to the fibre force the tendon transmits
/// @throws msk::InvalidArgument for invalid parameters or non-finite arguments
void compute_rigid_tendon(const MuscleTendonParams& params, double mtu_length, double mtu_velocity,
                          double activation, MuscleTendonState& out,
                          double extra_fibre_force = 0.0);

/// Compliant tendon with fibre length as the state. The tendon force follows from the tendon
/// strain; the fibre velocity v solves the damped equilibrium of Millard et al. 2013,
///   a f_L f_V(v) + max(0, f_PE) + F_x / F0 + beta v_n = max(0, f_T) / cos(alpha),
/// with F_x = extra_fibre_force [N] (further parallel fibre force, e.g. viscoelastic branches),
/// by a safeguarded Newton iteration inside a guaranteed bracket (the left side is strictly
/// increasing in v because beta > 0 and f_V is increasing, so the root is unique).
/// A fibre length below min_fibre_length is evaluated at min_fibre_length, and at the guard a
/// shortening velocity is returned as 0 (the fibre cannot shorten further).
/// @param params        muscle parameters (validated; fibre_damping must be > 0)
/// @param mtu_length    MTU length [m], finite
/// @param mtu_velocity  MTU velocity [m/s], finite; checked but not needed by the damped model
/// @param activation    a [-], finite; clamped to [0, 1]
/// @param fibre_length  state: fibre length [m], finite and > 0
/// @param out           all fields written
/// @return d(fibre_length)/dt [m/s]
/// @throws msk::InvalidArgument for invalid parameters or arguments
double compute_compliant_tendon(const MuscleTendonParams& params, double mtu_length,
                                double mtu_velocity, double activation, double fibre_length,
                                MuscleTendonState& out, double extra_fibre_force = 0.0);

/// Initial fibre length of a compliant tendon: the length at which fibre force along the tendon
/// equals tendon force. The fibre velocity is 0 when mtu_velocity = 0. Otherwise the MTU velocity
/// is shared between fibre and tendon in proportion to their compliances (equal force rates,
/// Millard et al. 2013): fibre velocity = cos(alpha) v_mtu k_T / (k_T + max(0, k_M)), with k_T the
/// tendon stiffness and k_M the fibre stiffness along the tendon at zero velocity; the share is
/// refreshed from the previous solution for at most 5 passes, and the returned length is an exact
/// equilibrium for the last share.
/// Cases, in order:
///   - MTU so short that even the shortest fibre leaves the tendon slack: min_fibre_length;
///   - the fibre pulls nothing with the tendon at its zero-force length (a = 0 and fibre not
///     stretched): the tendon is slack, the fibre takes the rest of the MTU length;
///   - the fibre at min_fibre_length still pulls harder than the tendon: min_fibre_length (guard);
///   - otherwise bisection on a bracket that always holds a root (fibre force along the tendon
///     minus tendon force changes sign between the two ends), to machine precision.
/// Never fails for finite mtu_length > 0, activation in [0, 1] and finite mtu_velocity.
/// @param params        muscle parameters (validated; fibre_damping must be > 0)
/// @param mtu_length    MTU length [m], finite and > 0
/// @param activation    a [-], in [0, 1]
/// @param mtu_velocity  MTU velocity [m/s], finite
/// @return fibre length [m]
/// @throws msk::InvalidArgument for invalid parameters or arguments
double equilibrium_fibre_length(const MuscleTendonParams& params, double mtu_length,
                                double activation, double mtu_velocity = 0.0);

/// Tendon force the MTU produces at full activation, isometric (MTU and fibre velocity 0), at this
/// MTU length — the reference for % MVC. Uses params.tendon: rigid (compute_rigid_tendon) or
/// compliant (equilibrium_fibre_length then compute_compliant_tendon).
/// @param params      muscle parameters (validated)
/// @param mtu_length  MTU length [m], finite and > 0
/// @return tendon force [N]
/// @throws msk::InvalidArgument for invalid parameters or arguments
double max_isometric_tendon_force_at(const MuscleTendonParams& params, double mtu_length);

}  // namespace msk::muscle
