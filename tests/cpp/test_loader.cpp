// Model loading: valid files compile; malformed ones give ModelError naming file, line and field.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cmath>
#include <map>

#include "msk/error.hpp"
#include "msk/laws/neural/stretch_reflex.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "test_models.hpp"

namespace {

/// Loads text and returns the ModelError it raises (fails the test if none).
msk::ModelError load_error(const std::string& text, const std::string& overrides = "") {
  try {
    msk::load_model_text(text, "bad.yaml", overrides);
  } catch (const msk::ModelError& e) {
    return e;
  }
  ADD_FAILURE() << "no ModelError for:\n" << text;
  return msk::ModelError("", 0, "", "", "");
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST(Loader, PendulumCompiles) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum);
  EXPECT_EQ(m.name(), "pendulum");
  EXPECT_EQ(m.n_dofs(), 1);
  EXPECT_EQ(m.n_muscles(), 1);
  EXPECT_EQ(m.dof_names()[0], "hinge");
  EXPECT_NEAR(m.dof_range_min()[0], -170.0 * M_PI / 180.0, 1e-12);
  // Angle and speed, then the laws' states: activation, tendon creep, the reflex (its lag and its
  // reference length), two depression stages, the habituation, two viscoelastic branches, the
  // passive creep, the stretch depression and the stretch tolerance (thixotropy is off by
  // default; the rigid tendon has no state).
  EXPECT_EQ(m.layout().n_states, 2 + 12);
  EXPECT_EQ(m.layout().names[2], "muscle.flexor.activation");
  EXPECT_EQ(m.layout().laws[2], "first_order_activation");
}

TEST(Loader, BundledElbowCompiles) {
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml");
  EXPECT_EQ(m.n_dofs(), 1);
  EXPECT_EQ(m.n_muscles(), 6);
  EXPECT_EQ(m.n_pairs(), 1);
  EXPECT_EQ(m.pair_agonists()[0].size(), 3u);
  EXPECT_NEAR(m.muscle_params()[m.find_muscle("BIClong")].max_isometric_force, 624.3, 1e-9);
}

TEST(Loader, UnknownFieldNamesLineAndField) {
  const auto e =
      load_error(replace(msk::test::kPendulum, "    mass: 1.0", "    mass: 1.0\n    colour: red"));
  EXPECT_EQ(e.file(), "bad.yaml");
  EXPECT_EQ(e.line(), 9);
  EXPECT_EQ(e.field(), "bodies[0=link].colour");
  EXPECT_NE(std::string(e.what()).find("unknown field 'colour'"), std::string::npos);
}

TEST(Loader, MissingRequiredField) {
  const auto e = load_error(replace(msk::test::kPendulum, "    optimal_fibre_length: 0.1\n", ""));
  EXPECT_EQ(e.field(), "muscles[0=flexor].optimal_fibre_length");
  EXPECT_GT(e.line(), 0);
}

TEST(Loader, WrongTypeNaNNegativeAndInfinite) {
  EXPECT_EQ(load_error(replace(msk::test::kPendulum, "mass: 1.0", "mass: heavy")).field(),
            "bodies[0=link].mass");
  EXPECT_EQ(load_error(replace(msk::test::kPendulum, "mass: 1.0", "mass: .nan")).got(), "'.nan'");
  EXPECT_EQ(load_error(replace(msk::test::kPendulum, "mass: 1.0", "mass: -1")).field(),
            "bodies[0=link].mass");
  EXPECT_EQ(load_error(replace(msk::test::kPendulum, "max_isometric_force: 100",
                               "max_isometric_force: .inf"))
                .field(),
            "muscles[0=flexor].max_isometric_force");
}

TEST(Loader, DegreesWhereRadiansExpected) {
  // pennation_at_optimal is in radians: 30 (degrees by mistake) is out of its plausible range.
  const auto e = load_error(replace(msk::test::kPendulum, "    tendon_slack_length: 0.2",
                                    "    tendon_slack_length: 0.2\n    pennation_at_optimal: 30"));
  EXPECT_EQ(e.field(), "muscles[0=flexor].pennation_at_optimal");
}

TEST(Loader, DuplicateAndUnknownNames) {
  std::string dup = msk::test::kPendulum + R"(  - name: flexor
    max_isometric_force: 100
    optimal_fibre_length: 0.1
    tendon_slack_length: 0.2
    path: [{body: ground, point: [0, 0, 0]}, {body: link, point: [0, -0.1, 0]}]
)";
  EXPECT_NE(std::string(load_error(dup).what()).find("duplicate 'flexor'"), std::string::npos);
  EXPECT_EQ(load_error(replace(msk::test::kPendulum, "{body: link,", "{body: femur,")).field(),
            "muscles[0=flexor].path[1].body");
  const std::string pair = msk::test::kPendulum +
                           "pairs:\n  - {name: p, joint: hinge, agonists: [flexor], antagonists: "
                           "[extensor]}\n";
  const auto e = load_error(pair);
  EXPECT_EQ(e.field(), "pairs[0=p].antagonists[0]");
  EXPECT_NE(std::string(e.what()).find("'extensor'"), std::string::npos);
}

