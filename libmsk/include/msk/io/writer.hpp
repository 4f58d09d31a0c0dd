// msk/io/writer.hpp — writing a whole results file (format "msk-results", version 1) from memory.
//
// The counterpart of load_results (reader.hpp): the same layout as a Recorder writes during a run
// (docs/guide/results_format.md), so that a file read, changed and written again stays a file of
// the one format that libmsk owns. msk.Results.save writes through it.
#pragma once

#include <string>

#include "msk/io/reader.hpp"
#include "msk/io/recorder.hpp"

namespace msk::io {

/// Writes `data` to `path` (replacing it): /time and every channel in data.channels' order, /meta
/// (data.meta, with its types; data.meta_strings and meta_numbers are ignored), /events, every
/// /state/<name>, and /stats when data.stats is not empty. The file's msk_version is this
/// library's, as for a Recorder.
/// @param path     the .h5 file to create
/// @param data     what to write; values[c] must have time.size() entries for every channel c
/// @param options  chunking and compression (rows are written at the end: flush_every_rows is
///                 ignored)
/// @throws InvalidArgument for a channel whose length differs from time's, a decreasing or
///         non-finite time, or a name or text the Recorder refuses (naming it)
/// @throws IoError naming the file if it cannot be written
void save_results(const std::string& path, const ResultsData& data, RecorderOptions options = {});

}  // namespace msk::io
