#include "msk/model/model.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "msk/error.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/rotation.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/version.hpp"
#include "parameter_tables.hpp"
#include "yaml_util.hpp"

namespace msk {

namespace {

constexpr int kMaxCoordinates = 500;          ///< coordinates of a model
constexpr std::size_t kMaxChannels = 200000;  ///< output channels of a model

Eigen::Vector3d vec(const std::array<double, 3>& a) {
  return {a[0], a[1], a[2]};
}

/// The domain's key in model files and in law_defaults.
const char* domain_key(LawDomain d) {
  return d == LawDomain::Muscle ? "muscles" : (d == LawDomain::Pair ? "pairs" : "segments");
}

/// Resolves the law of each role for one entity and attaches it (creating one law instance per
/// role and law name). Roles: the registry's defaults, then the model's law_defaults, then the
/// entity's own, in that order; an entity's spec overrides the model default of its role, which
/// overrides the registry's.
void attach_entity(LawDomain domain, int index, const std::string& field, int line,
                   const std::vector<LawSpec>& own, const ModelSpec& spec,
                   const LawRegistry& registry, detail::ModelStructure& S,
                   std::vector<std::unique_ptr<Law>>& building, std::map<std::string, int>& by_key,
                   std::vector<std::pair<int, int>>& attached) {
  std::vector<std::string> roles = registry.default_roles(domain);
  const auto defaults_it = spec.law_defaults.find(domain_key(domain));
  const std::vector<LawSpec> none;
  const std::vector<LawSpec>& model_defaults =
      defaults_it == spec.law_defaults.end() ? none : defaults_it->second;
  for (const std::vector<LawSpec>* list : {&model_defaults, &own})
    for (const LawSpec& l : *list)
      if (std::find(roles.begin(), roles.end(), l.role) == roles.end()) roles.push_back(l.role);
  for (const std::string& role : roles) {
    // The effective spec: registry default < model default < the entity's own.
    LawSpec eff;
    eff.role = role;
    eff.law = registry.default_law(domain, role);
    eff.field = field + ".laws." + role;
    const LawSpec* layers[2] = {nullptr, nullptr};
    for (const LawSpec& l : model_defaults)
      if (l.role == role) layers[0] = &l;
    for (const LawSpec& l : own)
      if (l.role == role) layers[1] = &l;
    int eff_line = line;
    for (const LawSpec* l : layers) {
      if (!l) continue;
      if (!l->law.empty() && l->law != eff.law) {
        eff.law = l->law;
        eff.preset.clear();
        eff.values.clear();
        eff.value_fields.clear();
      }
      if (!l->preset.empty()) eff.preset = l->preset;
      for (const auto& kv : l->values) {
        eff.values[kv.first] = kv.second;
        const auto f = l->value_fields.find(kv.first);
        eff.value_fields[kv.first] = f != l->value_fields.end() ? f->second : l->field;
      }
      if (!l->field.empty()) eff.field = l->field;
      if (l->loc.line > 0) eff_line = l->loc.line;
    }
    if (eff.law.empty() || eff.law == "none") continue;
    const std::string key = role + "|" + eff.law;
    auto found = by_key.find(key);
    if (found == by_key.end()) {
      std::unique_ptr<Law> law;
      try {
        law = registry.make(eff.law);
      } catch (const InvalidArgument& e) {
        throw ModelError(S.file, eff_line, eff.field, "a law registered with the model's registry",
                         e.what());
      }
      if (law->info().domain != domain)
        throw ModelError(
            S.file, eff_line, eff.field,
            std::string("a law of the ") + law_domain_name(domain) + " domain",
            "law '" + eff.law + "' of the " + law_domain_name(law->info().domain) + " domain");
      found = by_key.emplace(key, static_cast<int>(building.size())).first;
      building.push_back(std::move(law));
      S.law_roles.push_back(role);
    }
    Law& law = *building[static_cast<std::size_t>(found->second)];
    const LawInfo& info = law.info();
    // Parameters: defaults, then the preset, then explicit values.
    std::vector<double> values;
    for (const ParamInfo& p : info.params)
      values.push_back(p.default_value);
    auto set = [&](const std::string& name, double v, const std::string& at) {
      for (std::size_t f = 0; f < info.params.size(); ++f)
        if (info.params[f].name == name) {
          values[f] = v;
          return;
        }
      throw ModelError(S.file, eff_line, at, "a parameter of law " + info.name, "'" + name + "'");
    };
    if (!eff.preset.empty()) {
      const auto preset = info.presets.find(eff.preset);
      if (preset == info.presets.end())
        throw ModelError(S.file, eff_line, eff.field + ".preset", "a preset of law " + info.name,
                         "'" + eff.preset + "'");
      for (const auto& kv : preset->second)
        set(kv.first, kv.second, eff.field + ".preset");
    }
    for (const auto& kv : eff.values)
      set(kv.first, kv.second, eff.value_fields[kv.first]);
    try {
      law.add_entity(index, values);
    } catch (const InvalidArgument& e) {
      throw ModelError(S.file, eff_line, eff.field, "valid law parameters", e.what());
    }
    law.set_label(law.n_entities() - 1, eff.preset.empty()
                                            ? std::string()
                                            : eff.preset + (eff.values.empty() ? "" : "+custom"));
    attached.emplace_back(found->second, law.n_entities() - 1);
  }
}

using Laws = std::vector<std::unique_ptr<Law>>;

Laws attach_laws(const ModelSpec& spec, const LawRegistry& registry, detail::ModelStructure& S) {
  Laws building;
  std::map<std::string, int> by_key;
  S.muscle_laws.assign(S.n_muscles, {});
  S.pair_laws.assign(S.n_pairs, {});
  S.segment_laws.assign(S.n_segments, {});
  for (int i = 0; i < S.n_muscles; ++i) {
    const MuscleSpec& ms = spec.muscles[i];
    attach_entity(LawDomain::Muscle, i, "muscles[" + std::to_string(i) + "=" + ms.name + "]",
                  ms.loc.line, ms.laws, spec, registry, S, building, by_key, S.muscle_laws[i]);
  }
  for (int k = 0; k < S.n_pairs; ++k) {
    const PairSpec& ps = spec.pairs[k];
    attach_entity(LawDomain::Pair, k, "pairs[" + std::to_string(k) + "=" + ps.name + "]",
                  ps.loc.line, ps.laws, spec, registry, S, building, by_key, S.pair_laws[k]);
  }
  for (int k = 0; k < S.n_segments; ++k) {
    const SegmentSpec& ss = spec.segments[k];
    attach_entity(LawDomain::Segment, k, "segments[" + std::to_string(k) + "=" + ss.name + "]",
                  ss.loc.line, ss.laws, spec, registry, S, building, by_key, S.segment_laws[k]);
  }
  // Every muscle needs an activation law and a tendon law (the roles the core reads).
  for (int i = 0; i < S.n_muscles; ++i) {
    int activation = 0, tendon = 0;
    for (const auto& [l, k] : S.muscle_laws[i]) {
      const std::string& role = S.law_roles[static_cast<std::size_t>(l)];
      activation += role == "activation";
      tendon += role == "tendon";
    }
    if (activation != 1 || tendon != 1)
      throw ModelError(S.file, spec.muscles[i].loc.line,
                       "muscles[" + std::to_string(i) + "=" + S.muscle_names[i] + "].laws",
                       "a law in the roles activation and tendon",
                       std::to_string(activation) + " and " + std::to_string(tendon));
  }
  return building;
}

/// The name prefix of an entity of a law's domain, e.g. "muscle.BIClong.".
std::string entity_prefix(const detail::ModelStructure& S, LawDomain domain, int index) {
  switch (domain) {
    case LawDomain::Muscle:
      return "muscle." + S.muscle_names[index] + ".";
    case LawDomain::Pair:
      return "pair." + S.pair_names[index] + ".";
    case LawDomain::Segment:
      return "segment." + S.segment_names[index] + ".";
  }
  return "";
}

/// Number of core channels per coordinate, per muscle (plus 2 per coordinate), per pair and per
/// segment (make_channels).
constexpr std::size_t kJointChannels = 5, kMuscleChannels = 8, kPairChannels = 4,
                      kSegmentChannels = 18;

/// Refuses models whose channel list would be unreasonably long, before building it.
void check_channel_count(const ModelSpec& spec, const detail::ModelStructure& S, const Laws& laws) {
  std::size_t n = kJointChannels * static_cast<std::size_t>(S.n_dofs) +
                  static_cast<std::size_t>(S.n_muscles) *
                      (kMuscleChannels + 2 * static_cast<std::size_t>(S.n_dofs)) +
                  kPairChannels * static_cast<std::size_t>(S.n_pairs) +
                  kSegmentChannels * static_cast<std::size_t>(S.n_segments);
  for (const auto& law : laws)
    n += static_cast<std::size_t>(law->n_entities() * law->n_channels());
  if (n > kMaxChannels)
    throw ModelError(S.file, spec.muscles.empty() ? 0 : spec.muscles.front().loc.line, "muscles",
                     "at most " + std::to_string(kMaxChannels) +
                         " output channels (5 per coordinate, 8 + 2 per coordinate per muscle, 4 "
                         "per pair, 18 per level, plus the laws' channels)",
                     std::to_string(n) + " channels");
}

/// States: the coordinates and their speeds, then every law's states, law by law.
void make_layout(detail::ModelStructure& S, Laws& laws) {
  StateLayout& L = S.layout;
  auto add = [&](const std::string& name, const std::string& unit, const std::string& law) {
    L.names.push_back(name);
    L.units.push_back(unit);
    L.laws.push_back(law);
    ++L.n_states;
  };
  L.q_offset = 0;
  for (int d = 0; d < S.n_dofs; ++d)
    add("joint." + S.dof_names[d] + ".angle", "rad", "kinematics");
  L.qd_offset = L.n_states;
  for (int d = 0; d < S.n_dofs; ++d)
    add("joint." + S.dof_names[d] + ".velocity", "rad/s", "rigid_body_dynamics");
  for (auto& law : laws) {
    const LawInfo& info = law->info();
    const int offset = L.n_states;
    for (int k = 0; k < law->n_entities(); ++k)
      for (const VarInfo& v : info.states)
        add(entity_prefix(S, info.domain, law->entity(k)) + v.name, v.unit, info.name);
    law->set_layout(offset, {});
  }
}

/// Channels, entity by entity: a coordinate's, a muscle's (core, then its laws', then its moment
/// arms), a pair's, a level's; each law records its channels at the indices assigned here.
void make_channels(detail::ModelStructure& S, Laws& laws) {
  using K = CoreChannel::Kind;
  std::vector<ChannelSpec>& c = S.channels;
  std::vector<CoreChannel>& core = S.core_channels;
  std::vector<std::vector<int>> law_index(laws.size());
  for (std::size_t l = 0; l < laws.size(); ++l)
    law_index[l].assign(static_cast<std::size_t>(laws[l]->n_entities() * laws[l]->n_channels()),
                        -1);
  auto add_core = [&](const std::string& name, const char* unit, const char* description, K kind,
                      int entity, int sub = 0) {
    core.push_back({kind, entity, sub, static_cast<int>(c.size())});
    c.push_back({name, unit, description});
  };
  auto add_laws = [&](const std::vector<std::pair<int, int>>& attached, const std::string& prefix) {
    for (const auto& [l, k] : attached) {
      const Law& law = *laws[static_cast<std::size_t>(l)];
      const auto& channels = law.info().channels;
      for (std::size_t j = 0; j < channels.size(); ++j) {
        law_index[static_cast<std::size_t>(l)][static_cast<std::size_t>(k) * channels.size() + j] =
            static_cast<int>(c.size());
        c.push_back({prefix + channels[j].name, channels[j].unit, channels[j].description});
      }
    }
  };
  for (int d = 0; d < S.n_dofs; ++d) {
    const std::string p = "joint." + S.dof_names[d] + ".";
    add_core(p + "angle", "rad", "coordinate value", K::JointAngle, d);
    add_core(p + "velocity", "rad/s", "coordinate speed", K::JointVelocity, d);
    add_core(p + "muscle_moment", "N m", "sum of muscle moments about the coordinate",
             K::JointMuscleMoment, d);
    add_core("examiner." + S.dof_names[d] + ".torque", "N m",
             "torque the protocol applies to drive or hold the coordinate (0 when free)",
             K::ExaminerTorque, d);
    add_core("examiner." + S.dof_names[d] + ".resisting_torque", "N m",
             "tissue torque (muscles, range limit) resisting the examiner's motion",
             K::ResistingTorque, d);
  }
  for (int i = 0; i < S.n_muscles; ++i) {
    const std::string p = "muscle." + S.muscle_names[i] + ".";
    add_core(p + "excitation", "1", "total neural excitation u, clamped to [0, 1]",
             K::MuscleExcitation, i);
    add_core(p + "voluntary_excitation", "1", "voluntary excitation from the protocol",
             K::MuscleVoluntary, i);
    add_laws(S.muscle_laws[i], p);
    add_core(p + "fibre_length", "m", "fibre length", K::MuscleFibreLength, i);
    add_core(p + "norm_fibre_length", "1", "fibre length / optimal fibre length",
             K::MuscleNormFibreLength, i);
    add_core(p + "fibre_velocity", "m/s", "fibre velocity (lengthening positive)",
             K::MuscleFibreVelocity, i);
    add_core(p + "mtu_length", "m", "muscle-tendon unit length", K::MuscleMtuLength, i);
    add_core(p + "force", "N", "tendon (muscle-tendon unit) force", K::MuscleForce, i);
    add_core(p + "passive_force", "N", "passive fibre force incl. parallel tissue",
             K::MusclePassiveForce, i);
    for (int d = 0; d < S.n_dofs; ++d) {
      add_core(p + "moment_arm." + S.dof_names[d], "m", "moment arm -dl/dq", K::MuscleMomentArm, i,
               d);
      add_core(p + "moment." + S.dof_names[d], "N m", "muscle moment about the coordinate",
               K::MuscleMoment, i, d);
    }
  }
  for (int k = 0; k < S.n_pairs; ++k) {
    const std::string p = "pair." + S.pair_names[k] + ".";
    add_core(p + "cci", "1", "co-contraction index 2 min(Mag, Mant)/(Mag + Mant)", K::PairCci, k);
    add_core(p + "net_moment", "N m", "net moment of the pair's muscles", K::PairNetMoment, k);
    add_core(p + "agonist_moment", "N m", "moment of the agonists", K::PairAgonistMoment, k);
    add_core(p + "antagonist_moment", "N m", "moment of the antagonists", K::PairAntagonistMoment,
             k);
    add_laws(S.pair_laws[k], p);
  }
  for (int k = 0; k < S.n_segments; ++k) {
    const std::string p = "segment." + S.segment_names[k] + ".";
    add_core(p + "angle", "rad", "flexion from the model's geometry (flexion positive)",
             K::SegmentAngle, k);
    add_core(p + "compression", "N", "compressive load along the disc axis", K::SegmentCompression,
             k);
    add_core(p + "shear", "N", "anterior shear load on the upper vertebra", K::SegmentShear, k);
    add_core(p + "disc_force", "N", "axial force in the disc", K::SegmentDiscForce, k);
    add_core(p + "pressure", "Pa",
             "intradiscal pressure (Nachemson's total under load, swelling pressure unloaded)",
             K::SegmentPressure, k);
    add_core(p + "facet_force", "N", "axial force in the facet joints", K::SegmentFacetForce, k);
    add_core(p + "facet_share", "1", "facet force / (disc force + facet force)",
             K::SegmentFacetShare, k);
    add_core(p + "ligament_force", "N", "sum of the ligament tensions", K::SegmentLigamentForce, k);
    add_core(p + "disc_height", "m", "mid-disc height", K::SegmentDiscHeight, k);
    add_core(p + "foramen_height", "m", "intervertebral foramen height", K::SegmentForamenHeight,
             k);
    add_core(p + "moment", "N m", "passive restoring moment of the level (flexion axis)",
             K::SegmentMoment, k);
    add_core(p + "posterior_disc_height", "m", "posterior disc height",
             K::SegmentPosteriorDiscHeight, k);
    add_core(p + "disc_shear", "N", "anterior shear carried by the disc", K::SegmentDiscShear, k);
    add_core(p + "facet_shear", "N", "anterior shear carried by the facets", K::SegmentFacetShear,
             k);
    add_core(p + "foramen_width", "m", "intervertebral foramen width", K::SegmentForamenWidth, k);
    add_core(p + "foramen_area", "m^2", "intervertebral foramen area", K::SegmentForamenArea, k);
    add_core(p + "nerve_root_risk", "1",
             "nerve-root compression risk from foramen and posterior disc height",
             K::SegmentNerveRootRisk, k);
    add_core(p + "degeneration", "1", "degeneration index (0 healthy ... 1 severe)",
             K::SegmentDegeneration, k);
    add_laws(S.segment_laws[k], p);
  }
  for (std::size_t r = 0; r < S.region_names.size(); ++r) {
    const std::string p = "region." + S.region_names[r] + ".";
    const int e = static_cast<int>(r);
    add_core(p + "angle", "rad", "sum of the region's level coordinates", K::RegionAngle, e);
    add_core("examiner." + S.region_names[r] + ".resisting_torque", "N m",
             "tissue torque resisting the examiner's motion of the region (rhythm-weighted sum)",
             K::RegionResistingTorque, e);
    add_core("examiner." + S.region_names[r] + ".torque", "N m",
             "torque the examiner applies to the region (rhythm-weighted sum)",
             K::RegionExaminerTorque, e);
  }
  for (std::size_t l = 0; l < laws.size(); ++l)
    laws[l]->set_layout(laws[l]->state_offset(), law_index[l]);
}

/// Every coordinate must move some mass: the mass matrix at the default posture must be positive
/// definite (bodies on coupled or intermediate joints may themselves be massless).
void check_inertia(const Model& m, const ModelSpec& spec) {
  Data data = make_data(m);
  Eigen::VectorXd q(m.n_dofs());
  for (int d = 0; d < m.n_dofs(); ++d)
    q[d] = m.dof_default()[d];
  compute_kinematics(m, q, data);
  compute_mass_matrix(m, data);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(data.mass_matrix);
  const double largest = std::max(eig.eigenvalues().maxCoeff(), 0.0);
  if (eig.eigenvalues().minCoeff() > 1e-12 * std::max(largest, 1e-12)) return;
  // Name the coordinate that contributes most to the motion without inertia.
  Eigen::Index d = 0;
  eig.eigenvectors().col(0).cwiseAbs().maxCoeff(&d);
  const int b = m.dof_body()[d];
  throw ModelError(spec.file, spec.bodies[b].loc.line,
                   "bodies[" + std::to_string(b) + "=" + m.body_names()[b] + "].mass",
                   "a positive mass or inertia moved by coordinate '" + m.dof_names()[d] + "'",
                   "no inertia about that motion");
}

/// Muscle-tendon lengths at the default coordinates (the reference of the tone thresholds).
void compute_default_mtu_length(const Model& m, detail::ModelStructure& S) {
  Data data = make_data(m);
  Eigen::VectorXd q(m.n_dofs());
  for (int d = 0; d < m.n_dofs(); ++d)
    q[d] = m.dof_default()[d];
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs()), data);
  S.default_mtu_length.assign(data.mtu_length.data(), data.mtu_length.data() + m.n_muscles());
}

}  // namespace

