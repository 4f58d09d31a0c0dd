// msk/muscle/curves.cpp — De Groote 2016 and Thelen 2003 characteristic curves.
#include "msk/muscle/curves.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "msk/error.hpp"

namespace msk::muscle {

namespace {

// ---- De Groote 2016 constants (supplementary material) -----------------------------------------

// Active force-length: three Gaussians (b1, b2, b3, b4).
struct Gaussian {
  double b1, b2, b3, b4;
};
constexpr Gaussian kActiveGaussians[3] = {
    {0.814483478343008, 1.055033428970575, 0.162384573599574, 0.063303448465465},
    {0.433004984392647, 0.716775413397760, -0.029947116970696, 0.200356847296188},
    {0.1, 1.0, 0.35355339059327373, 0.0},  // b3 = 0.5 * sqrt(0.5)
};

// Passive force-length.
constexpr double kDeGrootePassiveShape = 4.0;   // kPE
constexpr double kDeGrootePassiveStrain = 0.6;  // e0

// Force-velocity.
constexpr double kD1 = -0.318323436899127;
constexpr double kD2 = -8.149156043475250;
constexpr double kD3 = -0.374121508647863;
constexpr double kD4 = 0.885644059915004;

// Tendon force-length.
constexpr double kC1 = 0.2;
constexpr double kC2 = 0.995;
constexpr double kC3 = 0.25;
constexpr double kKT = 35.0;

// ---- Thelen 2003 constants ---------------------------------------------------------------------

constexpr double kToeShape = 3.0;   // k_toe
constexpr double kToeForce = 0.33;  // F_toe

std::string to_text(double value) {
  std::ostringstream s;
  s.precision(17);
  s << value;
  return s.str();
}

[[noreturn]] void throw_invalid(const std::string& name, const std::string& expected, double got) {
  throw InvalidArgument(name + ": expected " + expected + ", got " + to_text(got));
}

// One Gaussian-like term b1 exp(-0.5 (l - b2)^2 / (b3 + b4 l)^2) and its derivative.
// The width b3 + b4 l of the second term crosses zero at l = 0.1495; the term is 0 there.
double gaussian_value(const Gaussian& g, double l) {
  const double width = g.b3 + g.b4 * l;
  if (width == 0.0) return 0.0;
  const double x = (l - g.b2) / width;
  return g.b1 * std::exp(-0.5 * x * x);
}

double gaussian_derivative(const Gaussian& g, double l) {
  const double width = g.b3 + g.b4 * l;
  if (width == 0.0) return 0.0;
  const double x = (l - g.b2) / width;
  // dx/dl = (b3 + b2 b4) / (b3 + b4 l)^2
  const double dx_dl = (g.b3 + g.b2 * g.b4) / (width * width);
  const double value = g.b1 * std::exp(-0.5 * x * x);
  if (value == 0.0) return 0.0;
  return -value * x * dx_dl;
}

// Constant c = (F_len - 1)/(2 + 2/A_f) of the lengthening branch of the Thelen force-velocity
// relation.
double thelen_lengthening_constant(const ThelenCurveParams& p) {
  return (p.flen - 1.0) / (2.0 + 2.0 / p.af);
}

}  // namespace

// ================================================================================================
// De Groote et al. 2016
// ================================================================================================

double degroote2016_active_force_length(double norm_fibre_length) {
  // De Groote 2016 (suppl.), active force-length: f = sum_i b1i exp(-1/2 (l - b2i)^2/(b3i + b4i
  // l)^2)
  double f = 0.0;
  for (const Gaussian& g : kActiveGaussians)
    f += gaussian_value(g, norm_fibre_length);
  return f;
}

double degroote2016_active_force_length_derivative(double norm_fibre_length) {
  double df = 0.0;
  for (const Gaussian& g : kActiveGaussians)
    df += gaussian_derivative(g, norm_fibre_length);
  return df;
}

double degroote2016_passive_force_length(double norm_fibre_length) {
  // De Groote 2016 (suppl.), passive force-length: f = (exp(kPE (l - 1)/e0) - 1)/(exp(kPE) - 1)
  const double numerator =
      std::expm1(kDeGrootePassiveShape * (norm_fibre_length - 1.0) / kDeGrootePassiveStrain);
  return numerator / std::expm1(kDeGrootePassiveShape);
}

double degroote2016_passive_force_length_derivative(double norm_fibre_length) {
  const double k = kDeGrootePassiveShape / kDeGrootePassiveStrain;
  return k * std::exp(k * (norm_fibre_length - 1.0)) / std::expm1(kDeGrootePassiveShape);
}

double degroote2016_force_velocity(double norm_fibre_velocity) {
  // De Groote 2016 (suppl. eq. S4): f = d1 ln(d2 v + d3 + sqrt((d2 v + d3)^2 + 1)) + d4
  //                                   = d1 asinh(d2 v + d3) + d4
  return kD1 * std::asinh(kD2 * norm_fibre_velocity + kD3) + kD4;
}

double degroote2016_force_velocity_derivative(double norm_fibre_velocity) {
  const double x = kD2 * norm_fibre_velocity + kD3;
  return kD1 * kD2 / std::sqrt(x * x + 1.0);
}

double degroote2016_force_velocity_inverse(double norm_force) {
  // Inverse of the asinh form: v = (sinh((f - d4)/d1) - d3)/d2. (The supplementary material of
  // De Groote 2016 prints it without the "- d3", as OpenSim's DeGrooteFregly2016Muscle notes.)
  return (std::sinh((norm_force - kD4) / kD1) - kD3) / kD2;
}

double degroote2016_force_velocity_inverse_derivative(double norm_force) {
  return std::cosh((norm_force - kD4) / kD1) / (kD1 * kD2);
}

double degroote2016_tendon_force_length(double norm_tendon_length) {
  // De Groote 2016 (suppl. eq. S1): f_T = c1 exp(kT (l_T - c2)) - c3
  return kC1 * std::exp(kKT * (norm_tendon_length - kC2)) - kC3;
}

double degroote2016_tendon_force_length_derivative(double norm_tendon_length) {
  return kC1 * kKT * std::exp(kKT * (norm_tendon_length - kC2));
}

double degroote2016_tendon_force_length_inverse(double norm_tendon_force) {
  if (!(norm_tendon_force > -kC3) || !std::isfinite(norm_tendon_force)) {
    throw_invalid("norm_tendon_force", "finite and > -0.25 (De Groote 2016 tendon)",
                  norm_tendon_force);
  }
  // Inverse of De Groote 2016 (suppl. eq. S1): l_T = c2 + ln((f_T + c3)/c1)/kT
  return kC2 + std::log((norm_tendon_force + kC3) / kC1) / kKT;
}

double degroote2016_tendon_force_length_inverse_derivative(double norm_tendon_force) {
  if (!(norm_tendon_force > -kC3) || !std::isfinite(norm_tendon_force)) {
    throw_invalid("norm_tendon_force", "finite and > -0.25 (De Groote 2016 tendon)",
                  norm_tendon_force);
  }
  return 1.0 / (kKT * (norm_tendon_force + kC3));
}

// ================================================================================================
// Thelen 2003
// ================================================================================================

ThelenCurveParams arm26_thelen_params() {
  ThelenCurveParams p;
  p.kshape_active = 0.5;
  p.kshape_passive = 4.0;
  p.fmax_muscle_strain = 0.6;
  p.fmax_tendon_strain = 0.033;
  p.af = 0.3;
  p.flen = 1.8;
  return p;
}

void validate(const ThelenCurveParams& params) {
  const auto check_positive = [](const char* name, double value) {
    if (!(value > 0.0) || !std::isfinite(value)) {
      throw_invalid(std::string("thelen.") + name, "finite and > 0", value);
    }
  };
  check_positive("kshape_active", params.kshape_active);
  check_positive("kshape_passive", params.kshape_passive);
  check_positive("fmax_muscle_strain", params.fmax_muscle_strain);
  check_positive("fmax_tendon_strain", params.fmax_tendon_strain);
  check_positive("af", params.af);
  if (!(params.flen > 1.0) || !std::isfinite(params.flen)) {
    throw_invalid("thelen.flen", "finite and > 1", params.flen);
  }
}

double thelen2003_active_force_length(const ThelenCurveParams& params, double norm_fibre_length) {
  // Thelen 2003, active force-length: f_L = exp(-(l - 1)^2 / gamma)
  const double x = norm_fibre_length - 1.0;
  return std::exp(-x * x / params.kshape_active);
}

double thelen2003_active_force_length_derivative(const ThelenCurveParams& params,
                                                 double norm_fibre_length) {
  const double x = norm_fibre_length - 1.0;
  return -2.0 * x / params.kshape_active * std::exp(-x * x / params.kshape_active);
}

double thelen2003_passive_force_length(const ThelenCurveParams& params, double norm_fibre_length) {
  // Thelen 2003, passive force-length: f_PE = (exp(k_PE (l - 1)/eps0M) - 1)/(exp(k_PE) - 1)
  const double k = params.kshape_passive / params.fmax_muscle_strain;
  return std::expm1(k * (norm_fibre_length - 1.0)) / std::expm1(params.kshape_passive);
}

double thelen2003_passive_force_length_derivative(const ThelenCurveParams& params,
                                                  double norm_fibre_length) {
  const double k = params.kshape_passive / params.fmax_muscle_strain;
  return k * std::exp(k * (norm_fibre_length - 1.0)) / std::expm1(params.kshape_passive);
}

double thelen2003_tendon_toe_strain(const ThelenCurveParams& params) {
  // Strain at the toe end, chosen so that the curve is C1 at eps_toe and passes through (eps0T, 1):
  //   k_lin = F_toe k_toe e^k_toe / (eps_toe (e^k_toe - 1))  and  F_toe + k_lin (eps0T - eps_toe) =
  //   1
  //   => eps_toe = 0.99 e^3 eps0T / (1.66 e^3 - 0.67)  (Thelen 2003 rounds it to 0.609 eps0T).
  const double e3 = std::exp(kToeShape);
  return 99.0 * e3 * params.fmax_tendon_strain / (166.0 * e3 - 67.0);
}

double thelen2003_tendon_linear_stiffness(const ThelenCurveParams& params) {
  // k_lin = (1 - F_toe)/(eps0T - eps_toe)  (Thelen 2003 rounds it to 1.712/eps0T).
  return (1.0 - kToeForce) / (params.fmax_tendon_strain - thelen2003_tendon_toe_strain(params));
}

double thelen2003_tendon_force_length(const ThelenCurveParams& params, double norm_tendon_length) {
  const double strain = norm_tendon_length - 1.0;
  if (strain <= 0.0) return 0.0;  // slack tendon
  const double toe_strain = thelen2003_tendon_toe_strain(params);
  if (strain <= toe_strain) {
    // Thelen 2003, eq. 5, toe region: F_toe (exp(k_toe eps/eps_toe) - 1)/(exp(k_toe) - 1)
    return kToeForce * std::expm1(kToeShape * strain / toe_strain) / std::expm1(kToeShape);
  }
  // Thelen 2003, eq. 5, linear region: k_lin (eps - eps_toe) + F_toe
  return thelen2003_tendon_linear_stiffness(params) * (strain - toe_strain) + kToeForce;
}

double thelen2003_tendon_force_length_derivative(const ThelenCurveParams& params,
                                                 double norm_tendon_length) {
  const double strain = norm_tendon_length - 1.0;
  if (strain < 0.0) return 0.0;
  const double toe_strain = thelen2003_tendon_toe_strain(params);
  if (strain <= toe_strain) {
    return kToeForce * kToeShape / toe_strain * std::exp(kToeShape * strain / toe_strain) /
           std::expm1(kToeShape);
  }
  return thelen2003_tendon_linear_stiffness(params);
}

double thelen2003_tendon_force_length_inverse(const ThelenCurveParams& params,
                                              double norm_tendon_force) {
  if (!(norm_tendon_force >= 0.0) || !std::isfinite(norm_tendon_force)) {
    throw_invalid("norm_tendon_force", "finite and >= 0 (Thelen 2003 tendon)", norm_tendon_force);
  }
  const double toe_strain = thelen2003_tendon_toe_strain(params);
  if (norm_tendon_force <= kToeForce) {
    // Toe region solved for eps: eps = eps_toe/k_toe ln(1 + f (exp(k_toe) - 1)/F_toe)
    return 1.0 + toe_strain / kToeShape *
                     std::log1p(norm_tendon_force * std::expm1(kToeShape) / kToeForce);
  }
  // Linear region solved for eps: eps = eps_toe + (f - F_toe)/k_lin
  return 1.0 + toe_strain +
         (norm_tendon_force - kToeForce) / thelen2003_tendon_linear_stiffness(params);
}

double thelen2003_tendon_force_length_inverse_derivative(const ThelenCurveParams& params,
                                                         double norm_tendon_force) {
  if (!(norm_tendon_force >= 0.0) || !std::isfinite(norm_tendon_force)) {
    throw_invalid("norm_tendon_force", "finite and >= 0 (Thelen 2003 tendon)", norm_tendon_force);
  }
  const double toe_strain = thelen2003_tendon_toe_strain(params);
  if (norm_tendon_force <= kToeForce) {
    const double q = std::expm1(kToeShape) / kToeForce;
    return toe_strain / kToeShape * q / (1.0 + norm_tendon_force * q);
  }
  return 1.0 / thelen2003_tendon_linear_stiffness(params);
}

double thelen2003_max_velocity_scale(double activation) {
  // Thelen 2003, eq. 6: the maximum velocity is scaled by (0.25 + 0.75 a)
  const double a = std::clamp(activation, 0.0, 1.0);
  return 0.25 + 0.75 * a;
}

double thelen2003_force_velocity_inverse(const ThelenCurveParams& params, double norm_force) {
  const double f = norm_force;
  if (!(f > -params.af && f < params.flen)) {
    throw_invalid("norm_force",
                  "inside (-af, flen) = (" + to_text(-params.af) + ", " + to_text(params.flen) +
                      ") (Thelen 2003 force-velocity)",
                  f);
  }
  if (f <= 1.0) {
    // Thelen 2003, eqs. 6-7, shortening: V = (F - a f_L)/b, b = a f_L + F/A_f, F = a f_L f
    return (f - 1.0) / (1.0 + f / params.af);
  }
  // Thelen 2003, eqs. 6-7, lengthening: b = (2 + 2/A_f)(a f_L F_len - F)/(F_len - 1)
  return (f - 1.0) * thelen_lengthening_constant(params) / (params.flen - f);
}

double thelen2003_force_velocity_inverse_derivative(const ThelenCurveParams& params,
                                                    double norm_force) {
  const double f = norm_force;
  if (!(f > -params.af && f < params.flen)) {
    throw_invalid("norm_force", "inside (-af, flen) (Thelen 2003 force-velocity)", f);
  }
  if (f <= 1.0) {
    const double denominator = params.af + f;
    return params.af * (params.af + 1.0) / (denominator * denominator);
  }
  const double c = thelen_lengthening_constant(params);
  const double gap = params.flen - f;
  return c * (params.flen - 1.0) / (gap * gap);
}

double thelen2003_force_velocity(const ThelenCurveParams& params, double norm_fibre_velocity) {
  const double v = norm_fibre_velocity;
  if (v <= 0.0) {
    // Shortening branch of Thelen 2003, eqs. 6-7, solved for f: f = A_f (1 + v)/(A_f - v)
    return params.af * (1.0 + v) / (params.af - v);
  }
  // Lengthening branch solved for f: f = (F_len v + c)/(v + c)
  const double c = thelen_lengthening_constant(params);
  return (params.flen * v + c) / (v + c);
}

double thelen2003_force_velocity_derivative(const ThelenCurveParams& params,
                                            double norm_fibre_velocity) {
  const double v = norm_fibre_velocity;
  if (v <= 0.0) {
    const double denominator = params.af - v;
    return params.af * (params.af + 1.0) / (denominator * denominator);
  }
  const double c = thelen_lengthening_constant(params);
  const double denominator = v + c;
  return c * (params.flen - 1.0) / (denominator * denominator);
}

// ================================================================================================
// Dispatcher
// ================================================================================================

void validate(const CurveParams& params) {
  switch (params.set) {
    case CurveSet::DeGroote2016:
      return;
    case CurveSet::Thelen2003:
      validate(params.thelen);
      return;
  }
  throw InvalidArgument("curves.set: expected DeGroote2016 or Thelen2003, got " +
                        std::to_string(static_cast<int>(params.set)));
}

const char* curve_set_name(CurveSet set) {
  switch (set) {
    case CurveSet::DeGroote2016:
      return "degroote2016";
    case CurveSet::Thelen2003:
      return "thelen2003";
  }
  throw InvalidArgument("curve set: expected DeGroote2016 or Thelen2003, got " +
                        std::to_string(static_cast<int>(set)));
}

CurveSet curve_set_from_name(const std::string& name) {
  if (name == "degroote2016") return CurveSet::DeGroote2016;
  if (name == "thelen2003") return CurveSet::Thelen2003;
  throw InvalidArgument("curve set: expected \"degroote2016\" or \"thelen2003\", got \"" + name +
                        "\"");
}

double active_force_length(const CurveParams& params, double norm_fibre_length) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_active_force_length(params.thelen, norm_fibre_length)
             : degroote2016_active_force_length(norm_fibre_length);
}

