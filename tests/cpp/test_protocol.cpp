// Protocols: parsing, name resolution and PIR expansion.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "msk/error.hpp"
#include "msk/io/time_series.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/protocol.hpp"
#include "test_models.hpp"

namespace {
const msk::Model& elbow() {
  static const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  return m;
}
}  // namespace

TEST(Protocol, ParsesJsonAndYaml) {
  const auto p = msk::parse_protocol(
      R"({"initial": {"angles_deg": {"r_elbow_flex": 45}}, "phases": [{"type": "rest", "duration": 1.5}]})");
  EXPECT_DOUBLE_EQ(p.initial_angles_deg.at("r_elbow_flex"), 45.0);
  ASSERT_EQ(p.phases.size(), 1u);
  EXPECT_DOUBLE_EQ(p.phases[0].duration, 1.5);
  const auto y =
      msk::parse_protocol("phases:\n  - {type: hold, joint: r_elbow_flex, duration: 2}\n");
  EXPECT_EQ(y.phases[0].joint, "r_elbow_flex");
}

TEST(Protocol, PirExpandsIntoCycles) {
  const auto p = msk::parse_protocol(R"(phases:
  - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], cycles: 3,
     effort_pct_mvc: 20, contraction_s: 5, relaxation_s: 2, stretch_speed_deg_s: 5,
     barrier_torque: 3}
)");
  const auto phases = msk::expand_protocol(elbow(), p);
  ASSERT_EQ(phases.size(), 1u + 3u * 3u);
  EXPECT_EQ(phases[0].type, "passive_stretch");
  EXPECT_EQ(phases[1].type, "isometric");
  EXPECT_EQ(phases[1].label, "pir_cycle_start:1");
  EXPECT_DOUBLE_EQ(phases[1].voluntary[elbow().find_muscle("BRA")], 0.2);
  EXPECT_DOUBLE_EQ(phases[1].voluntary[elbow().find_muscle("TRIlong")], 0.0);
  EXPECT_EQ(phases[2].type, "hold");
  EXPECT_DOUBLE_EQ(phases[3].barrier_torque, 3.0);
}

TEST(Protocol, ErrorsNameTheField) {
  try {
    msk::parse_protocol("phases:\n  - {type: jump, duration: 1}\n", "run.yaml");
    FAIL();
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.file(), "run.yaml");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.field(), "phases[0].type");
  }
  const auto p = msk::parse_protocol("phases:\n  - {type: hold, joint: knee, duration: 1}\n");
  try {
    msk::expand_protocol(elbow(), p);
    FAIL();
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.field(), "phases[0].joint");
  }
  EXPECT_THROW(msk::parse_protocol("phases:\n  - {type: rest, duration: -1}\n"), msk::ModelError);
  EXPECT_THROW(msk::parse_protocol("phases:\n  - {type: isometric, joint: a, muscles: [b], "
                                   "effort_pct_mvc: 150, duration: 1}\n"),
               msk::ModelError);
}

