#include "msk/sim/episode.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/ublas/matrix.hpp>
#include <boost/numeric/ublas/vector.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>

#include "../model/yaml_util.hpp"
#include "msk/error.hpp"
#include "msk/io/recorder.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/rhs.hpp"
#include "msk/version.hpp"

namespace msk {

namespace {

namespace odeint = boost::numeric::odeint;
using Vec = boost::numeric::ublas::vector<double>;
using Mat = boost::numeric::ublas::matrix<double>;

/// A trial stage of a step left the states' domain (a non-finite state, or a law refused its
/// input): the step is retried shorter from the last accepted state; `error` is what is reported
/// when no step short enough helps.
struct StageFailure {
  SimulationError error;
};

/// The ODE system seen by Boost.Odeint: copies between uBLAS and Eigen vectors and counts calls.
/// Called only at the trial stages of steps (and Jacobian columns): its failures are StageFailure.
struct System {
  const Model* model;
  Data* data;
  const Drive* drive;
  std::size_t* rhs_calls;
  Eigen::VectorXd* scratch;

  void operator()(const Vec& x, Vec& dxdt, double t) const {
    Eigen::VectorXd& xe = *scratch;
    for (std::size_t i = 0; i < x.size(); ++i) {
      // A stage of a step that overflowed: the laws would refuse their input (InvalidArgument);
      // name the state instead, as for a non-finite step result.
      if (!std::isfinite(x[i]))
        throw StageFailure{SimulationError(t, model->layout().names[i], model->layout().laws[i],
                                           "non-finite state")};
      xe[static_cast<Eigen::Index>(i)] = x[i];
    }
    try {
      compute_derivatives(*model, *drive, t, xe, *data);
    } catch (const SimulationError& error) {
      throw StageFailure{error};
    }
    for (std::size_t i = 0; i < x.size(); ++i)
      dxdt[i] = data->xdot[static_cast<Eigen::Index>(i)];
    ++*rhs_calls;
  }
};

/// The Jacobian of the right-hand side for the Rosenbrock stepper, by forward differences (step
/// sqrt(eps) scaled by the state), grouped by the model's structure (Curtis, Powell & Reid 1974):
///   - a muscle's states (activation, fibre length, reflex, depression, tissue branches) change
///     only that muscle's rates and, through its force F_i alone, the accelerations. One
///     evaluation perturbs the j-th state of every muscle at once and gives every muscle's own
///     block; the acceleration rows follow from dqdd/dF_i = (M_ff^-1 R_f^T)_i times each muscle's
///     dF_i (the spinal levels' moments, through their compression, are left out: a Rosenbrock
///     step only needs an approximate Jacobian for stability, its error estimate keeps the
///     accuracy);
///   - every other state (coordinates, speeds, spinal-level states) is a column of its own.
/// One Jacobian costs (largest number of states of a muscle) + (other states) + 2 evaluations
/// instead of n_states + 2. At its first use it is checked against the plain one at the same
/// point; a model whose laws couple muscles otherwise falls back to the plain one.
struct JacobianWorkspace {
  const Model* model = nullptr;
  std::vector<std::vector<int>> muscle_states;  ///< per muscle: its state indices
  std::vector<int> state_muscle;                ///< per state: its muscle, or -1
  std::vector<int> other_states;                ///< states of no muscle
  int n_slots = 0;                              ///< most states of one muscle
  bool checked = false, grouped = true;
  Vec f0, f1, xp;
  Eigen::VectorXd force0;                    ///< muscle forces at x [N]
  Eigen::MatrixXd accel_per_force;           ///< dqdd/dF [1/(kg m)], n_dofs x n_muscles
  Eigen::LDLT<Eigen::MatrixXd> free_factor;  ///< factor of the free coordinates' mass matrix

  explicit JacobianWorkspace(const Model& m) : model(&m) {
    const int n = m.layout().n_states;
    state_muscle.assign(static_cast<std::size_t>(n), -1);
    muscle_states.resize(static_cast<std::size_t>(m.n_muscles()));
    for (int i = 0; i < m.n_muscles(); ++i) {
      for (const auto& [l, k] : m.muscle_laws(i))
        for (int j = 0; j < m.law(l).n_states(); ++j) {
          const int s = m.law(l).state_index(k, j);
          muscle_states[static_cast<std::size_t>(i)].push_back(s);
          state_muscle[static_cast<std::size_t>(s)] = i;
        }
      n_slots =
          std::max(n_slots, static_cast<int>(muscle_states[static_cast<std::size_t>(i)].size()));
    }
    for (int s = 0; s < n; ++s)
      if (state_muscle[static_cast<std::size_t>(s)] < 0) other_states.push_back(s);
    f0.resize(static_cast<std::size_t>(n));
    f1.resize(static_cast<std::size_t>(n));
    xp.resize(static_cast<std::size_t>(n));
    force0.setZero(m.n_muscles());
    accel_per_force.setZero(m.n_dofs(), m.n_muscles());
  }
};

struct Jacobian {
  System system;
  std::size_t* jacobian_calls;
  JacobianWorkspace* w;

  static double step_for(double x) {
    return std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(std::abs(x), 1e-3);
  }

  /// Column j by itself (all rows).
  void column(const Vec& x, Mat& jac, double t, std::size_t j) const {
    const std::size_t n = x.size();
    const double h = step_for(x[j]);
    w->xp[j] = x[j] + h;
    system(w->xp, w->f1, t);
    for (std::size_t i = 0; i < n; ++i)
      jac(i, j) = (w->f1[i] - w->f0[i]) / h;
    w->xp[j] = x[j];
  }

