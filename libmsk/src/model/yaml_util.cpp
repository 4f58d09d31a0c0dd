#include "yaml_util.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

namespace msk::detail {

namespace {

// Walks the document to enforce depth and size limits. Aliases are followed, so the node budget
// also stops "billion laughs" documents and cyclic aliases.
void check_limits(const YAML::Node& node, const std::string& file, const LoadLimits& limits,
                  int depth, std::size_t& budget) {
  if (depth > limits.max_depth)
    throw ModelError(file, node.Mark().line + 1, "<document>",
                     "nesting at most " + std::to_string(limits.max_depth) + " levels deep",
                     "deeper nesting");
  if (budget == 0)
    throw ModelError(file, node.Mark().line + 1, "<document>",
                     "at most 1000000 nodes (after aliases)", "more");
  --budget;
  if (node.IsSequence()) {
    if (node.size() > limits.max_sequence)
      throw ModelError(file, node.Mark().line + 1, "<document>",
                       "sequences of at most " + std::to_string(limits.max_sequence) + " items",
                       std::to_string(node.size()) + " items");
    for (const auto& child : node)
      check_limits(child, file, limits, depth + 1, budget);
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar())
        throw ModelError(file, kv.first.Mark().line + 1, "<document>", "scalar mapping keys",
                         "a complex key");
      check_limits(kv.second, file, limits, depth + 1, budget);
    }
  }
}

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  std::istringstream in(s);
  double v;
  in >> v;
  return !in.fail() && in.eof();
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& file, const LoadLimits& limits) {
  if (text.size() > limits.max_bytes)
    throw ModelError(file, 0, "<document>",
                     "at most " + std::to_string(limits.max_bytes) + " bytes",
                     std::to_string(text.size()) + " bytes");
  if (text.find('\0') != std::string::npos)
    throw ModelError(file, 0, "<document>", "text", "a NUL byte (binary data)");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ModelError(file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "<document>", "valid YAML",
                     e.msg);
  }
  if (!root.IsDefined() || root.IsNull())
    throw ModelError(file, 1, "<document>", "a mapping", "an empty document");
  std::size_t budget = 1000000;
  check_limits(root, file, limits, 0, budget);
  return root;
}

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path, 0, "<file>", "a readable file", "cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw ModelError(path, 0, "<file>", "a regular file", "cannot read");
  if (static_cast<std::size_t>(size) > max_bytes)
    throw ModelError(path, 0, "<file>", "at most " + std::to_string(max_bytes) + " bytes",
                     std::to_string(size) + " bytes");
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) throw ModelError(path, 0, "<file>", "a readable file", "read error");
  return text;
}

void apply_overrides(YAML::Node& root, const YAML::Node& overrides, const std::string& file) {
  if (!overrides.IsMap())
    throw ModelError("<overrides>", 0, "<overrides>", "a mapping of dotted paths to values",
                     describe(overrides));
  for (const auto& kv : overrides) {
    const std::string dotted = kv.first.as<std::string>();
    // Split on '.', walking maps by key and sequences by element name or index.
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(dotted);
    while (std::getline(in, part, '.'))
      parts.push_back(part);
    if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); }))
      throw ModelError("<overrides>", 0, dotted, "a dotted path like muscles.NAME.FIELD",
                       "'" + dotted + "'");
    YAML::Node node = root;
    std::string walked;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string& key = parts[i];
      const bool last = i + 1 == parts.size();
      walked += (walked.empty() ? "" : ".") + key;
      if (node.IsSequence()) {
        YAML::Node found;
        bool has_found = false;
        for (std::size_t k = 0; k < node.size() && !has_found; ++k) {
          YAML::Node item = node[k];
          if (item.IsMap() && item["name"] && item["name"].IsScalar() &&
              item["name"].as<std::string>() == key) {
            found.reset(item);
            has_found = true;
          }
        }
        if (!has_found && is_number(key)) {
          const double idx = std::stod(key);
          if (idx >= 0 && idx < static_cast<double>(node.size()) && std::floor(idx) == idx) {
            found.reset(node[static_cast<std::size_t>(idx)]);
            has_found = true;
          }
        }
        if (!has_found)
          throw ModelError(file, node.Mark().line + 1, walked,
                           "the name or index of an existing element (override '" + dotted + "')",
                           "'" + key + "'");
        if (last)
          throw ModelError("<overrides>", 0, dotted, "a path to a field, not a whole element",
                           "'" + dotted + "'");
        node.reset(found);
      } else if (node.IsMap()) {
        if (last) {
          node[key] = YAML::Clone(kv.second);
        } else {
          YAML::Node next = node[key];
          if (!next.IsDefined() || next.IsNull()) {
            // Create intermediate mappings (e.g. muscles.X.tone.gain on a scalar-less tone).
            node[key] = YAML::Node(YAML::NodeType::Map);
            next.reset(node[key]);
          } else if (next.IsScalar() && key == "tone") {
            // A scalar tone is shorthand for {preset: NAME}: expand it to descend into it.
            YAML::Node expanded(YAML::NodeType::Map);
            expanded["preset"] = next.Scalar();
            node[key] = expanded;
            next.reset(node[key]);
          } else if (next.IsScalar()) {
            throw ModelError(file, next.Mark().line + 1, walked,
                             "a mapping or sequence to descend into (override '" + dotted + "')",
                             "a scalar");
          }
          node.reset(next);
        }
      } else {
        throw ModelError(file, node.Mark().line + 1, walked,
                         "a mapping or sequence (override '" + dotted + "')", describe(node));
      }
    }
  }
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar: {
      std::string s = node.Scalar();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "'" + s + "'";
    }
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

