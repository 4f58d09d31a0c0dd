// Tests of msk/io/equilibrium_file.hpp and msk/sim/equilibrium_tables.hpp: solved postures made
// into tables, written, read back; files written by msk's earlier Python writer read (and what
// this writer writes is the fixture the Python tests read: tests/data/equilibrium/cpp_v1.h5,
// rewritten when MSK_UPDATE_TEST_DATA=1); failures name the file and the object.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "msk/error.hpp"
#include "msk/io/equilibrium_file.hpp"
#include "msk/io/reader.hpp"
#include "msk/io/recorder.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/equilibrium_tables.hpp"

namespace {

using msk::io::AttributeValue;
using msk::io::Column;
using msk::io::EquilibriumFileData;
using msk::io::StoredEquilibrium;
using msk::io::Table;

std::string temp_root() {
#ifdef MSK_TEST_TMP
  return std::string(MSK_TEST_TMP) + "/";
#else
  return ::testing::TempDir();
#endif
}

std::string data_dir() {
#ifdef MSK_TEST_DATA_DIR
  return std::string(MSK_TEST_DATA_DIR) + "/equilibrium/";
#else
  return "tests/data/equilibrium/";
#endif
}

std::string model_path(const std::string& name) {
#ifdef MSK_MODELS_DIR
  return std::string(MSK_MODELS_DIR) + "/" + name + ".yaml";
#else
  return name;
#endif
}

class EquilibriumFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = temp_root() + "msk_equilibrium_file_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

/// The cervical model solved in two postures (label "normal"), and lying supine recorded as a
/// failure under label "stiff": what cpp_v1.h5 holds.
struct Solved {
  msk::Model model = msk::load_model(model_path("cervical"));
  std::vector<StoredEquilibrium> equilibria;
  msk::io::Attributes meta = {{"model_name", std::string("cervical")},
                              {"run_file", std::string("")},
                              {"mode", std::string("rhythm")},
                              {"seed", std::int64_t{7}},
                              {"reserve_fraction", 0.05}};
  std::vector<msk::io::EquilibriumLabel> labels;

  Solved() {
    msk::Posture wet = msk::posture_preset("sitting_slouched");
    wet.name = "slouched_wet";
    wet.hydration = 0.8;
    wet.level_flexion["C5-C6"] = 1.5 * M_PI / 180.0;
    for (const msk::Posture& posture : {msk::posture_preset("standing_relaxed"), wet}) {
      const msk::EquilibriumResult r = msk::solve_equilibrium(model, posture);
      equilibria.push_back(msk::make_stored_equilibrium(model, r, "normal"));
    }
    equilibria.push_back(msk::make_failed_equilibrium(msk::posture_preset("lying_supine"),
                                                      "level C2-C3: 3.1 N m missing", "stiff"));
    msk::io::EquilibriumLabel normal;
    normal.name = "normal";
    normal.model_name = model.name();
    msk::io::EquilibriumLabel stiff = normal;
    stiff.name = "stiff";
    stiff.overrides_json = R"({"groups.extensors.tone": "hypertonic"})";
    labels = {normal, stiff};
  }
};

const Solved& solved() {
  static const Solved s;
  return s;
}

// ---- comparisons ----

void expect_same_table(const Table& a, const Table& b, double tolerance, const std::string& what) {
  EXPECT_EQ(a.index_name, b.index_name) << what;
  EXPECT_EQ(a.index, b.index) << what;
  ASSERT_EQ(a.columns.size(), b.columns.size()) << what;
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    const Column& x = a.columns[c];
    const Column& y = b.columns[c];
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.units, y.units) << what << "." << x.name;
    EXPECT_EQ(x.type, y.type) << what << "." << x.name;
    EXPECT_EQ(x.integers, y.integers) << what << "." << x.name;
    EXPECT_EQ(x.strings, y.strings) << what << "." << x.name;
    ASSERT_EQ(x.floats.size(), y.floats.size()) << what << "." << x.name;
    for (std::size_t i = 0; i < x.floats.size(); ++i) {
      if (std::isnan(x.floats[i])) {
        EXPECT_TRUE(std::isnan(y.floats[i])) << what << "." << x.name << "[" << i << "]";
      } else {
        EXPECT_NEAR(x.floats[i], y.floats[i], tolerance * (1.0 + std::abs(x.floats[i])))
            << what << "." << x.name << "[" << i << "]";
      }
    }
  }
}

