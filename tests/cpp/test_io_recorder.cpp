// Tests of msk/io/recorder.hpp: round trips through load_results, options, misuse, threads, and
// crash safety (a child process SIGKILLed between flushes leaves a readable file).
#include "msk/io/recorder.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "msk/error.hpp"
#include "msk/io/reader.hpp"

namespace {

/// Where tests make their directories: the build's test directory when CMake says so.
std::string temp_root() {
#ifdef MSK_TEST_TMP
  return std::string(MSK_TEST_TMP) + "/";
#else
  return ::testing::TempDir();
#endif
}

using msk::io::ChannelInfo;
using msk::io::load_results;
using msk::io::Recorder;
using msk::io::RecorderOptions;
using msk::io::ResultsData;

/// Each test gets a fresh temporary directory, removed afterwards.
class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = temp_root() + "msk_io_recorder_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

/// n channels named "ch.<i>" with units "u<i>".
std::vector<ChannelInfo> make_channels(std::size_t n) {
  std::vector<ChannelInfo> channels;
  for (std::size_t c = 0; c < n; ++c) {
    channels.push_back(
        {"ch." + std::to_string(c), "u" + std::to_string(c), "channel " + std::to_string(c)});
  }
  return channels;
}

/// The time of row i [s] and the value of channel c at row i: what every test writes.
double row_time(std::size_t i) {
  return 0.001 * static_cast<double>(i);
}
double row_value(std::size_t i, std::size_t c) {
  return std::sin(0.01 * static_cast<double>(i) + static_cast<double>(c)) *
         static_cast<double>(c + 1);
}
std::vector<double> row_values(std::size_t i, std::size_t n_channels) {
  std::vector<double> values(n_channels);
  for (std::size_t c = 0; c < n_channels; ++c)
    values[c] = row_value(i, c);
  return values;
}

/// Appends rows [first, last) of the standard data.
void append_rows(Recorder& recorder, std::size_t first, std::size_t last) {
  for (std::size_t i = first; i < last; ++i) {
    recorder.append(row_time(i), row_values(i, recorder.n_channels()).data());
  }
}

/// Checks that `data` holds the standard rows [0, n_rows) exactly, for n_channels channels.
void expect_standard_rows(const ResultsData& data, std::size_t n_rows, std::size_t n_channels) {
  ASSERT_EQ(data.time.size(), n_rows);
  ASSERT_EQ(data.channels.size(), n_channels);
  ASSERT_EQ(data.values.size(), n_channels);
  for (std::size_t i = 0; i < n_rows; ++i)
    ASSERT_EQ(data.time[i], row_time(i)) << "row " << i;
  for (std::size_t c = 0; c < n_channels; ++c) {
    ASSERT_EQ(data.values[c].size(), n_rows);
    for (std::size_t i = 0; i < n_rows; ++i) {
      ASSERT_EQ(data.values[c][i], row_value(i, c)) << "channel " << c << " row " << i;
    }
  }
}

TEST_F(RecorderTest, RoundTripsValuesUnitsMetaAndEvents) {
  const std::string path = file("run.h5");
  std::vector<ChannelInfo> channels = {
      {"muscle.BIClong.activation", "1", "neural activation of BIClong"},
      {"muscle.BIClong.force", "N", "tendon force"},
      {"joint.elbow.angle", "rad", ""},
  };
  {
    Recorder recorder(path, channels, {64, 100, 1});
    EXPECT_EQ(recorder.path(), path);
    EXPECT_EQ(recorder.n_channels(), 3u);
    const std::string yaml =
        "name: elbow\nmuscles:\n  - name: BIClong\n" + std::string(100000, '#');
    recorder.set_meta("model_name", "elbow");
    recorder.set_meta("model_text", yaml);
    recorder.set_meta("seed", std::int64_t{1234567890123});
    recorder.set_meta("dt", 0.001);
    recorder.set_meta("n_steps", 42);  // int overload
    append_rows(recorder, 0, 1000);
    recorder.append_event(0.25, "perturbation onset");
    recorder.append_event(0.5, "ünïcödé ✓");
    const double nan_row[3] = {std::nan(""), -0.0, 1e300};
    recorder.append(1.0, nan_row);
    EXPECT_EQ(recorder.n_rows(), 1001u);
    recorder.close();
    EXPECT_EQ(recorder.n_rows(), 1001u);

    const ResultsData data = load_results(path);
    ASSERT_EQ(data.time.size(), 1001u);
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_EQ(data.channels[c].name, channels[c].name);
      EXPECT_EQ(data.channels[c].units, channels[c].units);
      EXPECT_EQ(data.channels[c].description, channels[c].description);
      for (std::size_t i = 0; i < 1000; ++i)
        ASSERT_EQ(data.values[c][i], row_value(i, c));
    }
    EXPECT_EQ(data.time[1000], 1.0);
    EXPECT_TRUE(std::isnan(data.values[0][1000]));
    EXPECT_TRUE(std::signbit(data.values[1][1000]));
    EXPECT_EQ(data.values[2][1000], 1e300);
    EXPECT_EQ(data.meta_strings.at("model_name"), "elbow");
    EXPECT_EQ(data.meta_strings.at("model_text"), yaml);
    EXPECT_EQ(data.meta_numbers.at("seed"), 1234567890123.0);
    EXPECT_EQ(data.meta_numbers.at("dt"), 0.001);
    EXPECT_EQ(data.meta_numbers.at("n_steps"), 42.0);
    EXPECT_EQ(data.event_times, (std::vector<double>{0.25, 0.5}));
    EXPECT_EQ(data.event_labels, (std::vector<std::string>{"perturbation onset", "ünïcödé ✓"}));
  }
}