int NodeReader::line() const {
  const int l = node_.Mark().line;
  return l >= 0 ? l + 1 : 0;
}

void NodeReader::fail(const std::string& expected, const std::string& got) const {
  throw ModelError(line() > 0 ? file_ : (file_ + " (override)"), line(), path_, expected, got);
}

bool NodeReader::has(const char* key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node c = node_[key];
  return c.IsDefined() && !c.IsNull();
}

NodeReader NodeReader::child(const char* key) const {
  const std::string sub = path_.empty() ? key : path_ + "." + key;
  if (!node_.IsMap()) fail("a mapping with field '" + std::string(key) + "'", describe(node_));
  const YAML::Node c = node_[key];
  if (!c.IsDefined() || c.IsNull())
    throw ModelError(file_, line(), sub, "a value (required field)", "nothing");
  return NodeReader(c, file_, sub, limits_);
}

void NodeReader::require_map(std::initializer_list<const char*> allowed) const {
  if (!node_.IsMap()) fail("a mapping", describe(node_));
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    const bool ok =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (!ok) {
      std::string list;
      for (const char* a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      const int l = kv.first.Mark().line;
      throw ModelError(file_, l >= 0 ? l + 1 : line(), path_.empty() ? key : path_ + "." + key,
                       "a known field (" + list + ")", "unknown field '" + key + "'");
    }
  }
}

void NodeReader::require_mapping() const {
  if (!node_.IsMap()) fail("a mapping", describe(node_));
}

std::size_t NodeReader::sequence_size(std::size_t min_size) const {
  if (!node_.IsSequence()) fail("a sequence", describe(node_));
  if (node_.size() < min_size)
    fail("at least " + std::to_string(min_size) + " items",
         std::to_string(node_.size()) + " items");
  if (node_.size() > limits_.max_sequence)
    fail("at most " + std::to_string(limits_.max_sequence) + " items",
         std::to_string(node_.size()) + " items");
  return node_.size();
}

NodeReader NodeReader::element(std::size_t i) const {
  std::string sub = path_ + "[" + std::to_string(i) + "]";
  const YAML::Node e = node_[i];
  if (e.IsMap() && e["name"] && e["name"].IsScalar())
    sub = path_ + "[" + std::to_string(i) + "=" + e["name"].Scalar() + "]";
  return NodeReader(e, file_, sub, limits_);
}

double NodeReader::as_double(double lo, double hi) const {
  if (!node_.IsScalar())
    fail("a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", describe(node_));
  double v = 0.0;
  try {
    v = node_.as<double>();
  } catch (const YAML::Exception&) {
    fail("a number", describe(node_));
  }
  if (!std::isfinite(v)) fail("a finite number", describe(node_));
  if (v < lo || v > hi) {
    std::ostringstream range;
    range << "a number in [" << lo << ", " << hi << "]";
    fail(range.str(), describe(node_));
  }
  return v;
}

bool NodeReader::as_bool() const {
  if (!node_.IsScalar()) fail("true or false", describe(node_));
  try {
    return node_.as<bool>();
  } catch (const YAML::Exception&) {
    fail("true or false", describe(node_));
  }
}

std::string NodeReader::as_string() const {
  if (!node_.IsScalar()) fail("a string", describe(node_));
  return node_.Scalar();
}

std::string NodeReader::as_identifier() const {
  const std::string s = as_string();
  const bool ok = !s.empty() && s.size() <= 64 &&
                  (std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_') &&
                  std::all_of(s.begin(), s.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                  });
  if (!ok)
    fail("a name of letters, digits, '_' or '-' (1-64 characters, starting with a letter)",
         describe(node_));
  return s;
}

std::vector<double> NodeReader::as_doubles(std::size_t n, double lo, double hi) const {
  if (!node_.IsSequence() || node_.size() != n)
    fail("a sequence of " + std::to_string(n) + " numbers",
         describe(node_) +
             (node_.IsSequence() ? " of " + std::to_string(node_.size()) : std::string()));
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = element(i).as_double(lo, hi);
  return out;
}

std::array<double, 3> NodeReader::as_vec3(double lo, double hi) const {
  const auto v = as_doubles(3, lo, hi);
  return {v[0], v[1], v[2]};
}

}  // namespace msk::detail