  void plain(const Vec& x, Mat& jac, double t) const {
    for (std::size_t j = 0; j < x.size(); ++j)
      column(x, jac, t, j);
  }

  /// dqdd/dF at the point of f0: M_ff^-1 R_f^T on the free coordinates, 0 on the ones the
  /// examiner drives or holds (data.constrained, set by the evaluation of f0).
  void acceleration_per_force() const {
    const Model& m = *w->model;
    const Data& d = *system.data;
    const int nd = m.n_dofs();
    std::vector<int> free;
    for (int a = 0; a < nd; ++a)
      if (!d.constrained[static_cast<std::size_t>(a)]) free.push_back(a);
    const int nf = static_cast<int>(free.size());
    w->accel_per_force.setZero();
    // Eigen's triangular solve binds a reference to the first coefficient, so an empty
    // right-hand side (a model without muscles) must not reach it.
    if (nf == 0 || m.n_muscles() == 0) return;
    if (nf == nd) {
      w->free_factor.compute(d.mass_matrix);
      w->accel_per_force = w->free_factor.solve(d.moment_arm.transpose());
      return;
    }
    Eigen::MatrixXd mff(nf, nf), rf(nf, m.n_muscles());
    for (int a = 0; a < nf; ++a) {
      for (int b = 0; b < nf; ++b)
        mff(a, b) = d.mass_matrix(free[a], free[b]);
      rf.row(a) = d.moment_arm.col(free[a]).transpose();
    }
    w->free_factor.compute(mff);
    const Eigen::MatrixXd g = w->free_factor.solve(rf);
    for (int a = 0; a < nf; ++a)
      w->accel_per_force.row(free[a]) = g.row(a);
  }

  void grouped(const Vec& x, Mat& jac, double t) const {
    const Model& m = *w->model;
    const StateLayout& L = m.layout();
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        jac(i, j) = 0.0;
    // Columns of the states of no muscle, one at a time.
    for (int s : w->other_states)
      column(x, jac, t, static_cast<std::size_t>(s));
    // The j-th state of every muscle at once.
    for (int slot = 0; slot < w->n_slots; ++slot) {
      for (const auto& states : w->muscle_states)
        if (slot < static_cast<int>(states.size())) {
          const std::size_t c = static_cast<std::size_t>(states[static_cast<std::size_t>(slot)]);
          w->xp[c] = x[c] + step_for(x[c]);
        }
      system(w->xp, w->f1, t);
      const Eigen::VectorXd& force1 = system.data->muscle_force;
      for (int i = 0; i < m.n_muscles(); ++i) {
        const auto& states = w->muscle_states[static_cast<std::size_t>(i)];
        if (slot >= static_cast<int>(states.size())) continue;
        const std::size_t c = static_cast<std::size_t>(states[static_cast<std::size_t>(slot)]);
        const double h = w->xp[c] - x[c];
        for (int r : states)
          jac(static_cast<std::size_t>(r), c) =
              (w->f1[static_cast<std::size_t>(r)] - w->f0[static_cast<std::size_t>(r)]) / h;
        const double df = (force1[i] - w->force0[i]) / h;
        for (int dof = 0; dof < m.n_dofs(); ++dof)
          jac(static_cast<std::size_t>(L.qd_offset + dof), c) = w->accel_per_force(dof, i) * df;
        w->xp[c] = x[c];
      }
    }
  }

