// elbow_demo — loads the bundled elbow model, runs a short protocol and writes an HDF5 file.
//
//   elbow_demo MODEL.yaml OUT.h5
//
// Build against an installed msk:  cmake -S . -B build -DCMAKE_PREFIX_PATH=<prefix>
#include <msk/error.hpp>
#include <msk/model/model.hpp>
#include <msk/sim/episode.hpp>
#include <msk/version.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: elbow_demo MODEL.yaml OUT.h5\n";
    return 2;
  }
  try {
    const msk::Model model = msk::load_model(argv[1]);
    const msk::Protocol protocol = msk::parse_protocol(R"(
initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: rest, duration: 0.5}
  - {type: voluntary, duration: 0.5, excitation: {BIClong: 0.3, BICshort: 0.3, BRA: 0.3}}
  - {type: rest, duration: 0.5}
)");
    msk::EpisodeOptions options;
    options.output_path = argv[2];
    const msk::EpisodeResult result = msk::simulate_episode(model, protocol, options);
    const auto angle = result.channel("joint.r_elbow_flex.angle");
    std::cout << "msk " << msk::version << ": " << model.name << ", " << result.n_times()
              << " rows x " << result.n_channels() << " channels, final elbow angle "
              << angle.back() * 180.0 / 3.141592653589793 << " deg, " << result.stats.steps
              << " steps -> " << argv[2] << "\n";
    return 0;
  } catch (const msk::Error& e) {
    std::cerr << "elbow_demo: " << e.what() << "\n";
    return 1;
  }
}