TEST_F(RecorderTest, SetMetaReplacesAnExistingKeyEvenWithAnotherType) {
  const std::string path = file("meta.h5");
  Recorder recorder(path, make_channels(1));
  recorder.set_meta("solver", "rk4");
  recorder.set_meta("solver", "dopri5");
  recorder.set_meta("seed", "not yet");
  recorder.set_meta("seed", std::int64_t{7});
  recorder.close();
  const ResultsData data = load_results(path);
  EXPECT_EQ(data.meta_strings.at("solver"), "dopri5");
  EXPECT_EQ(data.meta_strings.count("seed"), 0u);
  EXPECT_EQ(data.meta_numbers.at("seed"), 7.0);
}

TEST_F(RecorderTest, KeepsTheChannelOrderGiven) {
  const std::string path = file("order.h5");
  std::vector<ChannelInfo> channels = {{"z", "m", ""}, {"a", "m", ""}, {"m.b", "m", ""}};
  { Recorder recorder(path, channels); }
  const ResultsData data = load_results(path);
  ASSERT_EQ(data.channels.size(), 3u);
  EXPECT_EQ(data.channels[0].name, "z");
  EXPECT_EQ(data.channels[1].name, "a");
  EXPECT_EQ(data.channels[2].name, "m.b");
}

TEST_F(RecorderTest, WritesFiveHundredChannels) {
  const std::string path = file("many.h5");
  {
    Recorder recorder(path, make_channels(500), {128, 64, 1});
    append_rows(recorder, 0, 700);
  }  // the destructor flushes and closes
  const ResultsData data = load_results(path);
  expect_standard_rows(data, 700, 500);
  EXPECT_EQ(data.channels[499].name, "ch.499");
  EXPECT_EQ(data.channels[499].units, "u499");
}

TEST_F(RecorderTest, ZeroRowsGiveAnEmptyButCompleteFile) {
  const std::string path = file("empty.h5");
  { Recorder recorder(path, make_channels(4)); }
  const ResultsData data = load_results(path);
  EXPECT_TRUE(data.time.empty());
  ASSERT_EQ(data.channels.size(), 4u);
  for (const auto& values : data.values)
    EXPECT_TRUE(values.empty());
  EXPECT_EQ(data.channels[2].units, "u2");
  EXPECT_TRUE(data.event_times.empty());
  EXPECT_TRUE(data.event_labels.empty());
}

