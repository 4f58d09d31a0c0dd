// Bad input: every malformed model and protocol of tests/data/malformed gives one msk::ModelError
// naming the file, line and field its manifest (expected.yaml) lists; a run refused before it
// starts creates no output file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "msk/error.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/model/opensim.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/protocol.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kDataDir = MSK_MODELS_DIR "/../tests/data/malformed";

/// One manifest entry.
struct Expected {
  std::string name;
  std::string kind;   ///< model, protocol or run
  std::string error;  ///< the exception class
  int line = 0;
  std::string field;  ///< a substring of the field path
  bool generated = false;
};

/// Reads expected.yaml, whose entries are one-line flow mappings of plain or double-quoted
/// scalars (the manifest promises that form, so no YAML library is needed here).
std::vector<Expected> read_manifest() {
  std::ifstream in(kDataDir + "/expected.yaml");
  EXPECT_TRUE(in) << kDataDir << "/expected.yaml";
  std::vector<Expected> out;
  std::string line;
  bool in_files = false;
  while (std::getline(in, line)) {
    if (line.rfind("files:", 0) == 0) {
      in_files = true;
      continue;
    }
    if (!in_files || line.empty() || line[0] == '#') continue;
    const auto colon = line.find(": {");
    const auto close = line.rfind('}');
    if (line.rfind("  ", 0) != 0 || colon == std::string::npos || close == std::string::npos) {
      ADD_FAILURE() << "manifest line not understood: " << line;
      continue;
    }
    Expected e;
    e.name = line.substr(2, colon - 2);
    const std::string body = line.substr(colon + 3, close - colon - 3);
    std::map<std::string, std::string> fields;
    std::size_t i = 0;
    while (i < body.size()) {
      const auto sep = body.find(": ", i);
      if (sep == std::string::npos) break;
      const std::string key = body.substr(i, sep - i);
      std::size_t j = sep + 2;
      std::string value;
      if (body[j] == '"') {
        const auto end = body.find('"', j + 1);
        value = body.substr(j + 1, end - j - 1);
        j = end + 1;
      } else {
        const auto end = body.find(',', j);
        value = body.substr(j, end == std::string::npos ? std::string::npos : end - j);
        j = end == std::string::npos ? body.size() : end;
      }
      fields[key] = value;
      i = j;
      while (i < body.size() && (body[i] == ',' || body[i] == ' '))
        ++i;
    }
    e.kind = fields["kind"];
    e.error = fields["error"];
    e.line = std::stoi(fields["line"]);
    e.field = fields["field"];
    e.generated = fields["generated"] == "true";
    out.push_back(e);
  }
  return out;
}

/// The directory holding the files too big (or too odd) to commit, written on first use.
std::string generated_dir() {
  static const std::string dir = [] {
    const std::string d = std::string(MSK_TEST_TMP) + "/malformed";
    fs::create_directories(d);
    auto write = [&](const std::string& name, const std::string& text) {
      std::ofstream(d + "/" + name, std::ios::binary) << text;
    };
    std::string deep = "name: arm\nsource: ";
    deep += std::string(5000, '[') + std::string(5000, ']') + "\n";
    write("deep_nesting.yaml", deep);
    std::string huge = "name: arm\nwarnings: [w";
    for (int i = 1; i < 10001; ++i)
      huge += ", w";
    write("huge_sequence.yaml", huge + "]\n");
    write("too_large.yaml", "name: arm\ndescription: " + std::string(5u << 20, 'x') + "\n");
    write("long_line.yaml", "name: " + std::string(1000000, 'a') + "\n");
    fs::create_directories(d + "/file_is_directory.yaml");
    std::string star = "name: star\nbodies:\n";
    for (int i = 0; i < 501; ++i)
      star += "  - {name: b" + std::to_string(i) + ", joint: {name: q" + std::to_string(i) +
              ", type: revolute}, mass: 1, com: [0, -0.1, 0]}\n";
    write("too_many_coordinates.yaml", star);
    return d;
  }();
  return dir;
}

std::string path_of(const Expected& e) {
  return (e.generated ? generated_dir() : kDataDir) + "/" + e.name;
}

const msk::Model& elbow() {
  static const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  return m;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Loads a model or protocol file the way its kind says; returns the ModelError (fails if none).
std::optional<msk::ModelError> load(const Expected& e) {
  const std::string path = path_of(e);
  try {
    if (e.kind == "model") {
      msk::load_model(path);
    } else {
      msk::expand_protocol(elbow(), msk::parse_protocol(read_file(path), path));
    }
  } catch (const msk::ModelError& error) {
    return error;
  } catch (const std::exception& error) {
    ADD_FAILURE() << e.name << ": expected msk::ModelError, got " << typeid(error).name() << ": "
                  << error.what();
    return std::nullopt;
  }
  ADD_FAILURE() << e.name << ": loaded without error";
  return std::nullopt;
}

}  // namespace

