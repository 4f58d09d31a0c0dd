// Private helpers for reading YAML with file/line/field errors. Never included by public headers.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <string>
#include <vector>

#include "msk/error.hpp"
#include "msk/model/loader.hpp"

namespace msk::detail {

/// Parses YAML text; a syntax error becomes a ModelError with the line. Enforces the size and
/// nesting limits before parsing, so a hostile file cannot exhaust the stack or the memory.
YAML::Node parse_yaml(const std::string& text, const std::string& file, const LoadLimits& limits);

/// Reads a whole text file, refusing files larger than max_bytes.
/// @throws ModelError (line 0) if the file cannot be read or is too large
std::string read_text_file(const std::string& path, std::size_t max_bytes);

/// `s` fit for a one-line message: control characters escaped, at most 200 bytes.
std::string printable_name(const std::string& s);

/// "did you mean 'NAME'?" for the name of `names` closest to `got` (at most two edits away), or
/// "" when none is that close.
std::string did_you_mean(const std::string& got, const std::vector<std::string>& names);

/// For an error message: did_you_mean() and then "valid: a, b, ..." (the first 40 names).
std::string valid_names(const std::vector<std::string>& names, const std::string& got);

/// Applies dotted-path overrides to a document. Sequences of mappings with a "name" are addressed
/// by name; other sequences by index. A path that names nothing is an error.
void apply_overrides(YAML::Node& root, const YAML::Node& overrides, const std::string& file);

/// A node together with where it is: file, line and dotted field path. Every accessor checks the
/// type and range and throws ModelError naming the field.
class NodeReader {
 public:
  NodeReader(YAML::Node node, std::string file, std::string path, const LoadLimits& limits)
      : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), limits_(limits) {}

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  SourceLocation location() const { return {file_, line()}; }
  int line() const;

  [[noreturn]] void fail(const std::string& expected, const std::string& got) const;

  bool has(const char* key) const;
  /// The child at key; missing keys are an error ("a value").
  NodeReader child(const char* key) const;
  /// Checks this is a mapping whose keys are all in `allowed`.
  void require_map(std::initializer_list<const char*> allowed) const;
  /// The same with the allowed keys known at run time.
  void require_map(const std::vector<std::string>& allowed) const;
  /// Checks this is a mapping (any keys).
  void require_mapping() const;
  /// Checks this is a sequence with at least `min_size` elements; returns its size.
  std::size_t sequence_size(std::size_t min_size) const;
  NodeReader element(std::size_t i) const;

  double as_double(double lo, double hi) const;
  bool as_bool() const;
  std::string as_string() const;
  /// A name: letters, digits, '_', '-', '.', 1..64 characters, starting with a letter or '_'.
  std::string as_identifier() const;
  std::vector<double> as_doubles(std::size_t n, double lo, double hi) const;
  std::array<double, 3> as_vec3(double lo, double hi) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  LoadLimits limits_;
};

/// A short text of a node for error messages (scalars as they are, others by kind).
std::string describe(const YAML::Node& node);

}  // namespace msk::detail
