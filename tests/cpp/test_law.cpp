// Laws as units (msk/law/law.hpp, registry.hpp): a law defined only in this file is registered,
// named in a model file and integrated in an episode; the registry's laws are documented; bad law
// names, parameters and ranges name the file, line and field.
#include "msk/law/law.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "msk/error.hpp"
#include "msk/law/registry.hpp"
#include "msk/laws/muscle/activation.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/episode.hpp"
#include "test_models.hpp"

namespace {

/// A law that exists only in this test: a "fatigue" f of each muscle it is attached to, charged
/// by activation and recovering at rest, df/dt = k_f a (1 - f) - k_r f, recorded as a channel.
/// It knows nothing of the core beyond law.hpp and the Data ports it reads.
struct FatigueParams {
  double fatigue_rate = 0.5;   ///< k_f [1/s]
  double recovery_rate = 0.1;  ///< k_r [1/s]
};

class TestFatigue : public msk::LawWith<TestFatigue, FatigueParams> {
 public:
  static const std::vector<msk::ParamField<FatigueParams>>& fields() {
    static const std::vector<msk::ParamField<FatigueParams>> f = {
        {"fatigue_rate", &FatigueParams::fatigue_rate, "1/s", 0.0, 100.0, "test", "k_f"},
        {"recovery_rate", &FatigueParams::recovery_rate, "1/s", 0.0, 100.0, "test", "k_r"}};
    return f;
  }
  const msk::LawInfo& info() const override {
    static const msk::LawInfo i = [] {
      msk::LawInfo x;
      x.name = "test_fatigue";
      x.role = "fatigue";
      x.domain = msk::LawDomain::Muscle;
      x.stage = msk::LawStage::Activation;  // reads this evaluation's activation
      x.summary = "test fatigue";
      x.params = msk::param_infos<FatigueParams>(fields());
      x.states = {{"fatigue", "1", "fatigue f"}};
      x.channels = {{"fatigue", "1", "fatigue f"}};
      return x;
    }();
    return i;
  }
  void evaluate(msk::LawContext& c) const override {
    for (int k = 0; k < n_entities(); ++k) {
      const double f = c.x[state_index(k, 0)];
      const double a = c.data.activation[entity(k)];
      c.xdot[state_index(k, 0)] =
          params(k).fatigue_rate * a * (1.0 - f) - params(k).recovery_rate * f;
    }
  }
  void record(const msk::LawContext& c, double* row) const override {
    for (int k = 0; k < n_entities(); ++k)
      row[channel_index(k, 0)] = c.x[state_index(k, 0)];
  }
  // Fatigue is an activation-stage law but not an activation law: at rest it leaves the
  // activation as it is.
};

std::shared_ptr<const msk::LawRegistry> with_fatigue() {
  msk::LawRegistry r = msk::builtin_laws();
  r.add<TestFatigue>();
  return std::make_shared<const msk::LawRegistry>(r);
}

double value_at(const msk::EpisodeResult& r, const std::string& channel, double t) {
  const std::vector<double> v = r.channel(channel);
  const auto it = std::lower_bound(r.time.begin(), r.time.end(), t - 1e-9);
  return v[static_cast<std::size_t>(it - r.time.begin())];
}

}  // namespace

TEST(Law, ALawDefinedInATestRunsInAnEpisode) {
  msk::LoadOptions o;
  o.laws = with_fatigue();
  o.overrides["muscles.flexor.laws"] = "{fatigue: {law: test_fatigue, fatigue_rate: 2.0}}";
  const msk::Model m = msk::load_model_text(msk::test::kPendulum, "p.yaml", o);
  // Its state and channel are laid out like any other law's.
  const auto& names = m.layout().names;
  ASSERT_NE(std::find(names.begin(), names.end(), "muscle.flexor.fatigue"), names.end());
  EXPECT_EQ(m.parameter_value(m.parameter("muscles.flexor.laws.fatigue.fatigue_rate")), 2.0);
  // A 2 s contraction charges it; 5 s of rest lets it recover.
  const msk::Protocol p = msk::parse_protocol(R"(phases:
  - {type: isometric, joint: hinge, muscles: [flexor], effort_pct_mvc: 50, duration: 2}
  - {type: rest, duration: 5}
)");
  msk::EpisodeOptions options;
  options.output_dt = 0.1;
  const msk::EpisodeResult r = msk::simulate_episode(m, p, options);
  const double charged = value_at(r, "muscle.flexor.fatigue", 2.0);
  EXPECT_GT(charged, 0.3);
  EXPECT_LT(value_at(r, "muscle.flexor.fatigue", 7.0), 0.7 * charged);
  // Integrated, not assumed: f(2) from df/dt = k_f a (1 - f) - k_r f with a ~ 0.5.
  EXPECT_NEAR(charged, (1.0 / (1.0 + 0.1)) * (1.0 - std::exp(-1.1 * 2.0)), 0.15);
}

