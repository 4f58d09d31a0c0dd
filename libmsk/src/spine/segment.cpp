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

Balance axial_balance(const SegmentParams& p, double theta, double compression, double fluid_loss,
                      double e) {
  const double height_loss = fluid_loss + e;       // h_0 - h
  const double theta_n = theta - p.neutral_angle;  // the ligaments are slack at neutral
  Balance b;
  b.residual = disc_axial_force(p.disc, e) - compression;
  b.slope = disc_axial_stiffness(p.disc, e);
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

void compute_segment(const SegmentParams& p, double theta, double compression, double hydration,
                     SegmentLoads& out) {
  if (!std::isfinite(theta) || !std::isfinite(compression) || !std::isfinite(hydration))
    throw InvalidArgument("segment " + p.name + ": expected finite angle, compression and " +
                          "hydration, got " + std::to_string(theta) + ", " +
                          std::to_string(compression) + ", " + std::to_string(hydration));
  const double fluid_loss = disc_fluid_height_loss(p.disc, hydration);

  // 1. Bracket the root of the axial balance: g is strictly increasing in e (k_0 > 0).
  double lo = -1e-4, hi = 1e-4;
  for (int k = 0; k < 200 && axial_balance(p, theta, compression, fluid_loss, lo).residual > 0.0;
       ++k)
    lo *= 2.0;
  for (int k = 0; k < 200 && axial_balance(p, theta, compression, fluid_loss, hi).residual < 0.0;
       ++k)
    hi *= 2.0;

  // 2. Safeguarded Newton inside the bracket.
  double e = 0.5 * (lo + hi);
  for (int it = 0; it < 100; ++it) {
    const Balance b = axial_balance(p, theta, compression, fluid_loss, e);
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

  // 3. Everything at the solution.
  const double height_loss = fluid_loss + e;
  const double theta_n = theta - p.neutral_angle;
  out.angle = theta;
  out.angle_from_neutral = theta_n;
  out.compression = compression;
  out.disc_compression = e;
  out.disc_force = disc_axial_force(p.disc, e);
  out.facet_force = facet_force(p.facet, facet_penetration(p.facet, theta, height_loss));
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
  out.pressure = disc_pressure(p.disc, out.disc_force, hydration);
  out.foramen_height =
      p.foramen.height - p.foramen.disc_gain * height_loss + p.foramen.angle_gain * theta;
  out.stenosis = out.foramen_height <= p.foramen.stenosis_height ||
                 out.posterior_disc_height <= p.foramen.stenosis_posterior_disc_height;
  out.disc_moment = disc_moment(p.disc, theta_n, out.disc_force);
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
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(where + e.what());
  }
  auto positive = [&](double v, const char* field) {
    if (!(std::isfinite(v) && v > 0.0))
      throw InvalidArgument(where + "foramen." + field + ": expected finite and > 0 [m], got " +
                            std::to_string(v));
  };
  positive(p.foramen.height, "height");
  positive(p.foramen.stenosis_height, "stenosis_height");
  positive(p.foramen.stenosis_posterior_disc_height, "stenosis_posterior_disc_height");
  if (!std::isfinite(p.foramen.disc_gain) || !std::isfinite(p.foramen.angle_gain))
    throw InvalidArgument(where + "foramen gains: expected finite numbers");
  if (!std::isfinite(p.neutral_angle) || std::abs(p.neutral_angle) > 1.0)
    throw InvalidArgument(where + "neutral_angle: expected a finite angle within 1 rad, got " +
                          std::to_string(p.neutral_angle));
}

}  // namespace msk::spine