void expect_same_points(const std::vector<Eigen::Vector3d>& a,
                        const std::vector<Eigen::Vector3d>& b, double tolerance,
                        const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_LE((a[i] - b[i]).cwiseAbs().maxCoeff(), tolerance) << what << "[" << i << "]";
}

void expect_same_equilibrium(const StoredEquilibrium& a, const StoredEquilibrium& b,
                             double tolerance) {
  const std::string what = a.label + "/" + a.posture.name;
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.posture.name, b.posture.name);
  EXPECT_EQ(a.posture.orientation, b.posture.orientation);
  EXPECT_NEAR(a.posture.lumbar_flexion_deg, b.posture.lumbar_flexion_deg, 1e-12);
  EXPECT_NEAR(a.posture.neck_flexion_deg, b.posture.neck_flexion_deg, 1e-12);
  EXPECT_EQ(a.posture.level_flexion_deg, b.posture.level_flexion_deg);
  EXPECT_EQ(a.posture.hydration, b.posture.hydration);
  EXPECT_EQ(a.posture.hand_distance_m, b.posture.hand_distance_m);
  EXPECT_EQ(a.posture.supported, b.posture.supported);
  EXPECT_EQ(a.posture.source, b.posture.source);
  EXPECT_EQ(a.posture.support, b.posture.support);
  EXPECT_EQ(a.posture.thigh_flexion_deg, b.posture.thigh_flexion_deg);
  EXPECT_EQ(a.posture.knee_flexion_deg, b.posture.knee_flexion_deg);
  EXPECT_EQ(a.posture.trunk_flexion_deg, b.posture.trunk_flexion_deg);
  EXPECT_EQ(a.posture.gaze_flexion_deg, b.posture.gaze_flexion_deg);
  EXPECT_EQ(a.posture.instructed, b.posture.instructed);
  EXPECT_EQ(a.posture.hold_duration_s, b.posture.hold_duration_s);
  if (a.failed()) return;
  EXPECT_NEAR(a.effort, b.effort, tolerance * (1.0 + std::abs(a.effort))) << what;
  EXPECT_EQ(a.stature_m, b.stature_m);
  expect_same_table(a.levels, b.levels, tolerance, what + ": levels");
  expect_same_table(a.muscles, b.muscles, tolerance, what + ": muscles");
  expect_same_table(a.groups, b.groups, tolerance, what + ": groups");
  expect_same_table(a.ligaments, b.ligaments, tolerance, what + ": ligaments");
  EXPECT_EQ(a.joint_names, b.joint_names);
  ASSERT_EQ(a.joint_angle_deg.size(), b.joint_angle_deg.size());
  for (std::size_t i = 0; i < a.joint_angle_deg.size(); ++i)
    EXPECT_NEAR(a.joint_angle_deg[i], b.joint_angle_deg[i], tolerance * 100.0) << what;
  EXPECT_EQ(a.body_names, b.body_names);
  EXPECT_EQ(a.segment_bodies, b.segment_bodies);
  expect_same_points(a.joint_origin, b.joint_origin, tolerance, what + ": joint_origin");
  expect_same_points(a.body_position, b.body_position, tolerance, what + ": body_position");
  ASSERT_EQ(a.body_rotation.size(), b.body_rotation.size());
  for (std::size_t i = 0; i < a.body_rotation.size(); ++i)
    EXPECT_LE((a.body_rotation[i] - b.body_rotation[i]).cwiseAbs().maxCoeff(), tolerance);
  ASSERT_EQ(a.muscle_path.size(), b.muscle_path.size());
  for (std::size_t i = 0; i < a.muscle_path.size(); ++i)
    expect_same_points(a.muscle_path[i], b.muscle_path[i], tolerance, what + ": muscle_path");
  EXPECT_EQ(a.load_body, b.load_body);
  expect_same_points(a.load_point, b.load_point, tolerance, what + ": load_point");
  expect_same_points(a.load_force, b.load_force, tolerance, what + ": load_force");
  EXPECT_LE((a.gravity - b.gravity).cwiseAbs().maxCoeff(), tolerance);
}

// ---- the tables of a solved posture ----

