// msk/law/law.hpp — a constitutive or rate law as one unit.
//
// A law (the stretch reflex, activation dynamics, a viscoelastic branch, the disc's fluid flow...)
// is attached to the entities of one domain (muscles, agonist/antagonist pairs or spinal levels)
// and declares, per entity:
//   - its parameters (a Params struct of doubles; unit, default, range and source per field),
//   - its states (names and units) and the channels it records,
//   - its initial state, and its rate (or value) as a function of the model, the state and the
//     workspace Data, which it reads and writes through documented ports (docs/guide/extending.md).
// compile() lays the states and channels of every law out in the state vector and the recorded
// row; nothing is kept in step by hand. A law object holds only its parameters (one Params per
// entity it is attached to) and where its states and channels live: it never changes during a
// simulation, so any number of simulations share it.
//
// The right-hand side runs the laws in stage order (LawStage): after the geometry, every law
// publishes what its states imply (publish, in stage order), then the stages run in order,
// interleaved with the core's own steps (muscle-tendon mechanics, excitation, joint loads,
// dynamics); see rhs.hpp.
#pragma once

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace msk {

class Model;
struct Data;

/// What a law is attached to.
enum class LawDomain {
  Muscle,   ///< one entity per muscle
  Pair,     ///< one entity per agonist/antagonist pair
  Segment,  ///< one entity per spinal level
};

/// When a law's evaluate() runs within one right-hand-side evaluation (in this order, except
/// Series, whose publish() comes first and whose evaluate() follows the mechanics).
enum class LawStage {
  /// Series elastic tissue beside the tendon law (tendon creep): publishes an extra series length
  /// before the tendon law publishes the fibre length; evaluate() runs after the mechanics, since
  /// its rate needs the tendon force.
  Series,
  Mechanics,   ///< muscle-tendon force (tendon laws); before it, every law's publish()
  Tissue,      ///< rates of passive tissue states that need the fibre velocity
  Modulation,  ///< modulators of the reflex: depression, inhibition (gain and threshold ports)
  Reflex,      ///< reflex excitation; after it the core sums and clamps the excitation
  Activation,  ///< activation dynamics; after it the core computes joint and level loads
  /// Elements that act on the whole trunk (intra-abdominal pressure): they read the muscle forces
  /// and the joints' moment arms (data.joint_moment_arm) and append forces to data.trunk_loads,
  /// which the joint reactions, the levels' loads and the dynamics then include. The posture
  /// equilibrium runs this stage too, iterated with the activations.
  Trunk,
  Segment,  ///< spinal-level rates (disc fluid), from the level loads
};

/// The time scale a law's states evolve on (docs/theory/index.md).
enum class TimeScale {
  Episode,   ///< milliseconds to hours: integrated in episodes
  Lifetime,  ///< days to decades: integrated by the lifetime layer
};

const char* law_domain_name(LawDomain domain);  ///< "muscle", "pair", "segment"
const char* law_stage_name(LawStage stage);     ///< "mechanics", "tissue", ...

/// A state or a recorded channel of a law, per entity.
struct VarInfo {
  std::string name;         ///< suffix after the entity, e.g. "reflex_excitation"
  std::string unit;         ///< e.g. "1", "N", "m"
  std::string description;  ///< one line
};

/// One parameter of a law, per entity.
struct ParamInfo {
  std::string name;  ///< key in model files, e.g. "gain"
  std::string unit;  ///< e.g. "1/L_opt", "s"
  double default_value = 0.0;
  double min = -std::numeric_limits<double>::infinity();  ///< smallest accepted value
  double max = std::numeric_limits<double>::infinity();   ///< largest accepted value
  bool optional = false;    ///< NaN is accepted and means "not set" (see the description)
  std::string source;       ///< where the default comes from (a citation or "calibration: ...")
  std::string description;  ///< one line
};

/// Everything documentation and the loader need to know about a law.
struct LawInfo {
  std::string name;  ///< registry name, e.g. "tonic_stretch_reflex"
  std::string role;  ///< default role (key under `laws:` in model files), e.g. "reflex"
  LawDomain domain = LawDomain::Muscle;
  LawStage stage = LawStage::Tissue;
  TimeScale time_scale = TimeScale::Episode;
  std::string summary;   ///< one line: what the law models
  std::string equation;  ///< its rate or value, in plain text with the paper's symbols
  std::string citation;  ///< the paper(s) the form comes from
  std::string
      hypothesis;  ///< "" for established physiology, else its id in the hypotheses register
  std::vector<ParamInfo> params;
  std::vector<VarInfo> states;
  std::vector<VarInfo> channels;
  /// Named parameter sets (e.g. tone presets), each a subset of params.
  std::map<std::string, std::map<std::string, double>> presets;
};

/// What a law sees when it is evaluated: the model, the workspace and the state.
struct LawContext {
  const Model& model;
  Data& data;
  double t = 0.0;   ///< [s]
  const double* x;  ///< state vector, size model.layout().n_states
  double* xdot;     ///< its derivative (evaluate() writes the law's entries)
};

/// Base of every law. A law is attached to entities of its domain (muscles, pairs or levels), each
/// with its own parameters; compile() assigns its state offset and channel indices.
class Law {
 public:
  virtual ~Law() = default;

  /// The law's documentation: name, role, parameters, states, channels.
  virtual const LawInfo& info() const = 0;
  /// A copy (parameters, entities and layout included).
  virtual std::unique_ptr<Law> clone() const = 0;

  /// Attaches the law to entity `index` of its domain with parameters in info().params order.
  /// @throws InvalidArgument naming the parameter when a value is outside its range
  virtual void add_entity(int index, const std::vector<double>& params) = 0;
  /// Parameter `field` (index into info().params) of the k-th attached entity.
  virtual double param(int k, int field) const = 0;
  /// Sets a parameter. @throws InvalidArgument when the value is outside its range
  virtual void set_param(int k, int field, double value) = 0;

  int n_entities() const { return static_cast<int>(entities_.size()); }
  /// Domain index (muscle, pair or segment) of the k-th attached entity.
  int entity(int k) const { return entities_[static_cast<std::size_t>(k)]; }
  /// Label of the k-th entity's parameters (e.g. the preset they came from; "" when none).
  const std::string& label(int k) const { return labels_[static_cast<std::size_t>(k)]; }
  void set_label(int k, std::string label) {
    labels_[static_cast<std::size_t>(k)] = std::move(label);
  }

  int n_states() const { return static_cast<int>(info().states.size()); }
  int n_channels() const { return static_cast<int>(info().channels.size()); }
  /// Index in the state vector of state j of the k-th entity (states are contiguous per law).
  int state_index(int k, int j) const { return state_offset_ + k * n_states() + j; }
  /// Index in the recorded row of channel j of the k-th entity.
  int channel_index(int k, int j) const {
    return channel_index_[static_cast<std::size_t>(k * n_channels() + j)];
  }

  /// Writes the law's initial states into x, at rest in the initial posture (the workspace holds
  /// the geometry, activation and fibre lengths of that rest state; see make_initial_state).
  virtual void initial_state(const LawContext& context, double* x) const;
  /// Publishes what the law's states imply into the workspace ports (before the mechanics).
  virtual void publish(LawContext& context) const;
  /// Computes the law's rates (into context.xdot) and ports, at info().stage.
  virtual void evaluate(LawContext& context) const;
  /// Writes the law's channels into the recorded row (after evaluate).
  virtual void record(const LawContext& context, double* row) const;
  /// Steady excitation the law adds to muscle entity k at rest (zero velocity, no voluntary
  /// drive, no depression) at normalised fibre length norm_fibre_length [L_opt]. The rest state
  /// and the equilibrium's tone floors are the fixed point of these contributions.
  virtual double rest_excitation(const Model& model, const Data& data, int k,
                                 double norm_fibre_length) const;
  /// Steady factor [1] by which the law scales muscle entity k's reflex at rest (modulators:
  /// depression by stretch, habituation to a held posture), at normalised fibre length
  /// norm_fibre_length [L_opt] with the steady reflex drive `drive` [1] before modulation. The
  /// default is 1 (the law does not modulate the reflex).
  virtual double rest_gain(const Model& model, const Data& data, int k, double norm_fibre_length,
                           double drive) const;
  /// Activation at rest of muscle entity k for a steady excitation [1] (activation laws; the
  /// default is the excitation itself).
  virtual double rest_activation(int k, double excitation) const;

  /// Layout, assigned by compile().
  void set_layout(int state_offset, std::vector<int> channel_index) {
    state_offset_ = state_offset;
    channel_index_ = std::move(channel_index);
  }
  int state_offset() const { return state_offset_; }

 protected:
  std::vector<int> entities_;
  std::vector<std::string> labels_;
  int state_offset_ = 0;
  std::vector<int> channel_index_;
};

/// A parameter field of a Params struct: its key, member, unit, range and source.
template <class P>
struct ParamField {
  const char* name;
  double P::*member;
  const char* unit;
  double min;
  double max;
  const char* source;
  const char* description;
  bool optional = false;  ///< NaN accepted ("not set")
};

/// Documentation of Params fields, with the defaults of a default-constructed P.
template <class P, class Fields>
std::vector<ParamInfo> param_infos(const Fields& fields) {
  const P defaults{};
  std::vector<ParamInfo> out;
  for (const ParamField<P>& f : fields)
    out.push_back(
        {f.name, f.unit, defaults.*(f.member), f.min, f.max, f.optional, f.source, f.description});
  return out;
}

/// Throws InvalidArgument unless value is within [min, max] (NaN allowed when optional).
void check_param(const LawInfo& info, int field, double value);
/// Throws InvalidArgument: a law without parameters was asked for parameter `field`.
[[noreturn]] double no_param(int field);

/// Throws InvalidArgument "LAW.FIELD: expected MIN ... MAX, got VALUE".
[[noreturn]] void param_out_of_range(const char* law, const char* field, double min, double max,
                                     double value);

/// Checks every field of p against its [min, max] (NaN is out of range).
/// @throws InvalidArgument naming `law.field` for the first field outside it
template <class P>
void check_fields(const char* law, const std::vector<ParamField<P>>& fields, const P& p) {
  for (const ParamField<P>& f : fields) {
    const double v = p.*(f.member);
    if (!(v >= f.min && v <= f.max)) param_out_of_range(law, f.name, f.min, f.max, v);
  }
}

/// A law with one Params struct per entity. Derived supplies
///   static const std::vector<ParamField<P>>& fields();
/// and info(); this class stores the parameters, copies and checks them.
template <class Derived, class P>
class LawWith : public Law {
 public:
  using Params = P;

  void add_entity(int index, const std::vector<double>& values) override {
    P p{};
    if constexpr (!std::is_empty_v<P>) {
      const auto& fields = Derived::fields();
      for (std::size_t f = 0; f < fields.size() && f < values.size(); ++f) {
        check_param(info(), static_cast<int>(f), values[f]);
        p.*(fields[f].member) = values[f];
      }
    }
    entities_.push_back(index);
    labels_.emplace_back();
    params_.push_back(p);
  }
  /// Attaches the law with a Params struct.
  void add(int index, const P& p) {
    if constexpr (!std::is_empty_v<P>) {
      const auto& fields = Derived::fields();
      for (std::size_t f = 0; f < fields.size(); ++f)
        check_param(info(), static_cast<int>(f), p.*(fields[f].member));
    }
    entities_.push_back(index);
    labels_.emplace_back();
    params_.push_back(p);
  }
  double param(int k, int field) const override {
    if constexpr (std::is_empty_v<P>) {
      return no_param(field);
    } else {
      return params_[static_cast<std::size_t>(k)].*(Derived::fields()[field].member);
    }
  }
  void set_param(int k, int field, double value) override {
    if constexpr (std::is_empty_v<P>) {
      no_param(field + 0 * static_cast<int>(value));
    } else {
      check_param(info(), field, value);
      params_[static_cast<std::size_t>(k)].*(Derived::fields()[field].member) = value;
    }
  }
  std::unique_ptr<Law> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  const P& params(int k) const { return params_[static_cast<std::size_t>(k)]; }

 protected:
  std::vector<P> params_;
};

}  // namespace msk
