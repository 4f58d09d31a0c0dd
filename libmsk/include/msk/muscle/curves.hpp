// msk/muscle/curves.hpp — the dimensionless characteristic curves of a Hill-type muscle.
//
// Two published curve sets, each as scalar pure functions with their derivatives beside them:
//   - De Groote, Kinney, Rao, Fregly 2016, Ann Biomed Eng 44:2922 (curves in its supplementary
//     material): smooth active force-length (three Gaussians), passive force-length, force-velocity
//     (asinh form, with a closed-form inverse) and tendon force-length (exponential).
//   - Thelen 2003, J Biomech Eng 125:70, as implemented in OpenSim's Thelen2003Muscle: Gaussian
//     active force-length, exponential passive force-length, exponential-then-linear tendon, and a
//     force-velocity relation published as its inverse (velocity from force).
// plus a dispatcher (CurveSet, CurveParams) so the rest of msk never names a curve set.
//
// Conventions (all curves):
//   norm_fibre_length    = fibre length / optimal fibre length                     [-]
//   norm_fibre_velocity  = fibre velocity / (max contraction velocity * L_opt),
//                          lengthening positive, shortening negative               [-]
//   norm_tendon_length   = tendon length / tendon slack length                     [-]
//   every multiplier (force_length, force_velocity, ...) is a force / max isometric force [-].
// The curve functions return the published formulas for every finite argument; where a formula
// gives a (small) negative force — the passive curves below optimal length, the De Groote tendon
// curve near slack length — it is returned as published. The muscle-tendon unit
// (muscle_tendon.hpp) makes the elastic elements tension-only.
// Thelen parameters are assumed valid (see validate(const ThelenCurveParams&)); the scalar curve
// functions do not re-check them on every call.
#pragma once

#include <string>