TEST_F(RecorderTest, ZeroChannelsRecordTimeOnly) {
  const std::string path = file("time_only.h5");
  {
    Recorder recorder(path, {});
    recorder.append(0.0, nullptr);
    recorder.append(0.5, nullptr);
  }
  EXPECT_EQ(load_results(path).time, (std::vector<double>{0.0, 0.5}));
}

TEST_F(RecorderTest, AutomaticFlushWritesRowsWhileOpen) {
  const std::string path = file("auto.h5");
  Recorder recorder(path, make_channels(2), {8, 10, 1});
  append_rows(recorder, 0, 25);
  EXPECT_EQ(recorder.n_rows(), 25u);
  expect_standard_rows(load_results(path), 20, 2);  // two automatic flushes of 10 rows
  recorder.flush();
  expect_standard_rows(load_results(path), 25, 2);
}

TEST_F(RecorderTest, CallsAfterCloseThrowAndCloseIsIdempotent) {
  const std::string path = file("closed.h5");
  Recorder recorder(path, make_channels(1));
  append_rows(recorder, 0, 3);
  recorder.close();
  recorder.close();
  const double value = 1.0;
  EXPECT_THROW(recorder.append(1.0, &value), msk::InvalidArgument);
  EXPECT_THROW(recorder.append_event(1.0, "late"), msk::InvalidArgument);
  EXPECT_THROW(recorder.set_meta("key", "value"), msk::InvalidArgument);
  EXPECT_THROW(recorder.flush(), msk::InvalidArgument);
  try {
    recorder.append(1.0, &value);
  } catch (const msk::InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  expect_standard_rows(load_results(path), 3, 1);
}

TEST_F(RecorderTest, NonWritablePathThrowsIoErrorNamingThePath) {
  for (const std::string& path : {file("no_such_dir/run.h5"), dir_}) {
    try {
      Recorder recorder(path, make_channels(1));
      FAIL() << "expected IoError for " << path;
    } catch (const msk::IoError& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    }
  }
}

TEST_F(RecorderTest, RejectsBadArguments) {
  const std::string path = file("bad.h5");
  using Channels = std::vector<ChannelInfo>;
  EXPECT_THROW(Recorder(path, Channels{{"", "m", ""}}), msk::InvalidArgument);
  EXPECT_THROW(Recorder(path, Channels{{"a/b", "m", ""}}), msk::InvalidArgument);
  EXPECT_THROW(Recorder(path, Channels{{".", "m", ""}}), msk::InvalidArgument);
  EXPECT_THROW(Recorder(path, Channels{{"a", "m", ""}, {"a", "N", ""}}), msk::InvalidArgument);
  EXPECT_THROW(Recorder(path, make_channels(1), {0, 256, 1}), msk::InvalidArgument);
  EXPECT_THROW(Recorder(path, make_channels(1), {1024, 256, 10}), msk::InvalidArgument);
  EXPECT_THROW(Recorder(path, make_channels(1), {1024, 256, -1}), msk::InvalidArgument);

  Recorder recorder(path, make_channels(2));
  const double values[2] = {1.0, 2.0};
  recorder.append(1.0, values);
  recorder.append(1.0, values);  // equal times are allowed
  EXPECT_THROW(recorder.append(0.5, values), msk::InvalidArgument);
  EXPECT_THROW(recorder.append(std::nan(""), values), msk::InvalidArgument);
  EXPECT_THROW(recorder.append(INFINITY, values), msk::InvalidArgument);
  EXPECT_THROW(recorder.append(2.0, nullptr), msk::InvalidArgument);
  EXPECT_THROW(recorder.append_event(std::nan(""), "x"), msk::InvalidArgument);
  EXPECT_THROW(recorder.append_event(1.0, std::string("a\0b", 3)), msk::InvalidArgument);
  EXPECT_THROW(recorder.set_meta("", "x"), msk::InvalidArgument);
  EXPECT_THROW(recorder.set_meta("", 1.0), msk::InvalidArgument);
  EXPECT_THROW(recorder.set_meta("k", static_cast<const char*>(nullptr)), msk::InvalidArgument);
  EXPECT_EQ(recorder.n_rows(), 2u);
  recorder.close();
  EXPECT_EQ(load_results(path).time.size(), 2u);
}

TEST_F(RecorderTest, MoveTransfersTheFile) {
  const std::string first = file("first.h5");
  const std::string second = file("second.h5");
  Recorder a(first, make_channels(1));
  append_rows(a, 0, 5);
  Recorder b(std::move(a));
  EXPECT_EQ(b.path(), first);
  EXPECT_EQ(b.n_rows(), 5u);
  EXPECT_EQ(a.n_rows(), 0u);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(a.path(), "");
  EXPECT_THROW(a.flush(), msk::InvalidArgument);
  a.close();  // a no-op on a moved-from recorder

  Recorder c(second, make_channels(1));
  append_rows(c, 0, 7);
  c = std::move(b);  // closes second.h5 (with its 7 rows), takes over first.h5
  expect_standard_rows(load_results(second), 7, 1);
  append_rows(c, 5, 9);
  c.close();
  expect_standard_rows(load_results(first), 9, 1);
}

// ---- library code never prints; HDF5 calls are serialised ----

/// Runs `body` with stderr redirected to a file; returns what was written to stderr.
template <class Body>
std::string capture_stderr(const std::string& capture_path, Body body) {
  std::fflush(stderr);
  const int saved = dup(2);
  FILE* capture = std::fopen(capture_path.c_str(), "w");
  dup2(fileno(capture), 2);
  body();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::fclose(capture);
  std::ifstream in(capture_path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(RecorderTest, FailuresPrintNothingAndKeepTheHostsHdf5ErrorSetting) {
  H5E_auto2_t host_func = nullptr;
  void* host_data = nullptr;
  ASSERT_GE(H5Eget_auto2(H5E_DEFAULT, &host_func, &host_data), 0);
  ASSERT_NE(host_func, nullptr);  // HDF5 prints by default

  std::ofstream(file("text.h5")) << "not hdf5";
  const std::string printed = capture_stderr(file("stderr.txt"), [&] {
    EXPECT_THROW(Recorder(file("missing_dir/x.h5"), make_channels(1)), msk::IoError);
    EXPECT_THROW(load_results(file("missing.h5")), msk::IoError);
    EXPECT_THROW(load_results(file("text.h5")), msk::IoError);
    EXPECT_THROW(load_results(dir_), msk::IoError);
  });
  EXPECT_EQ(printed, "");

  H5E_auto2_t after_func = nullptr;
  void* after_data = nullptr;
  ASSERT_GE(H5Eget_auto2(H5E_DEFAULT, &after_func, &after_data), 0);
  EXPECT_EQ(after_func, host_func);
  EXPECT_EQ(after_data, host_data);
}

TEST_F(RecorderTest, RecordersOnSeveralThreadsDoNotInterfere) {
  // The HDF5 library is not thread-safe; the io module's mutex must serialise these.
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kRows = 3000;
  {
    Recorder reference(file("reference.h5"), make_channels(3));
    append_rows(reference, 0, kRows);
  }
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads + 1);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        Recorder recorder(file("thread" + std::to_string(t) + ".h5"), make_channels(3),
                          {32, 16, 1});
        append_rows(recorder, 0, kRows);
        recorder.set_meta("thread", static_cast<std::int64_t>(t));
        recorder.close();
      } catch (const std::exception& error) {
        errors[t] = error.what();
      }
    });
  }
  threads.emplace_back([&] {
    try {
      for (int k = 0; k < 20; ++k)
        load_results(file("reference.h5"));
    } catch (const std::exception& error) {
      errors[kThreads] = error.what();
    }
  });
  for (std::thread& thread : threads)
    thread.join();
  for (const std::string& error : errors)
    EXPECT_EQ(error, "");
  for (std::size_t t = 0; t < kThreads; ++t) {
    expect_standard_rows(load_results(file("thread" + std::to_string(t) + ".h5")), kRows, 3);
  }
}