TEST(Protocol, VoluntaryExcitationFromAFileIsInterpolated) {
  // A CSV next to the protocol file; times relative to the phase start.
  const std::string dir = MSK_TEST_TMP;
  {
    std::ofstream csv(dir + "/excitations.csv");
    csv << "time,BIClong,TRIlong\n0,0.0,0.5\n1,0.4,0.5\n2,0.2,1.5\n";
  }
  const auto p = msk::parse_protocol(
      "phases:\n  - {type: rest, duration: 0.5}\n"
      "  - {type: voluntary, excitation_file: excitations.csv, duration: 3}\n",
      dir + "/run.yaml");
  const auto phases = msk::expand_protocol(elbow(), p);
  ASSERT_EQ(phases.size(), 2u);
  const msk::Phase& v = phases[1];
  ASSERT_EQ(v.excitation_time.size(), 3u);
  const int n = elbow().n_muscles();
  const int bic = elbow().find_muscle("BIClong"), tri = elbow().find_muscle("TRIlong");
  EXPECT_EQ(v.excitation_table[1 * n + bic], 0.4);
  EXPECT_EQ(v.excitation_table[2 * n + tri], 1.0);                         // clamped to [0, 1]
  EXPECT_EQ(v.excitation_table[1 * n + elbow().find_muscle("BRA")], 0.0);  // no column: 0
  // The same series from an OpenSim storage file.
  {
    std::ofstream sto(dir + "/excitations.sto");
    sto << "controls\nversion=1\nnRows=3\nnColumns=3\ninDegrees=no\nendheader\n"
        << "time\tBIClong\tTRIlong\n0\t0.0\t0.5\n1\t0.4\t0.5\n2\t0.2\t1.5\n";
  }
  const auto ps = msk::parse_protocol(
      "phases:\n  - {type: voluntary, excitation_file: excitations.sto, duration: 3}\n",
      dir + "/run.yaml");
  EXPECT_EQ(msk::expand_protocol(elbow(), ps)[0].excitation_table, v.excitation_table);
  const msk::io::TimeSeries ts = msk::io::load_time_series(dir + "/excitations.sto");
  EXPECT_DOUBLE_EQ(ts.at(0, 0.25), 0.1);
  EXPECT_DOUBLE_EQ(ts.at(0, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(ts.at(0, 9.0), 0.2);
}

TEST(Protocol, ExcitationFileErrorsNameThePhase) {
  const std::string dir = MSK_TEST_TMP;
  {
    std::ofstream csv(dir + "/unknown_muscle.csv");
    csv << "time,BIClong,DELT1\n0,0.1,0.2\n";
  }
  const auto p = msk::parse_protocol(
      "phases:\n  - {type: voluntary, excitation_file: unknown_muscle.csv, duration: 1}\n",
      dir + "/run.yaml");
  try {
    msk::expand_protocol(elbow(), p);
    FAIL() << "expected a ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.field(), "phases[0].excitation_file");
    EXPECT_NE(std::string(e.what()).find("DELT1"), std::string::npos);
  }
  EXPECT_THROW(msk::parse_protocol("phases:\n  - {type: voluntary, excitation_file: missing.sto, "
                                   "duration: 1}\n",
                                   dir + "/run.yaml"),
               msk::ModelError);
  EXPECT_THROW(msk::parse_protocol("phases:\n  - {type: voluntary, excitation_file: x.sto, "
                                   "excitation: {BIClong: 0.1}, duration: 1}\n"),
               msk::ModelError);
  {
    std::ofstream bad(dir + "/bad.csv");
    bad << "time,BIClong\n0,0.1\n0,0.2\n";
  }
  EXPECT_THROW(msk::io::load_time_series(dir + "/bad.csv"), msk::IoError);
}

TEST(Protocol, ARegionIsMovedByItsRhythmAndTheRestIsHeld) {
  const msk::Model spine = msk::load_model_text(msk::test::kMiniSpine);
  ASSERT_EQ(spine.region_names(), std::vector<std::string>{"lumbar"});
  const auto p = msk::parse_protocol(R"(phases:
  - {type: ramp, region: lumbar, to_deg: 10, speed_deg_s: 5}
  - {type: pir, region: lumbar, muscles: [long_extensor], cycles: 1, barrier_torque: 20,
     barrier_stiffness_nm_per_deg: 0.5}
  - {type: hold, joint: lower_joint, duration: 1}
  - {type: hold, joint: lower_joint, hold_others: true, duration: 1}
)");
  const auto phases = msk::expand_protocol(spine, p);
  ASSERT_EQ(phases.size(), 1u + 1u + 3u + 2u);
  EXPECT_TRUE(phases[0].is_region);
  EXPECT_EQ(phases[0].target_name, "lumbar");
  EXPECT_EQ(phases[0].driven.size(), 2u);
  EXPECT_DOUBLE_EQ(phases[0].weight[0] + phases[0].weight[1], 1.0);
  EXPECT_TRUE(phases[0].held.empty());  // the region is every coordinate of this model
  EXPECT_DOUBLE_EQ(phases[1].barrier_stiffness, 0.5 * 180.0 / M_PI);
  // A joint phase leaves the others free unless told to hold them.
  EXPECT_TRUE(phases[5].held.empty());
  EXPECT_EQ(phases[6].held, std::vector<int>{spine.find_dof("upper_joint")});
}

TEST(Protocol, AJointOrARegionNotBothAndUnknownRegionsAreNamed) {
  EXPECT_THROW(
      msk::parse_protocol("phases:\n  - {type: hold, joint: a, region: lumbar, duration: 1}\n"),
      msk::ModelError);
  EXPECT_THROW(msk::parse_protocol("phases:\n  - {type: hold, duration: 1}\n"), msk::ModelError);
  const auto p = msk::parse_protocol("phases:\n  - {type: hold, region: thoracic, duration: 1}\n");
  try {
    msk::expand_protocol(msk::load_model_text(msk::test::kMiniSpine), p);
    FAIL();
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.field(), "phases[0].region");
    EXPECT_NE(std::string(e.what()).find("'lumbar'"), std::string::npos) << e.what();
  }
  try {
    msk::expand_protocol(elbow(), p);
    FAIL();
  } catch (const msk::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("no spinal regions"), std::string::npos) << e.what();
  }
}
