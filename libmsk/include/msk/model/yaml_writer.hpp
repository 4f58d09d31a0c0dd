// msk/model/yaml_writer.hpp — writing a ModelSpec as msk model YAML.
//
// The text reads back (load_model_spec) into the same spec: every field is written, numbers with
// the shortest decimal form that round-trips exactly. Used for imported models (an OpenSim model
// becomes msk YAML, which overrides then edit like any model file) and stored as Model::text.
#pragma once

#include <string>

#include "msk/model/spec.hpp"

namespace msk {

/// The model file text of a spec (msk_format 1).
std::string model_spec_to_yaml(const ModelSpec& spec);

}  // namespace msk