TEST(Law, ModelWideDefaultsAttachALawToEveryEntity) {
  msk::LoadOptions o;
  o.laws = with_fatigue();
  o.overrides["law_defaults"] = "{muscles: {fatigue: test_fatigue}}";
  const msk::Model m = msk::load_model(std::string(MSK_MODELS_DIR) + "/elbow.yaml", o);
  for (int i = 0; i < m.n_muscles(); ++i)
    EXPECT_GE(m.find_law(msk::LawDomain::Muscle, i, "fatigue"), 0) << m.muscle_names()[i];
}

TEST(Law, UnknownLawsParametersAndRangesNameFileLineAndField) {
  auto error = [](const std::string& overrides) {
    try {
      msk::load_model_text(msk::test::kPendulum, "p.yaml", overrides);
    } catch (const msk::ModelError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string unknown = error(R"({"muscles.flexor.laws": {"reflex": "spasticity"}})");
  EXPECT_NE(unknown.find("muscles[0=flexor].laws.reflex"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("tonic_stretch_reflex"), std::string::npos) << unknown;  // the valid ones
  const std::string param = error(R"({"muscles.flexor.laws": {"reflex": {"gian": 3}}})");
  EXPECT_NE(param.find("gian"), std::string::npos) << param;
  const std::string range = error(R"({"muscles.flexor.laws": {"reflex": {"gain": -3}}})");
  EXPECT_NE(range.find("muscles[0=flexor].laws.reflex.gain"), std::string::npos) << range;
  const std::string preset = error(R"({"muscles.flexor.laws": {"reflex": {"preset": "spastic"}}})");
  EXPECT_NE(preset.find("hypertonic"), std::string::npos) << preset;
  // A pair law on a muscle.
  const std::string domain = error(R"({"muscles.flexor.laws": {"x": "reciprocal_inhibition"}})");
  EXPECT_NE(domain.find("pair domain"), std::string::npos) << domain;
}

TEST(Law, RoleNoneSwitchesALawOff) {
  const msk::Model m = msk::load_model_text(msk::test::kPendulum, "p.yaml",
                                            R"({"muscles.flexor.laws": {"reflex": "none"}})");
  EXPECT_LT(m.find_law(msk::LawDomain::Muscle, 0, "reflex"), 0);
  const auto& names = m.layout().names;
  EXPECT_EQ(std::find(names.begin(), names.end(), "muscle.flexor.reflex_excitation"), names.end());
}

TEST(Law, EveryBuiltinLawIsDocumented) {
  const msk::LawRegistry r = msk::builtin_laws();
  ASSERT_GE(r.names().size(), 9u);
  for (const std::string& name : r.names()) {
    const msk::LawInfo& info = *r.find(name);
    EXPECT_EQ(info.name, name);
    EXPECT_FALSE(info.role.empty()) << name;
    EXPECT_FALSE(info.summary.empty()) << name;
    EXPECT_FALSE(info.equation.empty()) << name;
    EXPECT_FALSE(info.citation.empty()) << name;
    for (const msk::ParamInfo& p : info.params) {
      EXPECT_FALSE(p.unit.empty()) << name << "." << p.name;
      EXPECT_FALSE(p.source.empty()) << name << "." << p.name;
      EXPECT_FALSE(p.description.empty()) << name << "." << p.name;
      if (!(p.optional && std::isnan(p.default_value))) {
        EXPECT_GE(p.default_value, p.min) << name << "." << p.name;
        EXPECT_LE(p.default_value, p.max) << name << "." << p.name;
      }
    }
    for (const auto& [preset, values] : info.presets)
      for (const auto& [key, value] : values) {
        const auto it = std::find_if(info.params.begin(), info.params.end(),
                                     [&](const msk::ParamInfo& p) { return p.name == key; });
        ASSERT_NE(it, info.params.end()) << name << " preset " << preset << ": " << key;
        EXPECT_GE(value, it->min);
        EXPECT_LE(value, it->max);
      }
    for (const msk::VarInfo& v : info.states)
      EXPECT_FALSE(v.unit.empty()) << name << "." << v.name;
  }
}

TEST(Law, RegistryRefusesDuplicatesAndUnknownDefaults) {
  msk::LawRegistry r = msk::builtin_laws();
  EXPECT_THROW(r.add<msk::laws::FirstOrderActivation>(), msk::InvalidArgument);
  EXPECT_THROW(r.set_default(msk::LawDomain::Muscle, "reflex", "nope"), msk::InvalidArgument);
  EXPECT_THROW(r.make("nope"), msk::InvalidArgument);
}
