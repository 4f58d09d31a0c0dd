#include "msk/sim/lifetime.hpp"

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "msk/error.hpp"
#include "msk/io/reader.hpp"
#include "msk/io/recorder.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/kinematics.hpp"

namespace msk {

namespace odeint = boost::numeric::odeint;

namespace {

constexpr double kDay = 86400.0;      // [s]
constexpr double kGravity = 9.80665;  // [m/s^2]

/// What the slow laws need from one posture's equilibrium.
struct PostureLoads {
  std::vector<double> compression, disc_force, load_pressure, facet_force, facet_share;
  std::vector<double> foramen_height, nerve_root_risk, stenosis;  // per level
  std::vector<double> activation, fibre_ratio;                    // per muscle
};

/// A text key of a posture's every field (the cache key within a snapshot).
std::string posture_key(const Posture& p) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s|%s|%d|%.12g|%.12g|%.12g|%.12g|%.12g|%.12g|%.12g|%.12g|%.12g",
                p.name.c_str(), p.orientation.c_str(), p.supported ? 1 : 0, p.pelvic_tilt,
                p.lumbar_flexion, p.thoracic_flexion, p.neck_flexion, p.head_flexion, p.hip_flexion,
                p.load_mass, p.hand_distance, p.hand_height);
  std::string key = buf;
  for (const auto& [level, angle] : p.level_flexion) {
    std::snprintf(buf, sizeof buf, "|%s=%.12g", level.c_str(), angle);
    key += buf;
  }
  return key;
}

/// Fibre lengths [m] of every muscle at coordinates q (rigid tendon, the original parameters).
std::vector<double> fibre_lengths(const Model& model, const Eigen::VectorXd& q, Data& data) {
  compute_kinematics(model, q, data);
  compute_muscle_geometry(model, Eigen::VectorXd::Zero(model.n_dofs()), data);
  std::vector<double> out(static_cast<std::size_t>(model.n_muscles()));
  muscle::MuscleTendonState s;
  for (int i = 0; i < model.n_muscles(); ++i) {
    const auto& mp = model.muscle_params()[static_cast<std::size_t>(i)];
    muscle::compute_rigid_tendon(mp, data.mtu_length[i], 0.0, 0.0, s);
    out[static_cast<std::size_t>(i)] = s.fibre_length;
  }
  return out;
}

/// Muscle indices of names that are muscles or groups. @throws InvalidArgument
std::vector<int> resolve_muscles(const Model& model, const std::vector<std::string>& names,
                                 const std::string& where) {
  std::set<int> out;
  for (const std::string& n : names) {
    if (const int m = model.find_muscle(n); m >= 0) {
      out.insert(m);
    } else if (const int g = model.find_group(n); g >= 0) {
      for (int i : model.group_muscles()[static_cast<std::size_t>(g)])
        out.insert(i);
    } else {
      throw InvalidArgument(where + ": expected a muscle or group of model " + model.name() +
                            ", got " + n);
    }
  }
  return {out.begin(), out.end()};
}

/// An intervention resolved against the model.
struct Programme {
  const Intervention* spec = nullptr;
  std::vector<int> muscles;
  /// Per treated muscle: its outcome entry (index into spec->outcome.muscles) or -1.
  std::vector<int> outcome;
  int rest_day = -1;  ///< index of the rest day template
  Posture retrained;  ///< posture_retraining: the preset taught
};

bool active_on(const Intervention& iv, int day) {
  if (day < iv.first_day || (iv.last_day >= 0 && day > iv.last_day)) return false;
  return (day - iv.first_day) % iv.every_days == 0;
}

/// The run: model snapshots, the cache, the slow state and the day's accumulators.
class LifetimeRun {
 public:
  LifetimeRun(const Model& model, const Scenario& scenario, const LifetimeOptions& options)
      : base_(model), scenario_(scenario), opt_(options), data_(make_data(model)) {
    ns_ = model.n_segments();
    nm_ = model.n_muscles();
    check_options();
    resolve_programmes();
    resolve_parameters();
    // Initial slow state: the model's hydration, no creep, the model's sarcomeres.
    x_.assign(static_cast<std::size_t>(2 * ns_ + nm_), 0.0);
    for (int k = 0; k < ns_; ++k)
      x_[static_cast<std::size_t>(k)] = model.segment_hydration()[static_cast<std::size_t>(k)];
    for (int i = 0; i < nm_; ++i)
      x_[static_cast<std::size_t>(2 * ns_ + i)] = 1.0;
    tolerance_.assign(static_cast<std::size_t>(nm_), 0.0);
    tolerance_tau_.assign(static_cast<std::size_t>(nm_), 0.0);
    resting_.assign(static_cast<std::size_t>(nm_), 0.0);
    resting_tau_.assign(static_cast<std::size_t>(nm_), 0.0);
    tone_shift_.assign(static_cast<std::size_t>(nm_), 0.0);
    fatigue_.assign(static_cast<std::size_t>(ns_), 0.0);
    for (int k = 0; k < ns_; ++k)
      degeneration0_.push_back(model.segment_params()[static_cast<std::size_t>(k)].degeneration);
    degeneration_ = degeneration0_;
    damage_.assign(static_cast<std::size_t>(ns_), opt_.damage);
    strength_n_.assign(static_cast<std::size_t>(nm_), 1.0);
    strength_m_.assign(static_cast<std::size_t>(nm_), 1.0);
    adapted_n_ = strength_n_;
    adapted_m_ = strength_m_;
    select_snapshot();
    // Reference fibre lengths: relaxed standing at the initial state.
    const EquilibriumResult ref = solve(posture_preset("standing_relaxed"), 0.0, "reference");
    reference_fibre_ = fibre_lengths(base_, ref.q, data_);
    habitual_.assign(static_cast<std::size_t>(nm_), 1.0);
    if (opt_.adapted_to == "scenario") adapt_to_week();
    strength_use_references();
  }

