#include "msk/laws/spine/abdominal_pressure.hpp"

#include <Eigen/Geometry>
#include <cmath>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk::laws {

double abdominal_pressure(const AbdominalPressureParams& p, double extensor_moment) {
  // Softplus onset (no threshold), then a smooth ceiling.
  const double x = (extensor_moment - p.onset_moment) / p.onset_width;
  const double s = p.onset_width * (x > 30.0 ? x : std::log1p(std::exp(x)));
  return p.max_pressure * std::tanh(p.gain * s / p.max_pressure);
}

const std::vector<ParamField<AbdominalPressureParams>>& AbdominalPressure::fields() {
  static const std::vector<ParamField<AbdominalPressureParams>> f = {
      {"gain", &AbdominalPressureParams::gain, "Pa/(N m)", 0.0, 1e4,
       "Mairiaux et al. 1984, Ergonomics 27:883 (IAP = 0.079 kPa/(N m) x L4/5 moment - 1.127 kPa, "
       "upright lifts, r = 0.75)",
       "k, rise of the pressure per newton metre of extensor moment"},
      {"onset_moment", &AbdominalPressureParams::onset_moment, "N m", -1e3, 1e3,
       "Mairiaux et al. 1984 (the regression's zero: 1.127 / 0.079)",
       "M_0, extensor moment where the pressure starts to rise"},
      {"onset_width", &AbdominalPressureParams::onset_width, "N m", 0.1, 100.0,
       "assumption: a smooth onset over a few N m (Marras & Mirka 1996 saw little pressure "
       "below about 54 N m in dynamic lifts)",
       "w, width of the smooth onset"},
      {"max_pressure", &AbdominalPressureParams::max_pressure, "Pa", 1.0, 1e6,
       "AMMR lumbar model IAP limit 26.6 kPa (SPINE_PARAMETERS.md); Cresswell et al. 1994 "
       "measured up to 17.8 kPa in maximal lifts",
       "p_max, largest pressure"},
      {"area", &AbdominalPressureParams::area, "m^2", 0.0, 1.0,
       "Morris et al. 1961 diaphragm area 465 cm^2, as used in Chaffin's static models "
       "(value recalled, not re-verified)",
       "A, area the pressure pushes the diaphragm and pelvic floor with"},
      {"moment_arm", &AbdominalPressureParams::moment_arm, "m", 0.0, 0.5,
       "Chaffin & Andersson, Occupational Biomechanics: 11 cm in front of L5/S1 (value recalled, "
       "not re-verified); the abdominal cavity's centroid lies about 10-12 cm in front of the "
       "vertebral bodies",
       "d, distance of the force's line in front of the region's top and bottom joint centres"},
  };
  return f;
}

const LawInfo& AbdominalPressure::info() const {
  static const LawInfo i = [] {
    LawInfo x;
    x.name = "abdominal_pressure";
    x.role = "abdominal_pressure";
    x.domain = LawDomain::Segment;
    x.stage = LawStage::Trunk;
    x.summary =
        "intra-abdominal pressure rising with the muscles' lumbar extensor moment, pushing the "
        "thorax and pelvis apart in front of the spine";
    x.equation =
        "p = p_max tanh(k w ln(1 + exp((M - M_0)/w)) / p_max), M the muscles' extensor moment at "
        "the level; F = p A on the region's top and bottom bodies, d in front of their joint "
        "centres";
    x.citation =
        "Mairiaux et al. 1984 (pressure and moment); Morris et al. 1961 (unloading); Cresswell "
        "et al. 1994 (maximal pressures)";
    x.hypothesis = "H22";
    x.params = param_infos<AbdominalPressureParams>(fields());
    x.channels = {{"abdominal_pressure", "Pa", "intra-abdominal pressure"}};
    return x;
  }();
  return i;
}

void AbdominalPressure::evaluate(LawContext& c) const {
  const Model& m = c.model;
  Data& d = c.data;
  for (int k = 0; k < n_entities(); ++k) {
    const int s = entity(k);
    const AbdominalPressureParams& p = params_[static_cast<std::size_t>(k)];
    // The region's bottom and top levels (segments are ordered bottom up).
    const std::string& region = m.segment_region()[s];
    int bottom = -1, top = -1;
    for (int j = 0; j < m.n_segments(); ++j) {
      if (m.segment_region()[j] != region) continue;
      if (bottom < 0) bottom = j;
      top = j;
    }
    const int b = m.segment_body()[s];
    // The extensor moment the muscles supply at the level (joint_moment_arm: about the joint
    // axis, per newton; extension is against the level's flexion sense).
    double moment = 0.0;
    for (int i = 0; i < m.n_muscles(); ++i)
      moment += d.joint_moment_arm(i, b) * d.muscle_force[i];
    moment *= -m.segment_flexion_sign()[s];
    const double pressure = abdominal_pressure(p, moment);
    d.abdominal_pressure[s] = pressure;
    if (pressure <= 0.0 || p.area <= 0.0) continue;
    // Anchors d in front of the bottom and top joint centres, on the bodies below and above.
    const int lower_body = m.body_parent()[m.segment_body()[bottom]];
    const int upper_body = m.segment_body()[top];
    if (lower_body < 0)
      throw InvalidArgument("abdominal_pressure: level " + m.segment_names()[bottom] +
                            " has no body below it to carry the pelvic floor");
    // The disc axis at neutral (segment_axis, in the frame of the body below the level) turned
    // with the anchor's body; anterior = axis x lateral, as for the levels' shear.
    auto anchor = [&](int level, int body) {
      const Eigen::Matrix3d& r = d.body_rotation[body];
      const Eigen::Vector3d n = r * m.segment_axis()[level];
      const Eigen::Vector3d anterior = n.cross(r * Eigen::Vector3d::UnitZ()).normalized();
      return Eigen::Vector3d(d.joint_origin[m.segment_body()[level]] + p.moment_arm * anterior);
    };
    const Eigen::Vector3d lower = anchor(bottom, lower_body), upper = anchor(top, upper_body);
    const Eigen::Vector3d span = upper - lower;
    if (span.norm() < 1e-9) continue;
    const Eigen::Vector3d force = pressure * p.area * span.normalized();
    auto in_body = [&](int body, const Eigen::Vector3d& ground) {
      return Eigen::Vector3d(d.body_rotation[body].transpose() * (ground - d.body_position[body]));
    };
    d.trunk_loads.push_back({upper_body, in_body(upper_body, upper), force});
    d.trunk_loads.push_back({lower_body, in_body(lower_body, lower), -force});
  }
}

void AbdominalPressure::record(const LawContext& c, double* row) const {
  for (int k = 0; k < n_entities(); ++k)
    row[channel_index(k, 0)] = c.data.abdominal_pressure[entity(k)];
}

}  // namespace msk::laws