TEST(EquilibriumTables, HoldTheResultInTheUnitsOfTheColumnNames) {
  const Solved& s = solved();
  const msk::Model& m = s.model;
  const msk::EquilibriumResult r =
      msk::solve_equilibrium(m, msk::posture_preset("standing_relaxed"));
  const StoredEquilibrium e = msk::make_stored_equilibrium(m, r, "normal", msk::PostureMode::Fixed);
  EXPECT_EQ(e.mode, "fixed");
  EXPECT_EQ(e.levels.index, m.segment_names());
  EXPECT_EQ(e.levels.column("region").strings, m.segment_region());
  EXPECT_EQ(e.levels.column("pressure_MPa").units, "MPa");
  EXPECT_EQ(e.levels.column("stenosis").type, Column::Type::Bool);
  for (int k = 0; k < m.n_segments(); ++k) {
    EXPECT_EQ(e.levels.column("compression_N").floats[k], r.segments[k].compression);
    EXPECT_EQ(e.levels.column("pressure_MPa").floats[k], r.segments[k].pressure / 1e6);
    EXPECT_EQ(e.levels.column("disc_height_mm").floats[k], r.segments[k].disc_height * 1e3);
    EXPECT_EQ(e.levels.column("angle_deg").floats[k], r.segments[k].angle * (180.0 / M_PI));
  }
  // Level columns in the documented order, with their units.
  ASSERT_EQ(e.levels.columns.size(), msk::equilibrium_level_units().size());
  for (std::size_t c = 0; c < e.levels.columns.size(); ++c) {
    EXPECT_EQ(e.levels.columns[c].name, msk::equilibrium_level_units()[c].first);
    EXPECT_EQ(e.levels.columns[c].units, msk::equilibrium_level_units()[c].second);
  }
  // Muscles in model order; each group sums its members.
  EXPECT_EQ(e.muscles.index, m.muscle_names());
  EXPECT_EQ(e.groups.index, m.group_names());
  const Column& n_muscles = e.groups.column("n_muscles");
  EXPECT_EQ(n_muscles.type, Column::Type::Integer);
  for (std::size_t g = 0; g < m.group_names().size(); ++g) {
    double force = 0.0;
    for (int i : m.group_muscles()[g])
      force += r.muscle_force[i];
    EXPECT_EQ(n_muscles.integers[g], static_cast<std::int64_t>(m.group_muscles()[g].size()));
    EXPECT_DOUBLE_EQ(e.groups.column("force_N").floats[g], force);
  }
  // A muscle's group is the first group that lists it.
  const int sternocleidomastoid = m.find_group("sternocleidomastoid");
  ASSERT_GE(sternocleidomastoid, 0);
  const int first = m.group_muscles()[sternocleidomastoid].front();
  EXPECT_EQ(e.muscles.column("group").strings[first], "sternocleidomastoid");
  // Geometry as the result has it; the stature is the subject's.
  EXPECT_EQ(e.body_names, m.body_names());
  EXPECT_EQ(e.joint_names, m.dof_names());
  EXPECT_EQ(e.muscle_path.size(), static_cast<std::size_t>(m.n_muscles()));
  EXPECT_EQ(e.stature_m, m.subject().height);
  EXPECT_EQ(e.gravity, r.gravity);
  // The ligament tensions, one column per ligament, in newtons.
  EXPECT_EQ(e.ligaments.n_rows(), static_cast<std::size_t>(m.n_segments()));
  ASSERT_FALSE(e.ligaments.columns.empty());
  EXPECT_EQ(e.ligaments.columns.front().units, "N");
  EXPECT_EQ(e.ligaments.columns.front().floats[0], r.segments[0].ligament_force[0]);
}

