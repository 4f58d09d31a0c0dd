#include "msk/io/writer.hpp"

#include <vector>

#include "msk/error.hpp"

namespace msk::io {

void save_results(const std::string& path, const ResultsData& data, RecorderOptions options) {
  const std::size_t n = data.time.size();
  if (data.values.size() != data.channels.size())
    throw InvalidArgument("save_results: expected one value column per channel, got " +
                          std::to_string(data.values.size()) + " columns for " +
                          std::to_string(data.channels.size()) + " channels");
  for (std::size_t c = 0; c < data.channels.size(); ++c)
    if (data.values[c].size() != n)
      throw InvalidArgument("save_results: channel " + data.channels[c].name + ": expected " +
                            std::to_string(n) + " values (one per time), got " +
                            std::to_string(data.values[c].size()));
  if (data.event_labels.size() != data.event_times.size())
    throw InvalidArgument("save_results: expected one label per event time, got " +
                          std::to_string(data.event_labels.size()) + " labels for " +
                          std::to_string(data.event_times.size()) + " times");
  options.flush_every_rows = 0;
  Recorder recorder(path, data.channels, options);
  for (const auto& [key, value] : data.meta)
    recorder.set_meta(key, value);
  std::vector<double> row(data.channels.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < row.size(); ++c)
      row[c] = data.values[c][i];
    recorder.append(data.time[i], row.data());
  }
  for (std::size_t e = 0; e < data.event_times.size(); ++e)
    recorder.append_event(data.event_times[e], data.event_labels[e]);
  for (const auto& [name, state] : data.states)
    recorder.write_state(name, state.time, state.names, state.values);
  if (!data.stats.empty()) recorder.set_stats(data.stats);
  recorder.close();
}

}  // namespace msk::io
