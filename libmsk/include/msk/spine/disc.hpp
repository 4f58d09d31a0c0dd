// msk/spine/disc.hpp — the intervertebral disc of one spinal level (sagittal plane).
//
// The disc is a lumped element between two vertebrae (see docs/theory/spine.md):
//   - its height h = h_0 - fluid_height (1 - hydration) - e: the fully hydrated, unloaded height,
//     minus the height lost with fluid, minus the elastic (instantaneous) compression e;
//   - its axial force F_d(e) has a toe region: F_d = k_0 e + k_1 (e - e_t (1 - exp(-e / e_t))) for
//     e >= 0 (stiffness k_0 at zero load rising to k_0 + k_1), k_0 e for e < 0 (distraction);
//   - its sagittal restoring moment is the cubic of Han et al. 2010 (as coded in the AnyBody
//     AMMR), scaled by the axial-preload stiffening of Gardner-Morse & Stokes 2004:
//       M_d = -(1 + s_a (F_d / F_ref)^s_b) (c_1 theta + c_2 theta^2 + c_3 theta^3),
//     theta the flexion angle [rad] relative to the level's neutral angle (flexion positive);
//   - its intradiscal pressure is p = k_N F_d / A + p_sw hydration (Nachemson's correction factor
//     k_N on the mean axial stress, plus the nucleus swelling pressure).
// Its fluid content (hydration, 1 = fully hydrated) is the state of the level's fluid law
// (laws/spine/disc_fluid.hpp). All functions are pure.
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
  double preload_gain = 0.71;        ///< s_a [1]
  double preload_exponent = 0.644;   ///< s_b [1]
  double preload_reference = 250.0;  ///< F_ref [N]
  double pressure_factor = 1.5;      ///< k_N, Nachemson's correction [1]
  double swelling_pressure = 1.0e5;  ///< p_sw, nucleus swelling pressure at hydration 1 [Pa]
  double damping = 0.5;              ///< rotational damping of the level [N m s/rad]
};

/// Axial force of the disc [N] at elastic compression e [m] (negative e: distraction).
double disc_axial_force(const DiscParams& p, double compression);
/// d(disc_axial_force)/de [N/m].
double disc_axial_stiffness(const DiscParams& p, double compression);

/// Height lost with fluid [m]: fluid_height (1 - hydration).
double disc_fluid_height_loss(const DiscParams& p, double hydration);

/// Restoring moment of the disc about the flexion axis [N m] at flexion angle theta [rad] and
/// disc force [N] (negative for flexion: it resists the rotation).
double disc_moment(const DiscParams& p, double theta, double disc_force);

/// Intradiscal pressure [Pa] at disc force [N] and hydration [1].
double disc_pressure(const DiscParams& p, double disc_force, double hydration);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const DiscParams& p);

}  // namespace msk::spine