double active_force_length_derivative(const CurveParams& params, double norm_fibre_length) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_active_force_length_derivative(params.thelen, norm_fibre_length)
             : degroote2016_active_force_length_derivative(norm_fibre_length);
}

double passive_force_length(const CurveParams& params, double norm_fibre_length) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_passive_force_length(params.thelen, norm_fibre_length)
             : degroote2016_passive_force_length(norm_fibre_length);
}

double passive_force_length_derivative(const CurveParams& params, double norm_fibre_length) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_passive_force_length_derivative(params.thelen, norm_fibre_length)
             : degroote2016_passive_force_length_derivative(norm_fibre_length);
}

double max_velocity_scale(const CurveParams& params, double activation) {
  return params.set == CurveSet::Thelen2003 ? thelen2003_max_velocity_scale(activation) : 1.0;
}

double force_velocity(const CurveParams& params, double norm_fibre_velocity) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_force_velocity(params.thelen, norm_fibre_velocity)
             : degroote2016_force_velocity(norm_fibre_velocity);
}

double force_velocity_derivative(const CurveParams& params, double norm_fibre_velocity) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_force_velocity_derivative(params.thelen, norm_fibre_velocity)
             : degroote2016_force_velocity_derivative(norm_fibre_velocity);
}

double force_velocity_inverse(const CurveParams& params, double norm_force) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_force_velocity_inverse(params.thelen, norm_force)
             : degroote2016_force_velocity_inverse(norm_force);
}

