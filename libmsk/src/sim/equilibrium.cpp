#include "msk/sim/equilibrium.hpp"

#include <Eigen/Geometry>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "msk/error.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/effort_qp.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/rhs.hpp"
#include "path_pieces.hpp"

namespace msk {

namespace {

/// Inclination of the model's ground frame from the orientation's upright [rad], anterior
/// positive (0 for "side"), without the orientation itself.
double ground_tilt(const Model& m, const Posture& p) {
  const PostureMap& pm = m.posture();
  if (pm.ground_is_thigh) return -posture_thigh_flexion(p);  // the femur turns back as it flexes
  double phi = p.pelvic_tilt;
  if (pm.ground_is_thorax) phi += p.lumbar_flexion + p.thoracic_flexion;
  return phi;
}

/// Inclination of the model's ground frame from upright [rad], anterior positive.
double ground_inclination(const Model& m, const Posture& p) {
  double phi = 0.0;
  if (p.orientation == "supine") phi = -0.5 * M_PI;
  if (p.orientation == "prone") phi = 0.5 * M_PI;
  return phi + ground_tilt(m, p);
}

/// Forward inclination of a body from the ground frame's axes [rad] (sagittal rotation about -z).
double body_inclination(const Data& data, int b) {
  const Eigen::Matrix3d& r = data.body_rotation[static_cast<std::size_t>(b)];
  return std::atan2(-r(1, 0), r(0, 0));
}

/// The region angle a level takes its rhythm share of.
double region_angle(const Posture& p, const std::string& region) {
  if (region == "lumbar") return p.lumbar_flexion;
  if (region == "cervical") return p.neck_flexion;
  return 0.0;
}

/// Hand load and arm weight as point loads on the model's load body (needs the kinematics).
std::vector<PointLoad> posture_loads(const Model& m, const Posture& p, const Eigen::Vector3d& g,
                                     const Data& data) {
  std::vector<PointLoad> loads;
  const PostureMap& pm = m.posture();
  if (pm.load_body < 0) return loads;
  const int b = pm.load_body;
  const Eigen::Matrix3d& rot = data.body_rotation[b];
  const Eigen::Vector3d& pos = data.body_position[b];
  auto to_body = [&](const Eigen::Vector3d& ground) {
    return Eigen::Vector3d(rot.transpose() * (ground - pos));
  };
  const Eigen::Vector3d shoulder = pos + rot * pm.shoulder;
  const double gn = g.norm();
  const Eigen::Vector3d down = gn > 0.0 ? Eigen::Vector3d(g / gn) : Eigen::Vector3d(0, -1, 0);
  const bool holding = !std::isnan(p.hand_distance);
  Eigen::Vector3d arm_com = shoulder + pm.arm_com_fraction * pm.arm_length * down;
  if (holding) {
    // The hands: hand_distance in front of the reference level's centre along the world's
    // horizontal anterior direction, hand_height above it.
    const double phi = ground_inclination(m, p);
    const Eigen::Vector3d forward(std::cos(phi), std::sin(phi), 0.0);
    const Eigen::Vector3d up(-std::sin(phi), std::cos(phi), 0.0);
    const int ref = pm.load_reference;
    const Eigen::Vector3d origin =
        ref >= 0 ? data.joint_origin[m.segment_body()[ref]] : Eigen::Vector3d::Zero();
    const Eigen::Vector3d hands = origin + p.hand_distance * forward + p.hand_height * up;
    arm_com = shoulder + pm.arm_com_fraction * (hands - shoulder);
    if (p.load_mass > 0.0) loads.push_back({b, to_body(hands), p.load_mass * g});
  }
  if (pm.arm_mass > 0.0) loads.push_back({b, to_body(arm_com), pm.arm_mass * g});
  return loads;
}

/// Everything the equilibrium computes at one set of coordinates.
class Evaluator {
 public:
  Evaluator(const Model& m, const Posture& p, const EquilibriumOptions& o)
      : m_(m), p_(p), o_(o), data_(make_data(m)) {
    gravity_ = posture_gravity(m, p);
    // A bed carries every body's weight: the joints carry no gravity load.
    const std::string support = posture_support(p);
    load_gravity_ = support == "bed" ? Eigen::Vector3d::Zero() : gravity_;
    if (support == "seat" && m.posture().seat_body >= 0) seat_body_ = m.posture().seat_body;
    weight_ = Eigen::VectorXd::Ones(m.n_muscles());
    for (std::size_t i = 0; i < o.effort_weight.size(); ++i)
      weight_[static_cast<Eigen::Index>(i)] = o.effort_weight[i];
    for (int b = 0; b < m.n_bodies(); ++b) {
      const int d = m.body_dof()[b];
      if (d >= 0 && !m.posture().dof_prescribed[d]) balanced_.push_back(b);
    }
    hydration_.resize(m.n_segments());
    for (int k = 0; k < m.n_segments(); ++k)
      hydration_[k] = std::isnan(p.hydration) ? m.segment_hydration()[k] : p.hydration;
    rigid_.resize(m.n_muscles());
    for (int i = 0; i < m.n_muscles(); ++i) {
      rigid_[i] = m.muscle_params()[i];
      rigid_[i].tendon = muscle::TendonModel::Rigid;  // isometric, tendon at slack length
    }
    v_.setZero(m.n_muscles());
    for (int l = 0; l < m.n_laws(); ++l) {
      if (m.law_role(l) == "inhibition") inhibition_laws_.push_back(l);
      if (m.law(l).info().stage == LawStage::Trunk) trunk_laws_.push_back(l);
    }
    // Each muscle's activation laws, in order (their roles are strings: compared once here).
    activation_laws_.resize(m.n_muscles());
    for (int i = 0; i < m.n_muscles(); ++i)
      for (const auto& [l, k] : m.muscle_laws(i))
        if (m.law_role(l) == "activation") activation_laws_[i].emplace_back(&m.law(l), k);
    no_state_.setZero(m.layout().n_states);
  }