  void operator()(const Vec& x, Mat& jac, double t, Vec& dfdt) const {
    const std::size_t n = x.size();
    w->xp = x;
    system(x, w->f0, t);
    w->force0 = system.data->muscle_force;
    acceleration_per_force();
    if (!w->checked) {
      // First use: the grouped Jacobian must match the plain one where the laws keep to their
      // muscle (relative 1e-3 of the column's scale, finite differences being what they are).
      w->checked = true;
      Mat reference(n, n);
      plain(x, reference, t);
      grouped(x, jac, t);
      const bool has_segments = w->model->n_segments() > 0;
      for (std::size_t j = 0; j < n && w->grouped; ++j) {
        double scale = 1e-8;
        for (std::size_t i = 0; i < n; ++i)
          scale = std::max(scale, std::abs(reference(i, j)));
        for (std::size_t i = 0; i < n; ++i) {
          const bool acceleration_row =
              static_cast<int>(i) >= w->model->layout().qd_offset &&
              static_cast<int>(i) < w->model->layout().qd_offset + w->model->n_dofs();
          if (has_segments && (acceleration_row || w->state_muscle[i] < 0)) continue;
          if (std::abs(jac(i, j) - reference(i, j)) > 1e-3 * scale) {
            w->grouped = false;
            break;
          }
        }
      }
      if (!w->grouped) jac = reference;
    } else if (w->grouped) {
      grouped(x, jac, t);
    } else {
      plain(x, jac, t);
    }
    const double ht =
        std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(std::abs(t), 1.0);
    system(x, w->f1, t + ht);
    for (std::size_t i = 0; i < n; ++i)
      dfdt[i] = (w->f1[i] - w->f0[i]) / ht;
    ++*jacobian_calls;
  }
};

/// Value of one core channel (CoreChannel, see make_channels in model.cpp).
double core_value(const Model& m, const Data& d, const Eigen::VectorXd& x, const CoreChannel& c) {
  using K = CoreChannel::Kind;
  const StateLayout& L = m.layout();
  const int e = c.entity;
  switch (c.kind) {
    case K::JointAngle:
      return x[L.q_offset + e];
    case K::JointVelocity:
      return x[L.qd_offset + e];
    case K::JointMuscleMoment:
      return d.muscle_moment[e];
    case K::ExaminerTorque:
      return d.examiner_torque[e];
    case K::ResistingTorque:
      return d.resisting_torque[e];
    case K::MuscleExcitation:
      return d.excitation[e];
    case K::MuscleVoluntary:
      return d.voluntary_excitation[e];
    case K::MuscleFibreLength:
      return d.mtu[static_cast<std::size_t>(e)].fibre_length;
    case K::MuscleNormFibreLength:
      return d.mtu[static_cast<std::size_t>(e)].norm_fibre_length;
    case K::MuscleFibreVelocity:
      return d.mtu[static_cast<std::size_t>(e)].fibre_velocity;
    case K::MuscleMtuLength:
      return d.mtu_length[e];
    case K::MuscleForce:
      return d.muscle_force[e];
    case K::MusclePassiveForce:
      return d.passive_force[e];
    case K::MuscleMomentArm:
      return d.moment_arm(e, c.sub);
    case K::MuscleMoment:
      return d.moment_arm(e, c.sub) * d.muscle_force[e];
    case K::PairCci:
    case K::PairNetMoment:
    case K::PairAgonistMoment:
    case K::PairAntagonistMoment: {
      const int j = m.pair_dof()[static_cast<std::size_t>(e)];
      double ag = 0.0, ant = 0.0, ag_abs = 0.0, ant_abs = 0.0;
      for (int i : m.pair_agonists()[static_cast<std::size_t>(e)]) {
        const double mom = d.moment_arm(i, j) * d.muscle_force[i];
        ag += mom;
        ag_abs += std::abs(mom);
      }
      for (int i : m.pair_antagonists()[static_cast<std::size_t>(e)]) {
        const double mom = d.moment_arm(i, j) * d.muscle_force[i];
        ant += mom;
        ant_abs += std::abs(mom);
      }
      if (c.kind == K::PairNetMoment) return ag + ant;
      if (c.kind == K::PairAgonistMoment) return ag;
      if (c.kind == K::PairAntagonistMoment) return ant;
      // Co-contraction index (Falconer & Winter 1985): 2 min(Mag, Mant) / (Mag + Mant).
      const double total = ag_abs + ant_abs;
      return total > 1e-12 ? 2.0 * std::min(ag_abs, ant_abs) / total : 0.0;
    }
    case K::SegmentAngle:
      return d.segment[static_cast<std::size_t>(e)].angle;
    case K::SegmentCompression:
      return d.segment[static_cast<std::size_t>(e)].compression;
    case K::SegmentShear:
      return d.segment_shear[e];
    case K::SegmentDiscForce:
      return d.segment[static_cast<std::size_t>(e)].disc_force;
    case K::SegmentPressure:
      return d.segment[static_cast<std::size_t>(e)].pressure;
    case K::SegmentFacetForce:
      return d.segment[static_cast<std::size_t>(e)].facet_force;
    case K::SegmentFacetShare:
      return d.segment[static_cast<std::size_t>(e)].facet_share;
    case K::SegmentLigamentForce:
      return d.segment[static_cast<std::size_t>(e)].ligament_force_total;
    case K::SegmentDiscHeight:
      return d.segment[static_cast<std::size_t>(e)].disc_height;
    case K::SegmentForamenHeight:
      return d.segment[static_cast<std::size_t>(e)].foramen_height;
    case K::SegmentMoment:
      return d.segment[static_cast<std::size_t>(e)].moment;
    case K::SegmentPosteriorDiscHeight:
      return d.segment[static_cast<std::size_t>(e)].posterior_disc_height;
    case K::SegmentDiscShear:
      return d.segment[static_cast<std::size_t>(e)].disc_shear;
    case K::SegmentFacetShear:
      return d.segment[static_cast<std::size_t>(e)].facet_shear;
    case K::SegmentForamenWidth:
      return d.segment[static_cast<std::size_t>(e)].foramen_width;
    case K::SegmentForamenArea:
      return d.segment[static_cast<std::size_t>(e)].foramen_area;
    case K::SegmentNerveRootRisk:
      return d.segment[static_cast<std::size_t>(e)].nerve_root_risk;
    case K::SegmentDegeneration:
      return d.segment[static_cast<std::size_t>(e)].degeneration;
    case K::SegmentHydration:
      return d.segment_hydration[e];
    case K::RegionAngle:
    case K::RegionResistingTorque:
    case K::RegionExaminerTorque: {
      // The region's angle is the sum of its coordinates; its torques are the rhythm-weighted
      // sums, conjugate to that angle.
      const auto& dofs = m.region_dofs()[static_cast<std::size_t>(e)];
      const auto& weights = m.region_weights()[static_cast<std::size_t>(e)];
      double value = 0.0;
      for (std::size_t j = 0; j < dofs.size(); ++j) {
        const int dof = dofs[j];
        if (c.kind == K::RegionAngle)
          value += x[L.q_offset + dof];
        else
          value += weights[j] * (c.kind == K::RegionResistingTorque ? d.resisting_torque[dof]
                                                                    : d.examiner_torque[dof]);
      }
      return value;
    }
  }
  return 0.0;
}

/// Fills one output row: the core channels from their recipes, then every law's channels.
void fill_row(const Model& m, Data& d, const Eigen::VectorXd& x, double t, double* row) {
  for (const CoreChannel& c : m.core_channels())
    row[c.index] = core_value(m, d, x, c);
  const LawContext context{m, d, t, x.data(), d.xdot.data()};
  for (int l : m.law_order())
    m.law(l).record(context, row);
}

std::string solver_text(const EpisodeOptions& o) {
  std::ostringstream s;
  s << "{\"stepper\": \"" << o.stepper << "\", \"rtol\": " << o.rtol << ", \"atol\": " << o.atol
    << ", \"output_dt\": " << o.output_dt << ", \"max_step\": " << o.max_step << "}";
  return s.str();
}

/// Runs the phases with one dense-output stepper type.
class Runner {
 public:
  Runner(const Model& model, const EpisodeOptions& options, EpisodeResult& result,
         io::Recorder* recorder)
      : m_(model), o_(options), res_(result), rec_(recorder), data_(make_data(model)) {
    scratch_.setZero(model.layout().n_states);
    row_.assign(model.channels().size(), 0.0);
    for (const EventSpec& e : options.events) {
      std::size_t c = 0;
      while (c < model.channels().size() && model.channels()[c].name != e.channel)
        ++c;
      if (c == model.channels().size())
        throw InvalidArgument("events[" + e.name + "].channel: expected a channel of model '" +
                              model.name() + "', got '" + e.channel + "'");
      event_channel_.push_back(c);
    }
    event_prev_.assign(options.events.size(), 0.0);
    start_ = std::chrono::steady_clock::now();
    last_progress_ = start_;
  }

