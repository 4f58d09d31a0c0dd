#include "msk/spine/segment.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk::spine {

namespace {

/// Residual of the axial balance g(e) = F_d + F_f - C - sum T_k and its derivative (> 0).
struct Balance {
  double residual = 0.0;
  double slope = 0.0;
};

/// `disc` is the level's (degenerated) disc; `offset` the height lost before the elastic
/// compression (degeneration and fluid) from the healthy, hydrated height [m].
Balance axial_balance(const SegmentParams& p, const DiscParams& disc, double theta,
                      double compression, double offset, double e) {
  const double height_loss = offset + e;           // h_0 - h
  const double theta_n = theta - p.neutral_angle;  // the ligaments are slack at neutral
  Balance b;
  b.residual = disc_axial_force(disc, e) - compression;
  b.slope = disc_axial_stiffness(disc, e);
  const double delta = facet_penetration(p.facet, theta, height_loss);
  b.residual += facet_force(p.facet, delta);
  b.slope += facet_stiffness(p.facet, delta);
  for (const LigamentParams& lig : p.ligaments) {
    const double length = ligament_length(lig, theta_n, -height_loss);
    b.residual -= ligament_force(lig, length);
    b.slope += ligament_stiffness(lig, length);  // the length falls as e grows
  }
  return b;
}

}  // namespace

void compute_segment(const SegmentParams& p, double theta, double compression, double shear,
                     double hydration, SegmentLoads& out) {
  if (!std::isfinite(theta) || !std::isfinite(compression) || !std::isfinite(shear) ||
      !std::isfinite(hydration))
    throw InvalidArgument("segment " + p.name + ": expected finite angle, compression, shear " +
                          "and hydration, got " + std::to_string(theta) + ", " +
                          std::to_string(compression) + ", " + std::to_string(shear) + ", " +
                          std::to_string(hydration));
  // 0. The disc this level has: degeneration lowers its height and changes its laws; the facets,
  //    ligaments and foramen see the height lost from the healthy geometry.
  const DiscParams disc = degenerated_disc(p.disc, p.degeneration_effects, p.degeneration);
  const double fluid_loss = disc_fluid_height_loss(disc, hydration);
  const double offset =
      degeneration_height_loss(p.disc, p.degeneration_effects, p.degeneration) + fluid_loss;
  auto balance = [&](double e) { return axial_balance(p, disc, theta, compression, offset, e); };

  // 1. Bracket the root of the axial balance: g is strictly increasing in e (k_0 > 0).
  double lo = -1e-4, hi = 1e-4;
  for (int k = 0; k < 200 && balance(lo).residual > 0.0; ++k)
    lo *= 2.0;
  for (int k = 0; k < 200 && balance(hi).residual < 0.0; ++k)
    hi *= 2.0;

  // 2. Safeguarded Newton inside the bracket.
  double e = 0.5 * (lo + hi);
  for (int it = 0; it < 100; ++it) {
    const Balance b = balance(e);
    if (std::abs(b.residual) < 1e-9 * (1.0 + std::abs(compression))) break;
    if (b.residual > 0.0)
      hi = e;
    else
      lo = e;
    double next = e - b.residual / b.slope;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - e) < 1e-15) {
      e = next;
      break;
    }
    e = next;
  }

  // 3. Axial loads at the solution.
  const double height_loss = offset + e;
  const double theta_n = theta - p.neutral_angle;
  out.angle = theta;
  out.angle_from_neutral = theta_n;
  out.compression = compression;
  out.degeneration = p.degeneration;
  out.disc_compression = e;
  out.disc_force = disc_axial_force(disc, e);
  out.facet_closure = facet_penetration(p.facet, theta, height_loss);
  out.facet_force = facet_force(p.facet, out.facet_closure);
  out.ligament_force.resize(p.ligaments.size());
  out.ligament_force_total = 0.0;
  out.ligament_moment = 0.0;
  for (std::size_t k = 0; k < p.ligaments.size(); ++k) {
    const LigamentParams& lig = p.ligaments[k];
    const double t = ligament_force(lig, ligament_length(lig, theta_n, -height_loss));
    out.ligament_force[k] = t;
    out.ligament_force_total += t;
    out.ligament_moment -= lig.moment_arm * t;
  }
  const double carried = std::max(out.disc_force, 0.0) + out.facet_force;
  out.facet_share = carried > 0.0 ? out.facet_force / carried : 0.0;
  out.disc_height = p.disc.height - height_loss;
  // Flexion opens the back of the disc by half its depth times the angle.
  out.posterior_disc_height = p.disc.posterior_height - height_loss + 0.5 * p.disc.depth * theta;

  // 4. Pressure: Nachemson's total under load, the swelling pressure unloaded.
  out.load_pressure = disc_load_pressure(disc, out.disc_force);
  out.swelling_pressure = disc_swelling_pressure(disc, hydration);
  out.pressure = disc_pressure(disc, out.disc_force, hydration);

  // 5. Shear: disc and facets in parallel, against the tolerance limits.
  const ShearShare share = share_shear(p.shear, shear, out.facet_closure);
  out.shear = shear;
  out.disc_shear = share.disc;
  out.facet_shear = share.facet;
  out.facet_shear_engagement = share.engagement;
  out.facet_shear_share = share.facet_share;
  out.shear_ultimate_ratio = shear / p.shear.ultimate;
  out.shear_over_repetitive_limit = shear > p.shear.repetitive_limit;
  out.shear_over_action_limit = shear > p.shear.action_limit;

  // 6. Foramen and nerve root.
  ForamenInput in;
  in.theta = theta;
  in.height_loss = height_loss;
  in.fluid_height_loss = fluid_loss;
  in.elastic_compression = e;
  in.posterior_disc_height = out.posterior_disc_height;
  in.disc_height = p.disc.height;
  in.disc_depth = p.disc.depth;
  ForamenState f;
  compute_foramen(p.foramen, in, f);
  out.foramen_height = f.height;
  out.foramen_width = f.width;
  out.foramen_area = f.area;
  out.flavum_buckling = f.flavum_buckling;
  out.nerve_root_risk = f.nerve_root_risk;
  out.stenosis_foramen = f.stenosis_height;
  out.stenosis_posterior_disc = f.stenosis_posterior;
  out.stenosis = f.stenosis_height || f.stenosis_posterior;

  // 7. Passive restoring moment.
  out.disc_moment = disc_moment(disc, theta_n, out.disc_force);
  out.facet_moment = p.facet.lever_arm * out.facet_force;
  out.moment = out.disc_moment + out.ligament_moment + out.facet_moment;
}

void validate(const SegmentParams& p) {
  const std::string where = "segment " + p.name + ": ";
  try {
    validate(p.disc);
    validate(p.facet);
    for (const LigamentParams& lig : p.ligaments)
      validate(lig);
    validate(p.foramen);
    validate(p.shear);
    validate(p.degeneration_effects);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(where + e.what());
  }
  if (!(std::isfinite(p.degeneration) && p.degeneration >= 0.0 && p.degeneration <= 1.0))
    throw InvalidArgument(where + "degeneration: expected an index in [0, 1], got " +
                          std::to_string(p.degeneration));
  if (!std::isfinite(p.neutral_angle) || std::abs(p.neutral_angle) > 1.0)
    throw InvalidArgument(where + "neutral_angle: expected a finite angle within 1 rad, got " +
                          std::to_string(p.neutral_angle));
}

}  // namespace msk::spine
