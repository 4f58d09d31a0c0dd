// msk/muscle/muscle_tendon.cpp — rigid and compliant Hill-type muscle-tendon unit.
#include "msk/muscle/muscle_tendon.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "msk/error.hpp"

namespace msk::muscle {

namespace {

std::string to_text(double value) {
  std::ostringstream s;
  s.precision(17);
  s << value;
  return s.str();
}

[[noreturn]] void throw_invalid(const std::string& name, const std::string& expected, double got) {
  throw InvalidArgument(name + ": expected " + expected + ", got " + to_text(got));
}

void check_finite(const char* name, double value) {
  if (!std::isfinite(value)) throw_invalid(name, "finite", value);
}

void check_positive(const char* name, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) throw_invalid(name, "finite and > 0", value);
}

// Compliant-tendon functions need a tendon and a damper.
void check_compliant(const MuscleTendonParams& p) {
  if (!(p.fibre_damping > 0.0)) {
    throw_invalid("fibre_damping", "> 0 with a compliant tendon", p.fibre_damping);
  }
  if (!(p.tendon_slack_length > 0.0)) {
    throw_invalid("tendon_slack_length", "> 0 with a compliant tendon", p.tendon_slack_length);
  }
}

bool is_positive_finite(double value) {
  return value > 0.0 && std::isfinite(value);
}

// True when validate(params) accepts params: the same conditions as validate() below and
// validate(const ThelenCurveParams&) in curves.cpp, as bare comparisons (no messages, no calls
// into curves.cpp). Keep the three in step.
bool passes_validate(const MuscleTendonParams& p) {
  bool ok = is_positive_finite(p.max_isometric_force) &&
            is_positive_finite(p.optimal_fibre_length) && p.tendon_slack_length >= 0.0 &&
            std::isfinite(p.tendon_slack_length) && p.pennation_at_optimal >= 0.0 &&
            p.pennation_at_optimal < std::acos(kMinCosPennation) &&
            is_positive_finite(p.max_contraction_velocity) && p.fibre_damping >= 0.0 &&
            std::isfinite(p.fibre_damping) && p.min_norm_fibre_length > 0.0 &&
            p.min_norm_fibre_length < 1.0;
  switch (p.curves.set) {
    case CurveSet::DeGroote2016:
      break;
    case CurveSet::Thelen2003: {
      const ThelenCurveParams& t = p.curves.thelen;
      ok = ok && is_positive_finite(t.kshape_active) && is_positive_finite(t.kshape_passive) &&
           is_positive_finite(t.fmax_muscle_strain) && is_positive_finite(t.fmax_tendon_strain) &&
           is_positive_finite(t.af) && t.flen > 1.0 && std::isfinite(t.flen);
      break;
    }
    default:
      return false;
  }
  switch (p.tendon) {
    case TendonModel::Rigid:
      return ok;
    case TendonModel::Compliant:
      return ok && p.fibre_damping > 0.0 && p.tendon_slack_length > 0.0;
  }
  return false;
}

// validate(params) for the per-call entry points, which run 10^4-10^6 times per episode on
// parameters the model compiler has already validated: a few comparisons when params are valid,
// and validate() itself, which throws naming the field, when they are not.
void check_params(const MuscleTendonParams& params) {
  if (!passes_validate(params)) validate(params);
}

// Constant-thickness pennation geometry.
struct Geometry {
  double height;          // h = L_opt sin(alpha_0) [m]
  double min_fibre;       // shortest allowed fibre length [m]
  double min_projection;  // its projection on the tendon, sqrt(l_min^2 - h^2) [m]
};

Geometry make_geometry(const MuscleTendonParams& p) {
  Geometry g{};
  g.height = p.optimal_fibre_length * std::sin(p.pennation_at_optimal);
  const double max_sin = std::sqrt(1.0 - kMinCosPennation * kMinCosPennation);
  g.min_fibre = std::max(p.min_norm_fibre_length * p.optimal_fibre_length, g.height / max_sin);
  g.min_projection = std::sqrt(std::max(g.min_fibre * g.min_fibre - g.height * g.height, 0.0));
  return g;
}

// Projection of a fibre of length l on the tendon, x = sqrt(l^2 - h^2) = l cos(alpha).
double projection(const Geometry& g, double fibre_length) {
  return std::sqrt(std::max(fibre_length * fibre_length - g.height * g.height, 0.0));
}

// Writes every fibre-side field of `out` for fibre length l [m] (>= the guard) and fibre
// velocity v [m/s]; leaves tendon_length, norm_tendon_length and tendon_force to the caller.
void fill_fibre(const MuscleTendonParams& p, const Geometry& g, double activation,
                double fibre_length, double fibre_velocity, MuscleTendonState& out) {
  const double f0 = p.max_isometric_force;
  const double x = projection(g, fibre_length);

  out.fibre_length = fibre_length;
  out.norm_fibre_length = fibre_length / p.optimal_fibre_length;
  out.fibre_velocity = fibre_velocity;
  out.norm_fibre_velocity = fibre_velocity / (p.max_contraction_velocity * p.optimal_fibre_length);
  out.cos_pennation = x / fibre_length;
  out.pennation = std::atan2(g.height, x);

  out.active_force_length = active_force_length(p.curves, out.norm_fibre_length);
  // Tension-only parallel elastic element.
  out.passive_force_length = std::max(0.0, passive_force_length(p.curves, out.norm_fibre_length));
  out.force_velocity =
      force_velocity(p.curves, out.norm_fibre_velocity / max_velocity_scale(p.curves, activation));

  // Fibre forces along the fibre: F0 a f_L f_V, F0 f_PE, F0 beta v_n (Millard 2013 damped fibre)
  out.active_fibre_force = f0 * activation * out.active_force_length * out.force_velocity;
  out.passive_fibre_force = f0 * out.passive_force_length;
  out.damping_fibre_force = f0 * p.fibre_damping * out.norm_fibre_velocity;
}

// Normalised tension-only tendon force max(0, f_T(l_T / L_s)) [-].
double norm_tendon_force(const MuscleTendonParams& p, double tendon_length) {
  return std::max(0.0, tendon_force_length(p.curves, tendon_length / p.tendon_slack_length));
}

// Solves a_fl f_V(v / scale) + beta v = target for the normalised fibre velocity v.
// The left side is strictly increasing with slope >= beta > 0, so from any start v0 with
// residual e0 the root lies between v0 and v0 - e0 / beta: a guaranteed bracket. Newton steps
// that leave the bracket or converge slowly are replaced by bisection (Numerical Recipes rtsafe).
double solve_norm_fibre_velocity(const CurveParams& curves, double a_fl, double scale, double beta,
                                 double target) {
  const auto residual = [&](double v) {
    return a_fl * force_velocity(curves, v / scale) + beta * v - target;
  };
  const auto slope = [&](double v) {
    return a_fl * force_velocity_derivative(curves, v / scale) / scale + beta;
  };

  // Start from the undamped inverse when the contractile element dominates, else from 0.
  double v = 0.0;
  if (a_fl > beta) {
    const double f = target / a_fl;
    const bool in_domain =
        curves.set == CurveSet::DeGroote2016 || (f > -curves.thelen.af && f < curves.thelen.flen);
    if (in_domain) {
      const double guess = scale * force_velocity_inverse(curves, f);
      if (std::isfinite(guess)) v = std::clamp(guess, -10.0, 10.0);
    }
  }
  double r = residual(v);
  if (r == 0.0) return v;

  // Guaranteed bracket [lo, hi] with residual(lo) < 0 < residual(hi).
  double lo = r < 0.0 ? v : v - r / beta;
  double hi = r < 0.0 ? v - r / beta : v;
  double step_before_last = hi - lo;
  double last_step = step_before_last;
  const double tolerance_residual = 1e-14 * (1.0 + std::abs(target));

  for (int iteration = 0; iteration < 200; ++iteration) {
    if (std::abs(r) <= tolerance_residual) return v;
    const double dr = slope(v);
    const bool newton_leaves_bracket = ((v - hi) * dr - r) * ((v - lo) * dr - r) > 0.0;
    const bool newton_too_slow = std::abs(2.0 * r) > std::abs(step_before_last * dr);
    step_before_last = last_step;
    if (newton_leaves_bracket || newton_too_slow) {
      last_step = 0.5 * (hi - lo);
      v = lo + last_step;
    } else {
      last_step = r / dr;
      v -= last_step;
    }
    if (std::abs(last_step) <= 1e-15 * (1.0 + std::abs(v)) || hi - lo <= 0.0) return v;
    r = residual(v);
    if (r < 0.0) {
      lo = v;
    } else {
      hi = v;
    }
  }
  return v;
}

// Fibre force along the tendon minus tendon force, both / F0, for fibre length l [m] at a fixed
// normalised fibre velocity; positive when the fibre pulls harder than the tendon.
struct EquilibriumProblem {
  const MuscleTendonParams& params;
  const Geometry& geometry;
  double mtu_length;
  double activation;
  double norm_fibre_velocity;