  template <class Stepper, class SystemArg>
  void run(Stepper stepper, const SystemArg& system_arg, const std::vector<Phase>& phases,
           State& state, double t_total) {
    t_total_ = t_total;
    Vec x(state.x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = state.x[static_cast<Eigen::Index>(i)];
    double t = state.time;
    record(t, x);
    for (const Phase& phase : phases) {
      if (stop_all_) break;
      drive_.phase = &phase;
      drive_.phase_start = t;
      double duration = phase.duration;
      drive_.speed = 0.0;
      if (!phase.label.empty()) add_event(t, phase.label);
      if (!phase.driven.empty()) {
        const double angle = phase_angle(phase, x);
        if (phase.type == "ramp") {
          const double dir = phase.target >= angle ? 1.0 : -1.0;
          drive_.speed = dir * std::abs(phase.speed);
          drive_.direction = dir;
          duration = std::abs(phase.target - angle) / std::abs(phase.speed);
        } else if (phase.type == "passive_stretch") {
          drive_.direction = stretch_direction(phase, x, t);
          drive_.speed = drive_.direction * std::abs(phase.speed);
        }
        // The examiner imposes the coordinates' speeds.
        for (std::size_t j = 0; j < phase.driven.size(); ++j)
          x[static_cast<std::size_t>(m_.layout().qd_offset + phase.driven[j])] =
              drive_.speed * phase.weight[j];
        for (int d : phase.held)
          x[static_cast<std::size_t>(m_.layout().qd_offset + d)] = 0.0;
      }
      t = integrate_phase(stepper, system_arg, phase, x, t, t + duration);
      progress(t, true);
    }
    state.time = t;
    for (std::size_t i = 0; i < x.size(); ++i)
      state.x[static_cast<Eigen::Index>(i)] = x[i];
  }

  Drive& drive() { return drive_; }
  Data& data() { return data_; }
  Eigen::VectorXd& scratch() { return scratch_; }
  std::size_t rhs_calls = 0;
  std::size_t jacobian_calls = 0;
  std::size_t steps = 0;
  std::size_t retries = 0;         ///< steps retried shorter after a stage left the domain
  std::size_t stage_failures = 0;  ///< consecutive ones

 private:
  /// The phase's angle: the sum of its driven coordinates [rad].
  double phase_angle(const Phase& phase, const Vec& x) const {
    double angle = 0.0;
    for (int d : phase.driven)
      angle += x[static_cast<std::size_t>(m_.layout().q_offset + d)];
    return angle;
  }

  /// The tissue torque resisting the phase's motion, conjugate to its angle: sum_d w_d T_d [N m]
  /// (needs evaluate).
  double phase_resisting_torque(const Phase& phase) const {
    double torque = 0.0;
    for (std::size_t j = 0; j < phase.driven.size(); ++j)
      torque += phase.weight[j] * data_.resisting_torque[phase.driven[j]];
    return torque;
  }

  /// The torque the person tolerates in this stretch: the examiner's barrier torque times the
  /// stretched muscles' stretch tolerance, averaged with weights their share of the resisting
  /// torque (the tissue that carries the stretch is the one felt; plain mean when none resists)
  /// (needs evaluate) [N m].
  double tolerated_torque(const Phase& phase) const {
    double weighted = 0.0, total = 0.0, mean = 0.0;
    for (int i : phase.stretched) {
      double resisting = 0.0;  // muscle i's torque against the stretch, conjugate to its angle
      for (std::size_t j = 0; j < phase.driven.size(); ++j)
        resisting -= drive_.direction * phase.weight[j] * data_.moment_arm(i, phase.driven[j]) *
                     data_.muscle_force[i];
      const double w = std::max(resisting, 0.0);
      weighted += w * data_.stretch_tolerance[i];
      total += w;
      mean += data_.stretch_tolerance[i];
    }
    if (phase.stretched.empty()) return phase.barrier_torque;
    const double factor =
        total > 0.0 ? weighted / total : mean / static_cast<double>(phase.stretched.size());
    return phase.barrier_torque * factor;
  }

  double stretch_direction(const Phase& phase, const Vec& x, double t) {
    evaluate(t, x);
    double r = 0.0;
    for (int i : phase.stretched)
      for (std::size_t j = 0; j < phase.driven.size(); ++j)
        r += phase.weight[j] * data_.moment_arm(i, phase.driven[j]);
    // Lengthening needs dl = -r dq > 0, i.e. dq of the sign opposite to the summed moment arm.
    return r > 0.0 ? -1.0 : 1.0;
  }

  void evaluate(double t, const Vec& x) {
    for (std::size_t i = 0; i < x.size(); ++i)
      scratch_[static_cast<Eigen::Index>(i)] = x[i];
    compute_derivatives(m_, drive_, t, scratch_, data_);
  }

  void record(double t, const Vec& x) {
    if (!res_.time.empty() && std::abs(t - res_.time.back()) < 1e-12) return;
    evaluate(t, x);
    fill_row(m_, data_, scratch_, t, row_.data());
    for (double v : row_) {
      if (!std::isfinite(v)) {
        std::size_t c = 0;
        while (c < row_.size() && std::isfinite(row_[c]))
          ++c;
        throw SimulationError(t, m_.channels()[c].name, "output", "non-finite output value");
      }
    }
    res_.time.push_back(t);
    res_.values.insert(res_.values.end(), row_.begin(), row_.end());
    if (rec_ != nullptr) rec_->append(t, row_.data());
  }

  void add_event(double t, const std::string& label) {
    res_.event_times.push_back(t);
    res_.event_labels.push_back(label);
    if (rec_ != nullptr) rec_->append_event(t, label);
  }

  void check_finite(double t, const Vec& x) const {
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!std::isfinite(x[i]))
        throw SimulationError(t, m_.layout().names[i], m_.layout().laws[i], "non-finite state");
  }

