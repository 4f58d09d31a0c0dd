// msk/sim/rhs.hpp — the right-hand side of the episode ODE: geometry, then laws, then dynamics.
//
//   1. geometry: body poses, muscle-tendon lengths, velocities and moment arms;
//   2. the protocol's voluntary excitation; the laws' ports reset; every law publishes what its
//      states imply (activation, fibre length, parallel tissue force, hydration);
//   3. the laws by stage: mechanics (tendon laws: muscle forces), tissue (viscoelastic and
//      thixotropic rates), modulation (depression, inhibition), reflex; the core sums and clamps
//      the excitation; activation;
//   4. joint moments; the trunk-stage laws (intra-abdominal pressure: forces on the thorax and
//      pelvis, from the muscles' moment); joint reactions and the spinal levels' loads with those
//      forces; the segment-stage laws (disc fluid);
//   5. rigid-body dynamics with the coordinates the examiner drives or holds (if any).
// See law/law.hpp and docs/guide/extending.md for what each stage may read and write.
#pragma once

#include <Eigen/Core>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/protocol.hpp"

namespace msk {

/// What the current phase imposes, evaluated by compute_derivatives.
struct Drive {
  const Phase* phase = nullptr;  ///< nullptr: everything free, no voluntary drive
  double phase_start = 0.0;      ///< [s]
  double speed = 0.0;            ///< signed speed of the phase's angle [rad/s] (see Phase::driven)
  double direction = 1.0;        ///< direction of the last stretch (+1/-1), for resisting torque
};

/// Evaluates the state derivative xdot = f(t, x) and every intermediate into data (excitations,
/// muscle forces, moments, examiner torque). Equations and sources: docs/theory/.
/// @param x  state, size model.layout().n_states
void compute_derivatives(const Model& model, const Drive& drive, double t, const Eigen::VectorXd& x,
                         Data& data);

/// Range-limit moment of coordinate d at q [N m]: k1 (exp(-k2 (q - qmin)) - exp(k2 (q - qmax))), a
/// numerical stand-in for the end of the range (capsule, bone contact), not a tissue law.
double coordinate_limit_moment(const Model& model, int d, double q);

/// Sets data.reflex_reference_length to every muscle's rigid-tendon fibre length at coordinates q
/// [L_opt]: the posture the person adopts, to which the central command references tone (the
/// threshold lambda of Feldman's model sits at this length plus the tone's offset). Episodes
/// reference their starting posture and equilibria the task's nominal posture. Fills the geometry
/// at q.
/// @param q  coordinates [rad], size model.n_dofs()
void set_tone_reference(const Model& model, const Eigen::VectorXd& q, Data& data);

/// The muscles' activation at rest at coordinates q: the fixed point of the laws' steady
/// excitation (Law::rest_excitation) times the modulators' steady gain (Law::rest_gain), less
/// the reciprocal inhibition already in data.reflex_inhibition, at the fibre length that
/// excitation gives, then each
/// muscle's activation law's rest activation (e.g. its floor). Fills the geometry at q,
/// data.excitation (the steady excitation), data.activation and data.mtu (the rest fibre state).
/// @param activation  out: rest activation per muscle [1], size model.n_muscles()
void compute_rest_activation(const Model& model, const Eigen::VectorXd& q, Data& data,
                             Eigen::VectorXd& activation);

}  // namespace msk
