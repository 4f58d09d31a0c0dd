// msk/error.hpp — the typed errors of msk.
//
// Every error names its culprit: a model error the file, line, field path and what was expected; a
// simulation error the time, channel and law. Each maps one-to-one to a Python exception
// (msk.Error, msk.ModelError, msk.SimulationError, msk.EquilibriumError, msk.IoError,
// msk.InvalidArgument).
#pragma once

#include <stdexcept>
#include <string>

namespace msk {

/// Base of every error msk throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A model, run or scenario file (or an override) is malformed.
/// `what()` reads "FILE:LINE: FIELD: expected EXPECTED, got GOT".
class ModelError : public Error {
 public:
  /// @param file      file name, or "<string>" / "<overrides>" for in-memory text
  /// @param line      1-based line number, 0 when unknown
  /// @param field     dotted field path, e.g. "muscles[2].max_isometric_force"
  /// @param expected  what a valid value looks like
  /// @param got       what was found (may be empty)
  ModelError(std::string file, int line, std::string field, std::string expected, std::string got)
      : Error(format(file, line, field, expected, got)),
        file_(std::move(file)),
        line_(line),
        field_(std::move(field)),
        expected_(std::move(expected)),
        got_(std::move(got)) {}

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& field() const { return field_; }
  const std::string& expected() const { return expected_; }
  const std::string& got() const { return got_; }

 private:
  static std::string format(const std::string& file, int line, const std::string& field,
                            const std::string& expected, const std::string& got) {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    s += ": " + (field.empty() ? std::string("<document>") : field) + ": expected " + expected;
    if (!got.empty()) s += ", got " + got;
    return s;
  }
  std::string file_;
  int line_;
  std::string field_;
  std::string expected_;
  std::string got_;
};

/// The integration failed: non-finite state, step-size underflow, step limit.
/// `what()` reads "t = TIME s: CHANNEL (LAW): MESSAGE".
class SimulationError : public Error {
 public:
  /// @param time     simulation time of the fault [s]
  /// @param channel  the state or output channel at fault, e.g. "muscle.BIClong.activation"
  /// @param law      the law that computes it, e.g. "activation_thelen2003"
  /// @param message  what went wrong
  SimulationError(double time, std::string channel, std::string law, const std::string& message)
      : Error("t = " + std::to_string(time) + " s: " + channel + " (" + law + "): " + message),
        time_(time),
        channel_(std::move(channel)),
        law_(std::move(law)) {}

  double time() const { return time_; }
  const std::string& channel() const { return channel_; }
  const std::string& law() const { return law_; }

 private:
  double time_;
  std::string channel_;
  std::string law_;
};

/// A posture cannot be held: at some level even the strongest activation of the muscles that
/// cross it (with the passive tissues) leaves a moment unbalanced.
/// `what()` reads "posture POSTURE: level LEVEL: MESSAGE".
class EquilibriumError : public Error {
 public:
  /// @param posture         the posture's name
  /// @param level           the level (segment), or a joint as "NAME (of BODY)", that cannot be
  ///                        balanced
  /// @param missing_moment  moment still unbalanced at full effort [N m] (flexion positive)
  /// @param message         what went wrong
  EquilibriumError(std::string posture, std::string level, double missing_moment,
                   const std::string& message)
      : Error("posture " + posture + ": " +
              (level.find(" (of ") == std::string::npos ? "level " : "joint ") + level + ": " +
              message),
        posture_(std::move(posture)),
        level_(std::move(level)),
        missing_moment_(missing_moment) {}

  const std::string& posture() const { return posture_; }
  const std::string& level() const { return level_; }
  double missing_moment() const { return missing_moment_; }

 private:
  std::string posture_;
  std::string level_;
  double missing_moment_;
};

/// Reading or writing a results file failed.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(message) {}
};

/// A function was called with an argument out of its domain (wrong size, NaN, negative...).
/// Messages follow "ARGUMENT: expected EXPECTED, got GOT".
class InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& message) : Error(message) {}
};

}  // namespace msk