  void progress(double t, bool force) {
    if (!o_.progress) return;
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_progress_).count();
    if (!force && since < o_.progress_interval_s) return;
    last_progress_ = now;
    if (!o_.progress(t, t_total_)) {
      std::ostringstream s;
      s << "cancelled at t = " << t << " s";
      throw Error(s.str());
    }
  }

  /// Event function of a stretch (>= 0: barrier reached): the smaller of the resisting torque
  /// minus the tolerated torque [N m] and, with an end-feel criterion, the resisting stiffness
  /// along the stretch minus barrier_stiffness, per degree [N m/deg].
  double barrier_gap(const Phase& phase, double t, const Vec& x) {
    evaluate(t, x);
    const double torque = phase_resisting_torque(phase);
    const double gap = torque - tolerated_torque(phase);
    if (phase.barrier_stiffness <= 0.0) return gap;
    return std::min(
        gap, (resisting_stiffness(phase, t, x, torque) - phase.barrier_stiffness) * (M_PI / 180.0));
  }

  /// Stiffness the examiner feels along the stretch: the rate of the resisting torque over the
  /// speed, (T(t + h, x + h xdot) - T(t, x)) / (h |speed|) [N m/rad], so that reflex and
  /// viscoelastic responses to the motion count as they do for the examiner's hand. Needs
  /// evaluate(t, x) just before (data_.xdot).
  double resisting_stiffness(const Phase& phase, double t, const Vec& x, double torque) {
    const double speed = std::abs(drive_.speed);
    if (speed <= 0.0) return 0.0;
    constexpr double h = 1e-4;  // [s]
    Vec x1(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      x1[i] = x[i] + h * data_.xdot[static_cast<Eigen::Index>(i)];
    evaluate(t + h, x1);
    const double stiffness = (phase_resisting_torque(phase) - torque) / (h * speed);
    evaluate(t, x);  // the workspace back at (t, x)
    return stiffness;
  }

  bool out_of_range(const Phase& phase, const Vec& x) const {
    for (int d : phase.driven) {
      const double q = x[static_cast<std::size_t>(m_.layout().q_offset + d)];
      if (q < m_.dof_range_min()[d] || q > m_.dof_range_max()[d]) return true;
    }
    return false;
  }

  void warn(double t, const std::string& message) {
    std::ostringstream s;
    s.precision(4);
    s << "t = " << std::fixed << t << " s: " << message;
    res_.warnings.push_back(s.str());
  }

  template <class Stepper, class SystemArg>
  double integrate_phase(Stepper& stepper, const SystemArg& system_arg, const Phase& phase, Vec& x,
                         double t0, double t_end) {
    const bool is_stretch = phase.type == "passive_stretch";
    const std::string joint = phase.target_name;
    if (t_end <= t0) return t0;
    update_event_values(t0, x);
    if (is_stretch) {
      evaluate(t0, x);
      const double torque = phase_resisting_torque(phase);
      const double tolerated = tolerated_torque(phase);
      if (torque >= tolerated) {
        // Already past the barrier: no stretch. Said as an event and a warning, never silently.
        std::ostringstream s;
        s.precision(3);
        s << "the stretch of " << joint << " starts past its barrier: resisting torque " << torque
          << " N m >= tolerated " << tolerated << " N m (barrier torque " << phase.barrier_torque
          << " N m); the examiner does not move it";
        warn(t0, s.str());
        add_event(t0, "barrier_exceeded:" + joint);
        add_event(t0, "barrier:" + joint);
        return t0;
      }
    }
    stepper.initialize(x, t0, std::min(o_.initial_step, t_end - t0));
    Vec xi(x.size());
    const double dt_out = o_.output_dt;
    while (true) {
      if (++steps > o_.max_steps)
        throw SimulationError(stepper.current_time(), "<all states>", o_.stepper,
                              "step limit of " + std::to_string(o_.max_steps) + " reached");
      std::pair<double, double> span;
      try {
        span = stepper.do_step(system_arg);
        stage_failures = 0;
      } catch (const odeint::step_adjustment_error& e) {
        throw SimulationError(stepper.current_time(), "<step size>", o_.stepper,
                              std::string("step-size control failed: ") + e.what());
      } catch (const StageFailure& failure) {
        // A trial stage left the states' domain (the step was too long for the tolerance):
        // retry from the last accepted state with a quarter of the step, as often as it takes
        // to reach a step of 1e-12 of the time; then report the state and law at fault.
        --steps;
        const double t_now = stepper.current_time();
        const double dt = 0.25 * stepper.current_time_step();
        if (++stage_failures > 60 || dt < 1e-12 * std::max(1.0, std::abs(t_now)))
          throw failure.error;
        ++retries;
        retry_state_ = stepper.current_state();
        stepper.initialize(retry_state_, t_now, dt);
        continue;
      }
      const double t_old = span.first, t_new = span.second;
      check_finite(t_new, stepper.current_state());
      if (t_new - t_old < 1e-14 * std::max(1.0, std::abs(t_new)))
        throw SimulationError(t_new, "<step size>", o_.stepper, "step size underflow");
      const double t_stop = std::min(t_new, t_end);
      // Event: locate the barrier (or the end of the range) by bisection on the dense output.
      if (is_stretch) {
        stepper.calc_state(t_stop, xi);
        const bool hit = barrier_gap(phase, t_stop, xi) >= 0.0;
        const bool range = out_of_range(phase, xi);
        if (hit || range) {
          double lo = t_old, hi = t_stop;
          for (int it = 0; it < 60 && hi - lo > 1e-10; ++it) {
            const double mid = 0.5 * (lo + hi);
            stepper.calc_state(mid, xi);
            const bool crossed = hit ? barrier_gap(phase, mid, xi) >= 0.0 : out_of_range(phase, xi);
            (crossed ? hi : lo) = mid;
          }
          const double t_user = user_events(stepper, t_old, hi, xi);
          if (stop_all_) return finish_at(stepper, t_old, t_user, dt_out, x, xi);
          record_grid(stepper, t_old, hi, dt_out, xi);
          stepper.calc_state(hi, x);
          record(hi, x);
          add_event(hi, (hit ? "barrier:" : "range_limit:") + joint);
          return hi;
        }
      }
      const double t_user = user_events(stepper, t_old, t_stop, xi);
      if (stop_all_) return finish_at(stepper, t_old, t_user, dt_out, x, xi);
      record_grid(stepper, t_old, t_stop, dt_out, xi);
      progress(t_stop, false);
      if (t_new >= t_end) {
        stepper.calc_state(t_end, x);
        record(t_end, x);
        if (is_stretch) add_event(t_end, "stretch_timeout:" + joint);
        return t_end;
      }
    }
  }

  /// Value of channel c at (t, x).
  double channel_value(std::size_t c, double t, const Vec& x) {
    evaluate(t, x);
    fill_row(m_, data_, scratch_, t, row_.data());
    return row_[c];
  }

  void update_event_values(double t, const Vec& x) {
    for (std::size_t k = 0; k < event_channel_.size(); ++k)
      event_prev_[k] = channel_value(event_channel_[k], t, x) - o_.events[k].threshold;
  }

  /// Locates threshold crossings in (t_old, t_stop] by bisection on the dense output and records
  /// them in time order. Returns the time of the first terminal crossing (stop_all_ set), else
  /// t_stop.
  template <class Stepper>
  double user_events(Stepper& stepper, double t_old, double t_stop, Vec& xi) {
    if (event_channel_.empty()) return t_stop;
    std::vector<std::pair<double, std::size_t>> found;
    stepper.calc_state(t_stop, xi);
    std::vector<double> now(event_channel_.size());
    for (std::size_t k = 0; k < event_channel_.size(); ++k) {
      now[k] = channel_value(event_channel_[k], t_stop, xi) - o_.events[k].threshold;
    }
    for (std::size_t k = 0; k < event_channel_.size(); ++k) {
      const EventSpec& e = o_.events[k];
      const double before = event_prev_[k];
      const bool rising = before < 0.0 && now[k] >= 0.0;
      const bool falling = before > 0.0 && now[k] <= 0.0;
      if (!((rising && e.direction >= 0) || (falling && e.direction <= 0))) continue;
      double lo = t_old, hi = t_stop;
      for (int it = 0; it < 60 && hi - lo > 1e-10; ++it) {
        const double mid = 0.5 * (lo + hi);
        stepper.calc_state(mid, xi);
        const double g = channel_value(event_channel_[k], mid, xi) - e.threshold;
        ((rising ? g >= 0.0 : g <= 0.0) ? hi : lo) = mid;
      }
      found.emplace_back(hi, k);
    }
    std::sort(found.begin(), found.end());
    double t_end = t_stop;
    for (const auto& [t, k] : found) {
      if (stop_all_) break;
      add_event(t, "event:" + o_.events[k].name);
      if (o_.events[k].terminal) {
        stop_all_ = true;
        t_end = t;
      }
    }
    event_prev_ = now;
    return t_end;
  }

  /// Ends the episode at a terminal event time t: rows up to it, the row at it, state at it.
  template <class Stepper>
  double finish_at(Stepper& stepper, double t_old, double t, double dt_out, Vec& x, Vec& xi) {
    record_grid(stepper, t_old, t, dt_out, xi);
    stepper.calc_state(t, x);
    record(t, x);
    return t;
  }

  template <class Stepper>
  void record_grid(Stepper& stepper, double t_old, double t_stop, double dt_out, Vec& xi) {
    if (!o_.output_times.empty()) {
      // Rows at the requested output times in (t_old, t_stop].
      auto it = std::upper_bound(o_.output_times.begin(), o_.output_times.end(), t_old);
      for (; it != o_.output_times.end() && *it <= t_stop + 1e-12; ++it) {
        stepper.calc_state(*it, xi);
        record(*it, xi);
      }
      return;
    }
    // Rows at multiples of output_dt in (t_old, t_stop].
    double k = std::floor(t_old / dt_out + 1e-9) + 1.0;
    for (double tg = k * dt_out; tg <= t_stop + 1e-12; k += 1.0, tg = k * dt_out) {
      stepper.calc_state(tg, xi);
      record(tg, xi);
    }
  }

  const Model& m_;
  const EpisodeOptions& o_;
  EpisodeResult& res_;
  io::Recorder* rec_;
  Data data_;
  Drive drive_;
  Eigen::VectorXd scratch_;
  Vec retry_state_;
  std::vector<double> row_;
  double t_total_ = 0.0;
  std::vector<std::size_t> event_channel_;  ///< channel index per EventSpec
  std::vector<double> event_prev_;          ///< event function at the last accepted time
  bool stop_all_ = false;                   ///< a terminal event ended the episode
  std::chrono::steady_clock::time_point start_, last_progress_;
};

void check_options(const EpisodeOptions& o) {
  auto positive = [](const char* name, double v) {
    if (!(v > 0.0) || !std::isfinite(v))
      throw InvalidArgument(std::string(name) + ": expected a positive finite number, got " +
                            std::to_string(v));
  };
  positive("rtol", o.rtol);
  positive("atol", o.atol);
  positive("output_dt", o.output_dt);
  positive("max_step", o.max_step);
  positive("initial_step", o.initial_step);
  if (o.stepper != "dopri5" && o.stepper != "rosenbrock4")
    throw InvalidArgument("stepper: expected dopri5 or rosenbrock4, got '" + o.stepper + "'");
}

}  // namespace

void compute_channels(const Model& model, Data& data, const Eigen::VectorXd& x, double t,
                      double* row) {
  fill_row(model, data, x, t, row);
}

EpisodeOptions parse_episode_options(const std::string& text, const std::string& file) {
  EpisodeOptions o;
  if (text.empty()) return o;
  const LoadLimits limits;
  const detail::NodeReader r(detail::parse_yaml(text, file, limits), file, "", limits);
  r.require_map({"stepper", "rtol", "atol", "output_dt", "output_times", "max_step", "initial_step",
                 "max_steps", "seed", "events"});
  if (r.has("stepper")) {
    o.stepper = r.child("stepper").as_string();
    if (o.stepper != "dopri5" && o.stepper != "rosenbrock4")
      r.child("stepper").fail("dopri5 or rosenbrock4", "'" + o.stepper + "'");
  }
  if (r.has("rtol")) o.rtol = r.child("rtol").as_double(1e-14, 1.0);
  if (r.has("atol")) o.atol = r.child("atol").as_double(1e-16, 1.0);
  if (r.has("output_dt")) o.output_dt = r.child("output_dt").as_double(1e-6, 1e6);
  if (r.has("max_step")) o.max_step = r.child("max_step").as_double(1e-9, 1e6);
  if (r.has("initial_step")) o.initial_step = r.child("initial_step").as_double(1e-12, 1e3);
  if (r.has("max_steps"))
    o.max_steps = static_cast<std::size_t>(r.child("max_steps").as_double(1.0, 1e12));
  if (r.has("output_times")) {
    const detail::NodeReader times = r.child("output_times");
    for (std::size_t i = 0, n = times.sequence_size(1); i < n; ++i) {
      o.output_times.push_back(times.element(i).as_double(0.0, 1e9));
      if (i > 0 && o.output_times[i] <= o.output_times[i - 1])
        times.element(i).fail("increasing times", std::to_string(o.output_times[i]));
    }
  }
  if (r.has("events")) {
    const detail::NodeReader events = r.child("events");
    for (std::size_t i = 0, n = events.sequence_size(1); i < n; ++i) {
      const detail::NodeReader e = events.element(i);
      e.require_map({"name", "channel", "threshold", "direction", "terminal"});
      EventSpec spec;
      spec.name = e.child("name").as_identifier();
      spec.channel = e.child("channel").as_string();
      spec.threshold = e.child("threshold").as_double(-1e12, 1e12);
      if (e.has("direction")) {
        const std::string d = e.child("direction").as_string();
        if (d != "rising" && d != "falling" && d != "both")
          e.child("direction").fail("rising, falling or both", "'" + d + "'");
        spec.direction = d == "rising" ? 1 : (d == "falling" ? -1 : 0);
      }
      if (e.has("terminal")) spec.terminal = e.child("terminal").as_bool();
      o.events.push_back(spec);
    }
  }
  if (r.has("seed")) o.seed = static_cast<std::uint64_t>(r.child("seed").as_double(0.0, 9.0e15));
  return o;
}

std::vector<double> EpisodeResult::channel(const std::string& name) const {
  for (std::size_t c = 0; c < channels.size(); ++c) {
    if (channels[c].name != name) continue;
    std::vector<double> out(time.size());
    for (std::size_t r = 0; r < time.size(); ++r)
      out[r] = values[r * channels.size() + c];
    return out;
  }
  throw InvalidArgument("channel: expected a recorded channel name, got '" + name + "'");
}

EpisodeResult simulate_episode(const Model& model, const Protocol& protocol,
                               const EpisodeOptions& options) {
  check_options(options);
  const std::vector<Phase> phases = expand_protocol(model, protocol);

  // Initial state: the given one, or rest at the model's defaults overridden by the protocol.
  State state;
  if (options.initial_state) {
    if (!protocol.initial_angles_deg.empty())
      throw InvalidArgument(
          "initial_state: the protocol sets initial angles (initial.angles_deg) too; an episode "
          "that continues from a state starts where that state is");
    check_state(model, *options.initial_state);
    state = *options.initial_state;
  } else {
    Eigen::VectorXd q(model.n_dofs());
    for (int d = 0; d < model.n_dofs(); ++d)
      q[d] = model.dof_default()[d];
    for (const auto& kv : protocol.initial_angles_deg) {
      const int d = model.find_dof(kv.first);
      if (d < 0)
        throw ModelError(protocol.file, 0, "initial.angles_deg." + kv.first,
                         "a coordinate of model '" + model.name() + "'", "'" + kv.first + "'");
      q[d] = kv.second * M_PI / 180.0;
    }
    state = make_initial_state(model, q);
  }

  // Expected end time, for progress (stretches count with their time limit).
  double t_total = 0.0;
  for (const Phase& p : phases)
    t_total += p.type == "ramp" ? 0.0 : p.duration;

  // Event channels are checked before the output file is created: a run refused before it starts
  // leaves no file behind (and does not truncate an existing one).
  for (const EventSpec& e : options.events)
    if (std::none_of(model.channels().begin(), model.channels().end(),
                     [&](const ChannelSpec& c) { return c.name == e.channel; }))
      throw InvalidArgument("events[" + e.name + "].channel: expected a channel of model '" +
                            model.name() + "', got '" + e.channel + "'");

  EpisodeResult result;
  result.channels = model.channels();
  result.output_path = options.output_path;
  std::unique_ptr<io::Recorder> recorder;
  if (!options.output_path.empty()) {
    std::vector<io::ChannelInfo> info;
    for (const auto& c : model.channels())
      info.push_back({c.name, c.units, c.description});
    recorder = std::make_unique<io::Recorder>(options.output_path, info);
    recorder->set_meta("model_name", model.name());
    recorder->set_meta("model_text", model.text());
    recorder->set_meta("model_file", model.file());
    recorder->set_meta("protocol", protocol.text);
    recorder->set_meta("solver", solver_text(options));
    recorder->set_meta("seed", static_cast<std::int64_t>(options.seed));
    recorder->set_meta("msk_version", std::string(msk::version));
    for (const auto& kv : options.meta)
      recorder->set_meta(kv.first, kv.second);
  }

  Runner runner(model, options, result, recorder.get());
  // Tone is referenced to the posture the episode starts in (the central command's lambda).
  set_tone_reference(model, state.x.segment(model.layout().q_offset, model.n_dofs()),
                     runner.data());
  System system{&model, &runner.data(), &runner.drive(), &runner.rhs_calls, &runner.scratch()};
  const auto start = std::chrono::steady_clock::now();
  try {
    if (options.stepper == "dopri5") {
      auto stepper = odeint::make_dense_output(options.atol, options.rtol, options.max_step,
                                               odeint::runge_kutta_dopri5<Vec>());
      runner.run(stepper, system, phases, state, t_total);
    } else {
      auto stepper = odeint::make_dense_output(options.atol, options.rtol, options.max_step,
                                               odeint::rosenbrock4<double>());
      JacobianWorkspace workspace(model);
      Jacobian jacobian{system, &runner.jacobian_calls, &workspace};
      runner.run(stepper, std::make_pair(system, jacobian), phases, state, t_total);
    }
  } catch (...) {
    // Keep everything recorded so far: flush and close the file before reporting the fault.
    if (recorder) {
      try {
        recorder->set_meta("status", std::string("failed"));
        recorder->close();
      } catch (...) {
      }
    }
    throw;
  }
  if (recorder) {
    const std::vector<double> values(state.x.data(), state.x.data() + state.x.size());
    std::string warnings;
    for (const std::string& w : result.warnings)
      warnings += (warnings.empty() ? "" : "\n") + w;
    if (!warnings.empty()) recorder->set_meta("warnings", warnings);
    recorder->write_state("final", state.time, model.layout().names, values);
    recorder->set_meta("status", std::string("complete"));
    recorder->close();
  }
  result.stats.steps = runner.steps;
  result.stats.rhs_calls = runner.rhs_calls;
  result.stats.jacobian_calls = runner.jacobian_calls;
  result.stats.retries = runner.retries;
  result.stats.wall_time_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.stats.stepper = options.stepper;
  result.final_state = state;
  result.state_names = model.layout().names;
  return result;
}

}  // namespace msk
