// msk/sim/protocol.hpp — what happens during an episode: a sequence of phases.
//
// A protocol is data (read from YAML or JSON). expand_protocol() resolves joint and muscle names
// against a Model and expands compound phases (PIR) into elementary ones.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "msk/io/time_series.hpp"
#include "msk/model/model.hpp"

namespace msk {

/// How a field of a phase is written in a protocol.
enum class PhaseFieldKind {
  Number,       ///< a finite number in [low, high] (or (low, high] when low_open), in `unit`
  WholeNumber,  ///< a whole number in [low, high]
  Name,         ///< a joint (coordinate) or spinal region name
  Names,        ///< a non-empty list of distinct muscle names
  Excitations,  ///< a mapping of muscle name to excitation in [low, high]
  Path,         ///< a file path (relative to the protocol's directory)
  Text,         ///< free text
  Flag          ///< yes or no
};

/// "number", "whole_number", "name", "names", "excitations", "path", "text" or "flag".
const char* phase_field_kind_name(PhaseFieldKind kind);

/// One field of a phase type: the one description of what a protocol may write, used by
/// parse_protocol and, through the bindings, by Python's msk.protocols.
struct PhaseField {
  std::string name;  ///< as written, e.g. "duration"
  PhaseFieldKind kind = PhaseFieldKind::Number;
  std::string unit;       ///< "s", "deg", "deg/s", "% MVC", "N m", "1" or "" (names, text)
  bool required = false;  ///< a phase of this type must give it
  /// Value when the phase does not give it (Number, WholeNumber); NaN for the other fields.
  double default_value = std::numeric_limits<double>::quiet_NaN();
  double low = -std::numeric_limits<double>::infinity();  ///< range (Number, WholeNumber,
  double high = std::numeric_limits<double>::infinity();  ///< Excitations)
  bool low_open = false;                                  ///< true: low itself is outside the range
  std::string description;                                ///< one line
};

/// One phase type: its name, what it does, and its fields (besides "type").
struct PhaseType {
  std::string name;  ///< rest, voluntary, hold, ramp, isometric, passive_stretch, pir
  std::string description;
  std::vector<PhaseField> fields;
};

/// Every phase type a protocol may use, in the order the documentation lists them.
const std::vector<PhaseType>& phase_types();

/// One phase as written in the file (names unresolved). Defaults are those of phase_types().
struct PhaseSpec {
  std::string type;       ///< rest, voluntary, hold, ramp, isometric, passive_stretch, pir
  double duration = 0.0;  ///< [s] (rest, voluntary, hold, isometric)
  std::string joint;      ///< coordinate name (hold, ramp, isometric, stretch, pir)
  /// Instead of joint: a spinal region (the `region:` of the model's levels, e.g. "lumbar"),
  /// moved as a whole by the levels' rhythm while every other coordinate is held.
  std::string region;
  /// Whether the examiner also holds every coordinate the phase does not move (-1: the default,
  /// yes for a region, no for a joint).
  int hold_others = -1;
  std::vector<std::string> muscles;          ///< isometric, passive_stretch, pir
  std::map<std::string, double> excitation;  ///< voluntary: muscle -> excitation [1]
  /// voluntary: excitations over time instead (OpenSim .sto or CSV, columns named after muscles,
  /// time relative to the phase start), read when the protocol is parsed. Path as written.
  std::string excitation_file;
  io::TimeSeries excitation_series;  ///< its content (empty without excitation_file)
  double rise_s = 0.05;              ///< ramp-up of voluntary excitation [s] (isometric: 0.2)
  double to_deg = 0.0;               ///< ramp target [deg]
  double speed_deg_s = 5.0;          ///< ramp or stretch speed [deg/s]
  double effort_pct_mvc = 20.0;      ///< isometric effort [% MVC]
  /// The examiner's barrier torque [N m]: the resisting torque a stretch stops at, which is the
  /// torque the person tolerates at baseline (the stretch-tolerance law scales it, see
  /// Phase::barrier_torque).
  double barrier_torque = 2.0;
  /// End-feel: the resisting stiffness the barrier also needs [N m/deg] (0: torque alone).
  double barrier_stiffness_nm_per_deg = 0.0;
  double max_duration = 60.0;  ///< passive_stretch time limit [s]
  int cycles = 3;              ///< pir
  double contraction_s = 5.0;  ///< pir contraction time [s]
  double relaxation_s = 2.0;   ///< pir relaxation time [s]
  int line = 0;                ///< line in the protocol text
};

/// A protocol as written.
struct Protocol {
  std::map<std::string, double> initial_angles_deg;  ///< coordinate -> angle [deg]
  std::vector<PhaseSpec> phases;
  std::string text;  ///< source text
  std::string file;  ///< source name
};

/// Parses a protocol from YAML or JSON text: {initial: {angles_deg: {...}}, phases: [...]}; each
/// phase as phase_types() describes it (fields, ranges, defaults).
/// An excitation_file is read now, relative to the directory of `file` when `file` is a path
/// (else to the working directory).
/// @throws ModelError naming file, line and field (an unreadable or malformed excitation file
///         too)
Protocol parse_protocol(const std::string& text, const std::string& file = "<protocol>");

/// An elementary phase, resolved against a model.
///
/// The examiner moves the coordinates in `driven` together, coordinate d at speed * weight[d]
/// (a joint: one coordinate of weight 1; a region: its levels' coordinates, weighted by their
/// rhythm, weights summing to 1), and holds those in `held` still; the others move freely. The
/// phase's angle is the sum of the driven coordinates (a region's total flexion) and its resisting
/// torque sum_d weight[d] T_d, the torque conjugate to that angle.
struct Phase {
  enum class Kind { Free, Drive };  ///< Free: coordinates move under dynamics
  std::string type;                 ///< as in PhaseSpec (never "pir")
  std::string label;                ///< event label recorded at the start ("" for none)
  double duration = 0.0;            ///< [s]; for stretches the time limit
  std::string target_name;          ///< the joint or region the phase works on ("" for none)
  bool is_region = false;           ///< target_name is a region
  std::vector<int> driven;          ///< coordinates the examiner moves (hold: holds) together
  std::vector<double> weight;       ///< share of the motion per driven coordinate [1]
  std::vector<int> held;            ///< coordinates the examiner holds still besides
  double speed = 0.0;               ///< driven speed [rad/s] (sign set at run time for stretches)
  double target = 0.0;              ///< ramp target: the phase's angle [rad]
  std::vector<double> voluntary;    ///< voluntary excitation per muscle [1], size n_muscles
  /// Voluntary excitation over time (phase type voluntary with an excitation_file): times since
  /// the phase start [s] and, per time, one excitation per muscle [1], row-major
  /// (excitation_time.size() x n_muscles), linearly interpolated, held before the first and after
  /// the last time. Empty otherwise.
  std::vector<double> excitation_time;
  std::vector<double> excitation_table;
  double rise_s = 0.05;        ///< [s]
  std::vector<int> stretched;  ///< muscles whose lengthening defines the stretch direction
  /// The examiner's barrier torque T_b [N m], > 0 for stretches: a stretch ends where the
  /// resisting torque reaches T_b times the stretched muscles' stretch tolerance
  /// (data.stretch_tolerance: 1 at baseline; averaged with weights their share of the resisting
  /// torque) and its stiffness reaches barrier_stiffness.
  double barrier_torque = 0.0;
  double barrier_stiffness = 0.0;  ///< end-feel stiffness the barrier needs [N m/rad] (0: none)
};

/// Resolves names and expands PIR into [stretch to barrier] + cycles x [isometric contraction,
/// relaxation hold, stretch to the new barrier].
/// @throws ModelError naming the protocol field for unknown joints, regions or muscles
std::vector<Phase> expand_protocol(const Model& model, const Protocol& protocol);

}  // namespace msk