Model::Model()
    : s_(std::make_shared<detail::ModelStructure>()),
      muscle_params_(std::make_shared<std::vector<muscle::MuscleTendonParams>>()),
      segment_params_(std::make_shared<std::vector<spine::SegmentParams>>()),
      segment_hydration_(std::make_shared<std::vector<double>>()) {}

Model compile(const ModelSpec& spec, std::shared_ptr<const LawRegistry> registry) {
  if (!registry) registry = std::make_shared<const LawRegistry>(builtin_laws());
  Model m;
  const auto structure = std::make_shared<detail::ModelStructure>();
  detail::ModelStructure& S = *structure;
  S.registry = registry;
  m.s_ = structure;
  auto muscle_params = std::make_shared<std::vector<muscle::MuscleTendonParams>>();
  auto segment_params = std::make_shared<std::vector<spine::SegmentParams>>();
  auto segment_hydration = std::make_shared<std::vector<double>>();
  m.muscle_params_ = muscle_params;
  m.segment_params_ = segment_params;
  m.segment_hydration_ = segment_hydration;
  S.name = spec.name;
  S.description = spec.description;
  S.file = spec.file;
  S.text = spec.text;
  S.gravity = vec(spec.gravity);
  const std::string& file = spec.file;

  // Bodies, parents first. A revolute joint defines its coordinate, or follows one an earlier
  // joint defined (coupled joints).
  S.n_bodies = static_cast<int>(spec.bodies.size());
  std::map<std::string, int> dof_index;
  std::map<std::string, int> joint_index;
  // Names to indices (ground is -1, unknown -2), filled as bodies are compiled: a parent must be
  // listed before its child. Maps keep lookups fast for models at the size limits.
  std::map<std::string, int> body_index{{"ground", -1}};
  auto find_body = [&](const std::string& name) {
    const auto it = body_index.find(name);
    return it == body_index.end() ? -2 : it->second;
  };
  auto find_dof = [&](const std::string& name) {
    const auto it = dof_index.find(name);
    return it == dof_index.end() ? -1 : it->second;
  };
  auto find_segment = [&](const std::string& name) {
    const auto it = std::find(S.segment_names.begin(), S.segment_names.end(), name);
    return it == S.segment_names.end() ? -1 : static_cast<int>(it - S.segment_names.begin());
  };
  for (int b = 0; b < S.n_bodies; ++b) {
    const BodySpec& bs = spec.bodies[b];
    const std::string field = "bodies[" + std::to_string(b) + "=" + bs.name + "]";
    const int parent = find_body(bs.parent);
    if (parent == -2)
      throw ModelError(file, bs.loc.line, field + ".parent",
                       "ground or a body listed before this one", "'" + bs.parent + "'");
    S.body_names.push_back(bs.name);
    body_index.emplace(bs.name, b);
    S.body_parent.push_back(parent);
    S.body_mass.push_back(bs.mass);
    S.body_com.push_back(vec(bs.com));
    Eigen::Matrix3d inertia;
    inertia << bs.inertia[0], bs.inertia[3], bs.inertia[4], bs.inertia[3], bs.inertia[1],
        bs.inertia[5], bs.inertia[4], bs.inertia[5], bs.inertia[2];
    S.body_inertia.push_back(inertia);
    S.joint_axis.push_back(vec(bs.joint.axis));
    S.joint_ratio.push_back(bs.joint.ratio);
    S.joint_offset.push_back(bs.joint.offset);
    S.joint_location_in_parent.push_back(vec(bs.joint.location_in_parent));
    S.joint_location_in_child.push_back(vec(bs.joint.location_in_child));
    S.joint_orientation.push_back(rotation_xyz(bs.joint.orientation));
    if (bs.joint.type == "revolute") {
      if (joint_index.count(bs.joint.name))
        throw ModelError(file, bs.loc.line, field + ".joint.name", "a unique joint name",
                         "duplicate '" + bs.joint.name + "'");
      joint_index[bs.joint.name] = b;
      const bool named = !bs.joint.coordinate.empty();
      const std::string coordinate = named ? bs.joint.coordinate : bs.joint.name;
      const auto found = dof_index.find(coordinate);
      if (found != dof_index.end()) {
        if (!named)
          throw ModelError(file, bs.loc.line, field + ".joint.name", "a unique coordinate name",
                           "duplicate '" + coordinate + "'");
        S.body_dof.push_back(found->second);
        S.dof_joints[found->second].push_back(b);
        continue;
      }
      const int d = S.n_dofs++;
      dof_index[coordinate] = d;
      S.body_dof.push_back(d);
      S.dof_names.push_back(coordinate);
      S.dof_body.push_back(b);
      S.dof_joints.push_back({b});
      S.dof_range_min.push_back(bs.joint.range[0]);
      S.dof_range_max.push_back(bs.joint.range[1]);
      S.dof_default.push_back(bs.joint.default_value);
      S.dof_damping.push_back(bs.joint.damping);
      S.dof_limit_stiffness.push_back(bs.joint.limit_stiffness);
      S.dof_limit_sharpness.push_back(bs.joint.limit_sharpness);
    } else {
      S.body_dof.push_back(-1);
    }
  }
  if (S.n_dofs == 0)
    throw ModelError(file, spec.bodies.empty() ? 0 : spec.bodies.front().loc.line, "bodies",
                     "at least one body on a revolute joint", "none");
  // Compiling checks the mass matrix (dense, cubic cost in the coordinates) and every muscle has
  // a moment arm channel per coordinate: bound both so that a small file cannot hang the loader.
  if (S.n_dofs > kMaxCoordinates) {
    const int b = S.dof_body[kMaxCoordinates];
    throw ModelError(file, spec.bodies[b].loc.line,
                     "bodies[" + std::to_string(b) + "=" + S.body_names[b] + "].joint",
                     "at most " + std::to_string(kMaxCoordinates) + " coordinates in a model",
                     std::to_string(S.n_dofs) + " coordinates");
  }
  // Which bodies move with which joint and coordinate (descendants of the joint's body, itself
  // included).
  S.body_moves_with_dof.assign(S.n_dofs, std::vector<bool>(S.n_bodies, false));
  S.body_moves_with_joint.assign(S.n_bodies, std::vector<bool>(S.n_bodies, false));
  for (int b = 0; b < S.n_bodies; ++b)
    for (int a = b; a >= 0; a = S.body_parent[a])
      if (S.body_dof[a] >= 0) {
        S.body_moves_with_dof[S.body_dof[a]][b] = true;
        S.body_moves_with_joint[a][b] = true;
      }
  check_inertia(m, spec);

  // Wrap surfaces.
  S.n_wrap_surfaces = static_cast<int>(spec.wrap_surfaces.size());
  std::map<std::string, int> wrap_index;
  for (int w = 0; w < S.n_wrap_surfaces; ++w) {
    const WrapSurfaceSpec& ws = spec.wrap_surfaces[w];
    const std::string field = "wrap_surfaces[" + std::to_string(w) + "=" + ws.name + "]";
    if (!wrap_index.emplace(ws.name, w).second)
      throw ModelError(file, ws.loc.line, field + ".name", "a unique name",
                       "duplicate '" + ws.name + "'");
    const int body = find_body(ws.body);
    if (body == -2)
      throw ModelError(file, ws.loc.line, field + ".body", "ground or a body of the model",
                       "'" + ws.body + "'");
    if (ws.type != "cylinder" && ws.type != "sphere")
      throw ModelError(file, ws.loc.line, field + ".type", "cylinder or sphere", ws.type);
    if (!(ws.radius > 0.0))
      throw ModelError(file, ws.loc.line, field + ".radius", "a positive radius",
                       std::to_string(ws.radius));
    int side_axis = -1;
    double side_sign = 1.0;
    if (ws.side != "all") {
      const bool ok = ws.side.size() == 2 && (ws.side[0] == '+' || ws.side[0] == '-') &&
                      ws.side[1] >= 'x' && ws.side[1] <= 'z';
      if (!ok || (ws.type == "cylinder" && ws.side[1] == 'z'))
        throw ModelError(
            file, ws.loc.line, field + ".side",
            ws.type == "cylinder" ? "all, +x, -x, +y or -y" : "all, +x, -x, +y, -y, +z or -z",
            "'" + ws.side + "'");
      side_axis = ws.side[1] - 'x';
      side_sign = ws.side[0] == '+' ? 1.0 : -1.0;
    }
    S.wrap_names.push_back(ws.name);
    S.wrap_type.push_back(ws.type == "cylinder" ? WrapType::Cylinder : WrapType::Sphere);
    S.wrap_body.push_back(body);
    S.wrap_centre.push_back(vec(ws.centre));
    S.wrap_rotation.push_back(rotation_xyz(ws.xyz_body_rotation));
    S.wrap_radius.push_back(ws.radius);
    S.wrap_length.push_back(ws.length);
    S.wrap_side_axis.push_back(side_axis);
    S.wrap_side_sign.push_back(side_sign);
  }

  // Muscles.
  S.n_muscles = static_cast<int>(spec.muscles.size());
  for (int i = 0; i < S.n_muscles; ++i) {
    const MuscleSpec& ms = spec.muscles[i];
    const std::string field = "muscles[" + std::to_string(i) + "=" + ms.name + "]";
    S.muscle_names.push_back(ms.name);
    muscle::MuscleTendonParams p;
    p.max_isometric_force = ms.max_isometric_force;
    p.optimal_fibre_length = ms.optimal_fibre_length;
    p.tendon_slack_length = ms.tendon_slack_length;
    p.pennation_at_optimal = ms.pennation_at_optimal;
    p.max_contraction_velocity = ms.max_contraction_velocity;
    p.fibre_damping = ms.fibre_damping;
    p.min_norm_fibre_length = 0.2;
    p.curves.set = muscle::curve_set_from_name(ms.curves);
    p.curves.thelen.kshape_active = ms.thelen_kshape_active;
    p.curves.thelen.kshape_passive = ms.thelen_kshape_passive;
    p.curves.thelen.fmax_muscle_strain = ms.thelen_fmax_muscle_strain;
    p.curves.thelen.fmax_tendon_strain = ms.thelen_fmax_tendon_strain;
    p.curves.thelen.af = ms.thelen_af;
    p.curves.thelen.flen = ms.thelen_flen;
    p.tendon = muscle::TendonModel::Rigid;  // until the tendon law is attached (below)
    try {
      muscle::validate(p);
    } catch (const InvalidArgument& e) {
      throw ModelError(file, ms.loc.line, field, "valid muscle-tendon parameters", e.what());
    }
    muscle_params->push_back(p);
    S.muscle_curves.push_back(ms.curves);
    S.muscle_tendon.push_back("rigid");
    std::vector<int> bodies;
    std::vector<Eigen::Vector3d> points;
    for (std::size_t k = 0; k < ms.path.size(); ++k) {
      const int b = find_body(ms.path[k].body);
      if (b == -2)
        throw ModelError(file, ms.loc.line, field + ".path[" + std::to_string(k) + "].body",
                         "ground or a body of the model", "'" + ms.path[k].body + "'");
      bodies.push_back(b);
      points.push_back(vec(ms.path[k].point));
    }
    S.muscle_path_body.push_back(bodies);
    S.muscle_path_point.push_back(points);
    // Conditional path points and wraps.
    std::vector<int> active_dof;
    std::vector<std::array<double, 2>> active_range;
    for (std::size_t k = 0; k < ms.path.size(); ++k) {
      const PathPointSpec& pp = ms.path[k];
      int d = -1;
      if (!pp.active_coordinate.empty()) {
        d = find_dof(pp.active_coordinate);
        if (d < 0)
          throw ModelError(file, ms.loc.line,
                           field + ".path[" + std::to_string(k) + "].active_when.coordinate",
                           "a coordinate of the model", "'" + pp.active_coordinate + "'");
      }
      active_dof.push_back(d);
      active_range.push_back(pp.active_range);
    }
    S.muscle_path_active_dof.push_back(active_dof);
    S.muscle_path_active_range.push_back(active_range);
    std::vector<PathWrap> wraps;
    const int n_points = static_cast<int>(ms.path.size());
    for (std::size_t k = 0; k < ms.wrap.size(); ++k) {
      const PathWrapSpec& pw = ms.wrap[k];
      const std::string wfield = field + ".wrap[" + std::to_string(k) + "]";
      const auto found = wrap_index.find(pw.surface);
      if (found == wrap_index.end())
        throw ModelError(file, ms.loc.line, wfield + ".surface", "a wrap surface of the model",
                         "'" + pw.surface + "'");
      PathWrap w;
      w.surface = found->second;
      w.from_point = pw.from_point;
      w.to_point = pw.to_point < 0 ? n_points - 1 : pw.to_point;
      if (w.from_point < 0 || w.to_point >= n_points || w.from_point >= w.to_point)
        throw ModelError(
            file, ms.loc.line, wfield,
            "path point indices with 0 <= from_point < to_point < " + std::to_string(n_points),
            std::to_string(w.from_point) + ", " + std::to_string(w.to_point));
      wraps.push_back(w);
    }
    S.muscle_wraps.push_back(wraps);
  }

  // Pairs.
  std::map<std::string, int> muscle_index;
  for (int i = 0; i < S.n_muscles; ++i)
    muscle_index.emplace(S.muscle_names[i], i);
  S.n_pairs = static_cast<int>(spec.pairs.size());
  for (int k = 0; k < S.n_pairs; ++k) {
    const PairSpec& ps = spec.pairs[k];
    const std::string field = "pairs[" + std::to_string(k) + "=" + ps.name + "]";
    S.pair_names.push_back(ps.name);
    const int d = find_dof(ps.joint);
    if (d < 0)
      throw ModelError(file, ps.loc.line, field + ".joint", "a revolute joint's coordinate name",
                       "'" + ps.joint + "'");
    S.pair_dof.push_back(d);
    auto resolve = [&](const std::vector<std::string>& names, const char* side) {
      std::vector<int> idx;
      for (std::size_t j = 0; j < names.size(); ++j) {
        const auto found = muscle_index.find(names[j]);
        const int i = found == muscle_index.end() ? -1 : found->second;
        if (i < 0)
          throw ModelError(file, ps.loc.line, field + "." + side + "[" + std::to_string(j) + "]",
                           "the name of a muscle of the model", "'" + names[j] + "'");
        idx.push_back(i);
      }
      return idx;
    };
    S.pair_agonists.push_back(resolve(ps.agonists, "agonists"));
    S.pair_antagonists.push_back(resolve(ps.antagonists, "antagonists"));
    for (int a : S.pair_agonists.back())
      for (int b : S.pair_antagonists.back())
        if (a == b)
          throw ModelError(file, ps.loc.line, field, "disjoint agonists and antagonists",
                           "'" + S.muscle_names[a] + "' on both sides");
  }

  // Muscle groups (names checked by the loader).
  for (const MuscleGroupSpec& g : spec.groups) {
    S.group_names.push_back(g.name);
    std::vector<int> members;
    for (const std::string& name : g.muscles) {
      const auto found = muscle_index.find(name);
      if (found == muscle_index.end())
        throw ModelError(file, g.loc.line, "groups." + g.name, "names of muscles of the model",
                         "'" + name + "'");
      members.push_back(found->second);
    }
    S.group_muscles.push_back(members);
  }

  // Spinal levels.
  S.n_segments = static_cast<int>(spec.segments.size());
  S.body_segment.assign(S.n_bodies, -1);
  for (int k = 0; k < S.n_segments; ++k) {
    const SegmentSpec& ss = spec.segments[k];
    const std::string field = "segments[" + std::to_string(k) + "=" + ss.name + "]";
    int body = -1;
    for (int b = 0; b < S.n_bodies; ++b)
      if (spec.bodies[b].joint.name == ss.joint) body = b;
    if (body < 0 || S.body_dof[body] < 0)
      throw ModelError(file, ss.loc.line, field + ".joint", "the name of a revolute joint",
                       "'" + ss.joint + "'");
    if (S.body_segment[body] >= 0)
      throw ModelError(file, ss.loc.line, field + ".joint", "a joint no other segment names",
                       "'" + ss.joint + "' again");
    const Eigen::Vector3d& axis = S.joint_axis[body];
    if (std::abs(axis.z()) < 1.0 - 1e-9)
      throw ModelError(file, ss.loc.line, field + ".joint",
                       "a joint about the z axis of its parent (a sagittal level)",
                       "axis [" + std::to_string(axis.x()) + ", " + std::to_string(axis.y()) +
                           ", " + std::to_string(axis.z()) + "]");
    try {
      spine::validate(ss.params);
    } catch (const InvalidArgument& e) {
      throw ModelError(file, ss.loc.line, field, "valid segment parameters", e.what());
    }
    S.body_segment[body] = k;
    S.segment_names.push_back(ss.name);
    segment_params->push_back(ss.params);
    S.segment_body.push_back(body);
    S.segment_flexion_sign.push_back(axis.z() < 0.0 ? 1.0 : -1.0);
    S.segment_axis.emplace_back(std::sin(ss.axis_tilt), std::cos(ss.axis_tilt), 0.0);
    segment_hydration->push_back(ss.hydration);
    S.segment_region.push_back(ss.region);
    S.segment_rhythm.push_back(ss.rhythm);
  }
  // Regions: each level's coordinate with its rhythm, normalised per region.
  for (int k = 0; k < S.n_segments; ++k) {
    const std::string& region = S.segment_region[static_cast<std::size_t>(k)];
    const int d = S.body_dof[static_cast<std::size_t>(S.segment_body[static_cast<std::size_t>(k)])];
    if (region.empty() || d < 0) continue;
    auto it = std::find(S.region_names.begin(), S.region_names.end(), region);
    if (it == S.region_names.end()) {
      S.region_names.push_back(region);
      S.region_dofs.emplace_back();
      S.region_weights.emplace_back();
      it = S.region_names.end() - 1;
    }
    const std::size_t r = static_cast<std::size_t>(it - S.region_names.begin());
    if (std::find(S.region_dofs[r].begin(), S.region_dofs[r].end(), d) != S.region_dofs[r].end())
      continue;
    S.region_dofs[r].push_back(d);
    S.region_weights[r].push_back(S.segment_rhythm[static_cast<std::size_t>(k)]);
  }
  for (auto& weights : S.region_weights) {
    double total = 0.0;
    for (double w : weights)
      total += w;
    for (double& w : weights)
      w = total > 0.0 ? w / total : 1.0 / static_cast<double>(weights.size());
  }
  S.subject = spec.subject;

  // Postures.
  const PostureSpec& ps = spec.posture;
  PostureMap& pm = S.posture;
  pm.ground_is_thorax = ps.ground == "thorax";
  pm.ground_is_thigh = ps.ground == "thigh";
  if (!ps.load_body.empty()) {
    pm.load_body = find_body(ps.load_body);
    if (pm.load_body < 0)
      throw ModelError(file, ps.loc.line, "posture.load_body", "a body of the model",
                       "'" + ps.load_body + "'");
  }
  pm.shoulder = vec(ps.shoulder);
  pm.arm_mass = ps.arm_mass;
  pm.arm_length = ps.arm_length;
  pm.arm_com_fraction = ps.arm_com_fraction;
  if (!ps.load_reference.empty()) {
    pm.load_reference = find_segment(ps.load_reference);
    if (pm.load_reference < 0)
      throw ModelError(file, ps.loc.line, "posture.load_reference", "a segment of the model",
                       "'" + ps.load_reference + "'");
  }
  auto coordinate = [&](const std::string& name, const char* field) {
    if (name.empty()) return -1;
    const int d = find_dof(name);
    if (d < 0)
      throw ModelError(file, ps.loc.line, std::string("posture.") + field,
                       "a coordinate of the model", "'" + name + "'");
    return d;
  };
  pm.hip_dof = coordinate(ps.hip_coordinate, "hip_coordinate");
  pm.head_dof = coordinate(ps.head_coordinate, "head_coordinate");
  pm.knee_dof = coordinate(ps.knee_coordinate, "knee_coordinate");
  auto body = [&](const std::string& name, const char* field) {
    if (name.empty()) return -2;
    const int b = find_body(name);
    if (b < 0)
      throw ModelError(file, ps.loc.line, std::string("posture.") + field, "a body of the model",
                       "'" + name + "'");
    return b;
  };
  pm.trunk_body = body(ps.trunk_body, "trunk_body");
  pm.gaze_body = body(ps.gaze_body, "gaze_body");
  pm.seat_body = body(ps.seat_body, "seat_body");
  pm.seat_point = vec(ps.seat_point);
  pm.feet_body = body(ps.feet_body, "feet_body");
  pm.ankle_point = vec(ps.ankle_point);
  pm.pressure_offset = ps.pressure_offset;
  pm.ground_mass = ps.ground_mass;
  pm.ground_com = vec(ps.ground_com);
  pm.dof_prescribed.assign(S.n_dofs, false);
  for (std::size_t i = 0; i < ps.prescribed.size(); ++i)
    pm.dof_prescribed[coordinate(ps.prescribed[i],
                                 ("prescribed[" + std::to_string(i) + "]").c_str())] = true;

  S.warnings = spec.warnings;

  // Lookup tables.
  for (int i = 0; i < S.n_muscles; ++i)
    S.muscle_index.emplace(S.muscle_names[i], i);
  for (int k = 0; k < S.n_segments; ++k)
    S.segment_index.emplace(S.segment_names[k], k);
  for (int k = 0; k < S.n_pairs; ++k)
    S.pair_index.emplace(S.pair_names[k], k);
  for (std::size_t g = 0; g < S.group_names.size(); ++g)
    S.group_index.emplace(S.group_names[g], static_cast<int>(g));
  S.dof_index.insert(dof_index.begin(), dof_index.end());
  for (int b = 0; b < S.n_bodies; ++b)
    S.body_index.emplace(S.body_names[b], b);

  // Laws: attach, then lay out states and channels.
  Laws laws = attach_laws(spec, *registry, S);
  // The tendon law decides the tendon model (compliant_tendon: a fibre-length state).
  for (int i = 0; i < S.n_muscles; ++i)
    for (const auto& [l, k] : S.muscle_laws[i]) {
      if (S.law_roles[static_cast<std::size_t>(l)] != "tendon") continue;
      const bool compliant = laws[static_cast<std::size_t>(l)]->info().name == "compliant_tendon";
      muscle::MuscleTendonParams& p = (*muscle_params)[static_cast<std::size_t>(i)];
      p.tendon = compliant ? muscle::TendonModel::Compliant : muscle::TendonModel::Rigid;
      S.muscle_tendon[static_cast<std::size_t>(i)] = compliant ? "compliant" : "rigid";
      try {
        muscle::validate(p);
      } catch (const InvalidArgument& e) {
        throw ModelError(file, spec.muscles[i].loc.line,
                         "muscles[" + std::to_string(i) + "=" + S.muscle_names[i] + "].tendon",
                         "valid muscle-tendon parameters for a " + S.muscle_tendon[i] + " tendon",
                         e.what());
      }
    }
  check_channel_count(spec, S, laws);
  make_layout(S, laws);
  make_channels(S, laws);
  for (std::size_t l = 0; l < laws.size(); ++l)
    S.law_order.push_back(static_cast<int>(l));
  std::stable_sort(S.law_order.begin(), S.law_order.end(), [&](int a, int b) {
    return laws[static_cast<std::size_t>(a)]->info().stage <
           laws[static_cast<std::size_t>(b)]->info().stage;
  });
  for (auto& law : laws)
    m.laws_.push_back(std::shared_ptr<const Law>(std::move(law)));
  m.muscle_params_ = muscle_params;
  m.segment_params_ = segment_params;
  m.segment_hydration_ = segment_hydration;
  compute_default_mtu_length(m, S);
  return m;
}