// ---- crash safety ----

/// One way to kill a writer: it writes and flushes `flushed_rows` rows (calling flush() every
/// `flush_every` rows), signals, then keeps appending unflushed rows until SIGKILLed
/// `delay_after_signal` later.
struct CrashScenario {
  std::size_t flushed_rows;
  std::size_t flush_every;
  std::size_t chunk_rows;
  std::chrono::microseconds delay_after_signal;
};

constexpr std::size_t kCrashChannels = 6;

/// The child's side: never returns.
[[noreturn]] void run_writer_until_killed(const std::string& path, const CrashScenario& scenario,
                                          int signal_fd) {
  try {
    Recorder recorder(path, make_channels(kCrashChannels), {scenario.chunk_rows, 0, 1});
    recorder.set_meta("model_name", "crash test");
    for (std::size_t i = 0; i < scenario.flushed_rows; ++i) {
      recorder.append(row_time(i), row_values(i, kCrashChannels).data());
      if ((i + 1) % scenario.flush_every == 0) recorder.flush();
      if (i == scenario.flushed_rows / 2) recorder.append_event(row_time(i), "half way");
    }
    recorder.flush();
    const char flushed = 'F';
    if (write(signal_fd, &flushed, 1) != 1) _exit(3);
    // Keep appending rows that are never flushed (flush_every_rows = 0), at a bounded pace.
    for (std::size_t i = scenario.flushed_rows;; ++i) {
      recorder.append(row_time(i), row_values(i, kCrashChannels).data());
      if (i % 256 == 0) usleep(100);
      if (i > scenario.flushed_rows + 5'000'000) pause();
    }
  } catch (...) {
    _exit(2);
  }
}