  const std::vector<int>& balanced() const { return balanced_; }
  const Eigen::Vector3d& gravity() const { return gravity_; }

  /// Solves the activations at q; returns the effort sum w v^2 + W_r sum rho^2.
  double solve(const Eigen::VectorXd& q, double load_tolerance) {
    const int nm = m_.n_muscles(), nb = static_cast<int>(balanced_.size());
    q_ = q;
    load_converged_ = false;
    qp_converged_ = true;
    // 1. Tone floors: the steady reflex at this posture (it sets the kinematics too), less the
    // reciprocal inhibition of the voluntary drive (updated with it below).
    data_.reflex_inhibition.setZero();
    compute_rest_activation(m_, q, data_, floor_);
    tone_excitation_ = data_.excitation;
    apply_inhibition();
    // 2. Geometry (the kinematics and muscle paths at q are those compute_rest_activation left),
    // the posture's loads, and the isometric force of each muscle: T = A a + P.
    compute_joint_muscle_geometry(m_, data_);
    loads_ = posture_loads(m_, p_, load_gravity_, data_);
    active_.resize(nm);
    passive_.resize(nm);
    muscle::MuscleTendonState mt;
    for (int i = 0; i < nm; ++i) {
      muscle::compute_rigid_tendon(rigid_[i], data_.mtu_length[i], 0.0, 0.0, mt);
      passive_[i] = mt.tendon_force;
      // At full activation the fibre is where it was (rigid tendon, at rest: f_V at zero speed
      // whatever the activation's speed scale), with F0 f_L f_V added: the tendon force of
      // compute_rigid_tendon at activation 1, term by term.
      const double full =
          rigid_[i].max_isometric_force * mt.active_force_length * mt.force_velocity;
      const double tendon = std::max(
          0.0, (full + mt.passive_fibre_force + mt.damping_fibre_force) * mt.cos_pennation);
      active_[i] = tendon - passive_[i];
    }
    // 3. What each balanced joint must supply against gravity and the loads (no muscles).
    const Eigen::VectorXd zero_qd = Eigen::VectorXd::Zero(m_.n_dofs());
    compute_joint_reactions(m_, load_gravity_, Eigen::VectorXd::Zero(nm), loads_, zero_qd, zero_qd,
                            data_);
    // Each body's weight term m_b (a_b - g) as compute_joint_reactions has it (a_b = 0 at rest),
    // for compute_passive's level forces.
    weight_force_.resize(static_cast<std::size_t>(m_.n_bodies()));
    for (int b = 0; b < m_.n_bodies(); ++b)
      weight_force_[b] = m_.body_mass()[b] * (data_.work.acc_com[b] - load_gravity_);
    all_loads_ = loads_;
    data_.trunk_loads.clear();
    data_.abdominal_pressure.setZero();
    trunk_needs_.setZero(nb);
    trunk_computed_.setZero(nb);
    needs_.resize(nb);
    Eigen::MatrixXd arm(nm, nb);
    for (int j = 0; j < nb; ++j) {
      const int b = balanced_[j];
      needs_[j] = data_.joint_reaction_moment[b].dot(data_.joint_axis[b]);
      arm.col(j) = data_.joint_moment_arm.col(b);
    }
    // A seat carries the seat body's subtree at the contact point s: the force the joint would
    // have to supply, F, acts there instead, so the moment left to balance about the joint centre
    // o is M_o + (o - s) x F; the joint keeps the muscles' pull (their arms about o).
    seat_force_.setZero();
    if (seat_body_ >= 0) {
      const auto sb = static_cast<std::size_t>(seat_body_);
      const Eigen::Vector3d contact =
          data_.body_position[sb] + data_.body_rotation[sb] * m_.posture().seat_point;
      for (int j = 0; j < nb; ++j) {
        const auto b = static_cast<std::size_t>(balanced_[j]);
        if (balanced_[j] != seat_body_) continue;
        seat_force_ = data_.joint_reaction_force[b];
        needs_[j] += (data_.joint_origin[b] - contact).cross(seat_force_).dot(data_.joint_axis[b]);
      }
    }
    // 4. The QP in x = (v, rho), iterated with the passive moments to a fixed point.
    const int n = nm + nb;
    Eigen::VectorXd h(n), lower(n), upper(n);
    for (int i = 0; i < nm; ++i) {
      h[i] = 2.0 * weight_[i];
      lower[i] = 0.0;
    }
    for (int j = 0; j < nb; ++j) {
      h[nm + j] = 2.0 * o_.reserve_weight;
      lower[nm + j] = -std::numeric_limits<double>::infinity();
      upper[nm + j] = std::numeric_limits<double>::infinity();
    }
    Eigen::MatrixXd e(nb, n);
    e.leftCols(nm) = (arm.array().colwise() * active_.array()).transpose();
    e.rightCols(nb).setIdentity();
    qp_cache_.reset();  // a new E
    Eigen::VectorXd passive_moment = Eigen::VectorXd::Zero(nb), x0(n), base(nb);
    load_iterations_ = 0;
    // Fixed point of the passive moments: the QP uses `used`, the muscle forces it finds give
    // `computed`; under-relaxed (omega halves whenever the gap grows) so that stiff facets and
    // preloaded discs cannot make it oscillate. The trunk's elements join it: the QP uses
    // trunk_needs_, the forces give trunk_computed_. Reciprocal inhibition moves the tone floors
    // with the voluntary drive, so the floors join the fixed point. (Anderson acceleration of this
    // iteration halves the passes, but moves the task mode's flat minima beyond the search's
    // resolution: bench/README.md.)
    Eigen::VectorXd used = Eigen::VectorXd::Zero(nb), computed = used;
    double omega = 1.0, gap = std::numeric_limits<double>::infinity(), floor_change = 0.0;
    for (int it = 0; it < o_.max_load_iterations; ++it) {
      load_iterations_ = it + 1;
      force_ = active_.cwiseProduct(floor_ + v_) + passive_;
      // The trunk's elements follow the muscles' forces, and the joints carry them too.
      const double trunk_change = update_trunk(force_);
      compute_passive(force_, computed);
      const double new_gap =
          it == 0 ? gap : (nb > 0 ? (computed - used).cwiseAbs().maxCoeff() : 0.0);
      if (it > 0 && new_gap < load_tolerance && floor_change < 1e-9 &&
          trunk_change < load_tolerance) {
        load_converged_ = true;
        break;
      }
      if (it > 1 && new_gap > gap) omega = std::max(0.05, 0.5 * omega);
      gap = new_gap;
      used = it == 0 ? computed : Eigen::VectorXd(omega * computed + (1.0 - omega) * used);
      trunk_needs_ = trunk_computed_;
      for (int i = 0; i < nm; ++i)
        upper[i] = std::max(0.0, 1.0 - floor_[i]);
      v_ = v_.cwiseMax(lower.head(nm)).cwiseMin(upper.head(nm));
      base = arm.transpose() * (active_.cwiseProduct(floor_) + passive_);
      const Eigen::VectorXd b = needs_ + trunk_needs_ - used - base;
      // The QP on its dual: the first solve from the unconstrained minimum's multipliers, later
      // ones from the last solution's (a nearby problem: one or two Newton steps). Should the
      // Newton steps not end, the primal active-set method solves it from v.
      EffortQpResult qp = solve_effort_qp_dual(h, e, b, lower, upper,
                                               cold_ ? Eigen::VectorXd() : lambda_, {}, &qp_cache_);
      if (!qp.converged) {
        x0.head(nm) = v_;
        x0.tail(nb) = b - e.leftCols(nm) * v_;
        EffortQpOptions qo;
        qo.start_unconstrained = cold_;
        qp = solve_effort_qp(h, e, b, lower, upper, x0, qo);
      }
      cold_ = false;
      lambda_ = qp.lambda;
      demand_ = needs_ + trunk_needs_ - used;
      qp_iterations_ += qp.iterations;
      qp_converged_ = qp_converged_ && qp.converged;
      v_ = qp.x.head(nm);
      rho_ = qp.x.tail(nb);
      const Eigen::VectorXd previous = floor_;
      apply_inhibition();
      floor_change = nm > 0 ? (floor_ - previous).cwiseAbs().maxCoeff() : 0.0;
    }
    // The final segment loads in data_: a converged pass computed them at these forces already.
    if (!load_converged_) {
      force_ = active_.cwiseProduct(floor_ + v_) + passive_;
      compute_passive(force_, passive_moment);
    }
    return (weight_.array() * v_.array().square()).sum() + o_.reserve_weight * rho_.squaredNorm();
  }

