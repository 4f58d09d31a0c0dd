// msk/sim/equilibrium_tables.hpp — a solved posture as tables: the levels, muscles, muscle groups
// and ligaments of an EquilibriumResult with their units, and its geometry for drawing.
//
// These are the tables Python's msk.EquilibriumResult shows (levels, muscles, groups, ligaments)
// and equilibrium files store (msk/io/equilibrium_file.hpp): made here, once. Units follow the
// column names (compression_N, pressure_MPa, disc_height_mm), as in the files.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "msk/io/equilibrium_file.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/posture.hpp"

namespace msk {

/// The columns of the levels table and their units, in order: region, angle_deg, compression_N,
/// shear_N, disc_force_N, pressure_MPa, facet_force_N, facet_share, ligament_force_N,
/// disc_height_mm, posterior_disc_height_mm, foramen_height_mm, stenosis, passive_moment_N_m,
/// reserve_N_m, degeneration, load_pressure_MPa, swelling_pressure_MPa, shear_disc_N,
/// shear_facet_N, shear_facet_share, shear_ultimate_ratio, shear_over_repetitive_limit,
/// shear_over_action_limit, foramen_width_mm, foramen_area_mm2, flavum_buckling_mm,
/// nerve_root_risk, stenosis_foramen, stenosis_posterior_disc (docs/theory/spine.md).
const std::vector<std::pair<std::string, std::string>>& equilibrium_level_units();
/// The columns of the muscles table and their units: group, force_N, activation,
/// tone_activation, voluntary_activation.
const std::vector<std::pair<std::string, std::string>>& equilibrium_muscle_units();
/// The columns of the groups table and their units: n_muscles, force_N, mean_activation,
/// max_activation, mean_tone_activation.
const std::vector<std::pair<std::string, std::string>>& equilibrium_group_units();

/// A posture in the units equilibrium files store (degrees, kg, m): angles converted with
/// 180/pi; NaN hand_distance and hydration become "none"; `supported` is kept as given.
io::StoredPosture stored_posture(const Posture& posture);
/// The msk::Posture (SI units) of a stored posture. A posture without `supported` is supported
/// when it lies (orientation other than "upright"), as Python's msk.Posture decides.
Posture to_posture(const io::StoredPosture& posture);

/// The levels table (columns: equilibrium_level_units()) of the model's levels `levels`
/// (indices) with loads `segments` and reserve moments [N m] in each level's flexion sense (NaN:
/// none, e.g. a level loaded alone).
/// @throws InvalidArgument for sizes that differ or an index that is not a level of the model
io::Table make_level_table(const Model& model, const std::vector<int>& levels,
                           const std::vector<spine::SegmentLoads>& segments,
                           const std::vector<double>& reserve);

/// The tables and geometry of a solved posture:
///   - levels: per spinal level (model.segment_names(), bottom up): region, angle_deg,
///     compression_N, shear_N, disc_force_N, pressure_MPa (pressure / 1e6), facet_force_N,
///     facet_share, ligament_force_N, disc_height_mm, posterior_disc_height_mm,
///     foramen_height_mm, stenosis (bool), passive_moment_N_m, reserve_N_m (the reserve moment
///     of the level's joint in its flexion sense, 0 for a level whose joint was not balanced);
///   - muscles: per muscle: group (the first group listing it, "" for none), force_N,
///     activation, tone_activation, voluntary_activation;
///   - groups: per muscle group: n_muscles, force_N (sum), mean_activation, max_activation,
///     mean_tone_activation;
///   - ligaments: per level, the tension of each of the level's ligaments [N] (a ligament that a
///     level lacks is NaN there);
///   - the joint angles [deg], the bodies' frames, the muscle paths, the loads and gravity.
/// The posture is stored_posture(result.posture); the stature is the subject's height (1.75 m
/// for a model without one).
/// @param label  the model variant's name in the file
/// @param mode   the posture mode the result was solved in (EquilibriumResult does not hold it)
/// @throws InvalidArgument if the result's sizes do not match the model's
io::StoredEquilibrium make_stored_equilibrium(const Model& model, const EquilibriumResult& result,
                                              const std::string& label = "default",
                                              PostureMode mode = PostureMode::Rhythm);

/// A failed posture's record: the posture, the mode and the message.
io::StoredEquilibrium make_failed_equilibrium(const Posture& posture, const std::string& message,
                                              const std::string& label = "default",
                                              PostureMode mode = PostureMode::Rhythm);

}  // namespace msk
