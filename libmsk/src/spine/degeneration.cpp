#include "msk/spine/degeneration.hpp"

#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk::spine {

double degeneration_height_loss(const DiscParams& disc, const DegenerationParams& g,
                                double degeneration) {
  if (degeneration <= 0.0) return 0.0;
  return g.height_loss * std::pow(degeneration, g.height_exponent) * disc.height;
}

DiscParams degenerated_disc(const DiscParams& disc, const DegenerationParams& g,
                            double degeneration) {
  if (degeneration <= 0.0) return disc;
  const double d = degeneration;
  DiscParams out = disc;
  // 1. The shorter disc: height and posterior height lose the same amount.
  const double loss = degeneration_height_loss(disc, g, d);
  out.height = disc.height - loss;
  out.posterior_height = disc.posterior_height - loss;
  // 2. Stiffness of a shorter column of the same tissue: E A / h (axial) and E I / h (bending);
  //    the toe region and the fluid height are fractions of the height.
  const double ratio = disc.height / out.height;
  out.stiffness_toe *= ratio;
  out.stiffness *= ratio;
  out.toe_compression /= ratio;
  out.fluid_height /= ratio;
  out.moment_c1 *= ratio * (1.0 - g.laxity * 4.0 * d * (1.0 - d));  // laxity near neutral
  out.moment_c2 *= ratio;
  out.moment_c3 *= ratio;
  // 3. A smaller, drier nucleus (Adams, McNally & Dolan 1996; Urban & McMullin 1988).
  out.swelling_pressure *= 1.0 - g.swelling_loss * d;
  out.pressure_factor *= 1.0 - g.pressure_factor_loss * d;
  return out;
}

void validate(const DegenerationParams& g) {
  auto fail = [](const char* field, const char* expected, double got) {
    throw InvalidArgument(std::string("degeneration_effects.") + field + ": expected " + expected +
                          ", got " + std::to_string(got));
  };
  auto fraction = [&](double v, const char* field) {
    if (!(std::isfinite(v) && v >= 0.0 && v < 1.0)) fail(field, "in [0, 1)", v);
  };
  fraction(g.height_loss, "height_loss");
  if (!(std::isfinite(g.height_exponent) && g.height_exponent >= 1.0 && g.height_exponent <= 10.0))
    fail("height_exponent", "in [1, 10]", g.height_exponent);
  fraction(g.swelling_loss, "swelling_loss");
  fraction(g.pressure_factor_loss, "pressure_factor_loss");
  fraction(g.laxity, "laxity");
}

}  // namespace msk::spine
