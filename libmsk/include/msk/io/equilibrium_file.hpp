// msk/io/equilibrium_file.hpp — equilibrium files (format "msk-equilibrium", version 1): solved
// postures of one or more model variants ("labels"), written one posture at a time.
//
// The layout is described in docs/guide/results_format.md ("Equilibrium files"). It is the
// layout `msk run` has written since equilibrium files exist, so every file written by an
// earlier msk reads here. A posture that failed is stored as its posture and an error message,
// without tables. Make the record of a solved posture with make_stored_equilibrium
// (msk/sim/equilibrium_tables.hpp), or fill the tables yourself.
//
// Every structural fault is an IoError naming the file and the dataset or attribute, in the form
// "FILE: OBJECT: expected EXPECTED, got GOT". Threads: as the results files (recorder.hpp): one
// writer per thread at a time; calls into HDF5 are serialised by the io module's one mutex.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "msk/io/attributes.hpp"
#include "msk/io/table.hpp"

namespace msk::io {

/// Value of the root attribute `format` of an equilibrium file.
inline constexpr const char* kEquilibriumFormat = "msk-equilibrium";
/// The `format_version` written, and the highest one read.
inline constexpr int kEquilibriumFormatVersion = 1;

/// A posture as equilibrium files store it: the fields of Python's msk.Posture, in its units
/// (degrees, kilograms, metres). Fields without a value are left out of the file.
/// stored_posture() and to_posture() (msk/sim/equilibrium_tables.hpp) convert from and to
/// msk::Posture (SI units).
struct StoredPosture {
  std::string name = "custom";
  std::string orientation = "upright";  ///< "upright", "supine", "prone" or "side"
  double pelvic_tilt_deg = 0.0;         ///< anterior pelvic tilt [deg]
  double lumbar_flexion_deg = 0.0;      ///< [deg]
  double thoracic_flexion_deg = 0.0;    ///< [deg]
  double neck_flexion_deg = 0.0;        ///< [deg]
  double head_flexion_deg = 0.0;        ///< [deg]
  double hip_flexion_deg = 0.0;         ///< [deg]
  /// Per level, its flexion [deg], in the order given (stored as a JSON object).
  std::vector<std::pair<std::string, double>> level_flexion_deg;
  double load_kg = 0.0;                   ///< mass held in the hands [kg]
  std::optional<double> hand_distance_m;  ///< [m]; none: the arms hang
  double hand_height_m = 0.0;             ///< [m]
  std::optional<double> hydration;        ///< disc fluid content [1]; none: the model's
  std::optional<bool> supported;          ///< a support carries the weight; none: when lying
  std::string source;                     ///< where the kinematics come from
  // The task (the task mode, docs/theory/posture.md §3.9). Files without them read as these
  // defaults (msk 0.2 and earlier did not store them).
  std::string support;                      ///< "", "feet", "seat" or "bed" ("": from orientation)
  std::optional<double> thigh_flexion_deg;  ///< thigh inclination [deg]; none: the preset's rule
  double knee_flexion_deg = 0.0;            ///< [deg]
  std::optional<double> trunk_flexion_deg;  ///< trunk inclination task [deg]; none: free
  std::optional<double> gaze_flexion_deg;   ///< gaze inclination task [deg]; none: free
  bool instructed = false;                  ///< the posture preference acts (an instructed task)
  bool balance = false;                     ///< the thighs found by balance over the feet
  double hold_duration_s = 600.0;           ///< how long the posture is held [s]
};

/// One posture of an equilibrium file: /equilibrium/<label>/<posture.name>.
struct StoredEquilibrium {
  std::string label = "default";  ///< the model variant; non-empty, no '/'
  StoredPosture posture;          ///< posture.name names the group; non-empty, no '/'
  std::string mode = "rhythm";    ///< "fixed", "rhythm" or "relaxed"
  /// Why the posture failed (the muscles cannot hold it, or the core refused one of its values);
  /// empty for a solved posture. A failed posture stores nothing below.
  std::string error;

  double effort = 0.0;     ///< sum of squared voluntary activations [1]
  double stature_m = 0.0;  ///< standing height of the subject [m]
  /// One row per level (index "level", bottom up), per muscle ("muscle", model order), per
  /// muscle group ("group") and per level again for the ligament tensions [N] ("level").
  Table levels, muscles, groups, ligaments;
  std::vector<std::string> joint_names;        ///< coordinates, size n_joints
  std::vector<double> joint_angle_deg;         ///< where the equilibrium ended [deg], size n_joints
  std::vector<std::string> body_names;         ///< the model's bodies, size n_bodies
  std::vector<std::string> segment_bodies;     ///< the body above each level, size n_levels
  std::vector<Eigen::Vector3d> joint_origin;   ///< joint centre per body, ground frame [m]
  std::vector<Eigen::Vector3d> body_position;  ///< origin of each body frame, ground frame [m]
  std::vector<Eigen::Matrix3d> body_rotation;  ///< body-to-ground rotation per body [1]
  /// Per muscle (in the order of `muscles`): its path points, ground frame [m].
  std::vector<std::vector<Eigen::Vector3d>> muscle_path;
  std::vector<std::string> load_body;                 ///< body each external point load acts on
  std::vector<Eigen::Vector3d> load_point;            ///< point of application, body frame [m]
  std::vector<Eigen::Vector3d> load_force;            ///< force, ground frame [N]
  Eigen::Vector3d gravity = Eigen::Vector3d::Zero();  ///< ground frame [m/s^2]