namespace {

template <class Map>
int lookup(const Map& map, const std::string& name) {
  const auto it = map.find(name);
  return it == map.end() ? -1 : it->second;
}

[[noreturn]] void bad_parameter(const std::string& name, const std::string& part,
                                const std::vector<std::string>& valid) {
  throw InvalidArgument("parameter '" + name + "': '" + part + "' is not known; " +
                        detail::valid_names(valid, part));
}

std::vector<std::string> law_param_names(const LawInfo& info) {
  std::vector<std::string> out;
  for (const ParamInfo& p : info.params)
    out.push_back(p.name);
  return out;
}

}  // namespace

int Model::find_dof(const std::string& n) const {
  return lookup(s_->dof_index, n);
}
int Model::find_muscle(const std::string& n) const {
  return lookup(s_->muscle_index, n);
}
int Model::find_segment(const std::string& n) const {
  return lookup(s_->segment_index, n);
}
int Model::find_region(const std::string& n) const {
  const auto it = std::find(s_->region_names.begin(), s_->region_names.end(), n);
  return it == s_->region_names.end() ? -1 : static_cast<int>(it - s_->region_names.begin());
}
int Model::find_pair(const std::string& n) const {
  return lookup(s_->pair_index, n);
}
int Model::find_group(const std::string& n) const {
  return lookup(s_->group_index, n);
}
int Model::find_body(const std::string& n) const {
  if (n == "ground") return -1;
  const int b = lookup(s_->body_index, n);
  return b < 0 ? -2 : b;
}

