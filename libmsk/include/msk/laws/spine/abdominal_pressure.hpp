// msk/laws/spine/abdominal_pressure.hpp — intra-abdominal pressure (law "abdominal_pressure",
// role "abdominal_pressure", segment domain, trunk stage; docs/theory/spine.md §7.2).
//
// Lifting raises the pressure in the abdominal cavity with the lumbar extensor moment; in upright
// lifts Mairiaux et al. (1984) measured p [kPa] = 0.079 M [N m] - 1.127 at L4/5 (r = 0.75). The
// law attaches to the level whose moment drives it and gives, smoothly,
//   s(M) = w ln(1 + exp((M - M_0)/w)),   p = p_max tanh(k s(M) / p_max),
// with M the extensor moment the muscles supply at that level (in upright lifts, where Mairiaux
// measured, nearly all of the lumbar moment; in full flexion the passive tissues take over, the
// extensors fall silent and the pressure with them), k the gain, M_0 the onset and w its width,
// p_max the largest pressure. The
// pressure pushes the diaphragm up and the pelvic floor down with F = p A: a pair of opposite
// forces on the top and bottom bodies of the level's region (for the lumbar spine: L1 with the
// thorax, and the pelvis), acting a distance d in front of the region's top and bottom joint
// centres, along the line between the two points. Every level in between carries less
// compression and an extension moment F times its distance from that line.
// Hypothesis H22 (docs/theory/hypotheses.md): the pressure unloads the spine net of the abdominal
// wall that holds it (Morris et al. 1961; contested by McGill & Norman 1987, Nachemson 1986); the
// muscles the effort minimisation chooses are all the abdominal activity the model has.
// Channel: abdominal_pressure [Pa]. Ports: reads data.muscle_force and data.joint_moment_arm,
// appends to data.trunk_loads, writes data.abdominal_pressure. The posture equilibrium iterates
// it with the activations (the pressure lowers the muscles' moment, which lowers the pressure).
#pragma once

#include <vector>

#include "msk/law/law.hpp"

namespace msk::laws {

struct AbdominalPressureParams {
  double gain = 79.0;             ///< k, pressure per extensor moment [Pa/(N m)]
  double onset_moment = 14.3;     ///< M_0, moment where the pressure starts to rise [N m]
  double onset_width = 5.0;       ///< w, width of the smooth onset [N m]
  double max_pressure = 26600.0;  ///< p_max [Pa]
  double area = 0.0465;           ///< A, area the pressure acts on (diaphragm) [m^2]
  double moment_arm = 0.11;       ///< d, line of the force in front of the joint centres [m]
};

/// The pressure [Pa] at extensor moment M [N m] (s and p of the header comment).
double abdominal_pressure(const AbdominalPressureParams& p, double extensor_moment);

class AbdominalPressure : public LawWith<AbdominalPressure, AbdominalPressureParams> {
 public:
  static const std::vector<ParamField<AbdominalPressureParams>>& fields();
  const LawInfo& info() const override;
  void evaluate(LawContext& c) const override;
  void record(const LawContext& c, double* row) const override;
};

}  // namespace msk::laws
