#include "msk/spine/ligament.hpp"

#include <cmath>

#include "msk/error.hpp"

namespace msk::spine {

double ligament_slack_length(const LigamentParams& p) {
  return p.neutral_length * (1.0 + p.slack_strain);
}

double ligament_length(const LigamentParams& p, double theta, double height_change) {
  return p.neutral_length + p.moment_arm * theta + height_change;
}

double ligament_force(const LigamentParams& p, double length) {
  const double x = length - ligament_slack_length(p);
  if (x <= 0.0) return 0.0;
  if (x < p.toe_length) return 0.5 * p.stiffness * x * x / p.toe_length;
  return p.stiffness * (x - 0.5 * p.toe_length);
}

double ligament_stiffness(const LigamentParams& p, double length) {
  const double x = length - ligament_slack_length(p);
  if (x <= 0.0) return 0.0;
  if (x < p.toe_length) return p.stiffness * x / p.toe_length;
  return p.stiffness;
}

void validate(const LigamentParams& p) {
  auto fail = [&](const char* field, const char* expected, double got) {
    throw InvalidArgument("ligament " + p.name + "." + field + ": expected " + expected + ", got " +
                          std::to_string(got));
  };
  if (!(std::isfinite(p.stiffness) && p.stiffness >= 0.0))
    fail("stiffness", "finite and >= 0 [N/m]", p.stiffness);
  if (!(std::isfinite(p.neutral_length) && p.neutral_length > 0.0))
    fail("neutral_length", "finite and > 0 [m]", p.neutral_length);
  if (!(std::isfinite(p.slack_strain) && p.slack_strain > -1.0))
    fail("slack_strain", "finite and > -1", p.slack_strain);
  if (!std::isfinite(p.moment_arm)) fail("moment_arm", "finite [m]", p.moment_arm);
  if (!(std::isfinite(p.toe_length) && p.toe_length > 0.0))
    fail("toe_length", "finite and > 0 [m]", p.toe_length);
}

}  // namespace msk::spine