TEST(Loader, SyntaxErrorHasLine) {
  const auto e = load_error("name: x\nbodies: [\n  {name: a\n");
  EXPECT_GT(e.line(), 0);
  EXPECT_EQ(e.field(), "<document>");
}

TEST(Loader, DeepNestingAndHugeInputAreRejected) {
  std::string deep = "name: x\nbodies: ";
  for (int i = 0; i < 100; ++i)
    deep += "[";
  for (int i = 0; i < 100; ++i)
    deep += "]";
  EXPECT_NE(std::string(load_error(deep).what()).find("nesting"), std::string::npos);
  msk::LoadLimits limits;
  limits.max_bytes = 100;
  EXPECT_THROW(msk::load_model_spec(msk::test::kPendulum, "big.yaml", "", limits), msk::ModelError);
}

TEST(Loader, MissingFileIsModelError) {
  try {
    msk::load_model("/nonexistent/model.yaml");
    FAIL();
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/model.yaml");
  }
}

TEST(Loader, OverridesChangeFieldsByName) {
  const msk::Model m = msk::load_model_text(
      msk::test::kPendulum, "p.yaml",
      R"({"muscles.flexor.max_isometric_force": 250, "muscles.flexor.tone": "hypertonic",
          "bodies.link.mass": 2.5})");
  EXPECT_DOUBLE_EQ(m.muscle_params()[0].max_isometric_force, 250.0);
  EXPECT_DOUBLE_EQ(m.body_mass()[0], 2.5);
  int k = 0;
  const int reflex = m.find_law(msk::LawDomain::Muscle, 0, "reflex", &k);
  ASSERT_GE(reflex, 0);
  EXPECT_EQ(m.law(reflex).label(k), "hypertonic");
  EXPECT_NE(m.text().find("250"), std::string::npos);
}

TEST(Loader, BadOverridesNameTheKeyAsGiven) {
  EXPECT_EQ(
      load_error(msk::test::kPendulum, R"({"muscles.biceps.max_isometric_force": 1})").field(),
      "'muscles.biceps.max_isometric_force'");
  const msk::ModelError e =
      load_error(msk::test::kPendulum, R"({"muscles.flexor.max_isometric_force": -5})");
  EXPECT_EQ(e.file(), "<overrides>");
  EXPECT_EQ(e.line(), 0);
  EXPECT_EQ(e.field(), "'muscles.flexor.max_isometric_force'");
  EXPECT_EQ(e.got(), "'-5'");
}

namespace {

/// The ModelError of loading the pendulum (with a muscle group) with `overrides` given by
/// "run.yaml: overrides".
msk::ModelError override_error(const std::map<std::string, std::string>& overrides) {
  msk::LoadOptions options;
  options.overrides = overrides;
  options.overrides_source = "run.yaml: overrides";
  try {
    msk::load_model_text(msk::test::kPendulum + "groups:\n  flexors: [flexor]\n", "p.yaml",
                         options);
  } catch (const msk::ModelError& e) {
    return e;
  }
  ADD_FAILURE() << "no ModelError";
  return msk::ModelError("", 0, "", "", "");
}

}  // namespace

