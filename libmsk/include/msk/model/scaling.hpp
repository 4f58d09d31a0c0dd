// msk/model/scaling.hpp — scaling a model to a person's body mass and stature.
#pragma once

#include "msk/model/spec.hpp"

namespace msk {

/// A copy of spec scaled from the person it describes (spec.subject.mass, spec.subject.height) to
/// a person of body mass `mass` [kg] and stature `height` [m], with r_m = mass / subject.mass and
/// r_h = height / subject.height (docs/theory/spine.md, "Scaling"):
///   - lengths (joint locations, centres of mass, path points, wrap surfaces, fibre and tendon
///     lengths, disc, ligament, facet and foramen geometry) by r_h; disc area by r_h^2;
///   - body masses by r_m, inertias by r_m r_h^2;
///   - muscle maximum isometric forces by r_m (muscle volume grows with mass x height and fibre
///     length with height, so the cross-section grows with mass: Handsfield et al. 2014);
///   - axial and ligament stiffnesses (E A / L) by r_h, disc moment coefficients by r_h^3, facet
///     stiffness by r_h^(2 - n_f), the disc's preload reference by r_h^2; pressures, strains,
///     time constants and clinical thresholds are unchanged.
/// The result's subject has the new mass and height. A spec with no subject
/// (subject.reference_mass == 0) is returned unchanged.
/// @throws InvalidArgument for a non-finite or non-positive mass or height
ModelSpec scale_model_spec(const ModelSpec& spec, double mass, double height);

}  // namespace msk