TEST(EquilibriumTables, PosturesConvertBothWays) {
  msk::Posture p = msk::posture_preset("lift_round_back", 12.0);
  p.level_flexion["L4-L5"] = 0.1;
  const msk::io::StoredPosture s = msk::stored_posture(p);
  EXPECT_EQ(s.load_kg, 12.0);
  EXPECT_EQ(s.lumbar_flexion_deg, p.lumbar_flexion / (M_PI / 180.0));
  ASSERT_TRUE(s.hand_distance_m.has_value());
  EXPECT_FALSE(s.hydration.has_value());
  ASSERT_EQ(s.level_flexion_deg.size(), 1u);
  const msk::Posture back = msk::to_posture(s);
  EXPECT_NEAR(back.lumbar_flexion, p.lumbar_flexion, 1e-15);
  EXPECT_NEAR(back.level_flexion.at("L4-L5"), 0.1, 1e-15);
  EXPECT_EQ(back.hand_distance, p.hand_distance);
  EXPECT_TRUE(std::isnan(back.hydration));
  // The task: a seated preset's support, thighs and hold duration go both ways.
  msk::Posture sit = msk::posture_preset("sitting_slouched", 0.0);
  sit.trunk_flexion = 0.3;
  sit.instructed = true;
  sit.hold_duration = 1200.0;
  const msk::io::StoredPosture t = msk::stored_posture(sit);
  EXPECT_EQ(t.support, sit.support);
  ASSERT_TRUE(t.trunk_flexion_deg.has_value());
  EXPECT_FALSE(t.gaze_flexion_deg.has_value());
  const msk::Posture sit_back = msk::to_posture(t);
  EXPECT_EQ(sit_back.support, sit.support);
  EXPECT_NEAR(sit_back.trunk_flexion, 0.3, 1e-15);
  EXPECT_TRUE(std::isnan(sit_back.gaze_flexion));
  EXPECT_EQ(std::isnan(sit_back.thigh_flexion), std::isnan(sit.thigh_flexion));
  EXPECT_NEAR(sit_back.knee_flexion, sit.knee_flexion, 1e-15);
  EXPECT_TRUE(sit_back.instructed);
  EXPECT_EQ(sit_back.hold_duration, 1200.0);
  // Without `supported`, a lying posture is supported.
  msk::io::StoredPosture lying;
  lying.orientation = "supine";
  EXPECT_TRUE(msk::to_posture(lying).supported);
  EXPECT_FALSE(msk::to_posture(msk::io::StoredPosture{}).supported);
}

// ---- writing and reading ----

