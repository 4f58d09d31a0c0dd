// Fuzz target: the OpenSim importer. Each input is read as an .osim document the way
// msk::load_model reads an .osim file: imported into a spec, converted to msk YAML, read back and
// compiled.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_contract.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/model/opensim.hpp"
#include "msk/model/yaml_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  msk::fuzz::loads_or_throws_msk_error([&] {
    const msk::ModelSpec imported = msk::import_opensim_text(text, "<fuzz>.osim");
    msk::compile(msk::load_model_spec(msk::model_spec_to_yaml(imported),
                                      "<fuzz>.osim (converted to msk YAML)"));
  });
  return 0;
}