  /// Sum of squares of the reserves beyond tolerance + fraction |demand| [(N m)^2].
  double excess_reserve(double tolerance, double fraction) const {
    double sum = 0.0;
    for (Eigen::Index j = 0; j < rho_.size(); ++j) {
      const double excess = std::abs(rho_[j]) - tolerance - fraction * std::abs(demand_[j]);
      if (excess > 0.0) sum += excess * excess;
    }
    return sum;
  }

  /// Sets the tone's reference to the task's posture q0 (the central command's lambda) and the
  /// time the posture is held (the reflex's habituation).
  void set_tone_reference(const Eigen::VectorXd& q0) {
    msk::set_tone_reference(m_, q0, data_);
    data_.hold_duration = p_.hold_duration;
  }

  bool load_converged() const { return load_converged_; }
  bool qp_converged() const { return qp_converged_; }
  const Data& data() const { return data_; }
  /// The evaluator's Data, for other uses once its result is filled (solve overwrites it).
  Data& scratch_data() { return data_; }

  /// Flexion of each segment from the model's geometry at the last solve [rad].
  Eigen::VectorXd segment_angles() const {
    Eigen::VectorXd a(m_.n_segments());
    for (int k = 0; k < m_.n_segments(); ++k)
      a[k] = data_.segment[k].angle;
    return a;
  }

  void fill(EquilibriumResult& r) const {
    r.q = q_;
    r.gravity = gravity_;
    r.load_gravity = load_gravity_;
    r.loads = loads_;
    r.trunk_loads = data_.trunk_loads;
    r.abdominal_pressure =
        data_.abdominal_pressure.size() > 0 ? data_.abdominal_pressure.maxCoeff() : 0.0;
    r.tone_activation = floor_;
    r.voluntary_activation = v_;
    r.activation = floor_ + v_;
    r.muscle_force = force_;
    r.segments = data_.segment;
    r.segment_shear = data_.segment_shear;
    r.balanced_bodies = balanced_;
    r.reserve_moment = rho_;
    r.joint_load_moment = needs_;
    r.muscle_moment_demand = demand_;
    r.body_position = data_.body_position;
    r.body_rotation = data_.body_rotation;
    r.joint_origin = data_.joint_origin;
    r.muscle_path.assign(m_.n_muscles(), {});
    for (int i = 0; i < m_.n_muscles(); ++i)
      detail::visit_path_pieces(m_, data_, i,
                                [&](const Eigen::Vector3d& a, int, const Eigen::Vector3d& b, int) {
                                  auto& path = r.muscle_path[i];
                                  if (path.empty()) path.push_back(a);
                                  path.push_back(b);
                                });
    r.seat_force = seat_force_;
    r.effort = (weight_.array() * v_.array().square()).sum();
    r.qp_iterations = qp_iterations_;
    r.load_iterations = load_iterations_;
  }

