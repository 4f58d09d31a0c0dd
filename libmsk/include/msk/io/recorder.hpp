// msk/io/recorder.hpp — writing a run's results to an HDF5 file as the run goes.
//
// The file layout (format "msk-results", version 1) is described in docs/guide/results_format.md.
// Rows are buffered in memory and written every `flush_every_rows` rows; after each flush the file
// on disk is complete and self-consistent, so a run killed between flushes (even by SIGKILL)
// leaves a file that h5py and msk::io::load_results open, holding every flushed row. A kill
// *during* a flush can damage the last chunk of some channels (see the guide for the odds).
//
// Threads: a Recorder must not be used from two threads at once. Different recorders (and
// load_results) may be used from different threads: the io module serialises its calls into the
// HDF5 library (not thread-safe unless built so) with one process-wide mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "msk/io/attributes.hpp"

namespace msk::io {

/// How a Recorder lays out and flushes its file.
struct RecorderOptions {
  /// Rows per HDF5 chunk of /time and of every channel. Bounds: [1, inf).
  std::size_t chunk_rows = 1024;
  /// Rows buffered in memory before append() writes them and flushes the file. 0 disables the
  /// automatic flush (rows are then written by flush() and close() only). Bounds: [0, inf).
  std::size_t flush_every_rows = 256;
  /// gzip (deflate) level of the channel datasets, applied after the byte shuffle. Bounds: [0, 9].
  int compression_level = 1;
};

/// One recorded quantity: a float64 column of the results file, stored at /channels/<name>.
struct ChannelInfo {
  std::string name;         ///< e.g. "muscle.BIClong.activation"; dots allowed, no '/', not "."
  std::string units;        ///< e.g. "N", "m", "1" for dimensionless
  std::string description;  ///< free text, may be empty
};

/// Writes one results file. Move-only; the destructor flushes and closes (and never throws: call
/// close() to see the errors).
class Recorder {
 public:
  /// Creates (truncates) the file and writes its whole layout with zero rows, then flushes it.
  /// @param path      file to create; an existing file is replaced
  /// @param channels  the columns, in the order append() expects their values; names unique
  /// @param options   chunking, flushing and compression
  /// @throws IoError naming the path if the file cannot be created or written
  /// @throws InvalidArgument for an empty, duplicate or malformed channel name, or bad options
  Recorder(const std::string& path, std::vector<ChannelInfo> channels,
           RecorderOptions options = {});
  ~Recorder();
  Recorder(Recorder&& other) noexcept;
  /// Closes this recorder's file (errors ignored), then takes over other's file.
  Recorder& operator=(Recorder&& other) noexcept;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Sets (or replaces) the string attribute /meta@key and flushes the file.
  /// @param key    attribute name, non-empty, e.g. "model_text"
  /// @param value  UTF-8 text without NUL characters, any length (stored as a variable-length
  ///               string, e.g. the whole model YAML)
  /// @throws InvalidArgument if the recorder is closed or the key or value is malformed
  /// @throws IoError naming the file if the attribute cannot be written
  void set_meta(const std::string& key, const std::string& value);
  /// Sets (or replaces) the float64 attribute /meta@key and flushes the file.
  /// @throws as set_meta(key, string)
  void set_meta(const std::string& key, double value);
  /// Sets (or replaces) the int64 attribute /meta@key (e.g. "seed") and flushes the file.
  /// @throws as set_meta(key, string)
  void set_meta(const std::string& key, std::int64_t value);
  /// Same as set_meta(key, std::int64_t(value)); lets `set_meta("seed", 42)` compile.
  void set_meta(const std::string& key, int value) { set_meta(key, std::int64_t{value}); }
  /// Same as set_meta(key, std::string(value)); a string literal is text, not a number.
  /// @throws InvalidArgument if value is nullptr, else as set_meta(key, string)
  void set_meta(const std::string& key, const char* value);
  /// Sets (or replaces) /meta@key from a string, integer or floating-point value.
  /// @throws as set_meta(key, string)
  void set_meta(const std::string& key, const AttributeValue& value);
  /// Writes the optional /stats group (e.g. the integrator's statistics: steps, rhs_calls),
  /// replacing one written before, with these attributes in their order; then flushes the file.
  /// @throws InvalidArgument if the recorder is closed or a name or text is malformed
  /// @throws IoError naming the file if the group cannot be written
  void set_stats(const Attributes& stats);

  /// Appends one row: a time and one value per channel. Buffered: the row reaches the file at the
  /// next flush, which happens here once `flush_every_rows` rows are buffered.
  /// @param time    simulation time [s], finite and not smaller than the previous row's
  /// @param values  n_channels() values, in the channel order given to the constructor, in each
  ///                channel's units; may be nullptr when n_channels() == 0; NaN is stored as is
  /// @throws InvalidArgument if closed, for a bad time or a null values pointer
  /// @throws IoError naming the file if an automatic flush fails
  void append(double time, const double* values);
  /// Appends one event (e.g. "perturbation onset"). Buffered until the next flush.
  /// @param time   simulation time of the event [s], finite; events need not be in time order
  /// @param label  UTF-8 text without NUL characters
  /// @throws InvalidArgument if closed or for a bad time or label
  void append_event(double time, const std::string& label);
  /// Writes (replacing) a named simulation state at /state/<name> (e.g. "final"): the datasets
  /// `names` (UTF-8) and `values` (float64) and the attribute `time` [s], then flushes the file. A
  /// later episode can start from it (read_results(...).states, state_from_named).
  /// @param name    identifier of the state, e.g. "final"
  /// @param time    simulation time of the state [s], finite
  /// @param names   state names (Model::layout().names), unique
  /// @param values  one finite value per name
  /// @throws InvalidArgument if closed or for mismatched sizes; IoError naming the file on failure
  void write_state(const std::string& name, double time, const std::vector<std::string>& names,
                   const std::vector<double>& values);
  /// Writes the buffered rows and events, extends the datasets and flushes the HDF5 file (all its
  /// metadata) to the operating system. Does nothing when nothing is buffered.
  /// @throws InvalidArgument if closed
  /// @throws IoError naming the file and dataset on failure; the recorder then refuses writes
  void flush();
  /// Flushes and closes the file. Idempotent; later writes throw InvalidArgument.
  /// @throws IoError naming the file if the last flush or the close fails (the file is closed
  ///         all the same)
  void close();

  /// Rows appended so far, including those still buffered. 0 for a moved-from recorder.
  std::size_t n_rows() const;
  /// Number of channels (values per row). 0 for a moved-from recorder.
  std::size_t n_channels() const;
  /// The file path given to the constructor; empty for a moved-from recorder.
  const std::string& path() const;

 private:
  struct Impl;
  /// The open, healthy implementation; throws InvalidArgument (moved-from, closed) or IoError
  /// (broken by an earlier I/O error) naming `call` otherwise.
  Impl& usable(const char* call);
  std::unique_ptr<Impl> impl_;
};

}  // namespace msk::io
