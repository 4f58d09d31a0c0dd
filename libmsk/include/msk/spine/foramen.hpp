// msk/spine/foramen.hpp — the intervertebral foramen of one level and its nerve root.
//
// Height, width and area of the foramen from the level's state (docs/theory/spine.md, Foramen),
// all in the model's geometry (theta = 0, the standing shape, where FH_0 and W_0 are given):
//   FH = FH_0 - g_h dh + g_theta theta                  (pedicle-bounded: follows the disc height
//                                                        dh lost, and the angle)
//   s  = (dh_f + e) - d_LF theta                        (shortening of the ligamentum flavum by
//                                                        the day's height loss, fluid dh_f and
//                                                        elastic e, and by extension)
//   b  = sqrt(3 L_LF s+ / 8)                            (it buckles into the foramen: the sagitta
//                                                        of an arc of length L_LF shortened by s)
//   u  = (D / 4) e / h_0 + c_v dh_D                     (posterior bulge of the disc: compressed
//                                                        at constant volume, and as its nucleus
//                                                        loses volume with degeneration, dh_D)
//   W  = W_0 - b - u (kept positive smoothly),   A = kappa FH W
// The height lost to degeneration lowers FH and bulges the annulus outward (the disc height fell
// by 0.8 mm and its radial bulge rose by 0.2 mm per gram of nucleus removed: c_v = 0.25,
// Brinckmann & Grootenboer 1991), but does not buckle the flavum (it remodels over years; its
// thickening with age is not buckling, Sakamaki et al. 2009).
// and the nerve root's risk from the thresholds of Hasegawa et al. 1995 (roots compressed in 4 of
// 5 foramina with FH <= 15 mm and 8 of 10 with posterior disc height <= 4 mm): a logistic per
// criterion, 0.8 at its threshold and 0.05 a width w x ln 76 above it, combined as independent
// causes:  R = 1 - (1 - r_FH)(1 - r_hp).  The law is an inference, not a published formula.
#pragma once

namespace msk::spine {

/// Constant parameters of the foramen of one level.
struct ForamenParams {
  double height = 0.020;           ///< FH_0 at theta = 0 and full disc height [m]
  double disc_gain = 1.0;          ///< g_h [1]
  double angle_gain = 0.0229;      ///< g_theta [m/rad] (0.4 mm per degree)
  double stenosis_height = 0.015;  ///< FH at or below which a root is at risk [m] (Hasegawa 1995)
  double stenosis_posterior_disc_height = 0.004;  ///< idem for the posterior disc height [m]
  double width = 0.008;                           ///< W_0, width at neutral [m]
  double shape_factor = 0.7853981633974483;       ///< kappa, area / (FH W) [1] (ellipse: pi/4)
  double flavum_moment_arm = 0.033;     ///< d_LF, ligamentum flavum behind the disc centre [m]
  double flavum_length = 0.0077;        ///< L_LF, its length at neutral [m]
  double volume_loss_bulge = 0.25;      ///< c_v, radial bulge per height lost to degeneration [1]
  double risk_height_width = 1.155e-3;  ///< w_FH, width of the foramen-height logistic [m]
  double risk_posterior_width = 0.693e-3;  ///< w_hp, width of the posterior-height logistic [m]
};

/// The foramen of one level in one state.
struct ForamenState {
  double height = 0.0;              ///< FH [m]
  double width = 0.0;               ///< W [m]
  double area = 0.0;                ///< A [m^2]
  double flavum_buckling = 0.0;     ///< b [m]
  double disc_bulge = 0.0;          ///< u [m]
  double nerve_root_risk = 0.0;     ///< R [1]
  bool stenosis_height = false;     ///< FH at or below its threshold
  bool stenosis_posterior = false;  ///< posterior disc height at or below its threshold
};

/// The state of the level the foramen follows.
struct ForamenInput {
  double theta = 0.0;                  ///< flexion from the model's geometry [rad]
  double height_loss = 0.0;            ///< dh, disc height lost from healthy, hydrated [m]
  double fluid_height_loss = 0.0;      ///< dh_f, of which lost with fluid [m]
  double elastic_compression = 0.0;    ///< e, of which elastic [m]
  double posterior_disc_height = 0.0;  ///< [m]
  double disc_height = 0.0;            ///< h_0, healthy, hydrated, unloaded [m]
  double disc_depth = 0.0;             ///< D [m]
};

/// Computes the foramen of a level (see the header comment).
void compute_foramen(const ForamenParams& p, const ForamenInput& in, ForamenState& out);

/// Nerve-root risk of one criterion [1]: 1 / (1 + exp((x - threshold) / width) / 4).
double nerve_root_risk(double value, double threshold, double width);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const ForamenParams& p);

}  // namespace msk::spine