  LifetimeResult run() {
    const int n_days = static_cast<int>(std::lround(opt_.duration_days));
    std::unique_ptr<io::Recorder> recorder;
    std::vector<double> row;
    LifetimeResult result;
    result.path = opt_.out;
    int first_day = 0;
    // Resume: the finished days and the checkpoint of the file go into a new file (written
    // beside it and renamed over it at the end, so a kill during the resumed run leaves the
    // old file as it was).
    std::string writing = opt_.out;
    if (!opt_.out.empty() && opt_.resume && std::filesystem::exists(opt_.out)) {
      const io::ResultsData old = io::load_results(opt_.out);
      check_resumable(old);
      writing = opt_.out + ".resuming";
      recorder = open_recorder(writing);
      first_day = restore(old.states.at(kCheckpoint));
      for (int d = 0; d < first_day; ++d) {
        row.clear();
        for (const auto& column : old.values)
          row.push_back(column[static_cast<std::size_t>(d)]);
        recorder->append(old.time[static_cast<std::size_t>(d)], row.data());
      }
    } else if (!opt_.out.empty()) {
      recorder = open_recorder(writing);
    }
    if (first_day > n_days)
      throw InvalidArgument("duration_days: expected at least the " + std::to_string(first_day) +
                            " days of the file to resume, got " + std::to_string(n_days));
    auto last_flush = std::chrono::steady_clock::now();
    const std::uint64_t seed =
        opt_.seed >= 0 ? static_cast<std::uint64_t>(opt_.seed) : scenario_.seed;
    result.n_days = first_day;
    for (int day = first_day; day < n_days; ++day) {
      simulate_day(day, seed);
      if (recorder) {
        fill_row(row);
        recorder->append((day + 1) * kDay, row.data());
        // Flush at most every flush_interval_s of wall time (a flush rewrites every channel's
        // last chunk and the file's metadata), with the checkpoint of the day.
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last_flush).count() >= opt_.flush_interval_s) {
          write_checkpoint(*recorder, day + 1);
          last_flush = now;
        }
      }
      result.n_days = day + 1;
      if (opt_.progress && !opt_.progress(day + 1, n_days)) {
        result.stopped = true;
        break;
      }
    }
    if (recorder) write_checkpoint(*recorder, result.n_days);
    if (recorder) {
      recorder->set_meta("n_days", static_cast<std::int64_t>(result.n_days));
      recorder->close();
      if (writing != opt_.out) std::filesystem::rename(writing, opt_.out);
    }
    for (int k = 0; k < ns_; ++k) {
      result.hydration.push_back(x_[static_cast<std::size_t>(k)]);
      result.creep.push_back(x_[static_cast<std::size_t>(ns_ + k)]);
    }
    result.fatigue_damage = fatigue_;
    result.degeneration = degeneration_;
    for (int i = 0; i < nm_; ++i)
      result.optimal_length_ratio.push_back(x_[static_cast<std::size_t>(2 * ns_ + i)]);
    result.tolerance = tolerance_;
    for (int i = 0; i < nm_; ++i)
      result.strength_ratio.push_back(strength(i));
    result.lifft_damage = lifft_;
    result.last_day_stature_loss = day_.stature_evening - day_.stature_morning;
    result.n_equilibria = n_equilibria_;
    result.n_cache_hits = n_cache_hits_;
    result.n_snapshots = n_snapshots_;
    return result;
  }

 private:
  // ---- set-up ----

  void check_options() const {
    if (!(opt_.duration_days >= 1.0) || opt_.duration_days > 36500.0 ||
        std::abs(opt_.duration_days - std::round(opt_.duration_days)) > 1e-9)
      throw InvalidArgument("duration_days: expected a whole number of days in [1, 36500], got " +
                            std::to_string(opt_.duration_days));
    laws::validate(opt_.disc);
    laws::validate(opt_.sarcomere);
    laws::validate(opt_.damage);
    laws::validate(opt_.sessions);
    laws::validate(opt_.strength);
    laws::validate(opt_.degeneration);
    if (!(opt_.degeneration_bucket > 0.0 && opt_.degeneration_bucket <= 0.5))
      throw InvalidArgument("degeneration_bucket: expected in (0, 0.5], got " +
                            std::to_string(opt_.degeneration_bucket));
    if (!(opt_.stature_factor > 0.0 && opt_.stature_factor < 100.0))
      throw InvalidArgument("stature_factor: expected in (0, 100), got " +
                            std::to_string(opt_.stature_factor));
    if (!(opt_.hydration_bucket > 0.0 && opt_.hydration_bucket <= 0.5))
      throw InvalidArgument("hydration_bucket: expected in (0, 0.5], got " +
                            std::to_string(opt_.hydration_bucket));
    if (!(opt_.flush_interval_s >= 0.0 && opt_.flush_interval_s <= 86400.0))
      throw InvalidArgument("flush_interval_s: expected in [0, 86400] s, got " +
                            std::to_string(opt_.flush_interval_s));
    if (!(opt_.length_bucket > 0.0 && opt_.length_bucket <= 0.5))
      throw InvalidArgument("length_bucket: expected in (0, 0.5], got " +
                            std::to_string(opt_.length_bucket));
    if (!(opt_.strength_bucket > 0.0 && opt_.strength_bucket <= 0.5))
      throw InvalidArgument("strength_bucket: expected in (0, 0.5], got " +
                            std::to_string(opt_.strength_bucket));
    if (ns_ == 0)
      throw InvalidArgument("model: expected a model with spinal levels, got " + base_.name() +
                            " (no segments)");
    if (scenario_.days.empty()) throw InvalidArgument("scenario: expected day templates, got none");
    if (opt_.adapted_to != "scenario" && opt_.adapted_to != "standing")
      throw InvalidArgument("adapted_to: expected scenario or standing, got " + opt_.adapted_to);
  }

  void resolve_programmes() {
    for (std::size_t j = 0; j < opt_.interventions.size(); ++j) {
      const Intervention& iv = opt_.interventions[j];
      const std::string where = "interventions[" + std::to_string(j) + "]";
      Programme p;
      p.spec = &iv;
      if (iv.every_days < 1)
        throw InvalidArgument(where + ".every_days: expected >= 1, got " +
                              std::to_string(iv.every_days));
      if (iv.first_day < 0)
        throw InvalidArgument(where + ".first_day: expected >= 0, got " +
                              std::to_string(iv.first_day));
      if (iv.kind == "rest") {
        for (std::size_t d = 0; d < scenario_.days.size(); ++d)
          if (scenario_.days[d].name == iv.rest_day) p.rest_day = static_cast<int>(d);
        if (p.rest_day < 0)
          throw InvalidArgument(where + ".rest_day: expected a day template of scenario " +
                                scenario_.name + ", got " + iv.rest_day);
      } else if (iv.kind == "pir" || iv.kind == "stretch" || iv.kind == "strengthen") {
        if (iv.muscles.empty())
          throw InvalidArgument(where + ".muscles: expected muscles or groups, got none");
        if (!(iv.duration > 0.0 && iv.duration < kDay / 2))
          throw InvalidArgument(where + ".duration: expected in (0, 43200) s, got " +
                                std::to_string(iv.duration));
        if (iv.kind == "strengthen" && !(iv.intensity > 0.0 && iv.intensity <= 1.0))
          throw InvalidArgument(where + ".intensity: expected in (0, 1] (fraction of MVC), got " +
                                std::to_string(iv.intensity));
        p.muscles = resolve_muscles(base_, iv.muscles, where + ".muscles");
        for (int m : p.muscles) {
          int found = -1;
          for (std::size_t o = 0; o < iv.outcome.muscles.size(); ++o)
            if (iv.outcome.muscles[o].muscle == base_.muscle_names()[static_cast<std::size_t>(m)])
              found = static_cast<int>(o);
          p.outcome.push_back(found);
        }
      } else if (iv.kind == "posture_retraining") {
        const std::vector<std::string> names = posture_preset_names();
        for (const auto& [field, value] :
             {std::pair<const char*, const std::string&>{"from_posture", iv.from_posture},
              {"to_posture", iv.to_posture}})
          if (std::find(names.begin(), names.end(), value) == names.end())
            throw InvalidArgument(where + "." + field + ": expected a posture preset, got '" +
                                  value + "'");
        if (!(iv.fraction >= 0.0 && iv.fraction <= 1.0))
          throw InvalidArgument(where + ".fraction: expected in [0, 1], got " +
                                std::to_string(iv.fraction));
        p.retrained = posture_preset(iv.to_posture);
      } else {
        throw InvalidArgument(where +
                              ".kind: expected pir, stretch, strengthen, posture_retraining or "
                              "rest, got " +
                              iv.kind);
      }
      programmes_.push_back(std::move(p));
    }
  }

  void resolve_parameters() {
    for (int k = 0; k < ns_; ++k) {
      const std::string s = "segments." + base_.segment_names()[static_cast<std::size_t>(k)];
      hydration_ref_.push_back(base_.parameter(s + ".hydration"));
      degeneration_ref_.push_back(base_.parameter(s + ".degeneration"));
    }
    for (int i = 0; i < nm_; ++i) {
      const std::string m = "muscles." + base_.muscle_names()[static_cast<std::size_t>(i)];
      length_ref_.push_back(base_.parameter(m + ".optimal_fibre_length"));
      force_ref_.push_back(base_.parameter(m + ".max_isometric_force"));
      try {
        tone_ref_.push_back(base_.parameter(m + ".tone.threshold_offset"));
        tone_base_.push_back(base_.parameter_value(tone_ref_.back()));
        has_tone_.push_back(true);
      } catch (const Error&) {
        tone_ref_.emplace_back();
        tone_base_.push_back(0.0);
        has_tone_.push_back(false);
      }
    }
  }

  std::unique_ptr<io::Recorder> open_recorder(const std::string& path) {
    std::vector<io::ChannelInfo> channels;
    for (const LifetimeChannel& c : lifetime_channels(base_, opt_.record_muscles))
      channels.push_back({c.name, c.units, c.description});
    io::RecorderOptions ro;
    ro.chunk_rows = 64;
    ro.flush_every_rows = 4096;  // and run() flushes every flush_interval_s
    auto r = std::make_unique<io::Recorder>(path, channels, ro);
    r->set_meta("kind", "lifetime");
    r->set_meta("model", base_.name());
    r->set_meta("model_text", base_.text());
    r->set_meta("scenario", scenario_.name);
    r->set_meta("scenario_text", scenario_.text);
    r->set_meta("seed", static_cast<std::int64_t>(opt_.seed >= 0
                                                      ? opt_.seed
                                                      : static_cast<std::int64_t>(scenario_.seed)));
    r->set_meta("duration_days", opt_.duration_days);
    r->set_meta("stature_factor", opt_.stature_factor);
    r->set_meta("time_units", "s (end of each day)");
    return r;
  }

  // ---- checkpoints ----

  static constexpr const char* kCheckpoint = "lifetime_checkpoint";

  /// The slow state and everything the next days depend on, by name.
  void checkpoint(std::vector<std::string>& names, std::vector<double>& values, int days) const {
    names.clear();
    values.clear();
    const auto put = [&](std::string name, double value) {
      names.push_back(std::move(name));
      values.push_back(value);
    };
    put("run.days", days);
    put("run.time", t_);
    put("run.muscle_snapshot", static_cast<double>(muscle_snap_id_));
    put("body.lifft_damage", lifft_);
    for (int k = 0; k < ns_; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      const std::string p = "level." + base_.segment_names()[kk] + ".";
      put(p + "hydration", x_[kk]);
      put(p + "creep", x_[kk + static_cast<std::size_t>(ns_)]);
      put(p + "fatigue_damage", fatigue_[kk]);
      put(p + "degeneration", degeneration_[kk]);
    }
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      const std::string p = "muscle." + base_.muscle_names()[ii] + ".";
      put(p + "optimal_length_ratio", x_[static_cast<std::size_t>(2 * ns_) + ii]);
      put(p + "tolerance", tolerance_[ii]);
      put(p + "tolerance_time_constant", tolerance_tau_[ii]);
      put(p + "resting_length_change", resting_[ii]);
      put(p + "resting_time_constant", resting_tau_[ii]);
      put(p + "tone_shift", tone_shift_[ii]);
      put(p + "snapshot_ratio", muscle_snap_rho_.empty() ? 1.0 : muscle_snap_rho_[ii]);
      put(p + "snapshot_tone_shift", muscle_snap_tone_.empty() ? 0.0 : muscle_snap_tone_[ii]);
      put(p + "strength_neural", strength_n_[ii]);
      put(p + "strength_morphological", strength_m_[ii]);
      put(p + "snapshot_strength", muscle_snap_strength_.empty() ? 1.0 : muscle_snap_strength_[ii]);
    }
  }

  /// Flushes the rows, then writes the checkpoint of the first `days` days (which flushes it).
  void write_checkpoint(io::Recorder& recorder, int days) {
    // The rows first: a kill between the two leaves a checkpoint older than the rows, and a
    // resumed run keeps only the rows the checkpoint covers.
    recorder.flush();
    checkpoint(ck_names_, ck_values_, days);
    recorder.write_state(kCheckpoint, days * kDay, ck_names_, ck_values_);
  }

  /// Checks that a file can be resumed by this run. @throws InvalidArgument naming what differs
  void check_resumable(const io::ResultsData& old) const {
    const auto meta = [&](const char* key) {
      const auto it = old.meta_strings.find(key);
      return it == old.meta_strings.end() ? std::string() : it->second;
    };
    const std::string where = "resume: " + opt_.out + ": ";
    if (meta("kind") != "lifetime")
      throw InvalidArgument(where + "expected a lifetime results file, got kind '" + meta("kind") +
                            "'");
    if (meta("model_text") != base_.text())
      throw InvalidArgument(where + "expected the same model, got model " + meta("model"));
    if (meta("scenario_text") != scenario_.text)
      throw InvalidArgument(where + "expected the same scenario, got " + meta("scenario"));
    const auto seed = old.meta_numbers.find("seed");
    const double expected =
        static_cast<double>(opt_.seed >= 0 ? opt_.seed : static_cast<std::int64_t>(scenario_.seed));
    if (seed == old.meta_numbers.end() || seed->second != expected)
      throw InvalidArgument(where + "expected the same seed");
    if (old.states.count(kCheckpoint) == 0)
      throw InvalidArgument(where + "expected a checkpoint (/state/" + kCheckpoint + "), got none");
    std::vector<std::string> names;
    std::vector<double> values;
    checkpoint(names, values, 0);
    if (old.states.at(kCheckpoint).names != names)
      throw InvalidArgument(where + "expected the checkpoint of this model, got other names");
    const auto& channels = lifetime_channels(base_, opt_.record_muscles);
    if (old.channels.size() != channels.size())
      throw InvalidArgument(where + "expected " + std::to_string(channels.size()) +
                            " channels (record_muscles as before), got " +
                            std::to_string(old.channels.size()));
  }

  /// Restores the checkpoint; returns the days it holds.
  int restore(const io::StoredState& state) {
    std::size_t j = 0;
    const auto next = [&]() { return state.values[j++]; };
    const int days = static_cast<int>(next());
    t_ = next();
    muscle_snap_id_ = static_cast<long>(next());
    lifft_ = next();
    for (int k = 0; k < ns_; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      x_[kk] = next();
      x_[kk + static_cast<std::size_t>(ns_)] = next();
      fatigue_[kk] = next();
      degeneration_[kk] = next();
    }
    muscle_snap_rho_.assign(static_cast<std::size_t>(nm_), 1.0);
    muscle_snap_tone_.assign(static_cast<std::size_t>(nm_), 0.0);
    muscle_snap_strength_.assign(static_cast<std::size_t>(nm_), 1.0);
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      x_[static_cast<std::size_t>(2 * ns_) + ii] = next();
      tolerance_[ii] = next();
      tolerance_tau_[ii] = next();
      resting_[ii] = next();
      resting_tau_[ii] = next();
      tone_shift_[ii] = next();
      muscle_snap_rho_[ii] = next();
      muscle_snap_tone_[ii] = next();
      strength_n_[ii] = next();
      strength_m_[ii] = next();
      muscle_snap_strength_[ii] = next();
    }
    models_.clear();
    cache_.clear();
    snapshot_.reset();
    snapshot_key_.clear();
    return days;
  }

  // ---- equilibria: snapshot and cache ----

  double& H(int k) { return x_[static_cast<std::size_t>(k)]; }
  double& U(int k) { return x_[static_cast<std::size_t>(ns_ + k)]; }
  double& rho(int i) { return x_[static_cast<std::size_t>(2 * ns_ + i)]; }
  /// The centre of the strength bucket muscle i's strength ratio is in (what its snapshot
  /// applies).
  double strength_centre(int i) const {
    return static_cast<double>(std::lround(strength(i) / opt_.strength_bucket)) *
           opt_.strength_bucket;
  }
  /// F_max / F_max,0 of muscle i: its compartments relative to the adapted state.
  double strength(int i) const {
    const auto ii = static_cast<std::size_t>(i);
    return strength_n_[ii] * strength_m_[ii] / (adapted_n_[ii] * adapted_m_[ii]);
  }

  /// The snapshot of the current slow state. Hydration: each level's rounded to its bucket's
  /// centre. Muscles: the optimal length ratios and (H20) tone shifts of the muscle snapshot,
  /// which is renewed (every muscle at once) when any ratio has moved more than length_bucket
  /// from it, any tone shift more than a quarter of that [L_opt], or any strength ratio into
  /// another strength_bucket (the snapshot applies the bucket's centre: an unchanged week's few
  /// percent apply none). The snapshot's model comes
  /// from the model cache (made by with_parameters on first use). Sets snapshot_ and
  /// snapshot_key_.
  void select_snapshot() {
    // Renew the muscle snapshot when a muscle left its bucket.
    bool renew = muscle_snap_rho_.empty();
    for (int i = 0; i < nm_ && !renew; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      renew = std::abs(rho(i) - muscle_snap_rho_[ii]) > opt_.length_bucket ||
              std::abs(tone_shift_[ii] - muscle_snap_tone_[ii]) > 0.25 * opt_.length_bucket ||
              strength_centre(i) != muscle_snap_strength_[ii];
    }
    if (renew) {
      muscle_snap_rho_.assign(x_.begin() + 2 * ns_, x_.end());
      muscle_snap_tone_ = tone_shift_;
      muscle_snap_strength_.resize(static_cast<std::size_t>(nm_));
      for (int i = 0; i < nm_; ++i)
        muscle_snap_strength_[static_cast<std::size_t>(i)] = strength_centre(i);
      ++muscle_snap_id_;
      // The equilibria of earlier muscle snapshots are not used again: free them.
      models_.clear();
      cache_.clear();
    }
    std::string key = "m" + std::to_string(muscle_snap_id_) + ",";
    std::vector<std::pair<ParameterRef, double>> changes;
    for (int k = 0; k < ns_; ++k) {
      const long b = std::lround(H(k) / opt_.hydration_bucket);
      key += "h" + std::to_string(b) + ",";
      changes.emplace_back(hydration_ref_[static_cast<std::size_t>(k)],
                           std::clamp(static_cast<double>(b) * opt_.hydration_bucket, 0.01, 2.0));
      // H23: the model's degeneration index plus its change rounded to the bucket's centre.
      const auto kk = static_cast<std::size_t>(k);
      const long d =
          std::lround((degeneration_[kk] - degeneration0_[kk]) / opt_.degeneration_bucket);
      if (d != 0) {
        key += "d" + std::to_string(d) + ",";
        changes.emplace_back(
            degeneration_ref_[kk],
            std::clamp(degeneration0_[kk] + static_cast<double>(d) * opt_.degeneration_bucket, 0.0,
                       1.0));
      }
    }
    if (key == snapshot_key_ && snapshot_) return;
    snapshot_key_ = key;
    if (const auto it = models_.find(key); it != models_.end()) {
      snapshot_ = it->second;
      return;
    }
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      if (muscle_snap_rho_[ii] != 1.0)
        changes.emplace_back(length_ref_[ii],
                             base_.muscle_params()[ii].optimal_fibre_length * muscle_snap_rho_[ii]);
      if (has_tone_[ii] && muscle_snap_tone_[ii] != 0.0)
        changes.emplace_back(tone_ref_[ii], tone_base_[ii] + muscle_snap_tone_[ii]);
      if (muscle_snap_strength_[ii] != 1.0)
        changes.emplace_back(force_ref_[ii], base_.muscle_params()[ii].max_isometric_force *
                                                 muscle_snap_strength_[ii]);
    }
    // Bounded memory: forget every snapshot (and its equilibria) when the caches are full.
    if (models_.size() >= kMaxSnapshots) {
      models_.clear();
      cache_.clear();
    }
    snapshot_ = std::make_shared<Model>(base_.with_parameters(changes));
    models_.emplace(key, snapshot_);
    ++n_snapshots_;
  }

  EquilibriumResult solve(const Posture& pose, double t, const std::string& what) {
    try {
      ++n_equilibria_;
      return solve_equilibrium(*snapshot_, pose, opt_.equilibrium);
    } catch (const Error& e) {
      throw SimulationError(t, what + " (" + pose.name + ")", "equilibrium", e.what());
    }
  }

  const PostureLoads& loads(const Posture& pose, double t, const std::string& what) {
    select_snapshot();
    const std::string key = snapshot_key_ + "|" + posture_key(pose);
    if (const auto it = cache_.find(key); it != cache_.end()) {
      ++n_cache_hits_;
      return it->second;
    }
    const EquilibriumResult r = solve(pose, t, what);
    PostureLoads L;
    for (int k = 0; k < ns_; ++k) {
      const spine::SegmentLoads& s = r.segments[static_cast<std::size_t>(k)];
      L.compression.push_back(s.compression);
      L.disc_force.push_back(s.disc_force);
      L.load_pressure.push_back(s.load_pressure);
      L.facet_force.push_back(s.facet_force);
      L.facet_share.push_back(s.facet_share);
      L.foramen_height.push_back(s.foramen_height);
      L.nerve_root_risk.push_back(s.nerve_root_risk);
      L.stenosis.push_back(s.stenosis_foramen ? 1.0 : 0.0);
    }
    const std::vector<double> l = fibre_lengths(base_, r.q, data_);
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      L.activation.push_back(r.activation[i]);
      L.fibre_ratio.push_back(l[ii] / reference_fibre_[ii]);
    }
    return cache_.emplace(key, std::move(L)).first->second;
  }

  // ---- integration ----

  /// Integrates the slow state over `duration` [s] under constant loads; `cycles` load cycles.
  void period(const PostureLoads& L, double duration, double cycles) {
    if (duration <= 0.0) return;
    // Fibre ratios with the carried-over resting length (fixed over the period).
    fibre_.resize(static_cast<std::size_t>(nm_));
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      fibre_[ii] = (L.fibre_ratio[ii] + resting_[ii] / reference_fibre_[ii]) / habitual_[ii];
    }
    if (collecting_) {
      week_duration_.push_back(duration);
      for (int i = 0; i < nm_; ++i)
        week_activation_[static_cast<std::size_t>(i)].push_back(
            L.activation[static_cast<std::size_t>(i)]);
    }
    // Disc fluid (nonlinear): Dormand-Prince 5(4) with error control over the period.
    hydration_.assign(x_.begin(), x_.begin() + ns_);
    const auto rhs = [&](const std::vector<double>& h, std::vector<double>& dh, double) {
      dh.resize(h.size());
      for (std::size_t k = 0; k < h.size(); ++k)
        dh[k] = laws::disc_fluid_rate(opt_.disc, L.load_pressure[k], h[k]);
    };
    odeint::integrate_adaptive(
        odeint::make_controlled(opt_.absolute_tolerance, opt_.relative_tolerance,
                                odeint::runge_kutta_dopri5<std::vector<double>>()),
        rhs, hydration_, 0.0, duration, std::min(duration, 60.0));
    std::copy(hydration_.begin(), hydration_.end(), x_.begin());
    // Creep and sarcomere number are linear with constant coefficients within the period: their
    // exact solution x(T) = x* + (x(0) - x*) exp(-T / tau_eff).
    for (int k = 0; k < ns_; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      const double target = opt_.disc.creep_compliance * std::max(L.disc_force[kk], 0.0);
      U(k) = target + (U(k) - target) * std::exp(-duration / opt_.disc.creep_time_constant);
    }
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      rho(i) = laws::sarcomere_ratio_after(opt_.sarcomere, rho(i), fibre_[ii], L.activation[ii],
                                           duration);
      if (spinning_) continue;
      const laws::StrengthAdaptationParams& sp = strength_params_[ii];
      strength_n_[ii] =
          laws::strength_ratio_after(sp, laws::StrengthCompartment::Neural, strength_n_[ii],
                                     L.activation[ii], use_ref_[ii], duration);
      strength_m_[ii] =
          laws::strength_ratio_after(sp, laws::StrengthCompartment::Morphological, strength_m_[ii],
                                     L.activation[ii], use_ref_[ii], duration);
      if (!std::isfinite(strength_n_[ii]) || !std::isfinite(strength_m_[ii]))
        throw SimulationError(t_, "muscle " + base_.muscle_names()[ii], "lifetime",
                              "the strength state is not finite");
    }
    for (std::size_t j = 0; j < x_.size(); ++j)
      if (!std::isfinite(x_[j]))
        throw SimulationError(t_, j < static_cast<std::size_t>(2 * ns_) ? "disc" : "muscle",
                              "lifetime", "the slow state is not finite");
    // Doses, damage and the day's extremes.
    for (int k = 0; k < ns_; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      day_.sustained[kk] += L.compression[kk] * duration;
      day_.facet[kk] += L.facet_force[kk] * duration;
      day_.facet_share[kk] += L.facet_share[kk] * duration;
      day_.risk_time[kk] += L.nerve_root_risk[kk] * duration;
      day_.stenosis_time[kk] += L.stenosis[kk] * duration;
      day_.foramen_min[kk] = std::min(day_.foramen_min[kk], L.foramen_height[kk]);
      day_.compression_max[kk] = std::max(day_.compression_max[kk], L.compression[kk]);
      day_.pressure_max[kk] = std::max(day_.pressure_max[kk], L.load_pressure[kk]);
      day_.hydration_min[kk] = std::min(day_.hydration_min[kk], H(k));
      // The level's strength falls with its degeneration (H23); the degeneration grows with the
      // period's fatigue damage and sustained load.
      damage_[kk].ultimate_strength =
          opt_.damage.ultimate_strength *
          laws::degeneration_strength_factor(opt_.degeneration, degeneration_[kk]);
      const double miner = cycles * laws::fatigue_damage_per_cycle(damage_[kk], L.compression[kk]);
      fatigue_[kk] += miner;
      if (!spinning_)
        degeneration_[kk] = laws::degeneration_after(opt_.degeneration, degeneration_[kk], miner,
                                                     L.compression[kk], duration);
    }
    // Carried-over session effects decay.
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      // The day's time integral of the decaying tolerance: T tau (1 - exp(-d / tau)).
      day_.tolerance[ii] += tolerance_[ii] * tolerance_tau_[ii] *
                            (1.0 - laws::carry_over(duration, tolerance_tau_[ii]));
      tolerance_[ii] *= laws::carry_over(duration, tolerance_tau_[ii]);
      resting_[ii] *= laws::carry_over(duration, resting_tau_[ii]);
      tone_shift_[ii] *= laws::carry_over(duration, opt_.sessions.tone_setpoint_time_constant);
    }
    t_ += duration;
  }

  double stature_loss() {
    double s = 0.0;
    for (int k = 0; k < ns_; ++k)
      s += base_.segment_params()[static_cast<std::size_t>(k)].disc.fluid_height * (1.0 - H(k)) +
           U(k);
    return opt_.stature_factor * s;
  }

  /// A session: `duration` at the first awake bout's posture with the treated muscles relaxed
  /// and stretched; then its outcome is carried over.
  void session(const Programme& p, const Posture& pose, const std::string& what) {
    PostureLoads L = loads(pose, t_, what);
    if (p.spec->kind == "strengthen") {
      // Loaded contractions: the treated muscles at the programme's intensity, at the bout's
      // posture (the spine's loads stay the posture's: the exercise's own are not modelled).
      for (int m : p.muscles)
        L.activation[static_cast<std::size_t>(m)] = p.spec->intensity;
      period(L, p.spec->duration, 0.0);
      return;
    }
    for (int m : p.muscles) {
      L.fibre_ratio[static_cast<std::size_t>(m)] = opt_.sessions.stretch_fibre_ratio;
      L.activation[static_cast<std::size_t>(m)] = 0.0;
    }
    period(L, p.spec->duration, 0.0);
    for (std::size_t j = 0; j < p.muscles.size(); ++j) {
      const auto m = static_cast<std::size_t>(p.muscles[j]);
      if (p.outcome[j] >= 0) {
        const MuscleOutcome& o = p.spec->outcome.muscles[static_cast<std::size_t>(p.outcome[j])];
        tolerance_[m] += o.tolerance_change;
        tolerance_tau_[m] = laws::time_constant_from_lasts(o.tolerance_lasts_s);
        resting_[m] += o.resting_length_change;
        resting_tau_[m] = laws::time_constant_from_lasts(o.passive_lasts_s);
      }
      if (p.spec->kind == "pir" && has_tone_[m] && opt_.sessions.tone_setpoint > 0.0)
        tone_shift_[m] += opt_.sessions.tone_setpoint * opt_.sessions.tone_setpoint_step;
    }
  }

  void simulate_day(int day, std::uint64_t seed) {
    // The day's bouts: a rest day's template, or the scenario's week with its variation.
    std::vector<Bout> bouts;
    for (const Programme& p : programmes_)
      if (p.rest_day >= 0 && active_on(*p.spec, day))
        bouts = scenario_.days[static_cast<std::size_t>(p.rest_day)].bouts;
    if (bouts.empty()) bouts = scenario_day(scenario_, day, seed);
    // Posture retraining: a share of every held bout in the retrained preset moves to the taught
    // one (the bout is split: the first part as it was, then the rest in the new posture).
    for (const Programme& p : programmes_) {
      if (p.spec->kind != "posture_retraining" || !active_on(*p.spec, day)) continue;
      std::vector<Bout> changed;
      for (const Bout& b : bouts) {
        if (b.repetitions > 0 || b.sleep || b.posture != p.spec->from_posture ||
            p.spec->fraction <= 0.0) {
          changed.push_back(b);
          continue;
        }
        Bout kept = b, taught = b;
        kept.duration = (1.0 - p.spec->fraction) * b.duration;
        taught.duration = b.duration - kept.duration;
        taught.posture = p.spec->to_posture;
        taught.pose = p.retrained;
        taught.label = b.label + " (retrained)";
        if (kept.duration > 0.0) changed.push_back(kept);
        changed.push_back(taught);
      }
      bouts = std::move(changed);
    }
    day_.reset(ns_);
    day_.reset_muscles(nm_);
    day_.stature_morning = stature_loss();
    for (int k = 0; k < ns_; ++k)
      day_.hydration_morning[static_cast<std::size_t>(k)] = H(k);
    day_.stature_evening = std::numeric_limits<double>::quiet_NaN();
    // Sessions come out of the first awake bout.
    std::size_t first_awake = 0;
    while (first_awake < bouts.size() && bouts[first_awake].sleep)
      ++first_awake;
    if (first_awake == bouts.size()) first_awake = 0;
    const std::string tag = "day " + std::to_string(day) + ", ";
    for (const Programme& p : programmes_) {
      if (p.rest_day >= 0 || p.spec->kind == "posture_retraining" || !active_on(*p.spec, day))
        continue;
      Bout& b = bouts[first_awake];
      const double take = std::min(p.spec->duration, 0.5 * b.duration);
      b.duration -= take;
      session(p, b.pose, tag + p.spec->kind + " session");
    }
    for (const Bout& b : bouts) {
      if (b.sleep && std::isnan(day_.stature_evening)) {
        day_.stature_evening = stature_loss();
        for (int k = 0; k < ns_; ++k)
          day_.creep_evening[static_cast<std::size_t>(k)] = U(k);
      }
      const std::string what = tag + "bout " + b.label;
      if (b.repetitions > 0) {
        const double lifting = b.repetitions * b.cycle;
        period(loads(b.pose, t_, what), lifting, b.repetitions);
        period(loads(b.between_pose, t_, what), b.duration - lifting, 1.0);
        if (b.pose.load_mass > 0.0 && std::isfinite(b.pose.hand_distance)) {
          const double dose =
              b.repetitions * laws::lifft_damage_per_lift(
                                  opt_.damage, b.pose.load_mass * kGravity * b.pose.hand_distance);
          lifft_ += dose;
          day_.lifft += dose;
        }
      } else {
        period(loads(b.pose, t_, what), b.duration, 1.0);
      }
    }
    if (std::isnan(day_.stature_evening)) {
      day_.stature_evening = stature_loss();
      for (int k = 0; k < ns_; ++k)
        day_.creep_evening[static_cast<std::size_t>(k)] = U(k);
    }
  }

  /// Calls f(loads, duration) for every period of the scenario's week (its templates, no
  /// variation, no sessions), with the loads at the current snapshot.
  template <class F>
  void for_each_week_period(F&& f) {
    for (int d = 0; d < 7; ++d) {
      const ScenarioDay& day = scenario_.days[static_cast<std::size_t>(scenario_.week[d])];
      for (const Bout& b : day.bouts) {
        const std::string what = "week template " + day.name + ", bout " + b.label;
        if (b.repetitions > 0) {
          f(loads(b.pose, 0.0, what), b.repetitions * b.cycle);
          f(loads(b.between_pose, 0.0, what), b.duration - b.repetitions * b.cycle);
        } else {
          f(loads(b.pose, 0.0, what), b.duration);
        }
      }
    }
  }

  /// The weighted mean fibre ratio of every muscle over the scenario's week, with the sarcomere
  /// law's weights: the habitual length the model's muscles are taken to be adapted to.
  void adapt_to_week() {
    std::vector<double> sum(static_cast<std::size_t>(nm_), 0.0), weight(sum);
    for_each_week_period([&](const PostureLoads& L, double duration) {
      for (int i = 0; i < nm_; ++i) {
        const auto ii = static_cast<std::size_t>(i);
        const double w = laws::sarcomere_weight(opt_.sarcomere, L.activation[ii]) * duration;
        sum[ii] += w * L.fibre_ratio[ii];
        weight[ii] += w;
      }
    });
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      habitual_[ii] = sum[ii] / weight[ii];
    }
  }

  /// Each muscle's habitual use u_ref (the use target averages 1 over the week), training
  /// threshold (overload above its habitual peak) and adapted compartments (the week's own
  /// training holds them there), whatever `adapted_to`: the model's strength is that of the
  /// adapted state, where the compartments start. The activations are those the person lives
  /// with: the second of two weeks of the scenario's templates (no variation, no sessions)
  /// simulated from the initial state, which is then restored (the disc's fluid changes the
  /// muscles' activations, and a rested disc's are not the week's).
  void strength_use_references() {
    const auto n = static_cast<std::size_t>(nm_);
    use_ref_.assign(n, 1.0);
    strength_params_.assign(n, opt_.strength);
    if (opt_.strength.enabled <= 0.0) return;
    // Spin-up: two weeks of templates; the strength law is still (spinning_).
    const std::vector<double> x = x_, fatigue = fatigue_, degeneration = degeneration_,
                              tolerance = tolerance_, tolerance_tau = tolerance_tau_,
                              resting = resting_, resting_tau = resting_tau_, tone = tone_shift_,
                              snap_rho = muscle_snap_rho_, snap_tone = muscle_snap_tone_,
                              snap_strength = muscle_snap_strength_;
    const double t = t_;
    const long snap_id = muscle_snap_id_;
    spinning_ = true;
    week_activation_.assign(n, {});
    week_duration_.clear();
    for (int d = 0; d < 14; ++d) {
      const ScenarioDay& day = scenario_.days[static_cast<std::size_t>(scenario_.week[d % 7])];
      day_.reset(ns_);
      day_.reset_muscles(nm_);
      collecting_ = d >= 7;
      for (const Bout& b : day.bouts) {
        const std::string what =
            "strength reference, day " + std::to_string(d) + ", bout " + b.label;
        if (b.repetitions > 0) {
          const double lifting = b.repetitions * b.cycle;
          period(loads(b.pose, t_, what), lifting, 0.0);
          period(loads(b.between_pose, t_, what), b.duration - lifting, 0.0);
        } else {
          period(loads(b.pose, t_, what), b.duration, 0.0);
        }
      }
    }
    spinning_ = collecting_ = false;
    x_ = x;
    fatigue_ = fatigue;
    degeneration_ = degeneration;
    tolerance_ = tolerance;
    tolerance_tau_ = tolerance_tau;
    resting_ = resting;
    resting_tau_ = resting_tau;
    tone_shift_ = tone;
    t_ = t;
    if (muscle_snap_id_ != snap_id) {
      // The muscles moved out of their snapshot in the spin-up: back to the initial one.
      muscle_snap_rho_ = snap_rho;
      muscle_snap_tone_ = snap_tone;
      muscle_snap_strength_ = snap_strength;
      muscle_snap_id_ = snap_id;
      models_.clear();
      cache_.clear();
      snapshot_.reset();
      snapshot_key_.clear();
    }
    select_snapshot();
    for (int i = 0; i < nm_; ++i) {
      const auto ii = static_cast<std::size_t>(i);
      const std::vector<double>& a = week_activation_[ii];
      double peak = 0.0;
      for (std::size_t j = 0; j < a.size(); ++j)
        if (week_duration_[j] > 0.0) peak = std::max(peak, a[j]);
      laws::StrengthAdaptationParams& p = strength_params_[ii];
      p.training_threshold = laws::strength_training_threshold(opt_.strength, peak);
      use_ref_[ii] = laws::strength_use_reference(p, a, week_duration_);
      adapted_n_[ii] = laws::strength_adapted_ratio(p, laws::StrengthCompartment::Neural, a,
                                                    week_duration_, use_ref_[ii]);
      adapted_m_[ii] = laws::strength_adapted_ratio(p, laws::StrengthCompartment::Morphological, a,
                                                    week_duration_, use_ref_[ii]);
    }
    week_activation_.clear();
    week_duration_.clear();
    strength_n_ = adapted_n_;
    strength_m_ = adapted_m_;
  }

  // ---- recording ----

  void fill_row(std::vector<double>& row) {
    row.clear();
    row.push_back(day_.stature_morning);
    row.push_back(day_.stature_evening);
    row.push_back(day_.stature_evening - day_.stature_morning);
    row.push_back(day_.lifft);
    row.push_back(laws::lifft_high_risk_probability(opt_.damage, day_.lifft));
    for (int k = 0; k < ns_; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      const double fh = base_.segment_params()[kk].disc.fluid_height;
      row.push_back(day_.hydration_morning[kk]);
      row.push_back(day_.hydration_min[kk]);
      row.push_back(H(k));
      row.push_back(fh * (1.0 - day_.hydration_min[kk]) + day_.creep_evening[kk]);
      row.push_back(fatigue_[kk]);
      row.push_back(day_.sustained[kk]);
      row.push_back(day_.facet[kk]);
      row.push_back(day_.facet_share[kk] / kDay);
      row.push_back(day_.compression_max[kk]);
      row.push_back(day_.pressure_max[kk]);
      row.push_back(day_.foramen_min[kk]);
      row.push_back(day_.risk_time[kk]);
      row.push_back(day_.stenosis_time[kk]);
      row.push_back(degeneration_[kk]);
    }
    for (std::size_t g = 0; g < base_.group_names().size(); ++g) {
      double r = 0.0, tol = 0.0, tone = 0.0, st = 0.0, sn = 0.0, sm = 0.0;
      const auto& members = base_.group_muscles()[g];
      for (int i : members) {
        const auto ii = static_cast<std::size_t>(i);
        r += rho(i);
        tol += day_.tolerance[ii] / kDay;
        tone += tone_shift_[ii];
        st += strength(i);
        sn += strength_n_[ii] / adapted_n_[ii];
        sm += strength_m_[ii] / adapted_m_[ii];
      }
      const double n = std::max<double>(1.0, static_cast<double>(members.size()));
      row.push_back(r / n);
      row.push_back(tol / n);
      row.push_back(tone / n);
      row.push_back(st / n);
      row.push_back(sn / n);
      row.push_back(sm / n);
    }
    if (opt_.record_muscles)
      for (int i = 0; i < nm_; ++i) {
        row.push_back(rho(i));
        row.push_back(strength(i));
      }
  }

  struct DayAccumulators {
    double stature_morning = 0.0, stature_evening = 0.0;
    double lifft = 0.0;  ///< the day's LiFFT damage
    std::vector<double> hydration_morning, hydration_min, creep_evening, sustained, facet,
        facet_share, risk_time, stenosis_time, foramen_min, compression_max, pressure_max,
        tolerance;
    void reset(int n) {
      const auto s = static_cast<std::size_t>(n);
      lifft = 0.0;
      const double inf = std::numeric_limits<double>::infinity();
      hydration_morning.assign(s, 0.0);
      hydration_min.assign(s, inf);
      creep_evening.assign(s, 0.0);
      sustained.assign(s, 0.0);
      facet.assign(s, 0.0);
      facet_share.assign(s, 0.0);
      risk_time.assign(s, 0.0);
      stenosis_time.assign(s, 0.0);
      foramen_min.assign(s, inf);
      compression_max.assign(s, 0.0);
      pressure_max.assign(s, 0.0);
    }
    void reset_muscles(int n) { tolerance.assign(static_cast<std::size_t>(n), 0.0); }
  };

  const Model& base_;
  const Scenario& scenario_;
  const LifetimeOptions& opt_;
  Data data_;
  int ns_ = 0, nm_ = 0;
  std::vector<Programme> programmes_;
  std::vector<ParameterRef> hydration_ref_, degeneration_ref_, length_ref_, tone_ref_, force_ref_;
  std::vector<double> tone_base_;
  std::vector<bool> has_tone_;
  std::vector<double> x_;  // [H (ns), u (ns), rho (nm)]
  std::vector<double> tolerance_, tolerance_tau_, resting_, resting_tau_, tone_shift_;
  std::vector<double> fatigue_;
  std::vector<double> degeneration0_, degeneration_;  // D of the model and now, per level
  std::vector<laws::SpineDamageParams> damage_;       // per level, S_u lowered by D (H23)
  std::vector<double> strength_n_, strength_m_;       // s_n, s_m per muscle
  std::vector<double> adapted_n_, adapted_m_;         // s_n*, s_m* of the habitual week per muscle
  std::vector<double> use_ref_;                       // u_ref per muscle
  std::vector<laws::StrengthAdaptationParams> strength_params_;  // with each one's threshold
  bool spinning_ = false, collecting_ = false;                   // the strength reference's spin-up
  std::vector<std::vector<double>> week_activation_;
  std::vector<double> week_duration_;
  double lifft_ = 0.0;
  double t_ = 0.0;
  std::vector<double> reference_fibre_, habitual_, fibre_, hydration_;
  static constexpr std::size_t kMaxSnapshots = 512;
  std::shared_ptr<const Model> snapshot_;
  std::string snapshot_key_;
  std::vector<double> muscle_snap_rho_, muscle_snap_tone_, muscle_snap_strength_;
  long muscle_snap_id_ = 0;
  std::vector<std::string> ck_names_;
  std::vector<double> ck_values_;
  std::map<std::string, std::shared_ptr<const Model>> models_;
  std::map<std::string, PostureLoads> cache_;
  int n_equilibria_ = 0, n_cache_hits_ = 0, n_snapshots_ = 0;
  DayAccumulators day_;
};

}  // namespace