TEST(BadInput, ManifestListsEveryFileOnce) {
  const auto manifest = read_manifest();
  std::set<std::string> listed;
  for (const auto& e : manifest) {
    EXPECT_TRUE(listed.insert(e.name).second) << "listed twice: " << e.name;
    EXPECT_TRUE(e.kind == "model" || e.kind == "protocol" || e.kind == "run") << e.name;
    EXPECT_FALSE(e.field.empty()) << e.name;
    if (!e.generated) {
      EXPECT_TRUE(fs::is_regular_file(kDataDir + "/" + e.name)) << e.name;
    }
  }
  for (const auto& entry : fs::directory_iterator(kDataDir)) {
    const std::string name = entry.path().filename().string();
    if (name != "expected.yaml") {
      EXPECT_TRUE(listed.count(name)) << "not in the manifest: " << name;
    }
  }
  EXPECT_GE(manifest.size(), 50u);
}

TEST(BadInput, EveryFileRaisesItsModelError) {
  int tried = 0;
  for (const auto& e : read_manifest()) {
    if (e.kind == "run") continue;  // run files are read by the Python command (test_bad_input.py)
    SCOPED_TRACE(e.name);
    ASSERT_EQ(e.error, "ModelError");
    const auto start = std::chrono::steady_clock::now();
    const auto error = load(e);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 2.0) << "slow to refuse";
    ++tried;
    if (!error) continue;
    const std::string what = error->what();
    EXPECT_EQ(error->line(), e.line) << what;
    EXPECT_NE(error->field().find(e.field), std::string::npos) << what;
    EXPECT_EQ(error->file(), path_of(e)) << what;
    // One line: FILE[:LINE]: FIELD: expected ..., short enough to read.
    const std::string head = path_of(e) +
                             (e.line > 0 ? ":" + std::to_string(e.line) : std::string()) + ": " +
                             error->field() + ": expected ";
    EXPECT_EQ(what.rfind(head, 0), 0u) << what;
    EXPECT_EQ(what.find_first_of("\n\r"), std::string::npos) << what;
    EXPECT_LT(what.size(), 1000u) << what.substr(0, 200);
  }
  EXPECT_GE(tried, 50);
}

TEST(BadInput, LimitsAreInclusive) {
  // Nesting: the root mapping is level 0 and the value of "source" level 1, so 32 brackets reach
  // the limit of 32 levels.
  auto nested = [](int levels) {
    return "name: arm\nsource: " + std::string(levels, '[') + std::string(levels, ']') +
           "\nbodies: []\n";
  };
  auto message_of = [](const std::string& text) {
    try {
      msk::load_model_spec(text, "limits.yaml");
    } catch (const msk::ModelError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // A spec with an empty bodies list fails later, on bodies, once the document is accepted.
  EXPECT_NE(message_of(nested(32)).find("bodies: expected at least 1 items"), std::string::npos);
  EXPECT_NE(message_of(nested(33)).find("nesting at most 32"), std::string::npos);
  std::string seq = "name: arm\nwarnings: [w";
  for (int i = 1; i < 10000; ++i)
    seq += ", w";
  EXPECT_NE(message_of(seq + "]\nbodies: []\n").find("bodies: expected at least 1"),
            std::string::npos);
  EXPECT_NE(message_of(seq + ", w]\nbodies: []\n").find("at most 10000 items"), std::string::npos);
  const std::string head = "name: arm\nbodies: []\ndescription: ";
  const std::size_t room = (4u << 20) - head.size() - 1;
  EXPECT_NE(message_of(head + std::string(room, 'x') + "\n").find("bodies: expected at least 1"),
            std::string::npos);
  EXPECT_NE(message_of(head + std::string(room + 1, 'x') + "\n").find("at most 4194304 bytes"),
            std::string::npos);
}

TEST(BadInput, OverrideErrorsNameNoLineOfTheModelFile) {
  try {
    msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml",
                    R"({"muscles.BIClong.max_isometric_force": -700})");
    FAIL() << "no error";
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.line(), 0) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(
                  "<overrides>: 'muscles.BIClong.max_isometric_force': expected a number in", 0),
              0u)
        << e.what();
  }
}

TEST(BadInput, RunRefusedBeforeItStartsCreatesNoFile) {
  const std::string dir = std::string(MSK_TEST_TMP) + "/refused";
  fs::create_directories(dir);
  auto run = [&](const std::string& protocol_text, const std::string& name,
                 const std::vector<msk::EventSpec>& events = {}) {
    const std::string path = dir + "/" + name;
    fs::remove(path);
    msk::EpisodeOptions options;
    options.output_path = path;
    options.events = events;
    const msk::Protocol protocol = msk::parse_protocol(protocol_text, "refused.yaml");
    EXPECT_THROW(msk::simulate_episode(elbow(), protocol, options), msk::Error) << name;
    EXPECT_FALSE(fs::exists(path)) << name << " was created";
  };
  run("phases:\n  - {type: hold, joint: r_knee, duration: 1}\n", "unknown_joint.h5");
  run("phases:\n  - {type: pir, joint: r_elbow_flex, muscles: [biceps]}\n", "unknown_muscle.h5");
  run("initial: {angles_deg: {r_knee: 10}}\nphases:\n  - {type: rest, duration: 1}\n",
      "unknown_initial_joint.h5");
  msk::EventSpec event;
  event.name = "flexed";
  event.channel = "joint.r_knee.angle";
  run("phases:\n  - {type: rest, duration: 1}\n", "unknown_event_channel.h5", {event});

  // An existing file is left as it was.
  const std::string kept = dir + "/kept.h5";
  std::ofstream(kept) << "previous results";
  msk::EpisodeOptions options;
  options.output_path = kept;
  EXPECT_THROW(
      msk::simulate_episode(
          elbow(), msk::parse_protocol("phases:\n  - {type: hold, joint: r_knee, duration: 1}\n"),
          options),
      msk::ModelError);
  EXPECT_EQ(read_file(kept), "previous results");
}

