#include "msk/spine/shear.hpp"

#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk::spine {

namespace {

/// Width of the smooth gate on the shear's sign [N]: the facets take V sigma(V / w), which is V
/// for anterior shears well above w, 0 at V = 0 and fades to 0 for posterior shears.
constexpr double kShearSmoothing = 5.0;

}  // namespace

double facet_shear_engagement(const ShearParams& p, double facet_closure) {
  return 1.0 / (1.0 + std::exp(-(facet_closure + p.engagement_opening) / p.engagement_width));
}

ShearShare share_shear(const ShearParams& p, double shear, double facet_closure) {
  ShearShare s;
  s.engagement = facet_shear_engagement(p, facet_closure);
  // Two springs in parallel; the facets take anterior shear only.
  const double k_facet = p.facet_stiffness * s.engagement;
  const double total = p.disc_stiffness + k_facet;
  const double anterior = shear / (1.0 + std::exp(-shear / kShearSmoothing));
  s.facet_share = total > 0.0 ? k_facet / total : 0.0;
  s.facet = s.facet_share * anterior;
  s.disc = shear - s.facet;
  return s;
}

void validate(const ShearParams& p) {
  auto fail = [](const char* field, const char* expected, double got) {
    throw InvalidArgument(std::string("shear.") + field + ": expected " + expected + ", got " +
                          std::to_string(got));
  };
  auto positive = [&](double v, const char* field, const char* unit) {
    if (!(std::isfinite(v) && v > 0.0)) fail(field, unit, v);
  };
  positive(p.disc_stiffness, "disc_stiffness", "finite and > 0 [N/m]");
  if (!(std::isfinite(p.facet_stiffness) && p.facet_stiffness >= 0.0))
    fail("facet_stiffness", "finite and >= 0 [N/m]", p.facet_stiffness);
  if (!std::isfinite(p.engagement_opening))
    fail("engagement_opening", "finite [m]", p.engagement_opening);
  positive(p.engagement_width, "engagement_width", "finite and > 0 [m]");
  positive(p.repetitive_limit, "repetitive_limit", "finite and > 0 [N]");
  positive(p.action_limit, "action_limit", "finite and > 0 [N]");
  positive(p.ultimate, "ultimate", "finite and > 0 [N]");
}

}  // namespace msk::spine