  bool failed() const { return !error.empty(); }
};

/// One model variant of an equilibrium file: /equilibrium/<name>.
struct EquilibriumLabel {
  std::string name = "default";       ///< non-empty, no '/'
  std::string model_name;             ///< the variant's model
  std::string model_text;             ///< its YAML after overrides (load_model_text rebuilds it)
  std::string overrides_json = "{}";  ///< the overrides that made it, as a JSON object
};

/// The whole content of an equilibrium file.
struct EquilibriumFileData {
  std::string msk_version;  ///< /@msk_version: the msk that wrote the file ("" when absent)
  int format_version = kEquilibriumFormatVersion;  ///< /@format_version
  /// /meta: kind ("equilibrium"), msk_version, model_name, model_file, model_text, run_file,
  /// run_text, mode, overrides, labels, postures (the last three JSON), in the file's order.
  Attributes meta;
  std::vector<EquilibriumLabel> labels;  ///< in file order
  /// Every posture, label by label, each label's postures in file order; failed ones have
  /// `error` set and no tables.
  std::vector<StoredEquilibrium> equilibria;
};

/// Writes an equilibrium file one posture at a time, flushing the file after each, so that an
/// error or a kill later on keeps every posture written before it. Move-only; the destructor
/// closes the file (and never throws: call close() to see the errors).
class EquilibriumWriter {
 public:
  /// Creates (truncates) the file and writes the root attributes (format, format_version,
  /// msk_version), /meta and an empty /equilibrium, then flushes it.
  /// @param path  file to create; an existing file is replaced
  /// @param meta  /meta attributes, in order; `kind` and `msk_version` are set by the writer
  ///              (given values for them are ignored)
  /// @throws IoError naming the path if the file cannot be created or written
  /// @throws InvalidArgument for an empty or duplicate attribute name, or text with a NUL
  explicit EquilibriumWriter(const std::string& path, const Attributes& meta = {});
  ~EquilibriumWriter();
  EquilibriumWriter(EquilibriumWriter&& other) noexcept;
  EquilibriumWriter& operator=(EquilibriumWriter&& other) noexcept;
  EquilibriumWriter(const EquilibriumWriter&) = delete;
  EquilibriumWriter& operator=(const EquilibriumWriter&) = delete;

  /// Creates /equilibrium/<label.name> with the variant's model and overrides.
  /// @throws InvalidArgument for a bad name or one written before, or if closed
  /// @throws IoError naming the file on failure
  void add_label(const EquilibriumLabel& label);
  /// Writes one posture under /equilibrium/<label>/<posture name> (creating the label with empty
  /// model fields if add_label was not called for it), then flushes the file. A failed posture
  /// (error set) is written as its posture attributes and the error.
  /// @throws InvalidArgument for a bad name, a posture written twice under its label, tables
  ///         that do not validate or geometry of mismatched sizes (nothing is written then), or
  ///         if closed
  /// @throws IoError naming the file and object on failure
  void add(const StoredEquilibrium& equilibrium);
  /// Closes the file. Idempotent; later writes throw InvalidArgument.
  /// @throws IoError naming the file if the close fails
  void close();
  /// The file path given to the constructor; empty for a moved-from writer.
  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes a whole equilibrium file (replacing `path`): the labels first (those named by the
/// equilibria but not in `labels` get empty model fields), then every equilibrium in order.
/// @throws as EquilibriumWriter
void save_equilibria(const std::string& path, const std::vector<StoredEquilibrium>& equilibria,
                     const Attributes& meta = {}, const std::vector<EquilibriumLabel>& labels = {});

/// Reads an equilibrium file written by EquilibriumWriter, by msk.spine.save or by `msk run`
/// (any version since the format exists).
/// @throws IoError naming the file, and the object at fault: a missing file, not HDF5, not an
///         equilibrium file (/meta@kind is not "equilibrium", or no /equilibrium group), a newer
///         format_version, a missing or mistyped dataset, or sizes that do not match
EquilibriumFileData load_equilibria(const std::string& path);

/// Whether `path` is an equilibrium file (an HDF5 file whose /meta@kind is "equilibrium").
/// False for anything else, including a missing or unreadable file. Never throws.
bool is_equilibrium_file(const std::string& path) noexcept;

/// Whether `name` can name a label or a posture of an equilibrium file: non-empty, not only
/// spaces, without '/', and neither "." nor "..".
bool is_valid_equilibrium_name(const std::string& name);

}  // namespace msk::io
