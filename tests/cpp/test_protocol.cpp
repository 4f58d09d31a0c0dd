// Protocols: parsing, name resolution and PIR expansion.
#include <gtest/gtest.h>

#include "msk/error.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/protocol.hpp"

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
