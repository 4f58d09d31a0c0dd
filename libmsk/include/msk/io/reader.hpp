// msk/io/reader.hpp — reading a whole results file (format "msk-results", version 1) into memory.
//
// The layout is described in docs/guide/results_format.md. Every structural fault (a missing or
// mistyped dataset, a length mismatch, a wrong format attribute) is an IoError naming the file and
// the dataset or attribute. A file left by a run killed between two flushes reads as a normal file
// holding the flushed rows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "msk/io/attributes.hpp"
#include "msk/io/recorder.hpp"

namespace msk::io {

/// A simulation state stored in a results file (/state/<name>: Recorder::write_state).
struct StoredState {
  double time = 0.0;               ///< [s]
  std::vector<std::string> names;  ///< state names
  std::vector<double> values;      ///< one per name
};

/// The whole content of a results file. n = time.size() rows, m = event_times.size() events.
struct ResultsData {
  std::vector<double> time;                 ///< /time [s], size n
  std::vector<ChannelInfo> channels;        ///< /channels/*, in creation order, size n_channels
  std::vector<std::vector<double>> values;  ///< values[c][i]: channel c at time[i], in
                                            ///< channels[c].units; size n_channels × n
  std::map<std::string, std::string> meta_strings;  ///< /meta string attributes
  std::map<std::string, double> meta_numbers;  ///< /meta numeric attributes (integers converted:
                                               ///< exact up to 2^53)
  /// /meta as stored: every attribute with its type (integers exact), in the file's order.
  Attributes meta;
  std::string msk_version;                ///< /@msk_version, the msk that wrote the file ("")
  std::vector<double> event_times;        ///< /events/time [s], size m
  std::vector<std::string> event_labels;  ///< /events/label, size m
  /// /state/* (optional; e.g. "final", the state an episode ended in), by name.
  std::map<std::string, StoredState> states;
  /// /stats attributes (optional: the integrator's statistics, as msk.Results.save writes them).
  Attributes stats;
};

/// Reads a results file written by Recorder, by msk.Results.save (or by any tool following the
/// format). Channel `units` attributes are required; a missing `description` reads as "", a
/// missing /events group as no events. Fixed-length and variable-length strings are both
/// accepted; a boolean attribute (as h5py writes numpy booleans) reads as the integer 0 or 1.
/// @param path  the .h5 file
/// @throws IoError naming the file, and the dataset or attribute at fault, if the file is missing,
///         is not HDF5, is not "msk-results" version 1, or is malformed: missing /time, /meta,
///         /channels, or an /events group without both its datasets, a dataset that is not a 1-D
///         floating-point (or string, for labels) array, a channel whose length differs from
///         /time's, a /meta attribute that is not a scalar string or number...
ResultsData load_results(const std::string& path);

}  // namespace msk::io
