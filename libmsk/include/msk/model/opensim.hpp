// msk/model/opensim.hpp — importing OpenSim models (.osim) into a ModelSpec.
//
// Reads the 4.x format (OpenSimDocument Version >= 30000, JointSet with offset frames) and the
// legacy 2.x/3.x format (joints inside bodies, isDisabled). What is imported, what is approximated
// and by how much: docs/guide/opensim.md. In short:
//   - bodies (mass, centre of mass, inertia); bodies welded to ground become part of ground;
//   - weld, pin and custom joints whose rotations are each a function of one coordinate (a chain of
//     one revolute joint per rotation, with massless intermediate bodies), universal and gimbal
//     joints; constant translations and rotations become the joint's location and orientation;
//   - coordinates with range and default; locked coordinates are welded at their default;
//     CoordinateCouplerConstraints with a linear function of one coordinate become coupled joints;
//   - path points, conditional path points (moving path points are fixed at their default place);
//   - wrap cylinders and spheres; wrap ellipsoids as spheres (a documented approximation);
//   - Thelen2003Muscle (Thelen curves, compliant tendon), Millard2012EquilibriumMuscle and
//     DeGrooteFregly2016Muscle (De Groote 2016 curves); imported muscles have no reflex and no
//     viscoelastic branch (OpenSim has neither).
// Everything else (other forces, constraints, translations driven by coordinates, markers,
// controllers, ...) is named in ModelSpec::warnings; nothing is dropped silently.
#pragma once

#include <string>

#include "msk/model/loader.hpp"
#include "msk/model/spec.hpp"

namespace msk {

/// True when the path names an OpenSim model (ends in ".osim", any case).
bool is_opensim_file(const std::string& path);

/// Reads an OpenSim model file into a spec (text: empty; see model_spec_to_yaml).
/// @throws ModelError naming the file, the XML line, the element and what was expected
ModelSpec import_opensim_model(const std::string& path, const LoadLimits& limits = {});

/// Same, from the XML text of a model; `file` names it in errors.
ModelSpec import_opensim_text(const std::string& text, const std::string& file = "<string>",
                              const LoadLimits& limits = {});

}  // namespace msk
