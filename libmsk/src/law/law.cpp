#include "msk/law/law.hpp"

#include <cmath>
#include <sstream>

#include "msk/error.hpp"

namespace msk {

const char* law_domain_name(LawDomain domain) {
  switch (domain) {
    case LawDomain::Muscle:
      return "muscle";
    case LawDomain::Pair:
      return "pair";
    case LawDomain::Segment:
      return "segment";
  }
  return "?";
}

const char* law_stage_name(LawStage stage) {
  switch (stage) {
    case LawStage::Series:
      return "series";
    case LawStage::Mechanics:
      return "mechanics";
    case LawStage::Tissue:
      return "tissue";
    case LawStage::Modulation:
      return "modulation";
    case LawStage::Reflex:
      return "reflex";
    case LawStage::Activation:
      return "activation";
    case LawStage::Trunk:
      return "trunk";
    case LawStage::Segment:
      return "segment";
  }
  return "?";
}

void check_param(const LawInfo& info, int field, double value) {
  const ParamInfo& p = info.params[static_cast<std::size_t>(field)];
  if (std::isnan(value) && p.optional) return;
  if (std::isfinite(value) && value >= p.min && value <= p.max) return;
  std::ostringstream s;
  s.precision(10);
  s << info.name << "." << p.name << ": expected a finite value in [" << p.min << ", " << p.max
    << "] [" << p.unit << "]" << (p.optional ? " or NaN (not set)" : "") << ", got " << value;
  throw InvalidArgument(s.str());
}

double no_param(int field) {
  throw InvalidArgument("law parameter " + std::to_string(field) +
                        ": expected none (the law has no parameters)");
}

void param_out_of_range(const char* law, const char* field, double min, double max, double value) {
  throw InvalidArgument(std::string(law) + "." + field + ": expected " + std::to_string(min) +
                        " ... " + std::to_string(max) + ", got " + std::to_string(value));
}

void Law::initial_state(const LawContext&, double*) const {}
void Law::publish(LawContext&) const {}
void Law::evaluate(LawContext&) const {}
void Law::record(const LawContext&, double*) const {}
double Law::rest_gain(const Model&, const Data&, int, double, double) const {
  return 1.0;
}

double Law::rest_excitation(const Model&, const Data&, int, double) const {
  return 0.0;
}
double Law::rest_activation(int, double excitation) const {
  return excitation;
}

}  // namespace msk