TEST(Loader, OverrideErrorsBlameTheirSourceAndSuggestNames) {
  // A value refused: the source and the key as given, not the model file or its field path.
  msk::ModelError e = override_error({{"muscles.flexor.tone", "hypertonik"}});
  EXPECT_STREQ(e.what(),
               "run.yaml: overrides: 'muscles.flexor.tone': expected one of hypertonic, normal, "
               "hypotonic, got 'hypertonik'; did you mean 'hypertonic'?");
  // A group key is reported as typed, not against the group's first muscle.
  e = override_error({{"groups.flexors.tone", "hypertonik"}});
  EXPECT_EQ(e.field(), "'groups.flexors.tone'");
  EXPECT_EQ(std::string(e.what()).find("muscles["), std::string::npos) << e.what();
  // A misspelt group, muscle or field: the valid names and the closest.
  e = override_error({{"groups.flexor.tone", "normal"}});
  EXPECT_STREQ(e.what(),
               "run.yaml: overrides: 'groups.flexor.tone': expected a muscle group of model "
               "'pendulum' (valid: flexors), got 'flexor'; did you mean 'flexors'?");
  e = override_error({{"muscles.flexr.tone", "normal"}});
  EXPECT_STREQ(e.what(),
               "run.yaml: overrides: 'muscles.flexr.tone': expected the name or index of a "
               "muscle of model 'pendulum' (valid: flexor), got 'flexr'; did you mean 'flexor'?");
  e = override_error({{"muscles.flexor.max_isometric_forc", "600"}});
  EXPECT_NE(std::string(e.what()).find("did you mean 'max_isometric_force'?"), std::string::npos)
      << e.what();
  e = override_error({{"bodies.lnk.mass", "2"}});
  EXPECT_NE(std::string(e.what()).find("a body of model 'pendulum' (valid: link)"),
            std::string::npos)
      << e.what();
  // A subtree: the key as given and the field refused inside it.
  e = override_error({{"muscles.flexor.laws", "{reflex: {gain: -3}}"}});
  EXPECT_EQ(std::string(e.what()).rfind("run.yaml: overrides: 'muscles.flexor.laws' at "
                                        "muscles[0=flexor].laws.reflex.gain: expected a number",
                                        0),
            0u)
      << e.what();
  // Not finite: refused with the key.
  e = override_error({{"muscles.flexor.max_isometric_force", ".nan"}});
  EXPECT_EQ(e.field(), "'muscles.flexor.max_isometric_force'");
  EXPECT_EQ(e.expected(), "a finite number");
  // The first key refused on its own is named, whatever the others.
  e = override_error({{"muscles.flexor.max_isometric_force", "600"}, {"muscles.flexor.tone", "x"}});
  EXPECT_EQ(e.field(), "'muscles.flexor.tone'");
  // Keys valid alone but not together.
  e = override_error(
      {{"muscles.flexor.tone.threshold", "1.0"}, {"muscles.flexor.tone.threshold_offset", "0"}});
  EXPECT_EQ(e.file(), "run.yaml: overrides (together)");
  EXPECT_NE(std::string(e.what()).find("either threshold or threshold_offset"), std::string::npos)
      << e.what();
  // Overrides that are not YAML name their source.
  e = override_error({{"muscles.flexor.tone", "[unclosed"}});
  EXPECT_EQ(e.file(), "run.yaml: overrides");
}

TEST(Loader, AModelThatFailsAloneKeepsItsOwnMessage) {
  msk::LoadOptions options;
  options.overrides = {{"muscles.flexor.max_isometric_force", "600"}};
  options.overrides_source = "run.yaml: overrides";
  try {
    msk::load_model_text(replace(msk::test::kPendulum, "mass: 1.0", "mass: -1.0"), "p.yaml",
                         options);
    FAIL() << "no ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.file(), "p.yaml") << e.what();
    EXPECT_GT(e.line(), 0) << e.what();
  }
}

TEST(Loader, MisspeltBundledModelAndLawPresetGetASuggestion) {
  try {
    msk::load_model("elbw");
    FAIL() << "no ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'elbow'?"), std::string::npos) << e.what();
  }
  msk::LoadOptions options;
  options.overrides = {{"muscles.flexor.laws", "{reflex: {preset: hypertonc}}"}};
  try {
    msk::load_model_text(msk::test::kPendulum, "p.yaml", options);
    FAIL() << "no ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'hypertonic'?"), std::string::npos)
        << e.what();
  }
}

TEST(Loader, TheOldPreloadKeysNameTheirReplacements) {
  // The unbounded preload power law (preload_gain, preload_exponent, preload_reference) was
  // replaced by the bounded law (preload_gain_max, preload_force).
  const std::string lumbar = std::string(MSK_MODELS_DIR) + "/lumbar.yaml";
  try {
    msk::load_model(lumbar, R"({"segments.L4-L5.disc.preload_gain": 0.71})");
    ADD_FAILURE() << "no ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("preload_gain_max"), std::string::npos) << e.what();
  }
  const msk::Model m = msk::load_model(lumbar, R"({"segments.L4-L5.disc.preload_gain_max": 1.0,
                                  "segments.L4-L5.degeneration": 0.5})");
  const int k = m.find_segment("L4-L5");
  EXPECT_EQ(m.segment_params()[k].disc.preload_gain_max, 1.0);
  EXPECT_EQ(m.segment_params()[k].degeneration, 0.5);
}