 private:
  /// Tone floors from the steady reflex excitation less the reciprocal inhibition that the
  /// voluntary drive v_ gives (the pair laws' evaluate), through each activation law.
  void apply_inhibition() {
    data_.voluntary_excitation = v_;
    data_.reflex_inhibition.setZero();
    if (!inhibition_laws_.empty()) {
      LawContext context{m_, data_, 0.0, no_state_.data(), data_.xdot.data()};
      for (int l : inhibition_laws_)
        m_.law(l).evaluate(context);
    }
    for (int i = 0; i < m_.n_muscles(); ++i) {
      const double u = std::clamp(tone_excitation_[i] - data_.reflex_inhibition[i], 0.0, 1.0);
      double a = u;
      for (const auto& [law, k] : activation_laws_[i])
        a = law->rest_activation(k, u);
      floor_[i] = std::min(a, 1.0);
    }
  }

  /// Evaluates the trunk-stage laws (intra-abdominal pressure) at these muscle forces: their
  /// forces (data_.trunk_loads, all_loads_) and the moment they take off each balanced joint
  /// (trunk_computed_, as the loads enter the joint reactions). Returns the largest difference
  /// from the moments the last QP used, trunk_needs_ [N m] (0 without trunk laws).
  double update_trunk(const Eigen::VectorXd& force) {
    if (trunk_laws_.empty()) return 0.0;
    data_.muscle_force = force;
    data_.trunk_loads.clear();
    LawContext context{m_, data_, 0.0, no_state_.data(), data_.xdot.data()};
    for (int l : trunk_laws_)
      m_.law(l).evaluate(context);
    all_loads_ = loads_;
    all_loads_.insert(all_loads_.end(), data_.trunk_loads.begin(), data_.trunk_loads.end());
    double change = 0.0;
    for (std::size_t j = 0; j < balanced_.size(); ++j) {
      const int b = balanced_[j];
      Eigen::Vector3d moment = Eigen::Vector3d::Zero();
      for (const PointLoad& l : data_.trunk_loads) {
        if (!m_.body_moves_with_joint()[b][l.body]) continue;
        const Eigen::Vector3d p =
            data_.body_position[l.body] + data_.body_rotation[l.body] * l.point;
        moment -= (p - data_.joint_origin[b]).cross(l.force);
      }
      const double value = moment.dot(data_.joint_axis[b]);
      const auto jj = static_cast<Eigen::Index>(j);
      change = std::max(change, std::abs(value - trunk_needs_[jj]));
      trunk_computed_[jj] = value;
    }
    return change;
  }

  /// Passive moment of each balanced joint about its axis at these muscle forces [N m].
  void compute_passive(const Eigen::VectorXd& force, Eigen::VectorXd& out) {
    // The levels' loads need only the force each level's joint transmits: compute_joint_reactions'
    // terms for those joints, in its order (the subtrees' weights and point loads, less the
    // muscles' pull), without the moments and the other joints (most of its cost). The joint
    // reactions in data_ otherwise keep the muscle-free values of step 3.
    std::vector<Eigen::Vector3d>& sub = data_.work.sub_force;
    for (int b = 0; b < m_.n_bodies(); ++b)
      sub[b] = weight_force_[b];
    for (const PointLoad& l : all_loads_)
      if (l.body >= 0) sub[l.body] -= l.force;
    for (int b = m_.n_bodies() - 1; b >= 0; --b) {
      const int parent = m_.body_parent()[b];
      if (parent >= 0) sub[parent] += sub[b];
    }
    for (int k = 0; k < m_.n_segments(); ++k) {
      const int b = m_.segment_body()[k];
      if (m_.body_dof()[b] < 0) {
        data_.joint_reaction_force[b].setZero();
        continue;
      }
      const Eigen::Vector3d f_muscle = data_.joint_muscle_force[b] * force;
      data_.joint_reaction_force[b] = sub[b] - f_muscle;
    }
    if (m_.n_segments() > 0) compute_segment_loads(m_, hydration_, data_);
    for (std::size_t j = 0; j < balanced_.size(); ++j) {
      const int b = balanced_[j];
      const int k = m_.body_segment()[b];
      const int d = m_.body_dof()[b];
      if (k >= 0)
        out[j] = m_.segment_flexion_sign()[k] * data_.segment[k].moment;
      else
        out[j] = m_.dof_body()[d] == b ? coordinate_limit_moment(m_, d, q_[d]) : 0.0;
    }
  }