int Model::find_law(LawDomain domain, int entity, const std::string& role, int* k) const {
  const auto& attached = domain == LawDomain::Muscle
                             ? s_->muscle_laws
                             : (domain == LawDomain::Pair ? s_->pair_laws : s_->segment_laws);
  if (entity < 0 || entity >= static_cast<int>(attached.size())) return -1;
  for (const auto& [l, kk] : attached[static_cast<std::size_t>(entity)])
    if (s_->law_roles[static_cast<std::size_t>(l)] == role) {
      if (k) *k = kk;
      return l;
    }
  return -1;
}

ParameterRef Model::parameter(const std::string& name) const {
  const std::vector<ParameterRef> refs = parameters(name);
  if (refs.size() != 1)
    throw InvalidArgument("parameter '" + name + "': names " + std::to_string(refs.size()) +
                          " parameters (a group); use parameters()");
  return refs.front();
}

std::vector<ParameterRef> Model::parameters(const std::string& name) const {
  const std::size_t dot = name.find('.');
  const std::string domain = name.substr(0, dot);
  if (dot == std::string::npos ||
      (domain != "muscles" && domain != "groups" && domain != "segments" && domain != "pairs"))
    bad_parameter(name, domain, {"muscles", "groups", "segments", "pairs"});
  const std::size_t dot2 = name.find('.', dot + 1);
  if (dot2 == std::string::npos)
    throw InvalidArgument("parameter '" + name + "': expected " + domain + ".NAME.FIELD");
  const std::string entity = name.substr(dot + 1, dot2 - dot - 1);
  const std::string field = name.substr(dot2 + 1);

  // A law parameter: laws.ROLE.PARAM, or a legacy key.
  auto law_ref = [&](LawDomain d, int index, const std::string& f) -> ParameterRef {
    std::string role, param;
    if (f.rfind("laws.", 0) == 0) {
      const std::size_t p = f.find('.', 5);
      if (p == std::string::npos)
        throw InvalidArgument("parameter '" + name + "': expected laws.ROLE.PARAM");
      role = f.substr(5, p - 5);
      param = f.substr(p + 1);
    } else {
      for (const detail::LegacyLawKey& k : detail::legacy_law_keys())
        if (k.domain == d && f == k.key) {
          role = k.role;
          param = k.param;
        }
    }
    if (role.empty()) return ParameterRef{ParameterRef::Block::Law, -1, -1, -1};
    int k = 0;
    const int l = find_law(d, index, role, &k);
    if (l < 0) {
      std::vector<std::string> roles;
      const auto& attached =
          d == LawDomain::Muscle
              ? s_->muscle_laws[static_cast<std::size_t>(index)]
              : (d == LawDomain::Pair ? s_->pair_laws[static_cast<std::size_t>(index)]
                                      : s_->segment_laws[static_cast<std::size_t>(index)]);
      for (const auto& a : attached)
        roles.push_back(s_->law_roles[static_cast<std::size_t>(a.first)]);
      bad_parameter(name, role, roles);
    }
    const LawInfo& info = laws_[static_cast<std::size_t>(l)]->info();
    for (std::size_t f2 = 0; f2 < info.params.size(); ++f2)
      if (info.params[f2].name == param)
        return ParameterRef{ParameterRef::Block::Law, l, k, static_cast<int>(f2)};
    bad_parameter(name, param, law_param_names(info));
  };

  if (domain == "muscles" || domain == "groups") {
    std::vector<int> members;
    if (domain == "groups") {
      const int g = find_group(entity);
      if (g < 0) bad_parameter(name, entity, s_->group_names);
      members = s_->group_muscles[static_cast<std::size_t>(g)];
    } else {
      const int i = find_muscle(entity);
      if (i < 0) bad_parameter(name, entity, s_->muscle_names);
      members = {i};
    }
    std::vector<ParameterRef> out;
    for (int i : members) {
      const auto& fields = detail::muscle_fields();
      bool found = false;
      for (std::size_t f = 0; f < fields.size(); ++f)
        if (field == fields[f].name) {
          out.push_back({ParameterRef::Block::Muscle, i, 0, static_cast<int>(f)});
          found = true;
        }
      if (found) continue;
      const ParameterRef ref = law_ref(LawDomain::Muscle, i, field);
      if (ref.index < 0) {
        std::vector<std::string> valid;
        for (const auto& f : fields)
          valid.push_back(f.name);
        for (const auto& k : detail::legacy_law_keys())
          if (k.domain == LawDomain::Muscle) valid.push_back(k.key);
        valid.push_back("laws.ROLE.PARAM");
        bad_parameter(name, field, valid);
      }
      out.push_back(ref);
    }
    return out;
  }
  if (domain == "pairs") {
    const int k = find_pair(entity);
    if (k < 0) bad_parameter(name, entity, s_->pair_names);
    const ParameterRef ref = law_ref(LawDomain::Pair, k, field);
    if (ref.index < 0) bad_parameter(name, field, {"reciprocal_inhibition", "laws.ROLE.PARAM"});
    return {ref};
  }
  const int k = find_segment(entity);
  if (k < 0) bad_parameter(name, entity, s_->segment_names);
  if (field == "hydration") return {{ParameterRef::Block::Hydration, k, 0, 0}};
  const auto& fields = detail::segment_fields();
  for (std::size_t f = 0; f < fields.size(); ++f)
    if (field == fields[f].name) return {{ParameterRef::Block::Segment, k, 0, static_cast<int>(f)}};
  const ParameterRef ref = law_ref(LawDomain::Segment, k, field);
  if (ref.index < 0) {
    std::vector<std::string> valid{"hydration"};
    for (const auto& f : fields)
      valid.push_back(f.name);
    for (const auto& key : detail::legacy_law_keys())
      if (key.domain == LawDomain::Segment) valid.push_back(key.key);
    bad_parameter(name, field, valid);
  }
  return {ref};
}