namespace msk::muscle {

// ================================================================================================
// De Groote et al. 2016
// ================================================================================================

/// Active force-length multiplier, sum of three Gaussians (De Groote 2016).
/// @param norm_fibre_length  fibre length / L_opt [-]
/// @return force / F0 [-]; 0.9994 at 1.0
double degroote2016_active_force_length(double norm_fibre_length);
/// d(active force-length)/d(norm_fibre_length) [-].
double degroote2016_active_force_length_derivative(double norm_fibre_length);

/// Passive force-length multiplier, (exp(kPE (l - 1)/e0) - 1)/(exp(kPE) - 1), kPE = 4, e0 = 0.6.
/// Zero at l = 1, one at l = 1.6, slightly negative (>= -0.0187) below l = 1.
/// @param norm_fibre_length  fibre length / L_opt [-]
/// @return force / F0 [-]
double degroote2016_passive_force_length(double norm_fibre_length);
/// d(passive force-length)/d(norm_fibre_length) [-].
double degroote2016_passive_force_length_derivative(double norm_fibre_length);

/// Force-velocity multiplier, d1 ln(d2 v + d3 + sqrt((d2 v + d3)^2 + 1)) + d4.
/// Strictly increasing on the whole real line; 1.002 at v = 0, 0.011 at v = -1, 1.790 at v = 1.
/// @param norm_fibre_velocity  fibre velocity / (v_max L_opt), lengthening positive [-]
/// @return force / (a * F0 * f_act) [-]
double degroote2016_force_velocity(double norm_fibre_velocity);
/// d(force-velocity)/d(norm_fibre_velocity) [-]; always > 0.
double degroote2016_force_velocity_derivative(double norm_fibre_velocity);
/// Inverse of the force-velocity multiplier, v = (sinh((f - d4)/d1) - d3)/d2; defined for every f.
/// @param norm_force  force-velocity multiplier [-]
/// @return norm_fibre_velocity [-]
double degroote2016_force_velocity_inverse(double norm_force);
/// d(norm_fibre_velocity)/d(norm_force) of the inverse [-].
double degroote2016_force_velocity_inverse_derivative(double norm_force);

/// Tendon force-length multiplier, c1 exp(kT (l_T - c2)) - c3 (c1 = 0.2, c2 = 0.995, c3 = 0.25,
/// kT = 35). It is -0.0118 at l_T = 1, zero at l_T = 1.00138 and one at l_T = 1.0474.
/// @param norm_tendon_length  tendon length / tendon slack length [-]
/// @return tendon force / F0 [-]
double degroote2016_tendon_force_length(double norm_tendon_length);
/// d(tendon force-length)/d(norm_tendon_length) [-].
double degroote2016_tendon_force_length_derivative(double norm_tendon_length);
/// Inverse of the tendon curve, l_T = c2 + ln((f + c3)/c1)/kT.
/// @param norm_tendon_force  tendon force / F0 [-], must be > -c3 = -0.25
/// @return norm_tendon_length [-]
/// @throws msk::InvalidArgument if norm_tendon_force <= -0.25 or is not finite
double degroote2016_tendon_force_length_inverse(double norm_tendon_force);
/// d(norm_tendon_length)/d(norm_tendon_force) of the inverse [-]; same domain as the inverse.
double degroote2016_tendon_force_length_inverse_derivative(double norm_tendon_force);

// ================================================================================================
// Thelen 2003 (as in OpenSim's Thelen2003Muscle)
// ================================================================================================

/// Shape parameters of the Thelen 2003 curves. Defaults are the Thelen 2003 values.
struct ThelenCurveParams {
  /// gamma, width of the Gaussian active force-length curve [-]. Default 0.45. Bounds (0, inf).
  double kshape_active = 0.45;
  /// k_PE, exponential shape factor of the passive force-length curve [-]. Default 5 (Thelen 2003;
  /// also OpenSim's default). Bounds (0, inf).
  double kshape_passive = 5.0;
  /// epsilon_0^M, passive fibre strain at which passive force = F0 [-]. Default 0.6. Bounds (0,
  /// inf).
  double fmax_muscle_strain = 0.6;
  /// epsilon_0^T, tendon strain at which tendon force = F0 [-]. Default 0.04. Bounds (0, inf).
  double fmax_tendon_strain = 0.04;
  /// A_f, force-velocity shape factor [-]. Default 0.25. Bounds (0, inf).
  double af = 0.25;
  /// F_len^M, maximum normalised lengthening force (eccentric asymptote) [-]. Default 1.4.
  /// Bounds (1, inf).
  double flen = 1.4;
};

/// The Thelen curve parameters of OpenSim's Arm26 model: kshape_active 0.5, kshape_passive 4,
/// fmax_muscle_strain 0.6, fmax_tendon_strain 0.033, af 0.3, flen 1.8.
ThelenCurveParams arm26_thelen_params();

/// Checks every field of `params`.
/// @throws msk::InvalidArgument naming the field, e.g. "thelen.flen: expected > 1, got 0.9"
void validate(const ThelenCurveParams& params);

/// Active force-length multiplier, exp(-(l - 1)^2 / gamma) (Thelen 2003).
/// @param norm_fibre_length  fibre length / L_opt [-]
/// @return force / F0 [-]; 1 at l = 1
double thelen2003_active_force_length(const ThelenCurveParams& params, double norm_fibre_length);
/// d(active force-length)/d(norm_fibre_length) [-].
double thelen2003_active_force_length_derivative(const ThelenCurveParams& params,
                                                 double norm_fibre_length);

/// Passive force-length multiplier, (exp(k_PE (l - 1)/eps0M) - 1)/(exp(k_PE) - 1) (Thelen 2003).
/// Zero at l = 1, one at l = 1 + fmax_muscle_strain, slightly negative below l = 1.
/// @param norm_fibre_length  fibre length / L_opt [-]
/// @return force / F0 [-]
double thelen2003_passive_force_length(const ThelenCurveParams& params, double norm_fibre_length);
/// d(passive force-length)/d(norm_fibre_length) [-].
double thelen2003_passive_force_length_derivative(const ThelenCurveParams& params,
                                                  double norm_fibre_length);

/// Strain at the end of the exponential toe region of the Thelen tendon curve [-]:
/// eps_toe = 99 e^3 eps0T / (166 e^3 - 67) = 0.6086 eps0T (Thelen 2003 prints 0.609 eps0T). This is
/// the value that makes the curve continuously differentiable at eps_toe and exactly 1 at eps0T.
double thelen2003_tendon_toe_strain(const ThelenCurveParams& params);
/// Normalised stiffness of the linear region of the Thelen tendon curve [-]:
/// k_lin = 0.67 / (eps0T - eps_toe) = 1.712 / eps0T.
double thelen2003_tendon_linear_stiffness(const ThelenCurveParams& params);

/// Tendon force-length multiplier (Thelen 2003, eq. 5), strain eps = l_T - 1:
///   0                                                  for eps <= 0 (slack),
///   F_toe (exp(k_toe eps/eps_toe) - 1)/(exp(k_toe) - 1)  for 0 < eps <= eps_toe,
///   k_lin (eps - eps_toe) + F_toe                      for eps > eps_toe,
/// with k_toe = 3, F_toe = 0.33. Exactly 1 at eps = fmax_tendon_strain.
/// @param norm_tendon_length  tendon length / tendon slack length [-]
/// @return tendon force / F0 [-]
double thelen2003_tendon_force_length(const ThelenCurveParams& params, double norm_tendon_length);
/// d(tendon force-length)/d(norm_tendon_length) [-]; 0 for eps < 0; at eps = 0 the right-hand
/// (tensile) derivative.
double thelen2003_tendon_force_length_derivative(const ThelenCurveParams& params,
                                                 double norm_tendon_length);
/// Inverse of the tendon curve on its tensile branch.
/// @param norm_tendon_force  tendon force / F0 [-], must be >= 0 (returns 1 at 0)
/// @return norm_tendon_length [-]
/// @throws msk::InvalidArgument if norm_tendon_force < 0 or is not finite
double thelen2003_tendon_force_length_inverse(const ThelenCurveParams& params,
                                              double norm_tendon_force);
/// d(norm_tendon_length)/d(norm_tendon_force) of the inverse [-]; same domain as the inverse.
double thelen2003_tendon_force_length_inverse_derivative(const ThelenCurveParams& params,
                                                         double norm_tendon_force);

/// Activation scaling of the maximum contraction velocity in Thelen 2003: 0.25 + 0.75 a.
/// The Thelen force-velocity functions take the velocity normalised by
/// (0.25 + 0.75 a) * v_max * L_opt.
/// @param activation  a in [0, 1] [-] (values outside are clamped)
double thelen2003_max_velocity_scale(double activation);

/// Thelen 2003 force-velocity relation as published: the normalised velocity from the
/// force-velocity multiplier f = F^M / (a f_L) (Thelen 2003, eqs. 6-7, with a f_L factored out):
///   v = (f - 1) / (1 + f / A_f)                                for f <= 1 (shortening),
///   v = (f - 1)(F_len - 1) / ((2 + 2/A_f)(F_len - f))          for f > 1 (lengthening).
/// Defined on the open interval (-A_f, F_len): -A_f and F_len are the asymptotes of the two
/// hyperbolae (v -> -inf and v -> +inf).
/// @param norm_force  force-velocity multiplier f [-]
/// @return velocity / ((0.25 + 0.75 a) v_max L_opt) [-]
/// @throws msk::InvalidArgument if norm_force is outside (-af, flen)
double thelen2003_force_velocity_inverse(const ThelenCurveParams& params, double norm_force);
/// d(velocity)/d(norm_force) of the inverse [-]; same domain; at f = 1 the shortening branch.
double thelen2003_force_velocity_inverse_derivative(const ThelenCurveParams& params,
                                                    double norm_force);
/// Forward force-velocity multiplier, the exact inverse of thelen2003_force_velocity_inverse:
///   f = (1 + v)/(1 - v/A_f)                           for v <= 0,
///   f = (F_len v + c)/(v + c), c = (F_len - 1)/(2 + 2/A_f)  for v > 0.
/// Defined and strictly increasing for every v: f -> F_len as v -> +inf (eccentric asymptote);
/// f(-1) = 0 and f -> -A_f as v -> -inf (the shortening hyperbola continued past v_max, which gives
/// a small compressive multiplier). The slope jumps at v = 0 from (1 + A_f)/A_f (shortening) to
/// twice that (lengthening), as in Thelen 2003.
/// @param norm_fibre_velocity  velocity / ((0.25 + 0.75 a) v_max L_opt) [-]
/// @return force-velocity multiplier [-]
double thelen2003_force_velocity(const ThelenCurveParams& params, double norm_fibre_velocity);
/// d(force-velocity)/d(norm_fibre_velocity) [-]; > 0 everywhere; at v = 0 the shortening branch.
double thelen2003_force_velocity_derivative(const ThelenCurveParams& params,
                                            double norm_fibre_velocity);

// ================================================================================================
// Dispatcher
// ================================================================================================

/// Which published curve set a muscle uses.
enum class CurveSet { DeGroote2016, Thelen2003 };

/// Curve choice and the shape parameters of the sets that have any.
struct CurveParams {
  CurveSet set = CurveSet::DeGroote2016;  ///< which curve set
  ThelenCurveParams thelen;               ///< used only when set == Thelen2003
};

/// Checks the parameters of the selected set.
/// @throws msk::InvalidArgument naming the field
void validate(const CurveParams& params);

/// "degroote2016" or "thelen2003".
const char* curve_set_name(CurveSet set);
/// Inverse of curve_set_name.
/// @throws msk::InvalidArgument for any other name
CurveSet curve_set_from_name(const std::string& name);

/// Active force-length multiplier [-] of the selected set; argument fibre length / L_opt [-].
double active_force_length(const CurveParams& params, double norm_fibre_length);
/// Its derivative with respect to norm_fibre_length [-].
double active_force_length_derivative(const CurveParams& params, double norm_fibre_length);

/// Passive force-length multiplier [-] (as published: slightly negative below l = 1).
double passive_force_length(const CurveParams& params, double norm_fibre_length);
/// Its derivative with respect to norm_fibre_length [-].
double passive_force_length_derivative(const CurveParams& params, double norm_fibre_length);

/// Factor on the maximum contraction velocity at this activation [-]: 1 for De Groote 2016,
/// 0.25 + 0.75 a for Thelen 2003. force_velocity() takes
/// fibre velocity / (max_velocity_scale * v_max * L_opt).
double max_velocity_scale(const CurveParams& params, double activation);

/// Force-velocity multiplier [-]; argument velocity / (max_velocity_scale * v_max * L_opt) [-],
/// lengthening positive. Strictly increasing for both sets.
double force_velocity(const CurveParams& params, double norm_fibre_velocity);
/// Its derivative with respect to the normalised velocity [-]; > 0.
double force_velocity_derivative(const CurveParams& params, double norm_fibre_velocity);
/// Normalised velocity [-] from the force-velocity multiplier [-].
/// @throws msk::InvalidArgument outside the domain (Thelen 2003: (-af, flen))
double force_velocity_inverse(const CurveParams& params, double norm_force);
/// Derivative of force_velocity_inverse with respect to norm_force [-].
double force_velocity_inverse_derivative(const CurveParams& params, double norm_force);

/// Tendon force-length multiplier [-]; argument tendon length / slack length [-].
double tendon_force_length(const CurveParams& params, double norm_tendon_length);
/// Its derivative with respect to norm_tendon_length [-].
double tendon_force_length_derivative(const CurveParams& params, double norm_tendon_length);
/// Normalised tendon length [-] at which the tendon carries norm_tendon_force [-].
/// @throws msk::InvalidArgument outside the domain (De Groote: > -0.25; Thelen: >= 0)
double tendon_force_length_inverse(const CurveParams& params, double norm_tendon_force);
/// Derivative of tendon_force_length_inverse with respect to norm_tendon_force [-].
double tendon_force_length_inverse_derivative(const CurveParams& params, double norm_tendon_force);

/// Normalised tendon length at which the tendon force becomes zero [-]:
/// 1.00138 for De Groote 2016, 1 for Thelen 2003. Below it the tendon is slack.
double tendon_zero_force_length(const CurveParams& params);

}  // namespace msk::muscle
