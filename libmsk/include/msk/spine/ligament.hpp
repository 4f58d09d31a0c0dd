// msk/spine/ligament.hpp — a tension-only spinal ligament of one level (sagittal plane).
//
// A ligament spans the level at a distance d from the disc centre (posterior positive, anterior
// negative; docs/theory/spine.md). Its length follows the flexion angle theta [rad] from the
// level's neutral angle and the disc height change dh [m]:  L = L_n + d theta + dh,  with L_n its
// length at the neutral angle and the hydrated, unloaded disc height. It is slack up to its slack
// length L_s, then stiffens through a quadratic toe region of length x_t before turning linear with
// stiffness k:
//   F = 0 for x <= 0;  k x^2 / (2 x_t) for 0 < x < x_t;  k (x - x_t / 2) beyond;  x = L - L_s.
// It pulls the two vertebrae together: its force adds to the disc's compression, and it resists
// flexion when posterior (d > 0), extension when anterior (d < 0).
#pragma once

#include <string>

namespace msk::spine {

/// Constant parameters of one ligament.
struct LigamentParams {
  std::string name;              ///< e.g. "SSL"
  double stiffness = 2.0e4;      ///< k, linear-region stiffness [N/m]
  double neutral_length = 0.01;  ///< L_n [m]
  double slack_strain = 0.0;     ///< eps_s, strain at which it becomes taut [1]
  double moment_arm = 0.03;      ///< d, posterior distance from the disc centre [m]
  double toe_length = 1.0e-3;    ///< x_t [m]
};

/// Slack length L_n (1 + eps_s) [m].
double ligament_slack_length(const LigamentParams& p);
/// Length [m] at flexion angle theta [rad] and disc height change dh [m].
double ligament_length(const LigamentParams& p, double theta, double height_change);
/// Tension [N] at length [m].
double ligament_force(const LigamentParams& p, double length);
/// d(ligament_force)/d(length) [N/m].
double ligament_stiffness(const LigamentParams& p, double length);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const LigamentParams& p);

}  // namespace msk::spine