// ---- Files are data: what a file names is read only when the user could have named it ----

TEST(BadInput, ProtocolFilesNameOnlyTablesBesideThem) {
  const std::string dir = std::string(MSK_TEST_TMP) + "/safety";
  fs::create_directories(dir + "/sub");
  std::ofstream(dir + "/excitations.csv") << "time,BIClong\n0,0.1\n1,0.2\n";
  std::ofstream(dir + "/sub/excitations.csv") << "time,BIClong\n0,0.1\n1,0.2\n";
  std::ofstream(dir + "/notes.txt") << "time,BIClong\n0,0.1\n";  // a table, not named as one
  auto expected_of = [](const std::string& name, const std::string& file) {
    try {
      msk::parse_protocol(
          "phases:\n  - {type: voluntary, duration: 1, excitation_file: '" + name + "'}\n", file);
    } catch (const msk::ModelError& e) {
      EXPECT_EQ(e.field(), "phases[0].excitation_file") << e.what();
      EXPECT_EQ(e.line(), 2) << e.what();
      return e.expected();
    }
    return std::string("no error");
  };
  const std::string protocol = dir + "/sub/protocol.yaml";
  // From a protocol file: relative paths that stay in its directory.
  EXPECT_EQ(expected_of("excitations.csv", protocol), "no error");
  EXPECT_EQ(expected_of("./excitations.csv", dir + "/protocol.yaml"), "no error");
  EXPECT_EQ(expected_of("sub/excitations.csv", dir + "/protocol.yaml"), "no error");
  const std::string outside = "a path relative to the protocol's directory, without '..'";
  EXPECT_EQ(expected_of(dir + "/excitations.csv", protocol), outside);
  EXPECT_EQ(expected_of("../excitations.csv", protocol), outside);
  EXPECT_EQ(expected_of("x/../../excitations.csv", protocol), outside);
  EXPECT_EQ(expected_of("/etc/passwd", protocol), outside);
  // Any protocol: only tables (.sto, .mot, .csv) are read.
  const std::string table = "a table of excitations ending in .sto, .mot or .csv";
  EXPECT_EQ(expected_of("notes.txt", dir + "/protocol.yaml"), table);
  EXPECT_EQ(expected_of("/etc/passwd", "<protocol>"), table);
  EXPECT_EQ(expected_of(dir + "/excitations.csv", "<protocol>"), "no error");
}

TEST(BadInput, OpenSimModelsNameNoOtherFile) {
  const std::string data = std::string(MSK_TEST_DATA_DIR) + "/opensim/";
  const std::string arm26 = read_file(data + "arm26.osim");
  // Its meshes are not in tests/data: msk never opens the <mesh_file>s a model names.
  ASSERT_NE(arm26.find("<mesh_file>arm_r_humerus.vtp</mesh_file>"), std::string::npos);
  ASSERT_FALSE(fs::exists(data + "arm_r_humerus.vtp"));
  EXPECT_NO_THROW(msk::load_model(data + "arm26.osim"));

  auto error_of = [](const std::string& xml) {
    try {
      msk::import_opensim_text(xml, "arm26.osim");
    } catch (const msk::ModelError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // OpenSim's file="..." (an element's content read from another file) is refused by name.
  const std::string forces = "<ForceSet name=\"forceset\">";
  ASSERT_NE(arm26.find(forces), std::string::npos);
  std::string with_file = arm26;
  with_file.replace(with_file.find(forces), forces.size(),
                    "<ForceSet name=\"forceset\" file=\"/etc/passwd\">");
  const std::string refused = error_of(with_file);
  EXPECT_NE(refused.find("ForceSet"), std::string::npos) << refused;
  EXPECT_NE(refused.find("msk reads no file a model names), got file='/etc/passwd'"),
            std::string::npos)
      << refused;
  // XML entities are not expanded: an external entity stays the text "&secret;".
  std::string entity = arm26;
  entity.insert(entity.find("<OpenSimDocument"),
                "<!DOCTYPE OpenSimDocument [<!ENTITY secret SYSTEM \"file:///etc/hostname\">]>\n");
  const std::string mass = "<mass>1.8645719999999999</mass>";
  entity.replace(entity.find(mass), mass.size(), "<mass>&secret;</mass>");
  const std::string not_read = error_of(entity);
  EXPECT_NE(not_read.find("mass"), std::string::npos) << not_read;
  EXPECT_NE(not_read.find("&secret;"), std::string::npos) << not_read;
}
