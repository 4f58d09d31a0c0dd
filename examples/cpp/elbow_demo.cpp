// elbow_demo — loads the bundled elbow model by name with hypertonic flexors, runs a
// post-isometric relaxation session, then 60 s of rest as a second episode that continues from the
// state the first ended in, and writes both to HDF5 files.
//
//   elbow_demo MODEL OUT.h5      (MODEL: a bundled model name such as "elbow", or a file)
//
// Build against an installed msk:  cmake -S . -B build -DCMAKE_PREFIX_PATH=<prefix>
// Bundled models are found in the installed share/msk/models (or $MSK_MODEL_PATH).
#include <iostream>
#include <msk/msk.hpp>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: elbow_demo MODEL OUT.h5\n";
    return 2;
  }
  try {
    msk::LoadOptions load;
    for (const char* muscle : {"BIClong", "BICshort", "BRA"})
      load.overrides[std::string("muscles.") + muscle + ".tone"] = "hypertonic";
    const msk::Model model = msk::load_model(argv[1], load);
    const msk::Protocol session = msk::parse_protocol(R"(
initial: {angles_deg: {r_elbow_flex: 90}}
phases:
  - {type: hold, joint: r_elbow_flex, duration: 1}
  - {type: pir, joint: r_elbow_flex, muscles: [BIClong, BICshort, BRA], cycles: 2,
     contraction_s: 3, relaxation_s: 2, barrier_torque: 5}
)");
    msk::EpisodeOptions options;
    options.output_path = argv[2];
    const msk::EpisodeResult first = msk::simulate_episode(model, session, options);
    // The rest continues from where the session ended: a second episode, a second file.
    options.initial_state = first.final_state;
    options.output_path = std::string(argv[2]) + ".rest.h5";
    const msk::EpisodeResult rest = msk::simulate_episode(
        model, msk::parse_protocol("phases: [{type: hold, joint: r_elbow_flex, duration: 60}]"),
        options);
    const auto angle = first.channel("joint.r_elbow_flex.angle");
    std::cout << "msk " << msk::version << ": " << model.name() << ", " << first.n_times()
              << " rows x " << first.n_channels() << " channels, barrier at "
              << angle.back() * 180.0 / 3.141592653589793
              << " deg after the session, rest until t = " << rest.final_state.time << " s -> "
              << argv[2] << "\n";
    return 0;
  } catch (const msk::Error& e) {
    std::cerr << "elbow_demo: " << e.what() << "\n";
    return 1;
  }
}
