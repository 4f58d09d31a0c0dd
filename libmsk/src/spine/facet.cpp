#include "msk/spine/facet.hpp"

#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk::spine {

double facet_penetration(const FacetParams& p, double theta, double height_loss) {
  // Extension (theta < 0) lowers the posterior elements by d_f |theta|; disc height loss by itself.
  return height_loss - p.lever_arm * theta - p.gap;
}

double facet_force(const FacetParams& p, double penetration) {
  if (penetration <= 0.0) return 0.0;
  return p.stiffness * std::pow(penetration, p.exponent);
}

double facet_stiffness(const FacetParams& p, double penetration) {
  if (penetration <= 0.0) return 0.0;
  return p.stiffness * p.exponent * std::pow(penetration, p.exponent - 1.0);
}

void validate(const FacetParams& p) {
  auto fail = [](const char* field, const char* expected, double got) {
    throw InvalidArgument(std::string("facet.") + field + ": expected " + expected + ", got " +
                          std::to_string(got));
  };
  if (!(std::isfinite(p.lever_arm) && p.lever_arm > 0.0))
    fail("lever_arm", "finite and > 0 [m]", p.lever_arm);
  if (!std::isfinite(p.gap)) fail("gap", "finite [m]", p.gap);
  if (!(std::isfinite(p.stiffness) && p.stiffness >= 0.0))
    fail("stiffness", "finite and >= 0 [N/m^n]", p.stiffness);
  if (!(std::isfinite(p.exponent) && p.exponent >= 1.0 && p.exponent <= 3.0))
    fail("exponent", "in [1, 3]", p.exponent);
}

}  // namespace msk::spine
