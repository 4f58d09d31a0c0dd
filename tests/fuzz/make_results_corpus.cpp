// Writes the seed corpus of the results-reader fuzz target: small valid results files made by
// msk::io::Recorder (an empty layout, a few rows with events and /meta, several chunks without
// compression, a file left unclosed after a flush). Usage: make_results_corpus DIR
#include <cstdio>
#include <string>
#include <vector>

#include "msk/io/recorder.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_results_corpus DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::vector<msk::io::ChannelInfo> channels = {{"joint.q.angle", "rad", "joint angle"},
                                                      {"muscle.m.activation", "1", ""}};
  {
    msk::io::Recorder empty(dir + "/empty_layout.h5", channels);
    empty.close();
  }
  {
    msk::io::Recorder few(dir + "/three_rows.h5", channels);
    few.set_meta("model_text", "name: arm\n");
    few.set_meta("seed", 7);
    few.set_meta("rtol", 1e-6);
    for (int i = 0; i < 3; ++i) {
      const double values[2] = {0.1 * i, 0.5};
      few.append(0.01 * i, values);
    }
    few.append_event(0.015, "phase:rest");
    few.close();
  }
  {
    msk::io::RecorderOptions options;
    options.chunk_rows = 4;
    options.flush_every_rows = 4;
    options.compression_level = 0;
    msk::io::Recorder chunks(dir + "/uncompressed_chunks.h5", {channels[0]}, options);
    for (int i = 0; i < 10; ++i) {
      const double value = -1.0 * i;
      chunks.append(0.001 * i, &value);
    }
    chunks.close();
  }
  {
    msk::io::Recorder none(dir + "/no_channels.h5", {});
    none.append(0.0, nullptr);
    none.append_event(0.0, "start");
    none.close();
  }
  return 0;
}
