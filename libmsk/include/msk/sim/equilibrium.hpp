// msk/sim/equilibrium.hpp — posture equilibrium (static optimisation) of a model.
//
// At a posture (posture.hpp) the model's coordinates, gravity and hand loads are fixed. Every
// balanced joint (every revolute joint the posture does not prescribe) must carry its share:
//   sum_i r_ij T_i + rho_j = N_j - P_j(theta, C),
// with r_ij the moment arm of muscle i about joint j, T_i = A_i (a_tone,i + v_i) + P_i its tension
// (rigid tendon, isometric: A_i = F0 cos(alpha) f_L, P_i = F0 cos(alpha) f_PE), N_j the moment the
// joint must supply against gravity and the loads, P_j its passive moment (the spinal level's
// disc, ligaments and facets at the level's compression C, or the range limit), and rho_j a
// reserve moment that must come out zero. The voluntary activations v solve
//   minimise sum_i w_i v_i^2 + W_r sum_j rho_j^2,  0 <= v_i <= 1 - a_tone,i,
// with the tone-driven activations a_tone (the steady stretch reflex at the posture, see
// docs/theory/neural.md) as floors no optimisation can remove (solve_effort_qp_dual). Because the
// compression depends on the muscle forces, the passive moments are iterated to a fixed point.
// How the coordinates are found (PostureMode):
//   - Task: the posture states a task (thighs' and knees' angles, the trunk's
//     inclination in the world, the gaze, the support) and every balanced coordinate the task
//     does not fix follows from it: the pelvis tilts on the hips (models whose ground is the
//     thigh), the levels share the trunk's inclination as gravity, the passive tissues and tone
//     balance best, minimising
//       sum_i w_i v_i^2 + W_r sum_j rho_j^2 + kappa sum (theta - theta_nominal)^2
//     subject to the task's inclinations (linear in the coordinates), with kappa > 0 only for an
//     instructed task (Posture::instructed: "sit up straight", a lifting technique);
//   - Fixed: exactly the posture's nominal angles (the rhythm shares of each region's flexion);
//   - Rhythm (default): each region keeps the posture's total flexion, but its levels may share
//     it differently from the rhythm (kappa always);
//   - Relaxed: the region totals are free too (kappa always).
// The kappa term is a posture-preference law (docs/theory/posture.md, hypothesis H11).
// Supports: a bed carries every weight (the joints carry only muscles and tissues); a seat
// carries the seat body's subtree (e.g. pelvis, spine and trunk) at its contact point (the
// ischial tuberosities): that body is balanced about the contact point and its joint (the hips)
// carries the pull of the muscles crossing it; feet leave every joint its gravity load.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/posture.hpp"
#include "msk/spine/segment.hpp"

