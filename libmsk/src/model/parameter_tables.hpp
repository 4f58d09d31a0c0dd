// Private: the scalar parameters of muscles and spinal levels that model files and
// Model::with_parameters() address by name, with their ranges, and the legacy keys that set law
// parameters. One table serves the loader and the compiled model, so that a name means the same
// in both. Never included by public headers.
#pragma once

#include <string>
#include <vector>

#include "msk/law/law.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/spine/segment.hpp"

namespace msk::detail {

/// A scalar field of MuscleTendonParams.
struct MuscleField {
  const char* name;
  double muscle::MuscleTendonParams::*member;
  double min, max;
  const char* unit;
};

/// Fields of a muscle settable by name ("muscles.NAME.FIELD").
const std::vector<MuscleField>& muscle_fields();

/// A scalar field of a spinal level's SegmentParams, by dotted name ("disc.height").
struct SegmentField {
  const char* name;
  double& (*ref)(spine::SegmentParams&);
  double min, max;
  const char* unit;
};

/// Fields of a level settable by name ("segments.NAME.FIELD").
const std::vector<SegmentField>& segment_fields();
/// The field of that name, or nullptr.
const SegmentField* find_segment_field(const std::string& name);

/// A legacy key that sets a law parameter: in `domain`, `key` (relative to the entity, e.g.
/// "tone.gain") is parameter `param` of the law in `role`.
struct LegacyLawKey {
  LawDomain domain;
  const char* key;
  const char* role;
  const char* param;
};

/// Every legacy key.
const std::vector<LegacyLawKey>& legacy_law_keys();

}  // namespace msk::detail