double Model::parameter_value(const ParameterRef& r) const {
  switch (r.block) {
    case ParameterRef::Block::Muscle:
      return (*muscle_params_)[static_cast<std::size_t>(r.index)].*
             (detail::muscle_fields()[static_cast<std::size_t>(r.field)].member);
    case ParameterRef::Block::Segment: {
      spine::SegmentParams copy = (*segment_params_)[static_cast<std::size_t>(r.index)];
      return detail::segment_fields()[static_cast<std::size_t>(r.field)].ref(copy);
    }
    case ParameterRef::Block::Hydration:
      return (*segment_hydration_)[static_cast<std::size_t>(r.index)];
    case ParameterRef::Block::Law:
      return laws_[static_cast<std::size_t>(r.index)]->param(r.entity, r.field);
  }
  return 0.0;
}

std::vector<std::string> Model::parameter_names() const {
  std::vector<std::string> out;
  for (int i = 0; i < n_muscles(); ++i) {
    const std::string p = "muscles." + s_->muscle_names[static_cast<std::size_t>(i)] + ".";
    for (const auto& f : detail::muscle_fields())
      out.push_back(p + f.name);
    for (const auto& [l, k] : muscle_laws(i))
      for (const ParamInfo& info : laws_[static_cast<std::size_t>(l)]->info().params)
        out.push_back(p + "laws." + law_role(l) + "." + info.name);
  }
  for (int k = 0; k < n_pairs(); ++k)
    for (const auto& [l, kk] : pair_laws(k))
      for (const ParamInfo& info : laws_[static_cast<std::size_t>(l)]->info().params)
        out.push_back("pairs." + s_->pair_names[static_cast<std::size_t>(k)] + ".laws." +
                      law_role(l) + "." + info.name);
  for (int k = 0; k < n_segments(); ++k) {
    const std::string p = "segments." + s_->segment_names[static_cast<std::size_t>(k)] + ".";
    out.push_back(p + "hydration");
    for (const auto& f : detail::segment_fields())
      out.push_back(p + f.name);
    for (const auto& [l, kk] : segment_laws(k))
      for (const ParamInfo& info : laws_[static_cast<std::size_t>(l)]->info().params)
        out.push_back(p + "laws." + law_role(l) + "." + info.name);
  }
  return out;
}

