// Convergence of the episode steppers against an exact solution (STYLE.md §7: integrators check
// convergence order).
//
// The model is a linear damped oscillator built from msk's own elements: one rigid body turning
// about its centre of mass in zero gravity, held by a spinal level whose disc moment is linear
// (c_1 theta; c_2 = c_3 = 0, no preload stiffening), with the joint's and the disc's damping and
// facets that never touch. Its angle obeys
//   I theta'' + c theta' + k theta = 0,   k = c_1, c = joint damping + disc damping,
// whose solution from rest at theta_0 is known in closed form. Each stepper runs with fixed steps
// (max_step = initial_step = h and tolerances that never reject a step) so that the error at the
// end, where a step lands, is the stepper's global error: it must fall as h^p, p the stepper's
// order. With adaptive steps, the error must follow the tolerance.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "msk/error.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/protocol.hpp"

namespace {

// Oscillator constants (SI), written out again in the model text below: inertia about the axis,
// disc stiffness c_1, damping.
constexpr double kInertia = 0.05;      // I [kg m^2]
constexpr double kStiffness = 2.0;     // k = c_1 [N m/rad]
constexpr double kJointDamping = 0.1;  // [N m s/rad]
constexpr double kDiscDamping = 0.05;  // [N m s/rad]
constexpr double kTheta0Deg = 10.0;    // initial flexion [deg]
constexpr double kDuration = 0.8;      // T [s], about 0.8 of a period
constexpr double kDeg = M_PI / 180.0;

const std::string kOscillator = R"(name: linear_oscillator
gravity: [0, 0, 0]
bodies:
  - name: vertebra
    joint: {name: level_joint, type: revolute, axis: [0, 0, -1], range_deg: [-30, 30],
            damping: 0.1, limit_stiffness: 0}
    mass: 1.0
    com: [0, 0, 0]
    inertia: [0.05, 0.05, 0.05, 0, 0, 0]
segments:
  - name: level
    joint: level_joint
    disc: {moment_coefficients: [2.0, 0.0, 0.0], preload_stiffening: false, damping: 0.05}
    facet: {gap: 0.02}
    ligaments: []
)";

/// Exact angle and speed at time t (underdamped: c^2 < 4 k I).
void exact(double t, double& theta, double& speed) {
  const double c = kJointDamping + kDiscDamping;
  const double gamma = c / (2.0 * kInertia);
  const double w0 = std::sqrt(kStiffness / kInertia);
  const double wd = std::sqrt(w0 * w0 - gamma * gamma);
  const double a = kTheta0Deg * kDeg, b = gamma * a / wd;  // theta = e^{-gamma t}(a cos + b sin)
  const double e = std::exp(-gamma * t), cs = std::cos(wd * t), sn = std::sin(wd * t);
  theta = e * (a * cs + b * sn);
  speed = e * ((b * wd - gamma * a) * cs - (a * wd + gamma * b) * sn);
}

const msk::Model& oscillator() {
  static const msk::Model m = msk::load_model_text(kOscillator);
  return m;
}

msk::Protocol rest_from_theta0() {
  std::ostringstream text;
  text << "initial: {angles_deg: {level_joint: " << kTheta0Deg << "}}\n"
       << "phases:\n  - {type: rest, duration: " << kDuration << "}\n";
  return msk::parse_protocol(text.str());
}

struct RunError {
  double error = 0.0;  ///< max of |theta - exact| and |theta' - exact| / w0 at T [rad]
  std::size_t steps = 0;
};

RunError run(const msk::EpisodeOptions& options) {
  const msk::EpisodeResult r = msk::simulate_episode(oscillator(), rest_from_theta0(), options);
  EXPECT_NEAR(r.time.back(), kDuration, 1e-12);
  double theta = 0.0, speed = 0.0;
  exact(r.time.back(), theta, speed);
  const double w0 = std::sqrt(kStiffness / kInertia);
  RunError out;
  out.error = std::max(std::abs(r.channel("joint.level_joint.angle").back() - theta),
                       std::abs(r.channel("joint.level_joint.velocity").back() - speed) / w0);
  out.steps = r.stats.steps;
  return out;
}

/// Fixed steps of h: tolerances that accept every step, and a largest step (and the first) of h.
msk::EpisodeOptions fixed_steps(const std::string& stepper, int n_steps) {
  msk::EpisodeOptions o;
  o.stepper = stepper;
  o.rtol = o.atol = 1e6;
  o.max_step = o.initial_step = kDuration / n_steps;
  o.output_dt = kDuration;
  return o;
}

struct StepperOrder {
  const char* name;
  double order;
};

