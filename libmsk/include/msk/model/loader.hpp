// msk/model/loader.hpp — reading model files (YAML) into a ModelSpec.
//
// Every error is a msk::ModelError naming the file, the line, the dotted field path and what was
// expected. Overrides change fields for a study without copying the file.
#pragma once

#include <string>

#include "msk/law/registry.hpp"
#include "msk/model/spec.hpp"

namespace msk {

/// Limits on what a model file may hold (model files are data: they never run code nor name
/// other files).
struct LoadLimits {
  std::size_t max_bytes = 4u << 20;  ///< largest accepted text [bytes]
  int max_depth = 32;                ///< deepest accepted nesting of mappings and sequences
  std::size_t max_sequence = 10000;  ///< longest accepted sequence
};

/// Parses model text into a spec.
/// @param text            YAML text of the model
/// @param file            name reported in errors ("<string>" when the text has no file)
/// @param overrides_json  JSON (or YAML) mapping of dotted paths to values, e.g.
///                        {"muscles.BIClong.max_isometric_force": 700}; sequences of named
///                        entities are addressed by name, others by index. Empty for none.
/// @param laws            laws the model may name (nullptr: builtin_laws())
/// @throws ModelError naming file, line and field on any malformed input
ModelSpec load_model_spec(const std::string& text, const std::string& file = "<string>",
                          const std::string& overrides_json = "", const LoadLimits& limits = {},
                          const LawRegistry* laws = nullptr);

/// Reads and parses a model file.
/// @throws ModelError if the file cannot be read or is malformed
ModelSpec load_model_spec_file(const std::string& path, const std::string& overrides_json = "",
                               const LoadLimits& limits = {}, const LawRegistry* laws = nullptr);

}  // namespace msk