/// Forks a writer, waits for its signal, kills it with SIGKILL; returns false if the child did
/// not get as far as the signal.
bool fork_write_and_kill(const std::string& path, const CrashScenario& scenario) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  const pid_t pid = fork();
  if (pid < 0) {  // never kill(-1, ...): that would signal every process we may signal
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    close(fds[0]);
    run_writer_until_killed(path, scenario, fds[1]);
  }
  close(fds[1]);
  pollfd wait_for = {fds[0], POLLIN, 0};
  char flushed = 0;
  const bool signalled = poll(&wait_for, 1, 30000) == 1 && read(fds[0], &flushed, 1) == 1;
  close(fds[0]);
  if (signalled) std::this_thread::sleep_for(scenario.delay_after_signal);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return signalled && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST_F(RecorderTest, ProcessKilledBetweenFlushesLeavesEveryFlushedRow) {
  using std::chrono::microseconds;
  const std::vector<CrashScenario> scenarios = {
      {0, 1, 1024, microseconds(0)},             // killed right after the constructor's flush
      {1, 1, 1024, microseconds(1000)},          // one row, in a partly filled chunk
      {1000, 100, 1024, microseconds(0)},        // ten flushes rewriting one compressed chunk
      {1000, 100, 1024, microseconds(5000)},     // ... with unflushed rows piling up for 5 ms
      {4096, 256, 1024, microseconds(2000)},     // chunk-aligned
      {5000, 256, 64, microseconds(20000)},      // many small chunks: B-tree node splits
      {20000, 3000, 1024, microseconds(50000)},  // a larger file, long unflushed tail
      {777, 7, 16, microseconds(10000)},         // many flushes, many chunks
  };
  for (std::size_t k = 0; k < scenarios.size(); ++k) {
    const CrashScenario& scenario = scenarios[k];
    SCOPED_TRACE("scenario " + std::to_string(k) + ": " + std::to_string(scenario.flushed_rows) +
                 " rows flushed");
    const std::string path = file("crash" + std::to_string(k) + ".h5");
    ASSERT_TRUE(fork_write_and_kill(path, scenario));

    const ResultsData data = load_results(path);
    // Exactly the flushed rows: nothing after the last flush reached the file.
    expect_standard_rows(data, scenario.flushed_rows, kCrashChannels);
    EXPECT_EQ(data.meta_strings.at("model_name"), "crash test");
    EXPECT_EQ(data.event_labels.size(), scenario.flushed_rows > 0 ? 1u : 0u);
  }
}

}  // namespace