double force_velocity_inverse_derivative(const CurveParams& params, double norm_force) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_force_velocity_inverse_derivative(params.thelen, norm_force)
             : degroote2016_force_velocity_inverse_derivative(norm_force);
}

double tendon_force_length(const CurveParams& params, double norm_tendon_length) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_tendon_force_length(params.thelen, norm_tendon_length)
             : degroote2016_tendon_force_length(norm_tendon_length);
}

double tendon_force_length_derivative(const CurveParams& params, double norm_tendon_length) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_tendon_force_length_derivative(params.thelen, norm_tendon_length)
             : degroote2016_tendon_force_length_derivative(norm_tendon_length);
}

double tendon_force_length_inverse(const CurveParams& params, double norm_tendon_force) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_tendon_force_length_inverse(params.thelen, norm_tendon_force)
             : degroote2016_tendon_force_length_inverse(norm_tendon_force);
}

double tendon_force_length_inverse_derivative(const CurveParams& params, double norm_tendon_force) {
  return params.set == CurveSet::Thelen2003
             ? thelen2003_tendon_force_length_inverse_derivative(params.thelen, norm_tendon_force)
             : degroote2016_tendon_force_length_inverse_derivative(norm_tendon_force);
}

double tendon_zero_force_length(const CurveParams& params) {
  return tendon_force_length_inverse(params, 0.0);
}

}  // namespace msk::muscle