  double excess(double fibre_length) const {
    const MuscleTendonParams& p = params;
    const double x = projection(geometry, fibre_length);
    const double cos_alpha = x / fibre_length;
    const double l = fibre_length / p.optimal_fibre_length;
    const double fv =
        force_velocity(p.curves, norm_fibre_velocity / max_velocity_scale(p.curves, activation));
    // Damped equilibrium (Millard 2013): (a f_L f_V + f_PE + beta v) cos(alpha) - f_T
    const double fibre = activation * active_force_length(p.curves, l) * fv +
                         std::max(0.0, passive_force_length(p.curves, l)) +
                         p.fibre_damping * norm_fibre_velocity;
    return fibre * cos_alpha - norm_tendon_force(p, mtu_length - x);
  }
};

// Bracketed bisection for the equilibrium fibre length at a fixed fibre velocity.
double solve_equilibrium(const EquilibriumProblem& problem, double min_fibre, double max_fibre) {
  // Slack tendon: with the tendon at its zero-force length the fibre does not pull.
  if (!(problem.excess(max_fibre) > 0.0)) return max_fibre;
  // Guard: at its shortest the fibre still pulls harder than the tendon.
  if (!(problem.excess(min_fibre) < 0.0)) return min_fibre;

  // excess(lo) < 0 < excess(hi): a root lies in between.
  double lo = min_fibre;
  double hi = max_fibre;
  for (int iteration = 0; iteration < 2000; ++iteration) {
    const double mid = 0.5 * (lo + hi);
    if (!(mid > lo && mid < hi)) break;  // bracket at machine precision
    if (problem.excess(mid) > 0.0) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return std::abs(problem.excess(lo)) <= std::abs(problem.excess(hi)) ? lo : hi;
}

// Normalised fibre velocity that shares an MTU velocity between fibre and tendon in proportion to
// their compliances (equal force rates, Millard 2013): fibre velocity along the fibre =
// cos(alpha) v_mtu k_T / (k_T + max(0, k_M)), stiffnesses at zero fibre velocity.
double shared_norm_fibre_velocity(const MuscleTendonParams& p, const Geometry& g, double mtu_length,
                                  double mtu_velocity, double activation, double fibre_length,
                                  double zero_force_tendon_length) {
  const double f0 = p.max_isometric_force;
  const double x = projection(g, fibre_length);
  const double cos_alpha = x / fibre_length;
  const double sin2_alpha = 1.0 - cos_alpha * cos_alpha;
  const double tendon_length = mtu_length - x;

  // Tendon stiffness k_T = F0/L_s f_T'(l_T); zero when slack, one-sided at the zero-force length.
  if (tendon_length < zero_force_tendon_length) return 0.0;
  const double k_tendon =
      f0 / p.tendon_slack_length *
      tendon_force_length_derivative(p.curves, tendon_length / p.tendon_slack_length);
  if (!(k_tendon > 0.0)) return 0.0;

  // Fibre stiffness along the tendon: dF_M/dl cos^2(alpha) + F_M sin^2(alpha)/l.
  const double l = fibre_length / p.optimal_fibre_length;
  const double f_pe = passive_force_length(p.curves, l);
  const double f_pe_slope = f_pe > 0.0 ? passive_force_length_derivative(p.curves, l) : 0.0;
  const double fibre_force =
      f0 * (activation * active_force_length(p.curves, l) + std::max(0.0, f_pe));
  const double fibre_stiffness =
      f0 / p.optimal_fibre_length *
      (activation * active_force_length_derivative(p.curves, l) + f_pe_slope);
  const double k_fibre =
      fibre_stiffness * cos_alpha * cos_alpha + fibre_force * sin2_alpha / fibre_length;

  const double share = k_tendon / (k_tendon + std::max(0.0, k_fibre));
  const double fibre_velocity = cos_alpha * mtu_velocity * share;
  return fibre_velocity / (p.max_contraction_velocity * p.optimal_fibre_length);
}

}  // namespace

void validate(const MuscleTendonParams& params) {
  check_positive("max_isometric_force", params.max_isometric_force);
  check_positive("optimal_fibre_length", params.optimal_fibre_length);
  if (!(params.tendon_slack_length >= 0.0) || !std::isfinite(params.tendon_slack_length)) {
    throw_invalid("tendon_slack_length", "finite and >= 0", params.tendon_slack_length);
  }
  const double max_pennation = std::acos(kMinCosPennation);
  if (!(params.pennation_at_optimal >= 0.0 && params.pennation_at_optimal < max_pennation)) {
    throw_invalid("pennation_at_optimal", "in [0, " + to_text(max_pennation) + ") rad",
                  params.pennation_at_optimal);
  }
  check_positive("max_contraction_velocity", params.max_contraction_velocity);
  if (!(params.fibre_damping >= 0.0) || !std::isfinite(params.fibre_damping)) {
    throw_invalid("fibre_damping", "finite and >= 0", params.fibre_damping);
  }
  if (!(params.min_norm_fibre_length > 0.0 && params.min_norm_fibre_length < 1.0)) {
    throw_invalid("min_norm_fibre_length", "in (0, 1)", params.min_norm_fibre_length);
  }
  try {
    validate(params.curves);
  } catch (const InvalidArgument& error) {
    throw InvalidArgument(std::string("curves.") + error.what());
  }
  switch (params.tendon) {
    case TendonModel::Rigid:
      break;
    case TendonModel::Compliant:
      check_compliant(params);
      break;
    default:
      throw InvalidArgument("tendon: expected Rigid or Compliant, got " +
                            std::to_string(static_cast<int>(params.tendon)));
  }
}

const char* tendon_model_name(TendonModel model) {
  switch (model) {
    case TendonModel::Rigid:
      return "rigid";
    case TendonModel::Compliant:
      return "compliant";
  }
  throw InvalidArgument("tendon model: expected Rigid or Compliant, got " +
                        std::to_string(static_cast<int>(model)));
}

TendonModel tendon_model_from_name(const std::string& name) {
  if (name == "rigid") return TendonModel::Rigid;
  if (name == "compliant") return TendonModel::Compliant;
  throw InvalidArgument("tendon model: expected \"rigid\" or \"compliant\", got \"" + name + "\"");
}

double min_fibre_length(const MuscleTendonParams& params) {
  check_params(params);
  return make_geometry(params).min_fibre;
}

void compute_rigid_tendon(const MuscleTendonParams& params, double mtu_length, double mtu_velocity,
                          double activation, MuscleTendonState& out, double extra_fibre_force) {
  check_params(params);
  check_finite("mtu_length", mtu_length);
  check_finite("mtu_velocity", mtu_velocity);
  check_finite("activation", activation);
  const double a = std::clamp(activation, 0.0, 1.0);
  const Geometry g = make_geometry(params);

  // Rigid tendon: the fibre's projection takes the MTU length minus the slack length.
  double x = mtu_length - params.tendon_slack_length;
  double fibre_length = 0.0;
  double fibre_velocity = 0.0;
  if (x <= g.min_projection) {
    // Shorter than the guard allows: fibre held at its minimum, tendon slack.
    x = g.min_projection;
    fibre_length = g.min_fibre;
  } else {
    // Constant thickness: l = sqrt(x^2 + h^2), dl/dt = (x/l) dx/dt = cos(alpha) v_mtu.
    fibre_length = std::hypot(x, g.height);
    fibre_velocity = x / fibre_length * mtu_velocity;
  }
  fill_fibre(params, g, a, fibre_length, fibre_velocity, out);

  out.tendon_length = mtu_length - x;
  out.norm_tendon_length =
      params.tendon_slack_length > 0.0 ? out.tendon_length / params.tendon_slack_length : 0.0;
  // The tendon transmits the fibre force along it, tension only.
  const double along = (out.active_fibre_force + out.passive_fibre_force + out.damping_fibre_force +
                        extra_fibre_force) *
                       out.cos_pennation;
  out.tendon_force = std::max(0.0, along);
}

double compute_compliant_tendon(const MuscleTendonParams& params, double mtu_length,
                                double mtu_velocity, double activation, double fibre_length,
                                MuscleTendonState& out, double extra_fibre_force) {
  check_params(params);
  check_compliant(params);
  check_finite("mtu_length", mtu_length);
  check_finite("mtu_velocity", mtu_velocity);
  check_finite("activation", activation);
  check_positive("fibre_length", fibre_length);
  const double a = std::clamp(activation, 0.0, 1.0);
  const Geometry g = make_geometry(params);

  // Geometry at the (guarded) fibre length.
  const bool at_guard = fibre_length <= g.min_fibre;
  const double l = std::max(fibre_length, g.min_fibre);
  const double x = projection(g, l);
  const double cos_alpha = x / l;
  const double tendon_length = mtu_length - x;

  // Tendon force from tendon strain (tension only).
  const double f_tendon = norm_tendon_force(params, tendon_length);

  // Damped equilibrium (Millard 2013) solved for v:
  //   a f_L f_V(v) + beta v = f_T / cos(alpha) - f_PE
  const double norm_l = l / params.optimal_fibre_length;
  const double a_fl = a * active_force_length(params.curves, norm_l);
  const double f_pe = std::max(0.0, passive_force_length(params.curves, norm_l));
  const double target =
      f_tendon / cos_alpha - f_pe - extra_fibre_force / params.max_isometric_force;
  const double scale = max_velocity_scale(params.curves, a);
  double norm_velocity =
      solve_norm_fibre_velocity(params.curves, a_fl, scale, params.fibre_damping, target);
  // At the guard the fibre cannot shorten further.
  if (at_guard && norm_velocity < 0.0) norm_velocity = 0.0;

  const double fibre_velocity =
      norm_velocity * params.max_contraction_velocity * params.optimal_fibre_length;
  fill_fibre(params, g, a, l, fibre_velocity, out);
  out.tendon_length = tendon_length;
  out.norm_tendon_length = tendon_length / params.tendon_slack_length;
  out.tendon_force = params.max_isometric_force * f_tendon;
  return fibre_velocity;
}

double equilibrium_fibre_length(const MuscleTendonParams& params, double mtu_length,
                                double activation, double mtu_velocity) {
  check_params(params);
  check_compliant(params);
  check_positive("mtu_length", mtu_length);
  if (!(activation >= 0.0 && activation <= 1.0)) {
    throw_invalid("activation", "in [0, 1]", activation);
  }
  check_finite("mtu_velocity", mtu_velocity);
  const Geometry g = make_geometry(params);

  // The tendon carries force only beyond its zero-force length.
  const double zero_force_tendon_length =
      tendon_zero_force_length(params.curves) * params.tendon_slack_length;
  const double slack_projection = mtu_length - zero_force_tendon_length;
  // Even the shortest fibre leaves the tendon slack.
  if (slack_projection <= g.min_projection) return g.min_fibre;
  // Longest candidate: the fibre takes everything the unloaded tendon leaves.
  const double max_fibre = std::hypot(slack_projection, g.height);

  EquilibriumProblem problem{params, g, mtu_length, activation, 0.0};
  double fibre_length = solve_equilibrium(problem, g.min_fibre, max_fibre);
  if (mtu_velocity == 0.0) return fibre_length;

  // Share the MTU velocity by compliance; refresh the share from the last solution.
  for (int pass = 0; pass < 5; ++pass) {
    problem.norm_fibre_velocity = shared_norm_fibre_velocity(
        params, g, mtu_length, mtu_velocity, activation, fibre_length, zero_force_tendon_length);
    const double next = solve_equilibrium(problem, g.min_fibre, max_fibre);
    const bool settled = std::abs(next - fibre_length) <= 1e-12 * params.optimal_fibre_length;
    fibre_length = next;
    if (settled) break;
  }
  return fibre_length;
}

double max_isometric_tendon_force_at(const MuscleTendonParams& params, double mtu_length) {
  check_params(params);
  check_positive("mtu_length", mtu_length);
  MuscleTendonState state;
  if (params.tendon == TendonModel::Rigid) {
    compute_rigid_tendon(params, mtu_length, 0.0, 1.0, state);
    return state.tendon_force;
  }
  const double fibre_length = equilibrium_fibre_length(params, mtu_length, 1.0, 0.0);
  compute_compliant_tendon(params, mtu_length, 0.0, 1.0, fibre_length, state);
  return state.tendon_force;
}

}  // namespace msk::muscle
