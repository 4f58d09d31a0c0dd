#include "msk/model/scaling.hpp"

#include <cmath>
#include <string>

#include "msk/error.hpp"

namespace msk {

namespace {

void scale3(std::array<double, 3>& v, double k) {
  for (double& x : v)
    x *= k;
}

}  // namespace

ModelSpec scale_model_spec(const ModelSpec& spec, double mass, double height) {
  if (!(std::isfinite(mass) && mass > 0.0))
    throw InvalidArgument("mass: expected finite and > 0 [kg], got " + std::to_string(mass));
  if (!(std::isfinite(height) && height > 0.0))
    throw InvalidArgument("height: expected finite and > 0 [m], got " + std::to_string(height));
  ModelSpec out = spec;
  if (spec.subject.reference_mass <= 0.0) return out;
  const double rm = mass / spec.subject.mass;
  const double rh = height / spec.subject.height;
  if (rm == 1.0 && rh == 1.0) return out;

  for (BodySpec& b : out.bodies) {
    b.mass *= rm;
    scale3(b.com, rh);
    for (double& i : b.inertia)
      i *= rm * rh * rh;
    scale3(b.joint.location_in_parent, rh);
    scale3(b.joint.location_in_child, rh);
  }
  for (WrapSurfaceSpec& w : out.wrap_surfaces) {
    scale3(w.centre, rh);
    w.radius *= rh;
    w.length *= rh;
  }
  for (MuscleSpec& m : out.muscles) {
    m.max_isometric_force *= rm;  // Handsfield et al. 2014: PCSA ~ mass
    m.optimal_fibre_length *= rh;
    m.tendon_slack_length *= rh;
    for (PathPointSpec& p : m.path)
      scale3(p.point, rh);
  }
  for (SegmentSpec& s : out.segments) {
    spine::DiscParams& d = s.params.disc;
    d.height *= rh;
    d.posterior_height *= rh;
    d.depth *= rh;
    d.area *= rh * rh;
    d.fluid_height *= rh;
    d.toe_compression *= rh;
    d.stiffness_toe *= rh;
    d.stiffness *= rh;
    d.moment_c1 *= rh * rh * rh;
    d.moment_c2 *= rh * rh * rh;
    d.moment_c3 *= rh * rh * rh;
    d.preload_force *= rh * rh;
    d.damping *= rh * rh * rh;
    for (spine::LigamentParams& l : s.params.ligaments) {
      l.stiffness *= rh;
      l.neutral_length *= rh;
      l.moment_arm *= rh;
      l.toe_length *= rh;
    }
    spine::FacetParams& f = s.params.facet;
    f.lever_arm *= rh;
    f.gap *= rh;
    f.stiffness *= std::pow(rh, 2.0 - f.exponent);
    spine::ForamenParams& fo = s.params.foramen;
    fo.height *= rh;
    fo.angle_gain *= rh;
    fo.width *= rh;
    fo.flavum_moment_arm *= rh;
    fo.flavum_length *= rh;
    s.params.shear.disc_stiffness *= rh;  // G A / h
    s.params.shear.facet_stiffness *= rh;
    s.params.shear.engagement_opening *= rh;
    s.params.shear.engagement_width *= rh;
  }
  scale3(out.posture.shoulder, rh);
  scale3(out.posture.seat_point, rh);
  scale3(out.posture.ankle_point, rh);
  scale3(out.posture.ground_com, rh);
  out.posture.pressure_offset *= rh;
  out.posture.ground_mass *= rm;
  out.posture.arm_length *= rh;
  out.posture.arm_mass *= rm;
  out.subject.mass = mass;
  out.subject.height = height;
  return out;
}

}  // namespace msk