namespace msk {

/// How solve_equilibrium finds the levels' angles (see the header comment).
enum class PostureMode { Task, Fixed, Rhythm, Relaxed };

/// "task", "fixed", "rhythm" or "relaxed"; the inverse of posture_mode_name.
/// @throws InvalidArgument for any other name
PostureMode posture_mode_from_name(const std::string& name);
const char* posture_mode_name(PostureMode mode);

/// Settings of solve_equilibrium.
struct EquilibriumOptions {
  PostureMode mode = PostureMode::Rhythm;  ///< see the header comment
  /// kappa [1/rad^2]: 1 deg costs 0.3 (Task mode: instructed tasks only).
  double posture_stiffness = 1000.0;
  double reserve_weight = 1e4;  ///< W_r [1/(N m)^2]
  /// Largest acceptable reserve moment at a joint: reserve_tolerance [N m] plus
  /// reserve_fraction times the moment the joint's muscles must supply. 5 % is half OpenSim's
  /// guideline for reserve actuators ("peak reserve torques less than 10 % of the peak joint
  /// torque", OpenSim documentation, Reserves and Residuals).
  double reserve_tolerance = 1e-3;
  double reserve_fraction = 0.05;  ///< [1]
  int max_load_iterations = 60;    ///< passive-moment fixed-point iterations
  double load_tolerance = 1e-7;    ///< convergence of the passive moments [N m]
  int max_relax_iterations = 200;  ///< quasi-Newton iterations (all modes but Fixed)
  /// Effort weight per muscle (empty: 1 for every muscle) [1].
  std::vector<double> effort_weight;
};

/// What solve_equilibrium found.
struct EquilibriumResult {
  Posture posture;
  Eigen::VectorXd q;        ///< coordinates [rad], size n_dofs
  Eigen::Vector3d gravity;  ///< gravity in the model's ground frame [m/s^2]
  /// The gravity the joints carry [m/s^2]: gravity, or zero when a support carries the weight.
  Eigen::Vector3d load_gravity;
  std::vector<PointLoad> loads;  ///< hand load and arm weight
  /// Forces of the trunk's elements (intra-abdominal pressure: the pair on the thorax and pelvis).
  std::vector<PointLoad> trunk_loads;
  double abdominal_pressure = 0.0;            ///< intra-abdominal pressure [Pa] (0 without its law)
  Eigen::VectorXd tone_activation;            ///< floors a_tone [1], size n_muscles
  Eigen::VectorXd voluntary_activation;       ///< v [1]
  Eigen::VectorXd activation;                 ///< a_tone + v [1]
  Eigen::VectorXd muscle_force;               ///< T [N]
  std::vector<spine::SegmentLoads> segments;  ///< per segment
  Eigen::VectorXd segment_shear;              ///< anterior shear per segment [N]
  std::vector<int> balanced_bodies;           ///< bodies whose joints were balanced
  Eigen::VectorXd reserve_moment;             ///< rho per balanced joint [N m] (~0)
  Eigen::VectorXd joint_load_moment;          ///< N per balanced joint [N m]
  /// What the muscles had to supply per balanced joint: N - P [N m].
  Eigen::VectorXd muscle_moment_demand;
  std::vector<Eigen::Vector3d> body_position;  ///< per body, ground frame [m]
  std::vector<Eigen::Matrix3d> body_rotation;  ///< per body
  std::vector<Eigen::Vector3d> joint_origin;   ///< joint centre per body, ground frame [m]
  /// Per muscle: its active path points in ground [m] (straight pieces; wrap arcs not included).
  std::vector<std::vector<Eigen::Vector3d>> muscle_path;
  double effort = 0.0;  ///< sum_i w_i v_i^2
  /// The effort QP's iterations over every pass: Newton steps of solve_effort_qp_dual (plus
  /// active-set changes where it fell back on solve_effort_qp).
  int qp_iterations = 0;
  int load_iterations = 0;
  int relax_iterations = 0;
  PostureMode mode = PostureMode::Rhythm;
  /// Anterior tilt of the pelvis in the world from relaxed standing [rad] (NaN unless the model's
  /// ground is the thigh): hip coordinate minus the thighs' inclination.
  double pelvic_tilt = 0.0;
  /// The task bodies' forward inclination in the world from the model's geometry [rad] (NaN for a
  /// model without that body).
  double trunk_inclination = 0.0;
  double gaze_inclination = 0.0;
  /// Flexion of each region (sum of its levels' flexion from the model's geometry) [rad].
  std::vector<std::pair<std::string, double>> region_flexion;
  /// The thighs' forward inclination in the world [rad] (the posture's, or what balance found;
  /// NaN unless the model's ground is the thigh).
  double thigh_inclination = 0.0;
  /// Moment of every weight about the feet's centre of pressure [N m] (about the ground's z axis,
  /// negative tipping forward; ~0 for a balanced stance; NaN for a model without feet).
  double balance_moment = 0.0;
  int balance_evaluations = 0;  ///< equilibria the balance search solved (0: not balanced)
  /// Force the seat applies to the seat body's subtree, ground frame [N] (zero without a seat).
  Eigen::Vector3d seat_force = Eigen::Vector3d::Zero();
  /// False when an iteration stopped at its cap or a QP did not converge; `warnings` says which.
  bool converged = true;
  std::vector<std::string> warnings;
};

/// The coordinates of a posture [rad] (rhythm shares of the region angles, level_flexion, hip
/// and head): size model.n_dofs; coordinates the posture does not set keep their defaults.
/// @throws InvalidArgument for a posture that names unknown levels
Eigen::VectorXd posture_coordinates(const Model& model, const Posture& posture);

/// Gravity of a posture in the model's ground frame [m/s^2].
Eigen::Vector3d posture_gravity(const Model& model, const Posture& posture);

/// Solves the posture's equilibrium (see the header comment).
/// @throws EquilibriumError naming the level whose moment no activation can balance
/// @throws InvalidArgument for an invalid posture or options
EquilibriumResult solve_equilibrium(const Model& model, const Posture& posture,
                                    const EquilibriumOptions& options = {});

}  // namespace msk