TEST_F(EquilibriumFileTest, WritesAndReadsBackEveryPartExactly) {
  const Solved& s = solved();
  const std::string path = dir_ + "/spine.h5";
  msk::io::save_equilibria(path, s.equilibria, s.meta, s.labels);
  EXPECT_TRUE(msk::io::is_equilibrium_file(path));
  const EquilibriumFileData data = msk::io::load_equilibria(path);
  EXPECT_EQ(data.format_version, 1);
  EXPECT_FALSE(data.msk_version.empty());
  // /meta: kind and msk_version first, then the given attributes in order, with their types.
  ASSERT_EQ(data.meta.size(), 2 + s.meta.size());
  EXPECT_EQ(data.meta[0].first, "kind");
  EXPECT_EQ(std::get<std::string>(data.meta[0].second), "equilibrium");
  EXPECT_EQ(data.meta[1].first, "msk_version");
  for (std::size_t i = 0; i < s.meta.size(); ++i)
    EXPECT_EQ(data.meta[2 + i], s.meta[i]);
  ASSERT_EQ(data.labels.size(), 2u);
  EXPECT_EQ(data.labels[1].name, "stiff");
  EXPECT_EQ(data.labels[1].overrides_json, s.labels[1].overrides_json);
  ASSERT_EQ(data.equilibria.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    expect_same_equilibrium(s.equilibria[i], data.equilibria[i], 0.0);
  EXPECT_TRUE(data.equilibria[2].failed());
  EXPECT_EQ(data.equilibria[2].error, "level C2-C3: 3.1 N m missing");
}

TEST_F(EquilibriumFileTest, WritesTheFixtureThePythonTestsRead) {
  // What the writer writes today is what tests/data/equilibrium/cpp_v1.h5 holds (the Python
  // tests read that file with h5py and with the core).
  const Solved& s = solved();
  const std::string fresh = dir_ + "/cpp_v1.h5";
  msk::io::save_equilibria(fresh, s.equilibria, s.meta, s.labels);
  const std::string fixture = data_dir() + "cpp_v1.h5";
  const char* update = std::getenv("MSK_UPDATE_TEST_DATA");
  if (update != nullptr && std::string(update) == "1")
    std::filesystem::copy_file(fresh, fixture, std::filesystem::copy_options::overwrite_existing);
  const EquilibriumFileData a = msk::io::load_equilibria(fresh);
  const EquilibriumFileData b = msk::io::load_equilibria(fixture);
  ASSERT_EQ(a.equilibria.size(), b.equilibria.size());
  for (std::size_t i = 0; i < a.equilibria.size(); ++i)
    expect_same_equilibrium(a.equilibria[i], b.equilibria[i], 1e-6);
}

TEST_F(EquilibriumFileTest, ReadsAFileWrittenByThePythonWriterOfMsk01) {
  // tests/data/equilibrium/python_h5py_v1.h5: written with h5py by msk.spine (msk 0.1, before the
  // format moved into the core): the cervical model, labels normal and stiff, one failure.
  const EquilibriumFileData data = msk::io::load_equilibria(data_dir() + "python_h5py_v1.h5");
  EXPECT_EQ(data.format_version, 1);
  EXPECT_EQ(std::get<std::string>(*msk::io::find_attribute(data.meta, "kind")), "equilibrium");
  EXPECT_EQ(std::get<std::string>(*msk::io::find_attribute(data.meta, "labels")),
            R"(["normal", "stiff"])");
  ASSERT_EQ(data.labels.size(), 2u);
  EXPECT_EQ(data.labels[1].overrides_json, R"({"groups.extensors.tone": "hypertonic"})");
  ASSERT_EQ(data.equilibria.size(), 6u);
  const StoredEquilibrium& wet = data.equilibria[1];
  EXPECT_EQ(wet.label, "normal");
  EXPECT_EQ(wet.posture.name, "slouched_wet");
  EXPECT_EQ(wet.mode, "rhythm");
  EXPECT_EQ(wet.posture.hydration, 0.8);
  EXPECT_FALSE(wet.posture.hand_distance_m.has_value());
  EXPECT_EQ(wet.posture.supported, false);
  ASSERT_EQ(wet.posture.level_flexion_deg.size(), 2u);
  EXPECT_EQ(wet.posture.level_flexion_deg[0], (std::pair<std::string, double>{"C5-C6", 1.5}));
  EXPECT_EQ(wet.posture.level_flexion_deg[1], (std::pair<std::string, double>{"C4-C5", -0.5}));
  const msk::Model& m = solved().model;
  EXPECT_EQ(wet.levels.index, m.segment_names());
  EXPECT_EQ(wet.levels.column("stenosis").type, Column::Type::Bool);
  EXPECT_EQ(wet.levels.column("region").type, Column::Type::String);
  EXPECT_EQ(wet.groups.column("n_muscles").type, Column::Type::Integer);
  EXPECT_EQ(wet.muscles.index, m.muscle_names());
  EXPECT_EQ(wet.muscle_path.size(), static_cast<std::size_t>(m.n_muscles()));
  EXPECT_EQ(wet.body_names, m.body_names());
  EXPECT_EQ(wet.stature_m, 1.75);
  // The numbers are the core's equilibrium of that posture.
  const msk::EquilibriumResult r = msk::solve_equilibrium(m, msk::to_posture(wet.posture));
  const StoredEquilibrium now = msk::make_stored_equilibrium(m, r, "normal");
  // The columns msk 0.1 wrote, except the disc pressure, whose law was re-founded since (no
  // double-counted swelling intercept): every other column is still the core's answer.
  for (const Column& c : wet.levels.columns) {
    if (c.name == "pressure_MPa") continue;
    Table a = now.levels, b = wet.levels;
    a.columns = {now.levels.column(c.name)};
    b.columns = {c};
    expect_same_table(a, b, 1e-6, "levels");
  }
  expect_same_table(now.muscles, wet.muscles, 1e-6, "muscles");
  expect_same_points(now.joint_origin, wet.joint_origin, 1e-9, "joint_origin");
  // The failure keeps its posture and message.
  const StoredEquilibrium& failed = data.equilibria[5];
  EXPECT_EQ(failed.label, "stiff");
  EXPECT_EQ(failed.posture.name, "lying_supine");
  EXPECT_EQ(failed.error, "level C2-C3: 3.1 N m missing");
  EXPECT_TRUE(failed.levels.columns.empty());
  // Written again by this writer, the file reads the same.
  const std::string again = temp_root() + "msk_rewritten_python_v1.h5";
  msk::io::save_equilibria(again, data.equilibria, data.meta, data.labels);
  const EquilibriumFileData back = msk::io::load_equilibria(again);
  ASSERT_EQ(back.equilibria.size(), data.equilibria.size());
  for (std::size_t i = 0; i < back.equilibria.size(); ++i)
    expect_same_equilibrium(data.equilibria[i], back.equilibria[i], 0.0);
  EXPECT_EQ(back.meta.size(), data.meta.size());
  std::filesystem::remove(again);
}

TEST_F(EquilibriumFileTest, WriterFlushesEachPostureAndRefusesRepeats) {
  const Solved& s = solved();
  const std::string path = dir_ + "/partial.h5";
  msk::io::EquilibriumWriter writer(path, {{"mode", std::string("rhythm")}});
  writer.add(s.equilibria[0]);  // creates label "normal" with empty model fields
  // Readable while the writer is open: the flushed posture is there.
  const EquilibriumFileData partial = msk::io::load_equilibria(path);
  ASSERT_EQ(partial.equilibria.size(), 1u);
  EXPECT_EQ(partial.labels.at(0).name, "normal");
  EXPECT_EQ(partial.labels.at(0).overrides_json, "{}");
  try {
    writer.add(s.equilibria[0]);
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const msk::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("normal/standing_relaxed: posture written twice"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(writer.add_label(s.labels[0]), msk::InvalidArgument);  // "normal" exists
  StoredEquilibrium bad = s.equilibria[1];
  bad.posture.name = "a/b";
  EXPECT_THROW(writer.add(bad), msk::InvalidArgument);
  bad = s.equilibria[1];
  bad.muscle_path.pop_back();
  EXPECT_THROW(writer.add(bad), msk::InvalidArgument);
  bad = s.equilibria[1];
  bad.levels.columns[1].floats.pop_back();
  EXPECT_THROW(writer.add(bad), msk::InvalidArgument);
  writer.close();
  writer.close();  // idempotent
  EXPECT_THROW(writer.add(s.equilibria[1]), msk::InvalidArgument);
  // Nothing of the refused postures was written.
  EXPECT_EQ(msk::io::load_equilibria(path).equilibria.size(), 1u);
}

TEST_F(EquilibriumFileTest, RefusesFilesThatAreNotEquilibriumFiles) {
  auto expect_io_error = [](const std::string& path, std::initializer_list<std::string> parts) {
    try {
      msk::io::load_equilibria(path);
      ADD_FAILURE() << "expected IoError";
    } catch (const msk::IoError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      for (const std::string& part : parts)
        EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' in: " << message;
    }
  };
  expect_io_error(dir_ + "/missing.h5", {"no such file"});
  const std::string text = dir_ + "/text.h5";
  std::ofstream(text) << "not hdf5";
  expect_io_error(text, {"not an HDF5 file"});
  EXPECT_FALSE(msk::io::is_equilibrium_file(text));
  EXPECT_FALSE(msk::io::is_equilibrium_file(dir_ + "/missing.h5"));
  // An episode results file.
  const std::string results = dir_ + "/episode.h5";
  { msk::io::Recorder recorder(results, {{"a", "m", ""}}); }
  expect_io_error(results, {"/meta@kind", "expected an equilibrium file", "load_results"});
  EXPECT_FALSE(msk::io::is_equilibrium_file(results));
  // A newer format version.
  const std::string newer = dir_ + "/newer.h5";
  msk::io::save_equilibria(newer, {});
  const hid_t file = H5Fopen(newer.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const std::int64_t two = 2;
  const hid_t attr = H5Aopen(file, "format_version", H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_INT64, &two);
  H5Aclose(attr);
  H5Fclose(file);
  expect_io_error(newer, {"/@format_version", "at most 1, got 2", "upgrade msk"});
}

TEST_F(EquilibriumFileTest, AMalformedPostureNamesTheDataset) {
  const Solved& s = solved();
  const std::string path = dir_ + "/broken.h5";
  msk::io::save_equilibria(path, {s.equilibria[0]});
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Ldelete(file, "/equilibrium/normal/standing_relaxed/body_position", H5P_DEFAULT), 0);
  H5Fclose(file);
  try {
    msk::io::load_equilibria(path);
    ADD_FAILURE() << "expected IoError";
  } catch (const msk::IoError& error) {
    EXPECT_NE(std::string(error.what())
                  .find(path + ": /equilibrium/normal/standing_relaxed/body_position: expected a "
                               "dataset, got nothing (missing)"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
