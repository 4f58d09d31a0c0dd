// Protocols: parsing, name resolution and PIR expansion.
#include <gtest/gtest.h>
#include <algorithm>

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

// ---- the schema: one description of the phases, which the parser follows ----

/// A phase of `type` with every required field and `extra` (YAML flow mapping entries).
std::string phase_text(const msk::PhaseType& type, const std::string& extra = "") {
  std::string text = "phases:\n  - {type: " + type.name;
  for (const msk::PhaseField& f : type.fields) {
    if (!f.required || extra.find(f.name + ":") != std::string::npos) continue;
    switch (f.kind) {
      case msk::PhaseFieldKind::Name:
        text += ", " + f.name + ": a";
        break;
      case msk::PhaseFieldKind::Names:
        text += ", " + f.name + ": [b]";
        break;
      default:
        text += ", " + f.name + ": " + std::to_string(f.low_open ? f.high : f.low);
    }
  }
  if (type.name == "voluntary" && extra.find("excitation") == std::string::npos)
    text += ", excitation: {b: 0.1}";
  // A joint or a region, one of the two.
  const bool has_target = std::any_of(type.fields.begin(), type.fields.end(),
                                      [](const msk::PhaseField& f) { return f.name == "joint"; });
  if (has_target && extra.find("joint:") == std::string::npos &&
      extra.find("region:") == std::string::npos)
    text += ", joint: a";
  return text + (extra.empty() ? "" : ", " + extra) + "}\n";
}

TEST(Protocol, SchemaDefaultsAreWhatTheParserUses) {
  const auto p = msk::parse_protocol(
      "phases:\n  - {type: isometric, joint: a, muscles: [b]}\n"
      "  - {type: passive_stretch, joint: a, muscles: [b]}\n  - {type: pir, joint: a, muscles: "
      "[b]}\n");
  const msk::PhaseSpec& iso = p.phases[0];
  EXPECT_EQ(iso.effort_pct_mvc, 20.0);
  EXPECT_EQ(iso.duration, 5.0);
  EXPECT_EQ(iso.rise_s, 0.2);
  EXPECT_EQ(p.phases[1].speed_deg_s, 5.0);
  EXPECT_EQ(p.phases[1].barrier_torque, 2.0);
  EXPECT_EQ(p.phases[1].max_duration, 60.0);
  EXPECT_EQ(p.phases[2].cycles, 3);
  EXPECT_EQ(p.phases[2].rise_s, 0.05);
  EXPECT_EQ(p.phases[2].contraction_s, 5.0);
  // Every default of the schema, read back through the parser.
  for (const msk::PhaseType& type : msk::phase_types()) {
    const msk::PhaseSpec spec = msk::parse_protocol(phase_text(type)).phases.at(0);
    for (const msk::PhaseField& f : type.fields) {
      if (f.required || std::isnan(f.default_value)) continue;
      const double got = f.name == "duration"         ? spec.duration
                         : f.name == "rise_s"         ? spec.rise_s
                         : f.name == "effort_pct_mvc" ? spec.effort_pct_mvc
                         : f.name == "barrier_torque" ? spec.barrier_torque
                         : f.name == "max_duration"   ? spec.max_duration
                         : f.name == "barrier_stiffness_nm_per_deg"
                             ? spec.barrier_stiffness_nm_per_deg
                         : f.name == "contraction_s" ? spec.contraction_s
                         : f.name == "relaxation_s"  ? spec.relaxation_s
                         : f.name == "cycles"        ? spec.cycles
                                                     : spec.speed_deg_s;
      EXPECT_EQ(got, f.default_value) << type.name << "." << f.name;
    }
  }
}

TEST(Protocol, SchemaRangesAreWhatTheParserChecks) {
  for (const msk::PhaseType& type : msk::phase_types()) {
    EXPECT_NO_THROW(msk::parse_protocol(phase_text(type))) << phase_text(type);
    for (const msk::PhaseField& f : type.fields) {
      if (f.kind != msk::PhaseFieldKind::Number && f.kind != msk::PhaseFieldKind::WholeNumber)
        continue;
      const std::string where = type.name + "." + f.name;
      // Both ends of the range are in it (the low one unless open); just beyond is not.
      EXPECT_NO_THROW(msk::parse_protocol(phase_text(type, f.name + ": " + std::to_string(f.high))))
          << where;
      if (!f.low_open) {
        EXPECT_NO_THROW(
            msk::parse_protocol(phase_text(type, f.name + ": " + std::to_string(f.low))))
            << where;
      }
      for (const double bad : {f.low_open ? f.low : f.low - 0.5 * (1.0 + std::abs(f.low)),
                               f.high + 0.5 * (1.0 + std::abs(f.high))}) {
        try {
          msk::parse_protocol(phase_text(type, f.name + ": " + std::to_string(bad)));
          ADD_FAILURE() << where << " accepted " << bad;
        } catch (const msk::ModelError& e) {
          EXPECT_EQ(e.field(), "phases[0]." + f.name) << where;
        }
      }
    }
    // A required field left out is named.
    for (const msk::PhaseField& f : type.fields) {
      if (!f.required) continue;
      std::string text = phase_text(type);
      const std::size_t at = text.find(", " + f.name + ":");
      ASSERT_NE(at, std::string::npos);
      text.erase(at, text.find_first_of(",}", at + 2) - at);
      try {
        msk::parse_protocol(text);
        ADD_FAILURE() << type.name << " without " << f.name;
      } catch (const msk::ModelError& e) {
        EXPECT_EQ(e.field(), "phases[0]." + f.name);
      }
    }
  }
  // A duration of 0 is no phase (the range is open at 0).
  try {
    msk::parse_protocol("phases:\n  - {type: rest, duration: 0}\n");
    ADD_FAILURE();
  } catch (const msk::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("expected a number in (0, 1e+07], got '0'"),
              std::string::npos)
        << e.what();
  }
}