Model Model::with_parameters(const std::vector<std::pair<ParameterRef, double>>& changes) const {
  Model out = *this;
  // Copy each block on its first change only.
  std::shared_ptr<std::vector<muscle::MuscleTendonParams>> muscles;
  std::shared_ptr<std::vector<spine::SegmentParams>> segments;
  std::shared_ptr<std::vector<double>> hydration;
  std::vector<std::unique_ptr<Law>> laws(laws_.size());
  std::vector<int> touched_muscles, touched_segments;
  for (const auto& [r, value] : changes) {
    const auto index = static_cast<std::size_t>(r.index);
    switch (r.block) {
      case ParameterRef::Block::Muscle: {
        if (!muscles)
          muscles = std::make_shared<std::vector<muscle::MuscleTendonParams>>(*muscle_params_);
        const detail::MuscleField& f = detail::muscle_fields()[static_cast<std::size_t>(r.field)];
        if (!(std::isfinite(value) && value >= f.min && value <= f.max))
          throw InvalidArgument("muscles." + s_->muscle_names[index] + "." + f.name +
                                ": expected a finite value in [" + std::to_string(f.min) + ", " +
                                std::to_string(f.max) + "] [" + f.unit + "], got " +
                                std::to_string(value));
        (*muscles)[index].*(f.member) = value;
        touched_muscles.push_back(r.index);
        break;
      }
      case ParameterRef::Block::Segment: {
        if (!segments)
          segments = std::make_shared<std::vector<spine::SegmentParams>>(*segment_params_);
        const detail::SegmentField& f = detail::segment_fields()[static_cast<std::size_t>(r.field)];
        if (!(std::isfinite(value) && value >= f.min && value <= f.max))
          throw InvalidArgument("segments." + s_->segment_names[index] + "." + f.name +
                                ": expected a finite value in [" + std::to_string(f.min) + ", " +
                                std::to_string(f.max) + "] [" + f.unit + "], got " +
                                std::to_string(value));
        f.ref((*segments)[index]) = value;
        touched_segments.push_back(r.index);
        break;
      }
      case ParameterRef::Block::Hydration:
        if (!hydration) hydration = std::make_shared<std::vector<double>>(*segment_hydration_);
        if (!(std::isfinite(value) && value >= 0.05 && value <= 2.0))
          throw InvalidArgument("segments." + s_->segment_names[index] +
                                ".hydration: expected a finite value in [0.05, 2] [1], got " +
                                std::to_string(value));
        (*hydration)[index] = value;
        break;
      case ParameterRef::Block::Law:
        if (!laws[index]) laws[index] = laws_[index]->clone();
        laws[index]->set_param(r.entity, r.field, value);
        break;
    }
  }
  // Whole-entity checks, on the entities that changed.
  for (int i : touched_muscles) {
    try {
      muscle::validate((*muscles)[static_cast<std::size_t>(i)]);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("muscles." + s_->muscle_names[static_cast<std::size_t>(i)] + ": " +
                            e.what());
    }
  }
  for (int k : touched_segments)
    spine::validate((*segments)[static_cast<std::size_t>(k)]);
  if (muscles) out.muscle_params_ = muscles;
  if (segments) out.segment_params_ = segments;
  if (hydration) out.segment_hydration_ = hydration;
  for (std::size_t l = 0; l < laws.size(); ++l)
    if (laws[l]) out.laws_[l] = std::shared_ptr<const Law>(std::move(laws[l]));
  return out;
}