TEST(Loader, TonePresetsResolveRelativeToHabitualLength) {
  const msk::Model hyper = msk::load_model_text(msk::test::kPendulum, "p.yaml",
                                                R"({"muscles.flexor.tone": "hypertonic"})");
  const msk::Model normal = msk::load_model_text(msk::test::kPendulum);
  // The habitual fibre length: the rigid-tendon fibre length at the default posture.
  const auto& p = normal.muscle_params()[0];
  const double habitual = std::hypot(normal.default_mtu_length()[0] - p.tendon_slack_length,
                                     p.optimal_fibre_length * std::sin(p.pennation_at_optimal)) /
                          p.optimal_fibre_length;
  auto threshold = [](const msk::Model& m) {
    int k = 0;
    const int l = m.find_law(msk::LawDomain::Muscle, 0, "reflex", &k);
    const auto& reflex = dynamic_cast<const msk::laws::TonicStretchReflex&>(m.law(l));
    return reflex.threshold(msk::make_data(m), k);
  };
  EXPECT_NEAR(threshold(hyper), habitual - 0.02, 1e-12);
  EXPECT_NEAR(threshold(normal), habitual + 0.5, 1e-12);
  EXPECT_THROW(
      msk::load_model_text(msk::test::kPendulum, "p.yaml", R"({"muscles.flexor.tone": "spastic"})"),
      msk::ModelError);
}

TEST(Loader, WrapSurfacesCoupledJointsAndConditionalPoints) {
  const msk::Model m = msk::load_model_text(msk::test::kCoupledColumn);
  ASSERT_EQ(m.n_wrap_surfaces(), 2);
  EXPECT_EQ(m.wrap_type()[0], msk::WrapType::Cylinder);
  EXPECT_EQ(m.wrap_type()[1], msk::WrapType::Sphere);
  EXPECT_EQ(m.wrap_side_axis()[1], 0);
  EXPECT_EQ(m.wrap_side_sign()[1], -1.0);
  // `axis: [0, 0, 1]` gives the identity frame.
  EXPECT_LT((m.wrap_rotation()[0] - Eigen::Matrix3d::Identity()).norm(), 1e-15);
  ASSERT_EQ(m.n_dofs(), 2);
  EXPECT_EQ(m.dof_joints()[0].size(), 2u);  // flex drives frame1 and seg2
  EXPECT_EQ(m.joint_ratio()[m.find_body("seg2")], 0.6);
  EXPECT_EQ(m.joint_offset()[m.find_body("seg2")], 0.05);
  const int back = m.find_muscle("back");
  EXPECT_EQ(m.muscle_path_active_dof()[back][1], m.find_dof("bend"));
  EXPECT_NEAR(m.muscle_path_active_range()[back][1][1], M_PI / 6.0, 1e-15);
  ASSERT_EQ(m.muscle_wraps()[back].size(), 1u);
  EXPECT_EQ(m.muscle_wraps()[back][0].from_point, 1);
  EXPECT_EQ(m.muscle_wraps()[back][0].to_point, 2);
  EXPECT_EQ(m.muscle_wraps()[m.find_muscle("front")][0].to_point, 1);  // default: the last point
}

TEST(Loader, WrapAndCouplingErrorsNameTheField) {
  const std::string& base = msk::test::kCoupledColumn;
  EXPECT_EQ(load_error(replace(base, "type: sphere", "type: torus")).field(),
            "wrap_surfaces[1=ball].type");
  EXPECT_EQ(load_error(replace(base, "side: -x", "side: +w")).field(),
            "wrap_surfaces[1=ball].side");
  EXPECT_EQ(load_error(replace(base, "axis: [0, 0, 1],\n     radius: 0.03}",
                               "axis: [0, 0, 1], side: +x,\n     radius: 0.03}"))
                .field(),
            "wrap_surfaces[0=drum].axis");
  EXPECT_EQ(load_error(replace(base, "surface: drum", "surface: barrel")).field(),
            "muscles[0=front].wrap[0].surface");
  EXPECT_EQ(
      load_error(replace(base, "from_point: 1, to_point: 2", "from_point: 1, to_point: 1")).field(),
      "muscles[1=back].wrap[0].to_point");
  EXPECT_EQ(load_error(replace(base, "coordinate: bend, range_deg", "coordinate: twist, range_deg"))
                .field(),
            "muscles[1=back].path[1].active_when.coordinate");
  // A joint that follows a coordinate cannot set the coordinate's range.
  EXPECT_EQ(load_error(replace(base, "coordinate: bend, ratio: 0.5,",
                               "coordinate: bend, ratio: 0.5, range_deg: [-1, 1],"))
                .field(),
            "bodies[3=seg3].joint.range_deg");
  EXPECT_EQ(load_error(replace(base, "ratio: 0.4,", "ratio: 0,")).field(),
            "bodies[0=frame1].joint.ratio");
}
