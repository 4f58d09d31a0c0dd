#include "msk/spine/foramen.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk::spine {

namespace {

/// Smooth positive part: w ln(1 + exp(x / w)), overflow-safe.
double softplus(double x, double w) {
  const double z = x / w;
  return z > 30.0 ? x : w * std::log1p(std::exp(z));
}

/// Width of the smooth positive part of the flavum's shortening [m].
constexpr double kShorteningSmoothing = 2.0e-5;
/// Width below which the foramen's width is kept positive smoothly [m].
constexpr double kWidthSmoothing = 2.5e-4;

}  // namespace

double nerve_root_risk(double value, double threshold, double width) {
  // 0.8 at the threshold (Hasegawa 1995: 4 of 5 and 8 of 10 roots compressed at or below it).
  const double z = (value - threshold) / width;
  if (z > 700.0) return 0.0;
  return 1.0 / (1.0 + 0.25 * std::exp(z));
}

void compute_foramen(const ForamenParams& p, const ForamenInput& in, ForamenState& out) {
  // 1. Height: the pedicles carry the foramen with the disc height and the angle.
  out.height = p.height - p.disc_gain * in.height_loss + p.angle_gain * in.theta;
  // 2. Width: the ligamentum flavum buckles into it as extension and the day's height loss
  //    shorten it (sagitta of a shortened arc), and the disc bulges backwards as it is
  //    compressed at constant volume.
  const double shortening =
      softplus(in.fluid_height_loss + in.elastic_compression - p.flavum_moment_arm * in.theta,
               kShorteningSmoothing);
  out.flavum_buckling = std::sqrt(0.375 * p.flavum_length * shortening);
  const double degeneration_loss =
      std::max(in.height_loss - in.fluid_height_loss - in.elastic_compression, 0.0);
  out.disc_bulge = 0.25 * in.disc_depth * in.elastic_compression / in.disc_height +
                   p.volume_loss_bulge * degeneration_loss;
  out.width = softplus(p.width - out.flavum_buckling - out.disc_bulge, kWidthSmoothing);
  out.area = p.shape_factor * std::max(out.height, 0.0) * out.width;
  // 3. Nerve root: Hasegawa's two criteria as independent causes.
  const double r_height = nerve_root_risk(out.height, p.stenosis_height, p.risk_height_width);
  const double r_posterior = nerve_root_risk(
      in.posterior_disc_height, p.stenosis_posterior_disc_height, p.risk_posterior_width);
  out.nerve_root_risk = 1.0 - (1.0 - r_height) * (1.0 - r_posterior);
  out.stenosis_height = out.height <= p.stenosis_height;
  out.stenosis_posterior = in.posterior_disc_height <= p.stenosis_posterior_disc_height;
}

void validate(const ForamenParams& p) {
  auto fail = [](const char* field, const char* expected, double got) {
    throw InvalidArgument(std::string("foramen.") + field + ": expected " + expected + ", got " +
                          std::to_string(got));
  };
  auto positive = [&](double v, const char* field) {
    if (!(std::isfinite(v) && v > 0.0)) fail(field, "finite and > 0", v);
  };
  positive(p.height, "height");
  positive(p.stenosis_height, "stenosis_height");
  positive(p.stenosis_posterior_disc_height, "stenosis_posterior_disc_height");
  if (!std::isfinite(p.disc_gain)) fail("disc_gain", "finite", p.disc_gain);
  if (!std::isfinite(p.angle_gain)) fail("angle_gain", "finite", p.angle_gain);
  positive(p.width, "width");
  positive(p.shape_factor, "shape_factor");
  if (!(std::isfinite(p.flavum_moment_arm) && p.flavum_moment_arm >= 0.0))
    fail("flavum_moment_arm", "finite and >= 0 [m]", p.flavum_moment_arm);
  if (!(std::isfinite(p.flavum_length) && p.flavum_length >= 0.0))
    fail("flavum_length", "finite and >= 0 [m]", p.flavum_length);
  if (!(std::isfinite(p.volume_loss_bulge) && p.volume_loss_bulge >= 0.0 &&
        p.volume_loss_bulge <= 2.0))
    fail("volume_loss_bulge", "in [0, 2]", p.volume_loss_bulge);
  positive(p.risk_height_width, "risk_height_width");
  positive(p.risk_posterior_width, "risk_posterior_width");
}

}  // namespace msk::spine
