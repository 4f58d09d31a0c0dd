#include "yaml_util.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

namespace msk::detail {

namespace {

/// Text fit for a one-line error message: control characters escaped (a newline in a key or value
/// would split the message), at most max_bytes long (cut on a UTF-8 character boundary).
std::string printable(const std::string& s, std::size_t max_bytes = 200) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    if (out.size() > max_bytes) {
      std::size_t cut = max_bytes;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
        --cut;
      return out.substr(0, cut) + "...";
    }
  }
  return out;
}

/// Byte offset of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and
/// code points above U+10FFFF are invalid too), or npos.
std::size_t invalid_utf8_at(const std::string& s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = b[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if ((b[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

/// The line, of the error line and the one before it, whose indentation holds a tab (1-based), or
/// 0. Used only to explain a syntax error: YAML's own message for a tab ("end of map not found")
/// hides the cause.
int tab_indented_line_near(const std::string& text, int error_line) {
  int line = 1;
  bool indent = true;
  for (const char c : text) {
    if (line > error_line) break;
    if (c == '\n') {
      ++line;
      indent = true;
    } else if (indent && c == '\t' && line >= error_line - 1) {
      return line;
    } else if (c != ' ') {
      indent = false;
    }
  }
  return 0;
}

/// Records where each document of a YAML stream starts (the mark of its first node), building no
/// nodes.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark&) override { pending_ = true; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (pending_) starts.push_back(mark);
    pending_ = false;
  }
  bool pending_ = false;
};

/// The start of every document of the stream, up to the first document at which the parser
/// stops advancing (it then starts at the same place as the one before). YAML::LoadAll would
/// loop forever there, collecting empty documents until memory runs out.
/// @throws YAML::Exception for a syntax error
std::vector<YAML::Mark> document_starts(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts handler;
  while (parser.HandleNextDocument(handler)) {
    const auto& s = handler.starts;
    if (s.size() > 1 && s.back().pos == s[s.size() - 2].pos) break;
  }
  return handler.starts;
}

/// The field path of the node check_limits is at, kept as parts and written out only for an error:
/// the walk visits up to a million nodes (aliases included), so it must not build a string for
/// each of them.
struct PathParts {
  struct Part {
    const std::string* key;  ///< mapping key, or nullptr for a sequence index
    std::size_t index;
  };
  std::vector<Part> parts;

  std::string str() const {
    std::string out;
    for (const Part& part : parts) {
      if (part.key != nullptr) {
        out += (out.empty() ? "" : ".") + *part.key;
      } else {
        out += "[" + std::to_string(part.index) + "]";
      }
    }
    return out;
  }
};

// Walks the document to enforce depth and size limits and unique mapping keys. Aliases are
// followed, so the node budget also stops "billion laughs" documents and cyclic aliases.
void check_limits(const YAML::Node& node, const std::string& file, const LoadLimits& limits,
                  int depth, std::size_t& budget, PathParts& path) {
  auto field = [&] {
    return path.parts.empty() ? std::string("<document>") : printable(path.str());
  };
  if (depth > limits.max_depth)
    throw ModelError(file, node.Mark().line + 1, field(),
                     "nesting at most " + std::to_string(limits.max_depth) + " levels deep",
                     "deeper nesting");
  if (budget == 0)
    throw ModelError(file, node.Mark().line + 1, field(), "at most 1000000 nodes (after aliases)",
                     "more");
  --budget;
  if (node.IsSequence()) {
    if (node.size() > limits.max_sequence)
      throw ModelError(file, node.Mark().line + 1, field(),
                       "sequences of at most " + std::to_string(limits.max_sequence) + " items",
                       std::to_string(node.size()) + " items");
    std::size_t i = 0;
    for (const auto& child : node) {
      path.parts.push_back({nullptr, i++});
      check_limits(child, file, limits, depth + 1, budget, path);
      path.parts.pop_back();
    }
  } else if (node.IsMap()) {
    std::set<std::string_view> keys;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar())
        throw ModelError(file, kv.first.Mark().line + 1, field(), "scalar mapping keys",
                         "a complex key");
      const std::string& key = kv.first.Scalar();  // owned by the document, which outlives keys
      path.parts.push_back({&key, 0});
      if (!keys.insert(key).second)
        throw ModelError(file, kv.first.Mark().line + 1, printable(path.str()),
                         "each key at most once in a mapping",
                         "'" + printable(key, 60) + "' again");
      check_limits(kv.second, file, limits, depth + 1, budget, path);
      path.parts.pop_back();
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

/// A deep copy of an override value without source marks: errors in it then name no line of the
/// model file (they read "FILE (override): FIELD: ..."), where a clone would keep the line in the
/// overrides text and point at an unrelated line of the model file.
YAML::Node unmarked(const YAML::Node& node) {
  if (node.IsScalar()) return YAML::Node(node.Scalar());
  if (node.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& item : node)
      out.push_back(unmarked(item));
    return out;
  }
  if (node.IsMap()) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : node)
      out[kv.first.Scalar()] = unmarked(kv.second);
    return out;
  }
  return YAML::Node(YAML::NodeType::Null);
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& file, const LoadLimits& limits) {
  if (text.size() > limits.max_bytes)
    throw ModelError(file, 0, "<document>",
                     "at most " + std::to_string(limits.max_bytes) + " bytes",
                     std::to_string(text.size()) + " bytes");
  if (text.find('\0') != std::string::npos)
    throw ModelError(file, 0, "<document>", "text", "a NUL byte (binary data)");
  const std::size_t bad = invalid_utf8_at(text);
  if (bad != std::string::npos) {
    static const char* hex = "0123456789ABCDEF";
    const unsigned char c = static_cast<unsigned char>(text[bad]);
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    throw ModelError(file, line, "<document>", "UTF-8 text",
                     std::string("the byte 0x") + hex[c >> 4] + hex[c & 15] + " (not UTF-8)");
  }
  YAML::Node root;
  try {
    const std::vector<YAML::Mark> starts = document_starts(text);
    if (starts.size() > 1 && starts.back().pos == starts[starts.size() - 2].pos) {
      // The parser stopped advancing: yaml-cpp 0.7 reads a ',' outside a flow collection as an
      // endless stream of empty documents.
      const char c = static_cast<std::size_t>(starts.back().pos) < text.size()
                         ? text[static_cast<std::size_t>(starts.back().pos)]
                         : ' ';
      throw ModelError(file, starts.back().line + 1, "<document>", "valid YAML",
                       "'" + printable(std::string(1, c)) + "' where a value should start");
    }
    if (starts.size() > 1)
      throw ModelError(file, starts[1].line + 1, "<document>", "a single YAML document",
                       std::to_string(starts.size()) + " documents");
    root = YAML::Load(text);  // the first (and only) document
  } catch (const YAML::DeepRecursion& e) {
    throw ModelError(file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "<document>",
                     "nesting at most " + std::to_string(limits.max_depth) + " levels deep",
                     "deeper nesting");
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    const int tab = tab_indented_line_near(text, line);
    if (tab > 0)
      throw ModelError(file, tab, "<document>", "indentation by spaces (YAML forbids tabs)",
                       "a tab");
    throw ModelError(file, line, "<document>", "valid YAML", printable(e.msg));
  }
  if (!root.IsDefined() || root.IsNull())
    throw ModelError(file, 1, "<document>", "a mapping", "an empty document");
  std::size_t budget = 1000000;
  PathParts path;
  check_limits(root, file, limits, 0, budget, path);
  return root;
}

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
  // A directory or a device would open as a stream of unknown or endless size.
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw ModelError(path, 0, "<file>", "a readable file", "no such file");
  if (std::filesystem::is_directory(status))
    throw ModelError(path, 0, "<file>", "a regular file", "a directory");
  if (!std::filesystem::is_regular_file(status))
    throw ModelError(path, 0, "<file>", "a regular file", "a device, pipe or socket");
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

std::string printable_name(const std::string& s) {
  return printable(s);
}

std::string did_you_mean(const std::string& got, const std::vector<std::string>& names) {
  // Levenshtein distance between a name and `got` (names are short).
  auto distance = [&](const std::string& a) {
    std::vector<std::size_t> row(got.size() + 1);
    for (std::size_t j = 0; j <= got.size(); ++j)
      row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= got.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == got[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[got.size()];
  };
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& n : names) {
    const std::size_t d = distance(n);
    if (d < best_distance && n != got) {
      best_distance = d;
      best = n;
    }
  }
  return best.empty() ? "" : "did you mean '" + printable(best, 64) + "'?";
}

std::string valid_names(const std::vector<std::string>& names, const std::string& got) {
  std::string out = did_you_mean(got, names);
  out += (out.empty() ? "" : " ") + std::string("valid: ");
  for (std::size_t i = 0; i < names.size() && i < 40; ++i)
    out += (i ? ", " : "") + names[i];
  if (names.size() > 40) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

namespace {

/// What an element of the sequence at `key` of a model file is, for messages.
std::string element_kind(const std::string& key) {
  if (key == "muscles") return "a muscle";
  if (key == "bodies") return "a body";
  if (key == "pairs") return "a muscle pair";
  if (key == "segments") return "a spinal level";
  return "an element";
}

/// The names of the elements of a sequence (those that are mappings with a name).
std::vector<std::string> element_names(const YAML::Node& sequence) {
  std::vector<std::string> names;
  for (const auto& item : sequence)
    if (item.IsMap() && item["name"] && item["name"].IsScalar())
      names.push_back(item["name"].Scalar());
  return names;
}

}  // namespace

void apply_overrides(YAML::Node& root, const YAML::Node& overrides, const std::string& file) {
  if (!overrides.IsMap())
    throw ModelError("<overrides>", 0, "<overrides>", "a mapping of dotted paths to values",
                     describe(overrides));
  for (const auto& kv : overrides) {
    const std::string dotted = kv.first.as<std::string>();
    const std::string shown = printable(dotted);
    // Split on '.', walking maps by key and sequences by element name or index.
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(dotted);
    while (std::getline(in, part, '.'))
      parts.push_back(part);
    if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); }))
      throw ModelError("<overrides>", 0, shown, "a dotted path like muscles.NAME.FIELD",
                       "'" + shown + "'");
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
        if (!has_found) {
          // The element's kind and the model's name say what was looked for.
          const std::string where = walked.substr(0, walked.size() - key.size() - 1);
          const std::string model = root.IsMap() && root["name"] && root["name"].IsScalar()
                                        ? " of model '" + printable(root["name"].Scalar(), 64) + "'"
                                        : "";
          const std::vector<std::string> names = element_names(node);
          const std::string hint = did_you_mean(key, names);
          std::string list;
          for (std::size_t k = 0; k < names.size() && k < 40; ++k)
            list += (k ? ", " : "") + names[k];
          if (names.size() > 40) list += ", ... (" + std::to_string(names.size()) + " in all)";
          throw ModelError(
              file, node.Mark().line + 1, printable(where),
              "the name or index of " + element_kind(where) + model + " (valid: " + list + ")",
              "'" + printable(key, 64) + "'" + (hint.empty() ? "" : "; " + hint));
        }
        if (last)
          throw ModelError("<overrides>", 0, shown, "a path to a field, not a whole element",
                           "'" + shown + "'");
        node.reset(found);
      } else if (node.IsMap()) {
        if (last) {
          node[key] = unmarked(kv.second);
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
            throw ModelError(file, next.Mark().line + 1, printable(walked),
                             "a mapping or sequence to descend into (override '" + shown + "')",
                             "a scalar");
          }
          node.reset(next);
        }
      } else {
        throw ModelError(file, node.Mark().line + 1, printable(walked),
                         "a mapping or sequence (override '" + shown + "')", describe(node));
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
      return "'" + printable(node.Scalar(), 40) + "'";
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
  throw ModelError(line() > 0 ? file_ : (file_ + " (override)"), line(),
                   path_.empty() ? "<document>" : printable(path_), expected, printable(got));
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
    throw ModelError(file_, line(), printable(sub), "a value (required field)", "nothing");
  return NodeReader(c, file_, sub, limits_);
}

void NodeReader::require_map(std::initializer_list<const char*> allowed) const {
  require_map(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void NodeReader::require_map(const std::vector<std::string>& allowed) const {
  if (!node_.IsMap()) fail("a mapping", describe(node_));
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    const bool ok =
        std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return key == a; });
    if (!ok) {
      std::string list;
      for (const std::string& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      const int l = kv.first.Mark().line;
      const std::string hint = did_you_mean(key, allowed);
      throw ModelError(
          file_, l >= 0 ? l + 1 : line(), printable(path_.empty() ? key : path_ + "." + key),
          "a known field (" + list + ")",
          "unknown field '" + printable(key, 60) + "'" + (hint.empty() ? "" : "; " + hint));
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
  std::ostringstream range;
  range << "a number in [" << lo << ", " << hi << "]";
  if (!node_.IsScalar()) fail(range.str(), describe(node_));
  double v = 0.0;
  try {
    v = node_.as<double>();
  } catch (const YAML::Exception&) {
    fail("a number", describe(node_));
  }
  if (!std::isfinite(v)) fail("a finite number", describe(node_));
  if (v < lo || v > hi) fail(range.str(), describe(node_));
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