// Every stepper the episode integrator offers, with its order (Dormand & Prince 1980: 5;
// Shampine 1982 / Hairer & Wanner's ROS4 as in Boost.Odeint's rosenbrock4: 4).
const std::vector<StepperOrder> kSteppers = {{"dopri5", 5.0}, {"rosenbrock4", 4.0}};

}  // namespace

TEST(EpisodeConvergence, TheModelFollowsTheExactSolution) {
  // At tight tolerances both steppers reproduce the closed form: the model is the oscillator.
  for (const StepperOrder& s : kSteppers) {
    msk::EpisodeOptions o;
    o.stepper = s.name;
    o.rtol = 1e-11;
    o.atol = 1e-13;
    EXPECT_LT(run(o).error, 1e-8) << s.name;
  }
  // And it really oscillates: the angle at T is far from both theta_0 and zero.
  double theta = 0.0, speed = 0.0;
  exact(kDuration, theta, speed);
  EXPECT_GT(std::abs(theta - kTheta0Deg * kDeg), 0.05);
  EXPECT_GT(std::abs(speed), 0.1);
}

TEST(EpisodeConvergence, EveryStepperConvergesAtItsOrderWithFixedSteps) {
  // h = T/10 ... T/80: the error falls by 2^p per halving (observed order within [p - 0.3,
  // p + 0.5]) while staying far above rounding.
  const std::vector<int> n_steps = {10, 20, 40, 80};
  for (const StepperOrder& s : kSteppers) {
    std::vector<double> errors;
    for (int n : n_steps) {
      const RunError r = run(fixed_steps(s.name, n));
      // The steps really were h (one more when rounding leaves T a hair beyond the n-th step).
      EXPECT_GE(r.steps, static_cast<std::size_t>(n)) << s.name << " n " << n;
      EXPECT_LE(r.steps, static_cast<std::size_t>(n + 1)) << s.name << " n " << n;
      EXPECT_GT(r.error, 1e-12) << s.name << " n " << n;
      errors.push_back(r.error);
    }
    for (std::size_t i = 1; i < errors.size(); ++i) {
      const double observed = std::log2(errors[i - 1] / errors[i]);
      EXPECT_GT(observed, s.order - 0.3) << s.name << " h = T/" << n_steps[i];
      EXPECT_LT(observed, s.order + 0.5) << s.name << " h = T/" << n_steps[i];
    }
  }
}

TEST(EpisodeConvergence, AdaptiveErrorFollowsTheTolerance) {
  // With adaptive steps (no largest step: the controller alone chooses them) the global error
  // stays within a modest multiple of the tolerance and falls at least tenfold when the
  // tolerance falls a hundredfold (the controller bounds the error per step, not the global one).
  for (const StepperOrder& s : kSteppers) {
    double previous = 1.0;
    for (double tol : {1e-4, 1e-6, 1e-8, 1e-10}) {
      msk::EpisodeOptions o;
      o.stepper = s.name;
      o.rtol = tol;
      o.atol = tol;
      o.max_step = kDuration;
      const double error = run(o).error;
      EXPECT_LT(error, 100.0 * tol) << s.name << " tol " << tol;
      EXPECT_LT(error, 0.1 * previous) << s.name << " tol " << tol;
      previous = error;
    }
  }
}

TEST(EpisodeConvergence, EveryStepperOfferedIsTested) {
  // The integrator names the steppers it accepts when it refuses one; each must be in kSteppers,
  // so that a stepper added to episode.cpp fails here until it has its convergence test.
  msk::EpisodeOptions o;
  o.stepper = "no_such_stepper";
  std::string message;
  try {
    msk::simulate_episode(oscillator(), rest_from_theta0(), o);
  } catch (const msk::InvalidArgument& e) {
    message = e.what();
  }
  const std::size_t start = message.find("expected ");
  ASSERT_NE(start, std::string::npos) << message;
  const std::size_t stop = message.find(", got");
  ASSERT_NE(stop, std::string::npos) << message;
  const std::string list = message.substr(start + 9, stop - start - 9);  // "a, b or c"
  // The words of the list, "or" aside (a plain scan: GCC 12 warns falsely inside std::regex).
  std::set<std::string> offered;
  std::string word;
  for (const char c : list + " ") {
    if (std::islower(static_cast<unsigned char>(c)) ||
        std::isdigit(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
      continue;
    }
    if (!word.empty() && word != "or") offered.insert(word);
    word.clear();
  }
  std::set<std::string> tested;
  for (const StepperOrder& s : kSteppers)
    tested.insert(s.name);
  EXPECT_EQ(offered, tested) << message;
}
