// Fuzz target: the YAML readers. Each input is read as a model (load_model_text: parse, check and
// compile), as a protocol (parse_protocol, then expand_protocol against the bundled elbow), as
// episode options (parse_episode_options), as a lifetime scenario (parse_scenario, then two weeks
// of its days with their variation), and, when it looks like a mapping, as overrides of the elbow
// model.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz_contract.hpp"
#include "msk/model/model.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/protocol.hpp"
#include "msk/sim/scenario.hpp"

namespace {

const std::string& elbow_text() {
  static const std::string text = [] {
    std::ifstream in(MSK_MODELS_DIR "/elbow.yaml", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }();
  return text;
}

const msk::Model& elbow() {
  static const msk::Model model = msk::load_model_text(elbow_text(), "elbow.yaml");
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const msk::Model& model = elbow();
  msk::fuzz::loads_or_throws_msk_error([&] { msk::load_model_text(text, "<fuzz>"); });
  msk::fuzz::loads_or_throws_msk_error(
      [&] { msk::expand_protocol(model, msk::parse_protocol(text, "<fuzz>")); });
  msk::fuzz::loads_or_throws_msk_error([&] { msk::parse_episode_options(text, "<fuzz>"); });
  msk::fuzz::loads_or_throws_msk_error([&] {
    const msk::Scenario scenario = msk::parse_scenario(text, "<fuzz>");
    for (int day = 0; day < 14; ++day)
      msk::scenario_day(scenario, day, scenario.seed);
  });
  if (!text.empty() && text[0] == '{') {
    msk::fuzz::loads_or_throws_msk_error(
        [&] { msk::load_model_text(elbow_text(), "elbow.yaml", text); });
  }
  return 0;
}