std::vector<LifetimeChannel> lifetime_channels(const Model& model, bool record_muscles) {
  std::vector<LifetimeChannel> c = {
      {"body.stature_loss_morning", "m", "stature lost since the rested state, on waking"},
      {"body.stature_loss_evening", "m", "stature lost since the rested state, at bedtime"},
      {"body.daily_stature_loss", "m", "stature lost from waking to bedtime"},
      {"body.lifft_damage", "1",
       "LiFFT cumulative damage of the day's lifts, its daily dose (Gallagher et al. 2017)"},
      {"body.lifft_probability", "1", "LiFFT probability of a high-risk job, from the day's dose"},
  };
  for (const std::string& s : model.segment_names()) {
    const std::string p = "level." + s + ".";
    c.push_back({p + "hydration_morning", "1", "disc fluid content on waking"});
    c.push_back({p + "hydration_min", "1", "lowest disc fluid content of the day"});
    c.push_back({p + "hydration_end", "1", "disc fluid content at the end of the day"});
    c.push_back({p + "disc_height_loss_max", "m",
                 "largest disc height lost to fluid and creep in the day"});
    c.push_back({p + "fatigue_damage", "1", "Miner's sum (Brinckmann 1988 S-N), cumulative"});
    c.push_back({p + "sustained_dose", "N s", "time integral of the compression over the day"});
    c.push_back({p + "facet_dose", "N s", "time integral of the facet force over the day"});
    c.push_back({p + "facet_share_mean", "1", "time-weighted mean facet share of the day"});
    c.push_back({p + "compression_max", "N", "largest compression of the day"});
    c.push_back({p + "load_pressure_max", "Pa", "largest load share of nucleus pressure"});
    c.push_back({p + "foramen_height_min", "m", "smallest foramen height of the day"});
    c.push_back({p + "nerve_root_risk_time", "s", "time integral of the nerve-root risk"});
    c.push_back({p + "stenosis_time", "s", "time with the foramen at or below its threshold"});
    c.push_back(
        {p + "degeneration", "1",
         "degeneration index at the day's end (grows under H23, degeneration_progression)"});
  }
  for (const std::string& g : model.group_names()) {
    const std::string p = "group." + g + ".";
    c.push_back({p + "optimal_length_ratio", "1", "mean L_opt / L_opt,0 of the group"});
    c.push_back({p + "tolerance", "1",
                 "carried-over stretch tolerance, mean over the day and the group's muscles"});
    c.push_back({p + "tone_shift", "L_opt", "mean tone threshold shift (H20)"});
    c.push_back({p + "strength_ratio", "1",
                 "mean F_max / F_max,0 of the group at the day's end (strength_adaptation)"});
    c.push_back({p + "strength_neural", "1",
                 "mean neural compartment s_n / s_n* (to the adapted state) at the day's end"});
    c.push_back({p + "strength_morphological", "1",
                 "mean morphological compartment s_m / s_m* (cross-sectional area ratio) at the "
                 "day's end"});
  }
  if (record_muscles)
    for (const std::string& m : model.muscle_names()) {
      c.push_back({"muscle." + m + ".optimal_length_ratio", "1", "L_opt / L_opt,0"});
      c.push_back({"muscle." + m + ".strength_ratio", "1", "F_max / F_max,0 at the day's end"});
    }
  return c;
}

LifetimeResult simulate_lifetime(const Model& model, const Scenario& scenario,
                                 const LifetimeOptions& options) {
  LifetimeRun run(model, scenario, options);
  return run.run();
}

}  // namespace msk