Model Model::with_parameters(const std::map<std::string, double>& changes) const {
  std::vector<std::pair<ParameterRef, double>> refs;
  for (const auto& [name, value] : changes)
    for (const ParameterRef& r : parameters(name))
      refs.emplace_back(r, value);
  return with_parameters(refs);
}

std::string bundled_model_directory() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("MSK_MODEL_PATH"); env && *env) return env;
#ifdef MSK_INSTALL_MODEL_DIR
  if (fs::is_directory(MSK_INSTALL_MODEL_DIR)) return MSK_INSTALL_MODEL_DIR;
#endif
#ifdef MSK_SOURCE_MODEL_DIR
  if (fs::is_directory(MSK_SOURCE_MODEL_DIR)) return MSK_SOURCE_MODEL_DIR;
#endif
  return "";
}

std::vector<std::string> bundled_model_names() {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const std::string dir = bundled_model_directory();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      out.push_back(entry.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

/// A bundled model's file for a bare name ("elbow"); the argument itself otherwise.
std::string resolve_model_path(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  const bool bare = name_or_path.find('/') == std::string::npos &&
                    name_or_path.find('\\') == std::string::npos &&
                    fs::path(name_or_path).extension().empty();
  if (!bare) return name_or_path;
  const std::vector<std::string> names = bundled_model_names();
  if (std::find(names.begin(), names.end(), name_or_path) != names.end())
    return (fs::path(bundled_model_directory()) / (name_or_path + ".yaml")).string();
  if (fs::exists(name_or_path)) return name_or_path;
  throw ModelError(name_or_path, 0, "model",
                   names.empty() ? "a model file (no bundled models found: set MSK_MODEL_PATH)"
                                 : "a model file or a bundled model: " +
                                       detail::valid_names(names, name_or_path),
                   "'" + name_or_path + "'");
}

/// Overrides as one JSON/YAML mapping text: the map entries (values are YAML), then the JSON.
std::vector<std::string> override_texts(const LoadOptions& o) {
  std::vector<std::string> out;
  if (!o.overrides.empty()) {
    std::string text = "{";
    bool first = true;
    for (const auto& [key, value] : o.overrides) {
      text += (first ? "" : ", ") + std::string("\"") + key + "\": " + value;
      first = false;
    }
    out.push_back(text + "}");
  }
  if (!o.overrides_json.empty()) out.push_back(o.overrides_json);
  return out;
}

/// One override: its key as given, itself as a one-entry mapping text, and whether its value is
/// a mapping or a sequence (a subtree, whose own fields an error names).
struct SingleOverride {
  std::string key;
  std::string text;
  bool subtree = false;
};

/// Each override of `texts` (mappings of dotted paths to values) on its own.
/// @throws ModelError naming `source` when a text is not such a mapping
std::vector<SingleOverride> single_overrides(const std::vector<std::string>& texts,
                                             const std::string& source) {
  std::vector<SingleOverride> out;
  for (const std::string& text : texts) {
    YAML::Node overrides;
    try {
      overrides = detail::parse_yaml(text, source, LoadLimits{});
    } catch (const ModelError& e) {
      throw ModelError(source, e.line(), e.field(), e.expected(), e.got());
    }
    if (!overrides.IsMap())
      throw ModelError(source, 0, "<overrides>", "a mapping of dotted paths to values",
                       detail::describe(overrides));
    for (const auto& kv : overrides) {
      YAML::Node one(YAML::NodeType::Map);
      one[kv.first] = kv.second;
      YAML::Emitter emitter;
      emitter << YAML::Flow << one;
      out.push_back({kv.first.IsScalar() ? kv.first.Scalar() : "<key>", emitter.c_str(),
                     kv.second.IsMap() || kv.second.IsSequence()});
    }
  }
  return out;
}

/// `load(texts)`, the model compiled with the override mappings `texts` applied in order. When
/// the model loads without them, a refusal is blamed on the overrides: the ModelError names
/// `source` (who gave them) and the first key refused on its own, as given, with the reason
/// ("SOURCE: 'KEY': expected ..., got ..."; "SOURCE: 'KEY' at FIELD: ..." when the value is a
/// mapping or sequence, FIELD the refused field inside it), or "SOURCE (together)" when only the
/// combination is refused. A model that fails on its own keeps its own message (file, line and
/// field).
template <class Load>
Model load_blaming_overrides(const Load& load, const std::vector<std::string>& texts,
                             const std::string& source) {
  try {
    return load(texts);
  } catch (const ModelError& error) {
    if (texts.empty()) throw;
    // The model alone: its own errors are not the overrides'.
    try {
      load(std::vector<std::string>{});
    } catch (const ModelError&) {
      throw error;
    }
    // Each key alone, in the order given.
    for (const SingleOverride& single : single_overrides(texts, source)) {
      try {
        load(std::vector<std::string>{single.text});
      } catch (const ModelError& alone) {
        // The key as given; for a subtree, also the field inside it that is refused.
        std::string field = "'" + detail::printable_name(single.key) + "'";
        if (single.subtree && alone.field() != "<overrides>") field += " at " + alone.field();
        throw ModelError(source, 0, field, alone.expected(), alone.got());
      }
    }
    throw ModelError(source + " (together)", 0, error.field(), error.expected(), error.got());
  }
}

}  // namespace

Model load_model(const std::string& name_or_path, const LoadOptions& options) {
  const std::string path = resolve_model_path(name_or_path);
  std::shared_ptr<const LawRegistry> laws = options.laws;
  if (!laws) laws = std::make_shared<const LawRegistry>(builtin_laws());
  auto load = [&](const std::vector<std::string>& texts) {
    if (texts.size() <= 1)
      return compile(load_model_spec_file(path, texts.empty() ? "" : texts.front(), {}, laws.get()),
                     laws);
    // Two override sets: apply the first through the text, then the second.
    const ModelSpec first = load_model_spec_file(path, texts[0], {}, laws.get());
    ModelSpec spec = load_model_spec(first.text, path, texts[1], {}, laws.get());
    spec.file = path;
    return compile(spec, laws);
  };
  return load_blaming_overrides(load, override_texts(options), options.overrides_source);
}

Model load_model(const std::string& name_or_path, const std::string& overrides_json) {
  LoadOptions o;
  o.overrides_json = overrides_json;
  return load_model(name_or_path, o);
}

Model load_model_text(const std::string& text, const std::string& file,
                      const LoadOptions& options) {
  std::shared_ptr<const LawRegistry> laws = options.laws;
  if (!laws) laws = std::make_shared<const LawRegistry>(builtin_laws());
  auto load = [&](const std::vector<std::string>& texts) {
    ModelSpec spec =
        load_model_spec(text, file, texts.empty() ? "" : texts.front(), {}, laws.get());
    if (texts.size() > 1) spec = load_model_spec(spec.text, file, texts[1], {}, laws.get());
    return compile(spec, laws);
  };
  return load_blaming_overrides(load, override_texts(options), options.overrides_source);
}

Model load_model_text(const std::string& text, const std::string& file,
                      const std::string& overrides_json) {
  LoadOptions o;
  o.overrides_json = overrides_json;
  return load_model_text(text, file, o);
}

}  // namespace msk