  const Model& m_;
  const Posture& p_;
  const EquilibriumOptions& o_;
  Data data_;
  Eigen::Vector3d gravity_, load_gravity_;
  Eigen::VectorXd weight_, hydration_, q_, floor_, active_, passive_, needs_, v_, rho_, force_,
      demand_, tone_excitation_, no_state_;
  Eigen::VectorXd lambda_;          ///< the last QP's multipliers (its warm start)
  EffortQpDualCache qp_cache_;      ///< its factor, kept over the passes of one solve (same E)
  Eigen::VectorXd trunk_needs_;     ///< moment the trunk's elements take off each balanced joint
  Eigen::VectorXd trunk_computed_;  ///< the same at the last muscle forces (trunk_needs_'s goal)
  std::vector<Eigen::Vector3d> weight_force_;  ///< per body: m_b (a_b - g) [N]
  std::vector<int> inhibition_laws_, trunk_laws_;
  std::vector<std::vector<std::pair<const Law*, int>>> activation_laws_;  ///< per muscle
  std::vector<muscle::MuscleTendonParams> rigid_;
  std::vector<int> balanced_;
  std::vector<PointLoad> loads_, all_loads_;  ///< the posture's; with the trunk's elements'
  Eigen::Vector3d seat_force_ = Eigen::Vector3d::Zero();
  int seat_body_ = -1;
  int qp_iterations_ = 0, load_iterations_ = 0;
  bool cold_ = true, load_converged_ = false, qp_converged_ = true;
};

/// Name of the level (segment) or joint of a body, for messages.
std::string joint_label(const Model& m, int b) {
  const int k = m.body_segment()[b];
  if (k >= 0) return m.segment_names()[k];
  return m.dof_names()[m.body_dof()[b]] + " (of " + m.body_names()[b] + ")";
}

}  // namespace

PostureMode posture_mode_from_name(const std::string& name) {
  if (name == "task") return PostureMode::Task;
  if (name == "fixed") return PostureMode::Fixed;
  if (name == "rhythm") return PostureMode::Rhythm;
  if (name == "relaxed") return PostureMode::Relaxed;
  throw InvalidArgument("posture mode: expected task, fixed, rhythm or relaxed, got '" + name +
                        "'");
}

const char* posture_mode_name(PostureMode mode) {
  switch (mode) {
    case PostureMode::Task:
      return "task";
    case PostureMode::Fixed:
      return "fixed";
    case PostureMode::Rhythm:
      return "rhythm";
    case PostureMode::Relaxed:
      return "relaxed";
  }
  return "?";
}

Eigen::Vector3d posture_gravity(const Model& m, const Posture& p) {
  validate(p);
  const double g = m.gravity().norm();
  if (p.orientation == "side") return {0.0, 0.0, -g};
  const double phi = ground_inclination(m, p);
  return {g * std::sin(phi), -g * std::cos(phi), 0.0};
}

Eigen::VectorXd posture_coordinates(const Model& m, const Posture& p) {
  validate(p);
  for (const auto& kv : p.level_flexion)
    if (m.find_segment(kv.first) < 0)
      throw InvalidArgument("posture.level_flexion: expected a segment of model '" + m.name() +
                            "', got '" + kv.first + "'");
  Eigen::VectorXd q(m.n_dofs());
  for (int d = 0; d < m.n_dofs(); ++d)
    q[d] = m.dof_default()[d];
  // Target joint angle of each level; each coordinate takes the least-squares value of the joints
  // it drives (exact for independent levels and for a rhythm of coupled joints).
  std::vector<double> num(m.n_dofs(), 0.0), den(m.n_dofs(), 0.0);
  for (int k = 0; k < m.n_segments(); ++k) {
    const auto named = p.level_flexion.find(m.segment_names()[k]);
    const double theta = named != p.level_flexion.end()
                             ? named->second
                             : m.segment_rhythm()[k] * region_angle(p, m.segment_region()[k]);
    const int b = m.segment_body()[k];
    // Posture angles are measured from the model's geometry (its coordinates at zero), not from
    // the tissues' neutral angle.
    const double joint_angle = m.segment_flexion_sign()[k] * theta;
    const int d = m.body_dof()[b];
    num[d] += m.joint_ratio()[b] * (joint_angle - m.joint_offset()[b]);
    den[d] += m.joint_ratio()[b] * m.joint_ratio()[b];
  }
  for (int d = 0; d < m.n_dofs(); ++d)
    if (den[d] > 0.0) q[d] = num[d] / den[d];
  // The hips: the pelvis on the thighs, thigh inclination plus pelvic tilt.
  if (m.posture().hip_dof >= 0) q[m.posture().hip_dof] = posture_thigh_flexion(p) + p.pelvic_tilt;
  if (m.posture().knee_dof >= 0) q[m.posture().knee_dof] = p.knee_flexion;
  if (m.posture().head_dof >= 0) q[m.posture().head_dof] = p.head_flexion;
  return q;
}

namespace {

/// A task: a body's inclination, linear in the coordinates: row . q = target.
struct TaskRow {
  const char* name;
  Eigen::RowVectorXd row;
  double target;
};

/// The task rows of a posture (trunk and gaze inclinations) for the model's task bodies, with the
/// nominal coordinates q0 giving the default targets. A body whose inclination no coordinate
/// changes (e.g. the ground) has no row.
std::vector<TaskRow> task_rows(const Model& m, const Posture& p, const Eigen::VectorXd& q0) {
  std::vector<TaskRow> rows;
  Data data = make_data(m);
  const int nd = m.n_dofs();
  auto inclinations = [&](const Eigen::VectorXd& q, int b) {
    compute_kinematics(m, q, data);
    return body_inclination(data, b);
  };
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(nd);
  auto add = [&](const char* name, int b, double target) {
    if (b < 0) return;
    // Planar joints about +-z: the inclination is linear in q; central differences are exact up
    // to rounding.
    Eigen::RowVectorXd row(nd);
    constexpr double h = 1e-3;
    for (int d = 0; d < nd; ++d) {
      Eigen::VectorXd qp = q0, qm = q0;
      qp[d] += h;
      qm[d] -= h;
      row[d] = (inclinations(qp, b) - inclinations(qm, b)) / (2.0 * h);
      if (std::abs(row[d]) < 1e-9) row[d] = 0.0;
    }
    if (row.cwiseAbs().maxCoeff() == 0.0) return;
    const double at_geometry = inclinations(zero, b);
    const double nominal = inclinations(q0, b);
    // Target inclination from the geometry's, relative to the ground frame.
    const double relative = std::isnan(target) ? nominal : at_geometry + target - ground_tilt(m, p);
    rows.push_back({name, row, relative + row.dot(q0) - nominal});
  };
  add("trunk", m.posture().trunk_body, p.trunk_flexion);
  add("gaze", m.posture().gaze_body, p.gaze_flexion);
  return rows;
}

/// The task bodies' inclination in the world from the geometry's [rad] at q.
/// `data` is any Data of the model (its kinematics are overwritten).
double world_inclination(const Model& m, const Posture& p, int body, const Eigen::VectorXd& q,
                         Data& data) {
  if (body < 0) return std::numeric_limits<double>::quiet_NaN();
  compute_kinematics(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
  const double at_geometry = body_inclination(data, body);
  compute_kinematics(m, q, data);
  return ground_tilt(m, p) + body_inclination(data, body) - at_geometry;
}

/// Total mass the feet carry [kg]: the bodies, the ground body's (the thighs) and the arms.
double total_mass(const Model& m) {
  double mass = m.posture().ground_mass + m.posture().arm_mass;
  for (double b : m.body_mass())
    mass += b;
  return mass;
}

/// Moment of every weight (the bodies, the ground body's, the arms' and the load's) about the
/// feet's centre of pressure, about the ground frame's z axis [N m]; negative when the weight tips
/// the body forward. NaN for a model without feet.
double balance_moment(const Model& m, const EquilibriumResult& r) {
  const PostureMap& pm = m.posture();
  if (pm.feet_body < 0) return std::numeric_limits<double>::quiet_NaN();
  const auto fb = static_cast<std::size_t>(pm.feet_body);
  // The feet stay flat: the centre of pressure is pressure_offset in front of the ankles,
  // perpendicular to gravity in the sagittal plane.
  const Eigen::Vector3d down = r.gravity.normalized();
  const Eigen::Vector3d forward(-down.y(), down.x(), 0.0);
  const Eigen::Vector3d cop =
      r.body_position[fb] + r.body_rotation[fb] * pm.ankle_point + pm.pressure_offset * forward;
  double moment = 0.0;
  auto add = [&](const Eigen::Vector3d& point, const Eigen::Vector3d& force) {
    moment += (point - cop).cross(force).z();
  };
  for (int b = 0; b < m.n_bodies(); ++b) {
    const auto i = static_cast<std::size_t>(b);
    add(r.body_position[i] + r.body_rotation[i] * m.body_com()[i], m.body_mass()[i] * r.gravity);
  }
  add(pm.ground_com, pm.ground_mass * r.gravity);
  for (const PointLoad& l : r.loads) {
    if (l.body < 0) continue;
    const auto i = static_cast<std::size_t>(l.body);
    add(r.body_position[i] + r.body_rotation[i] * l.point, l.force);
  }
  return moment;
}

/// Solves the equilibrium with the thighs where the posture states them.
EquilibriumResult solve_stated(const Model& m, const Posture& p, const EquilibriumOptions& o) {
  validate(p);
  if (!o.effort_weight.empty() && static_cast<int>(o.effort_weight.size()) != m.n_muscles())
    throw InvalidArgument("effort_weight: expected size " + std::to_string(m.n_muscles()) +
                          ", got " + std::to_string(o.effort_weight.size()));
  for (double w : o.effort_weight)
    if (!(std::isfinite(w) && w > 0.0))
      throw InvalidArgument("effort_weight: expected finite weights > 0");
  if (!(o.reserve_weight > 0.0) || !(o.posture_stiffness >= 0.0) || !(o.reserve_tolerance > 0.0) ||
      !(o.reserve_fraction >= 0.0 && o.reserve_fraction < 1.0))
    throw InvalidArgument(
        "equilibrium options: expected reserve_weight > 0, posture_stiffness >= 0, "
        "reserve_tolerance > 0 and reserve_fraction in [0, 1)");
  if (!(o.max_load_iterations >= 1) || !(o.max_relax_iterations >= 0) || !(o.load_tolerance > 0.0))
    throw InvalidArgument(
        "equilibrium options: expected max_load_iterations >= 1, max_relax_iterations >= 0 and "
        "load_tolerance > 0");
  const PostureMap& pm = m.posture();
  Eigen::VectorXd q0 = posture_coordinates(m, p);
  EquilibriumResult result;
  result.posture = p;
  result.mode = o.mode;

  // The directions the coordinates may move in and the posture preference's weight.
  const bool task = o.mode == PostureMode::Task;
  std::vector<int> free;
  for (int d = 0; d < m.n_dofs(); ++d) {
    if (o.mode == PostureMode::Fixed || pm.dof_prescribed[d]) continue;
    if (!task && (d == pm.hip_dof || d == pm.head_dof)) continue;
    if (d == pm.knee_dof) continue;  // the task poses the knees
    free.push_back(d);
  }
  Eigen::MatrixXd basis = Eigen::MatrixXd::Zero(m.n_dofs(), static_cast<Eigen::Index>(free.size()));
  for (std::size_t a = 0; a < free.size(); ++a)
    basis(free[a], static_cast<Eigen::Index>(a)) = 1.0;
  // Linear constraints c q = c q0 (+ target shift) the moves must keep.
  Eigen::MatrixXd c(0, m.n_dofs());
  Eigen::VectorXd c_target(0);
  if (task) {
    const std::vector<TaskRow> rows = task_rows(m, p, q0);
    c.resize(static_cast<Eigen::Index>(rows.size()), m.n_dofs());
    c_target.resize(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      c.row(static_cast<Eigen::Index>(r)) = rows[r].row;
      c_target[static_cast<Eigen::Index>(r)] = rows[r].target;
    }
  } else if (o.mode == PostureMode::Rhythm && m.n_segments() > 0) {
    // Region totals: sum over the region's levels of flexion = sign ratio q (linear in q).
    std::vector<std::string> regions;
    for (const std::string& r : m.segment_region())
      if (!r.empty() && std::find(regions.begin(), regions.end(), r) == regions.end())
        regions.push_back(r);
    c = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(regions.size()), m.n_dofs());
    for (int k = 0; k < m.n_segments(); ++k) {
      const auto it = std::find(regions.begin(), regions.end(), m.segment_region()[k]);
      if (it == regions.end()) continue;
      const int b = m.segment_body()[k];
      c(it - regions.begin(), m.body_dof()[b]) += m.segment_flexion_sign()[k] * m.joint_ratio()[b];
    }
    c_target = c * q0;
  }
  if (c.rows() > 0 && basis.cols() > 0) {
    // A task the nominal angles do not meet: the least change of the free coordinates that does.
    const Eigen::MatrixXd cb = c * basis;
    const Eigen::VectorXd gap = c_target - c * q0;
    if (gap.cwiseAbs().maxCoeff() > 1e-12)
      q0 += basis * cb.completeOrthogonalDecomposition().solve(gap);
    // Directions within the free coordinates that keep every constraint.
    Eigen::FullPivLU<Eigen::MatrixXd> lu(cb);
    basis = lu.dimensionOfKernel() > 0 ? Eigen::MatrixXd(basis * lu.kernel())
                                       : Eigen::MatrixXd(m.n_dofs(), 0);
  }
  if (task && c.rows() > 0 && (c * q0 - c_target).cwiseAbs().maxCoeff() > 1e-6)
    throw InvalidArgument("posture '" + p.name +
                          "': the task's inclinations cannot be met by the model's free "
                          "coordinates");
  const double kappa = task ? (p.instructed ? o.posture_stiffness : 0.0) : o.posture_stiffness;

  Evaluator ev(m, p, o);
  ev.set_tone_reference(q0);
  ev.solve(q0, o.load_tolerance);
  const Eigen::Index nf = basis.cols();
  if (nf > 0) {
    constexpr double kTolerance = 1e-9;  // passive-moment fixed point inside the search [N m]
    ev.solve(q0, kTolerance);
    const Eigen::VectorXd theta0 = ev.segment_angles();
    const int hip = pm.hip_dof;
    // Coordinates for step z, kept within their ranges.
    auto coordinates = [&](const Eigen::VectorXd& z) {
      Eigen::VectorXd q = q0 + basis * z;
      for (int d = 0; d < m.n_dofs(); ++d)
        q[d] = std::clamp(q[d], m.dof_range_min()[d], m.dof_range_max()[d]);
      return q;
    };
    // Effort, reserves (the QP's own weight) and the posture preference (levels and pelvis),
    // plus a steep penalty on reserves beyond their tolerance, so that the search first makes the
    // posture feasible.
    auto objective = [&](const Eigen::VectorXd& z) {
      const Eigen::VectorXd q = coordinates(z);
      const double j = ev.solve(q, kTolerance);
      double preference = 0.0;
      if (kappa > 0.0) {
        preference = (ev.segment_angles() - theta0).squaredNorm();
        if (hip >= 0) preference += (q[hip] - q0[hip]) * (q[hip] - q0[hip]);
      }
      return j + kappa * preference +
             1e8 * ev.excess_reserve(o.reserve_tolerance, o.reserve_fraction);
    };
    // Central differences: the objective is smooth at the scale of 1e-4 rad but carries the
    // active-set solver's termination noise at much smaller steps.
    auto gradient = [&](const Eigen::VectorXd& at) {
      Eigen::VectorXd g(nf), zp = at;
      const double step = 1e-4;
      for (Eigen::Index a = 0; a < nf; ++a) {
        zp[a] = at[a] + step;
        const double fp = objective(zp);
        zp[a] = at[a] - step;
        g[a] = (fp - objective(zp)) / (2.0 * step);
        zp[a] = at[a];
      }
      return g;
    };
    // Quasi-Newton (BFGS with a backtracking line search, central-difference gradients).
    Eigen::VectorXd z = Eigen::VectorXd::Zero(nf);
    double f = objective(z);
    Eigen::VectorXd g = gradient(z);
    const Eigen::MatrixXd ident = Eigen::MatrixXd::Identity(nf, nf);
    // First step: 0.01 rad along the steepest descent.
    const double scale = g.norm() > 0.0 ? 0.01 / g.norm() : 1.0;
    Eigen::MatrixXd hinv = ident * scale;
    int it = 0;
    bool search_converged = !(g.norm() > 1e-9);
    for (; it < o.max_relax_iterations && g.norm() > 1e-9; ++it) {
      Eigen::VectorXd dir = -hinv * g;
      if (dir.dot(g) >= 0.0) {
        hinv = ident * (0.01 / g.norm());
        dir = -hinv * g;
      }
      double step = 1.0, f_new = f;
      Eigen::VectorXd z_new = z;
      for (int ls = 0; ls < 30; ++ls, step *= 0.5) {
        z_new = z + step * dir;
        f_new = objective(z_new);
        if (f_new <= f + 1e-4 * step * g.dot(dir)) break;
      }
      if (!(f_new < f)) {
        // No descent along the search direction: a minimum at the gradient's resolution.
        search_converged = true;
        break;
      }
      const Eigen::VectorXd g_new = gradient(z_new);
      const Eigen::VectorXd s = z_new - z, y = g_new - g;
      const double sy = s.dot(y);
      if (sy > 1e-16)
        hinv = (ident - s * y.transpose() / sy) * hinv * (ident - y * s.transpose() / sy) +
               s * s.transpose() / sy;
      const bool converged = f - f_new < 1e-10 * (1.0 + std::abs(f));
      z = z_new;
      f = f_new;
      g = g_new;
      if (converged || !(g.norm() > 1e-9)) {
        search_converged = true;
        ++it;
        break;
      }
    }
    ev.solve(coordinates(z), o.load_tolerance);
    result.relax_iterations = it;
    if (!search_converged) {
      std::ostringstream w;
      w << "posture search stopped at its cap of " << o.max_relax_iterations
        << " iterations (gradient " << g.norm() << ")";
      result.warnings.push_back(w.str());
    }
  }

  ev.fill(result);
  if (!ev.load_converged()) {
    std::ostringstream w;
    w << "the passive moments' fixed point stopped at its cap of " << o.max_load_iterations
      << " iterations above the tolerance of " << o.load_tolerance << " N m";
    result.warnings.push_back(w.str());
  }
  if (!ev.qp_converged())
    result.warnings.push_back(
        "the activation QP stopped at its iteration cap (feasible, not optimal)");
  result.converged = result.warnings.empty();

  // What the task produced: pelvis, trunk and gaze in the world, region flexions.
  result.pelvic_tilt = pm.ground_is_thigh && pm.hip_dof >= 0
                           ? result.q[pm.hip_dof] - posture_thigh_flexion(p)
                           : std::numeric_limits<double>::quiet_NaN();
  if (!pm.ground_is_thigh && pm.hip_dof < 0) result.pelvic_tilt = p.pelvic_tilt;
  // The evaluator's data are free now (the result holds what it needs): their kinematics serve
  // the inclinations.
  Data& scratch = ev.scratch_data();
  result.trunk_inclination = world_inclination(m, p, pm.trunk_body, result.q, scratch);
  if (pm.trunk_body < 0 && pm.ground_is_thorax) result.trunk_inclination = ground_tilt(m, p);
  result.gaze_inclination = world_inclination(m, p, pm.gaze_body, result.q, scratch);
  for (int k = 0; k < m.n_segments(); ++k) {
    const std::string& region = m.segment_region()[k];
    const int b = m.segment_body()[k];
    const int d = m.body_dof()[b];
    const double theta =
        m.segment_flexion_sign()[k] * (m.joint_ratio()[b] * result.q[d] + m.joint_offset()[b]);
    auto it = std::find_if(result.region_flexion.begin(), result.region_flexion.end(),
                           [&](const auto& kv) { return kv.first == region; });
    if (it == result.region_flexion.end())
      result.region_flexion.emplace_back(region, theta);
    else
      it->second += theta;
  }

  // A posture no activation can hold: the reserve had to carry a moment.
  for (std::size_t j = 0; j < ev.balanced().size(); ++j) {
    const double rho = result.reserve_moment[static_cast<Eigen::Index>(j)];
    const double demand = result.muscle_moment_demand[static_cast<Eigen::Index>(j)];
    if (std::abs(rho) <= o.reserve_tolerance + o.reserve_fraction * std::abs(demand)) continue;
    const int b = ev.balanced()[j];
    const int k = m.body_segment()[b];
    // Sense of a moment about the joint: flexion / extension for levels and the hip (their
    // coordinates are positive in flexion), else the coordinate's sense.
    const double sign = k >= 0 ? m.segment_flexion_sign()[k] : 1.0;
    const bool named = k >= 0 || m.body_dof()[b] == pm.hip_dof;
    auto sense = [&](double moment) -> std::string {
      if (!named) return moment * sign > 0.0 ? "positive" : "negative";
      return moment * sign > 0.0 ? "flexion" : "extension";
    };
    std::ostringstream msg;
    msg.precision(4);
    if (rho * demand > 0.0)
      msg << "the muscles crossing it lack " << std::abs(rho) << " N m of the " << std::abs(demand)
          << " N m of " << sense(demand) << " it needs, even at full activation";
    else
      msg << "the tone of the muscles crossing it (activation no optimisation can remove) gives "
          << std::abs(rho) << " N m of " << sense(-rho) << " more than the " << std::abs(demand)
          << " N m of " << sense(demand) << " it needs";
    msg << " (load " << p.load_mass << " kg)";
    throw EquilibriumError(p.name, joint_label(m, b), sign * rho, msg.str());
  }
  result.thigh_inclination =
      pm.ground_is_thigh ? posture_thigh_flexion(p) : std::numeric_limits<double>::quiet_NaN();
  result.balance_moment = balance_moment(m, result);
  return result;
}

/// Whether the posture's thighs are found by balance (see Posture::balance).
bool balances(const Model& m, const Posture& p, const EquilibriumOptions& o) {
  const PostureMap& pm = m.posture();
  return p.balance && o.mode == PostureMode::Task && pm.ground_is_thigh && pm.feet_body >= 0 &&
         p.orientation == "upright" && posture_support(p) == "feet";
}

/// The balanced stance: the thighs' inclination theta at which the weights have no moment about
/// the feet's centre of pressure: secant steps (each at most 10 deg) from the stated inclination
/// and 2 deg beside it until the moment changes sign, then the Illinois variant of regula falsi
/// (docs/theory/posture.md §3.10).
EquilibriumResult solve_balanced(const Model& m, const Posture& p, const EquilibriumOptions& o) {
  constexpr double kDeg = M_PI / 180.0;
  constexpr double kLimit = 30.0 * kDeg;  // thighs' inclination searched within +-30 deg
  const double tolerance = 1e-3 * m.gravity().norm() * total_mass(m);  // [N m]: 1 mm of COM
  int evaluations = 0;
  auto at = [&](double theta) {
    Posture q = p;
    q.thigh_flexion = theta;
    ++evaluations;
    return solve_stated(m, q, o);
  };
  double a = posture_thigh_flexion(p);
  EquilibriumResult best = at(a);
  double fa = best.balance_moment;
  double b = a + 2.0 * kDeg;
  double fb = fa;
  bool bracketed = false;
  if (std::abs(fa) > tolerance) {
    EquilibriumResult rb = at(b);
    fb = rb.balance_moment;
    if (std::abs(fb) < std::abs(fa)) best = std::move(rb);
    bracketed = fa * fb < 0.0;
  }
  for (int it = 0; it < 20 && std::abs(best.balance_moment) > tolerance && fb != fa; ++it) {
    double c = (a * fb - b * fa) / (fb - fa);
    if (!bracketed) c = std::clamp(c, b - 10.0 * kDeg, b + 10.0 * kDeg);
    c = std::clamp(c, -kLimit, kLimit);
    EquilibriumResult rc = at(c);
    const double fc = rc.balance_moment;
    if (std::abs(fc) < std::abs(best.balance_moment)) best = std::move(rc);
    if (bracketed && fc * fb > 0.0) {
      fa *= 0.5;  // Illinois: the end kept again counts half
    } else {
      a = b;
      fa = fb;
    }
    b = c;
    fb = fc;
    bracketed = bracketed || fa * fb < 0.0;
    if (std::abs(b - a) < 1e-7) break;
  }
  best.balance_evaluations = evaluations;
  if (std::abs(best.balance_moment) > tolerance) {
    best.converged = false;
    std::ostringstream w;
    w << "balance over the feet not found: " << best.balance_moment
      << " N m of the weight's moment left at a thigh inclination of "
      << best.thigh_inclination / kDeg << " deg";
    best.warnings.push_back(w.str());
  }
  return best;
}

}  // namespace

EquilibriumResult solve_equilibrium(const Model& m, const Posture& p, const EquilibriumOptions& o) {
  return balances(m, p, o) ? solve_balanced(m, p, o) : solve_stated(m, p, o);
}

}  // namespace msk
