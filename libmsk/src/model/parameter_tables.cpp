#include "parameter_tables.hpp"

namespace msk::detail {

const std::vector<MuscleField>& muscle_fields() {
  using P = muscle::MuscleTendonParams;
  static const std::vector<MuscleField> f = {
      {"max_isometric_force", &P::max_isometric_force, 1e-6, 1e6, "N"},
      {"optimal_fibre_length", &P::optimal_fibre_length, 1e-4, 2.0, "m"},
      {"tendon_slack_length", &P::tendon_slack_length, 0.0, 3.0, "m"},
      {"pennation_at_optimal", &P::pennation_at_optimal, 0.0, 1.2, "rad"},
      {"max_contraction_velocity", &P::max_contraction_velocity, 0.1, 100.0, "L_opt/s"},
      {"fibre_damping", &P::fibre_damping, 1e-4, 10.0, "1"},
  };
  return f;
}

const std::vector<SegmentField>& segment_fields() {
  using S = spine::SegmentParams;
  static const std::vector<SegmentField> f = {
      {"disc.height", [](S& s) -> double& { return s.disc.height; }, 1e-4, 0.05, "m"},
      {"disc.posterior_height", [](S& s) -> double& { return s.disc.posterior_height; }, 1e-4, 0.05,
       "m"},
      {"disc.depth", [](S& s) -> double& { return s.disc.depth; }, 1e-3, 0.1, "m"},
      {"disc.area", [](S& s) -> double& { return s.disc.area; }, 1e-5, 0.01, "m^2"},
      {"disc.fluid_height", [](S& s) -> double& { return s.disc.fluid_height; }, 0.0, 0.05, "m"},
      {"disc.stiffness_toe", [](S& s) -> double& { return s.disc.stiffness_toe; }, 1e3, 1e9, "N/m"},
      {"disc.stiffness", [](S& s) -> double& { return s.disc.stiffness; }, 0.0, 1e9, "N/m"},
      {"disc.toe_compression", [](S& s) -> double& { return s.disc.toe_compression; }, 1e-6, 0.01,
       "m"},
      {"disc.preload_gain_max", [](S& s) -> double& { return s.disc.preload_gain_max; }, 0.0, 100.0,
       "1"},
      {"disc.preload_force", [](S& s) -> double& { return s.disc.preload_force; }, 1.0, 1e5, "N"},
      {"disc.pressure_factor", [](S& s) -> double& { return s.disc.pressure_factor; }, 0.1, 10.0,
       "1"},
      {"disc.swelling_pressure", [](S& s) -> double& { return s.disc.swelling_pressure; }, 0.0, 1e7,
       "Pa"},
      {"disc.pressure_blend", [](S& s) -> double& { return s.disc.pressure_blend; }, 1.0, 50.0,
       "1"},
      {"disc.damping", [](S& s) -> double& { return s.disc.damping; }, 0.0, 1e4, "N m s/rad"},
      {"facet.lever_arm", [](S& s) -> double& { return s.facet.lever_arm; }, 1e-3, 0.2, "m"},
      {"facet.gap", [](S& s) -> double& { return s.facet.gap; }, -0.01, 0.02, "m"},
      {"facet.stiffness", [](S& s) -> double& { return s.facet.stiffness; }, 0.0, 1e12, "N/m^n_f"},
      {"facet.exponent", [](S& s) -> double& { return s.facet.exponent; }, 1.0, 3.0, "1"},
      {"foramen.height", [](S& s) -> double& { return s.foramen.height; }, 1e-3, 0.1, "m"},
      {"foramen.disc_gain", [](S& s) -> double& { return s.foramen.disc_gain; }, 0.0, 10.0, "1"},
      {"foramen.angle_gain", [](S& s) -> double& { return s.foramen.angle_gain; }, -1.0, 1.0,
       "m/rad"},
      {"foramen.stenosis_height", [](S& s) -> double& { return s.foramen.stenosis_height; }, 1e-4,
       0.1, "m"},
      {"foramen.stenosis_posterior_disc_height",
       [](S& s) -> double& { return s.foramen.stenosis_posterior_disc_height; }, 1e-4, 0.05, "m"},
      {"foramen.width", [](S& s) -> double& { return s.foramen.width; }, 1e-4, 0.05, "m"},
      {"foramen.shape_factor", [](S& s) -> double& { return s.foramen.shape_factor; }, 0.1, 1.0,
       "1"},
      {"foramen.flavum_moment_arm", [](S& s) -> double& { return s.foramen.flavum_moment_arm; },
       0.0, 0.2, "m"},
      {"foramen.flavum_length", [](S& s) -> double& { return s.foramen.flavum_length; }, 0.0, 0.1,
       "m"},
      {"foramen.volume_loss_bulge", [](S& s) -> double& { return s.foramen.volume_loss_bulge; },
       0.0, 2.0, "1"},
      {"foramen.risk_height_width", [](S& s) -> double& { return s.foramen.risk_height_width; },
       1e-5, 0.02, "m"},
      {"foramen.risk_posterior_width",
       [](S& s) -> double& { return s.foramen.risk_posterior_width; }, 1e-5, 0.02, "m"},
      {"shear.disc_stiffness", [](S& s) -> double& { return s.shear.disc_stiffness; }, 1.0, 1e9,
       "N/m"},
      {"shear.facet_stiffness", [](S& s) -> double& { return s.shear.facet_stiffness; }, 0.0, 1e9,
       "N/m"},
      {"shear.engagement_opening", [](S& s) -> double& { return s.shear.engagement_opening; },
       -0.05, 0.05, "m"},
      {"shear.engagement_width", [](S& s) -> double& { return s.shear.engagement_width; }, 1e-5,
       0.05, "m"},
      {"shear.repetitive_limit", [](S& s) -> double& { return s.shear.repetitive_limit; }, 1.0, 1e5,
       "N"},
      {"shear.action_limit", [](S& s) -> double& { return s.shear.action_limit; }, 1.0, 1e5, "N"},
      {"shear.ultimate", [](S& s) -> double& { return s.shear.ultimate; }, 1.0, 1e5, "N"},
      {"degeneration_effects.height_loss",
       [](S& s) -> double& { return s.degeneration_effects.height_loss; }, 0.0, 0.95, "1"},
      {"degeneration_effects.height_exponent",
       [](S& s) -> double& { return s.degeneration_effects.height_exponent; }, 1.0, 10.0, "1"},
      {"degeneration_effects.swelling_loss",
       [](S& s) -> double& { return s.degeneration_effects.swelling_loss; }, 0.0, 0.95, "1"},
      {"degeneration_effects.pressure_factor_loss",
       [](S& s) -> double& { return s.degeneration_effects.pressure_factor_loss; }, 0.0, 0.95, "1"},
      {"degeneration_effects.laxity", [](S& s) -> double& { return s.degeneration_effects.laxity; },
       0.0, 0.95, "1"},
      {"neutral_angle", [](S& s) -> double& { return s.neutral_angle; }, -1.0, 1.0, "rad"},
      {"degeneration", [](S& s) -> double& { return s.degeneration; }, 0.0, 1.0, "1"},
  };
  return f;
}

const SegmentField* find_segment_field(const std::string& name) {
  for (const SegmentField& f : segment_fields())
    if (name == f.name) return &f;
  return nullptr;
}

const std::vector<LegacyLawKey>& legacy_law_keys() {
  static const std::vector<LegacyLawKey> k = {
      {LawDomain::Muscle, "activation_time_constant", "activation", "activation_time_constant"},
      {LawDomain::Muscle, "deactivation_time_constant", "activation", "deactivation_time_constant"},
      {LawDomain::Muscle, "minimum_activation", "activation", "minimum_activation"},
      {LawDomain::Muscle, "tone.threshold", "reflex", "threshold"},
      {LawDomain::Muscle, "tone.threshold_offset", "reflex", "threshold_offset"},
      {LawDomain::Muscle, "tone.gain", "reflex", "gain"},
      {LawDomain::Muscle, "tone.velocity_sensitivity", "reflex", "velocity_sensitivity"},
      {LawDomain::Muscle, "tone.reflex_time_constant", "reflex", "time_constant"},
      {LawDomain::Muscle, "tone.pad_depth", "depression", "depth"},
      {LawDomain::Muscle, "tone.pad_recovery_time_constant", "depression",
       "recovery_time_constant"},
      {LawDomain::Muscle, "tone.pad_charge_time_constant", "depression", "charge_time_constant"},
      {LawDomain::Muscle, "thixotropy.stiffening", "thixotropy", "stiffening"},
      {LawDomain::Muscle, "thixotropy.formation_time_constant", "thixotropy",
       "formation_time_constant"},
      {LawDomain::Muscle, "thixotropy.breaking_rate", "thixotropy", "breaking_rate"},
      {LawDomain::Pair, "reciprocal_inhibition", "inhibition", "reciprocal_inhibition"},
      {LawDomain::Segment, "disc.osmotic_pressure", "fluid", "osmotic_pressure"},
      {LawDomain::Segment, "disc.osmotic_exponent", "fluid", "osmotic_exponent"},
      {LawDomain::Segment, "disc.fluid_time_constant", "fluid", "fluid_time_constant"},
      {LawDomain::Segment, "disc.recovery_factor", "fluid", "recovery_factor"},
  };
  return k;
}

}  // namespace msk::detail
