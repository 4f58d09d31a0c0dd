// msk/spine/disc.hpp — the intervertebral disc of one spinal level (sagittal plane).
//
// The disc is a lumped element between two vertebrae (see docs/theory/spine.md):
//   - its height h = h_0 - fluid_height (1 - hydration) - e: the fully hydrated, unloaded height,
//     minus the height lost with fluid, minus the elastic (instantaneous) compression e;
//   - its axial force F_d(e) has a toe region: F_d = k_0 e + k_1 (e - e_t (1 - exp(-e / e_t))) for
//     e >= 0 (stiffness k_0 at zero load rising to k_0 + k_1), k_0 e for e < 0 (distraction);
//   - its sagittal restoring moment is the cubic of Han et al. 2010 (as coded in the AnyBody
//     AMMR), scaled by a bounded axial-preload stiffening through the two points of
//     Gardner-Morse & Stokes 2004 (x1.71 at 250 N, x2.11 at 500 N):
//       M_d = -(1 + s_max (1 - exp(-F_d / F_s))) (c_1 theta + c_2 theta^2 + c_3 theta^3),
//     theta the flexion angle [rad] relative to the level's neutral angle (flexion positive);
//   - its intradiscal pressure is the nucleus pressure: Nachemson's total k_N F_d / A under load,
//     the swelling pressure p_sw H of the unloaded disc, joined smoothly (a p-norm, no sum):
//       p = ((k_N F_d+ / A)^m + (p_sw H)^m)^(1/m).
// Its fluid content (hydration, 1 = fully hydrated) is the state of the level's fluid law
// (laws/spine/disc_fluid.hpp), which reads this pressure. All functions are pure.
#pragma once

namespace msk::spine {

/// Constant parameters of one disc. SI units; angles in rad.
struct DiscParams {
  double height = 0.011;            ///< h_0, mid-disc height, hydrated and unloaded [m]
  double posterior_height = 0.008;  ///< posterior disc height, hydrated and unloaded [m]
  double depth = 0.033;             ///< anterior-posterior depth of the endplate [m]
  double area = 0.0017;             ///< A, endplate area [m^2]
  double fluid_height = 0.004;      ///< height lost between hydration 1 and 0 [m]
  double stiffness_toe = 5.0e5;     ///< k_0, axial stiffness at zero load [N/m]
  double stiffness = 1.5e6;         ///< k_1, stiffness added above the toe region [N/m]
  double toe_compression = 2.0e-4;  ///< e_t, extent of the toe region [m]
  /// c_1, c_2, c_3 of the restoring moment polynomial [N m/rad, N m/rad^2, N m/rad^3].
  double moment_c1 = 27.08, moment_c2 = 46.29, moment_c3 = 376.2;
  bool preload_stiffening = true;    ///< scale the moment with axial load
  double preload_gain_max = 1.6261;  ///< s_max, largest added factor (bound: x2.63) [1]
  double preload_force = 435.69;     ///< F_s, disc force of 63 % of the stiffening [N]
  double pressure_factor = 1.5;      ///< k_N, Nachemson's correction [1]
  double swelling_pressure = 1.0e5;  ///< p_sw, pressure of the unloaded disc at hydration 1 [Pa]
  double pressure_blend = 4.0;       ///< m, exponent of the p-norm joining the two pressures [1]
  double damping = 0.5;              ///< rotational damping of the level [N m s/rad]
};

/// Axial force of the disc [N] at elastic compression e [m] (negative e: distraction).
double disc_axial_force(const DiscParams& p, double compression);
/// d(disc_axial_force)/de [N/m].
double disc_axial_stiffness(const DiscParams& p, double compression);

/// Height lost with fluid [m]: fluid_height (1 - hydration).
double disc_fluid_height_loss(const DiscParams& p, double hydration);

/// Factor of the preload stiffening at disc force [N]: 1 + s_max (1 - exp(-F_d / F_s)) for
/// F_d > 0, 1 otherwise (or when preload_stiffening is off) [1].
double disc_preload_factor(const DiscParams& p, double disc_force);

/// Restoring moment of the disc about the flexion axis [N m] at flexion angle theta [rad] and
/// disc force [N] (negative for flexion: it resists the rotation).
double disc_moment(const DiscParams& p, double theta, double disc_force);

/// Pressure the axial load puts on the nucleus [Pa]: k_N max(F_d, 0) / A (Nachemson).
double disc_load_pressure(const DiscParams& p, double disc_force);
/// Pressure of the unloaded disc [Pa]: p_sw max(hydration, 0).
double disc_swelling_pressure(const DiscParams& p, double hydration);
/// Intradiscal (nucleus) pressure [Pa] at disc force [N] and hydration [1]: the p-norm of the
/// load and swelling pressures (see the header comment).
double disc_pressure(const DiscParams& p, double disc_force, double hydration);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const DiscParams& p);

}  // namespace msk::spine
