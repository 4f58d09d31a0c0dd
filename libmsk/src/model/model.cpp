#include "msk/model/model.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>
#include <algorithm>
#include <map>

#include "msk/error.hpp"
#include "msk/model/loader.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/kinematics.hpp"

namespace msk {

namespace {

constexpr int kMaxCoordinates = 500;          ///< coordinates of a model
constexpr std::size_t kMaxChannels = 200000;  ///< output channels of a model

Eigen::Vector3d vec(const std::array<double, 3>& a) {
  return {a[0], a[1], a[2]};
}

StateLayout make_layout(const Model& m) {
  StateLayout s;
  auto add = [&](const std::string& name, const std::string& law) {
    s.names.push_back(name);
    s.laws.push_back(law);
    return s.n_states++;
  };
  s.q_offset = 0;
  for (int d = 0; d < m.n_dofs; ++d)
    add("joint." + m.dof_names[d] + ".angle", "kinematics");
  s.qd_offset = s.n_states;
  for (int d = 0; d < m.n_dofs; ++d)
    add("joint." + m.dof_names[d] + ".velocity", "rigid_body_dynamics");
  for (int i = 0; i < m.n_muscles; ++i) {
    const std::string p = "muscle." + m.muscle_names[i] + ".";
    s.activation.push_back(add(p + "activation", "activation_thelen2003"));
    s.fibre_length.push_back(m.muscle_tendon[i] == "compliant"
                                 ? add(p + "fibre_length", "compliant_tendon_millard2012")
                                 : -1);
    s.reflex.push_back(add(p + "reflex_excitation", "tonic_stretch_reflex"));
    s.pad_stage1.push_back(add(p + "pad_stage1", "post_activation_depression"));
    s.pad_stage2.push_back(add(p + "pad_stage2", "post_activation_depression"));
    s.visco1.push_back(add(p + "viscoelastic_force1", "qlv_passive"));
    s.visco2.push_back(add(p + "viscoelastic_force2", "qlv_passive"));
    s.thixotropy.push_back(add(p + "thixotropic_bonds", "thixotropy"));
  }
  for (int k = 0; k < m.n_segments; ++k)
    s.hydration.push_back(
        add("segment." + m.segment_names[k] + ".hydration", "disc_fluid_osmotic"));
  return s;
}

std::vector<ChannelSpec> make_channels(const Model& m) {
  std::vector<ChannelSpec> c;
  for (int d = 0; d < m.n_dofs; ++d) {
    const std::string p = "joint." + m.dof_names[d] + ".";
    c.push_back({p + "angle", "rad", "coordinate value"});
    c.push_back({p + "velocity", "rad/s", "coordinate speed"});
    c.push_back({p + "muscle_moment", "N m", "sum of muscle moments about the coordinate"});
    c.push_back({"examiner." + m.dof_names[d] + ".torque", "N m",
                 "torque the protocol applies to drive or hold the coordinate (0 when free)"});
    c.push_back({"examiner." + m.dof_names[d] + ".resisting_torque", "N m",
                 "tissue torque (muscles, range limit) resisting the examiner's motion"});
  }
  for (int i = 0; i < m.n_muscles; ++i) {
    const std::string p = "muscle." + m.muscle_names[i] + ".";
    c.push_back({p + "excitation", "1", "total neural excitation u, clamped to [0, 1]"});
    c.push_back({p + "voluntary_excitation", "1", "voluntary excitation from the protocol"});
    c.push_back({p + "reflex_excitation", "1",
                 "stretch-reflex excitation after depression and reciprocal inhibition"});
    c.push_back({p + "activation", "1", "activation a"});
    c.push_back({p + "fibre_length", "m", "fibre length"});
    c.push_back({p + "norm_fibre_length", "1", "fibre length / optimal fibre length"});
    c.push_back({p + "fibre_velocity", "m/s", "fibre velocity (lengthening positive)"});
    c.push_back({p + "mtu_length", "m", "muscle-tendon unit length"});
    c.push_back({p + "force", "N", "tendon (muscle-tendon unit) force"});
    c.push_back({p + "passive_force", "N", "passive fibre force incl. viscoelastic branches"});
    c.push_back({p + "pad_factor", "1", "reflex gain factor from post-activation depression"});
    c.push_back({p + "thixotropic_bonds", "1", "thixotropic bond fraction s (0 when disabled)"});
    for (int d = 0; d < m.n_dofs; ++d) {
      c.push_back({p + "moment_arm." + m.dof_names[d], "m", "moment arm -dl/dq"});
      c.push_back({p + "moment." + m.dof_names[d], "N m", "muscle moment about the coordinate"});
    }
  }
  for (int k = 0; k < m.n_pairs; ++k) {
    const std::string p = "pair." + m.pair_names[k] + ".";
    c.push_back({p + "cci", "1", "co-contraction index 2 min(Mag, Mant)/(Mag + Mant)"});
    c.push_back({p + "net_moment", "N m", "net moment of the pair's muscles"});
    c.push_back({p + "agonist_moment", "N m", "moment of the agonists"});
    c.push_back({p + "antagonist_moment", "N m", "moment of the antagonists"});
  }
  for (int k = 0; k < m.n_segments; ++k) {
    const std::string p = "segment." + m.segment_names[k] + ".";
    c.push_back({p + "angle", "rad", "flexion from the model's geometry (flexion positive)"});
    c.push_back({p + "compression", "N", "compressive load along the disc axis"});
    c.push_back({p + "shear", "N", "anterior shear load on the upper vertebra"});
    c.push_back({p + "disc_force", "N", "axial force in the disc"});
    c.push_back({p + "pressure", "Pa", "intradiscal pressure incl. swelling pressure"});
    c.push_back({p + "facet_force", "N", "axial force in the facet joints"});
    c.push_back({p + "facet_share", "1", "facet force / (disc force + facet force)"});
    c.push_back({p + "ligament_force", "N", "sum of the ligament tensions"});
    c.push_back({p + "disc_height", "m", "mid-disc height"});
    c.push_back({p + "foramen_height", "m", "intervertebral foramen height"});
    c.push_back({p + "moment", "N m", "passive restoring moment of the level (flexion axis)"});
    c.push_back({p + "hydration", "1", "disc fluid content (1 = fully hydrated)"});
  }
  return c;
}

/// Rotation matrix of body-fixed x-y-z Euler angles [rad]: Rx(a) Ry(b) Rz(c).
Eigen::Matrix3d rotation_xyz(const std::array<double, 3>& angles) {
  return (Eigen::AngleAxisd(angles[0], Eigen::Vector3d::UnitX()) *
          Eigen::AngleAxisd(angles[1], Eigen::Vector3d::UnitY()) *
          Eigen::AngleAxisd(angles[2], Eigen::Vector3d::UnitZ()))
      .toRotationMatrix();
}

/// Every coordinate must move some mass: the mass matrix at the default posture must be positive
/// definite (bodies on coupled or intermediate joints may themselves be massless).
void check_inertia(const Model& m, const ModelSpec& spec) {
  Data data = make_data(m);
  Eigen::VectorXd q(m.n_dofs);
  for (int d = 0; d < m.n_dofs; ++d)
    q[d] = m.dof_default[d];
  compute_kinematics(m, q, data);
  compute_mass_matrix(m, data);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(data.mass_matrix);
  const double largest = std::max(eig.eigenvalues().maxCoeff(), 0.0);
  if (eig.eigenvalues().minCoeff() > 1e-12 * std::max(largest, 1e-12)) return;
  // Name the coordinate that contributes most to the motion without inertia.
  Eigen::Index d = 0;
  eig.eigenvectors().col(0).cwiseAbs().maxCoeff(&d);
  const int b = m.dof_body[d];
  throw ModelError(spec.file, spec.bodies[b].loc.line,
                   "bodies[" + std::to_string(b) + "=" + m.body_names[b] + "].mass",
                   "a positive mass or inertia moved by coordinate '" + m.dof_names[d] + "'",
                   "no inertia about that motion");
}

/// Resolves preset thresholds, given relative to the habitual fibre length, to absolute ones.
/// The habitual fibre length is the rigid-tendon fibre length at the default posture, at rest.
void resolve_tone_thresholds(Model& m) {
  Data data = make_data(m);
  Eigen::VectorXd q(m.n_dofs);
  for (int d = 0; d < m.n_dofs; ++d)
    q[d] = m.dof_default[d];
  compute_kinematics(m, q, data);
  compute_muscle_geometry(m, Eigen::VectorXd::Zero(m.n_dofs), data);
  m.muscle_habitual_norm_fibre_length.resize(m.n_muscles);
  for (int i = 0; i < m.n_muscles; ++i) {
    muscle::MuscleTendonParams rigid = m.muscle_params[i];
    rigid.tendon = muscle::TendonModel::Rigid;
    muscle::MuscleTendonState mt;
    muscle::compute_rigid_tendon(rigid, data.mtu_length[i], 0.0, 0.0, mt);
    m.muscle_habitual_norm_fibre_length[i] = mt.norm_fibre_length;
    ToneSpec& tone = m.muscle_tone[i];
    if (!tone.threshold_absolute) tone.threshold = mt.norm_fibre_length + tone.threshold_offset;
  }
}

}  // namespace

int Model::find_dof(const std::string& n) const {
  for (int d = 0; d < n_dofs; ++d)
    if (dof_names[d] == n) return d;
  return -1;
}
int Model::find_muscle(const std::string& n) const {
  for (int i = 0; i < n_muscles; ++i)
    if (muscle_names[i] == n) return i;
  return -1;
}
int Model::find_segment(const std::string& n) const {
  const auto it = std::find(segment_names.begin(), segment_names.end(), n);
  return it == segment_names.end() ? -1 : static_cast<int>(it - segment_names.begin());
}

int Model::find_body(const std::string& n) const {
  if (n == "ground") return -1;
  // While compile() runs, only the bodies listed so far have names.
  for (int b = 0; b < static_cast<int>(body_names.size()); ++b)
    if (body_names[b] == n) return b;
  return -2;
}

Model compile(const ModelSpec& spec) {
  Model m;
  m.name = spec.name;
  m.description = spec.description;
  m.file = spec.file;
  m.text = spec.text;
  m.gravity = vec(spec.gravity);
  const std::string& file = spec.file;

  // Bodies, parents first. A revolute joint defines its coordinate, or follows one an earlier
  // joint defined (coupled joints).
  m.n_bodies = static_cast<int>(spec.bodies.size());
  std::map<std::string, int> dof_index;
  std::map<std::string, int> joint_index;
  // Names to indices (ground is -1, unknown -2), filled as bodies are compiled: a parent must be
  // listed before its child. Maps keep lookups fast for models at the size limits.
  std::map<std::string, int> body_index{{"ground", -1}};
  auto find_body = [&](const std::string& name) {
    const auto it = body_index.find(name);
    return it == body_index.end() ? -2 : it->second;
  };
  for (int b = 0; b < m.n_bodies; ++b) {
    const BodySpec& bs = spec.bodies[b];
    const std::string field = "bodies[" + std::to_string(b) + "=" + bs.name + "]";
    const int parent = find_body(bs.parent);
    if (parent == -2)
      throw ModelError(file, bs.loc.line, field + ".parent",
                       "ground or a body listed before this one", "'" + bs.parent + "'");
    m.body_names.push_back(bs.name);
    body_index.emplace(bs.name, b);
    m.body_parent.push_back(parent);
    m.body_mass.push_back(bs.mass);
    m.body_com.push_back(vec(bs.com));
    Eigen::Matrix3d inertia;
    inertia << bs.inertia[0], bs.inertia[3], bs.inertia[4], bs.inertia[3], bs.inertia[1],
        bs.inertia[5], bs.inertia[4], bs.inertia[5], bs.inertia[2];
    m.body_inertia.push_back(inertia);
    m.joint_axis.push_back(vec(bs.joint.axis));
    m.joint_ratio.push_back(bs.joint.ratio);
    m.joint_offset.push_back(bs.joint.offset);
    m.joint_location_in_parent.push_back(vec(bs.joint.location_in_parent));
    m.joint_location_in_child.push_back(vec(bs.joint.location_in_child));
    m.joint_orientation.push_back(rotation_xyz(bs.joint.orientation));
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
        m.body_dof.push_back(found->second);
        m.dof_joints[found->second].push_back(b);
        continue;
      }
      const int d = m.n_dofs++;
      dof_index[coordinate] = d;
      m.body_dof.push_back(d);
      m.dof_names.push_back(coordinate);
      m.dof_body.push_back(b);
      m.dof_joints.push_back({b});
      m.dof_range_min.push_back(bs.joint.range[0]);
      m.dof_range_max.push_back(bs.joint.range[1]);
      m.dof_default.push_back(bs.joint.default_value);
      m.dof_damping.push_back(bs.joint.damping);
      m.dof_limit_stiffness.push_back(bs.joint.limit_stiffness);
      m.dof_limit_sharpness.push_back(bs.joint.limit_sharpness);
    } else {
      m.body_dof.push_back(-1);
    }
  }
  if (m.n_dofs == 0)
    throw ModelError(file, spec.bodies.empty() ? 0 : spec.bodies.front().loc.line, "bodies",
                     "at least one body on a revolute joint", "none");
  // Compiling checks the mass matrix (dense, cubic cost in the coordinates) and every muscle has
  // a moment arm channel per coordinate: bound both so that a small file cannot hang the loader.
  if (m.n_dofs > kMaxCoordinates) {
    const int b = m.dof_body[kMaxCoordinates];
    throw ModelError(file, spec.bodies[b].loc.line,
                     "bodies[" + std::to_string(b) + "=" + m.body_names[b] + "].joint",
                     "at most " + std::to_string(kMaxCoordinates) + " coordinates in a model",
                     std::to_string(m.n_dofs) + " coordinates");
  }
  const std::size_t n_channels =
      5 * static_cast<std::size_t>(m.n_dofs) +
      spec.muscles.size() * (12 + 2 * static_cast<std::size_t>(m.n_dofs)) + 4 * spec.pairs.size();
  if (n_channels > kMaxChannels)
    throw ModelError(file, spec.muscles.empty() ? 0 : spec.muscles.front().loc.line, "muscles",
                     "at most " + std::to_string(kMaxChannels) +
                         " output channels (5 per coordinate, 12 + 2 per coordinate per muscle, 4 "
                         "per pair)",
                     std::to_string(n_channels) + " channels");
  // Which bodies move with which joint and coordinate (descendants of the joint's body, itself
  // included).
  m.body_moves_with_dof.assign(m.n_dofs, std::vector<bool>(m.n_bodies, false));
  m.body_moves_with_joint.assign(m.n_bodies, std::vector<bool>(m.n_bodies, false));
  for (int b = 0; b < m.n_bodies; ++b)
    for (int a = b; a >= 0; a = m.body_parent[a])
      if (m.body_dof[a] >= 0) {
        m.body_moves_with_dof[m.body_dof[a]][b] = true;
        m.body_moves_with_joint[a][b] = true;
      }
  check_inertia(m, spec);

  // Wrap surfaces.
  m.n_wrap_surfaces = static_cast<int>(spec.wrap_surfaces.size());
  std::map<std::string, int> wrap_index;
  for (int w = 0; w < m.n_wrap_surfaces; ++w) {
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
    m.wrap_names.push_back(ws.name);
    m.wrap_type.push_back(ws.type == "cylinder" ? Model::WrapType::Cylinder
                                                : Model::WrapType::Sphere);
    m.wrap_body.push_back(body);
    m.wrap_centre.push_back(vec(ws.centre));
    m.wrap_rotation.push_back(rotation_xyz(ws.xyz_body_rotation));
    m.wrap_radius.push_back(ws.radius);
    m.wrap_length.push_back(ws.length);
    m.wrap_side_axis.push_back(side_axis);
    m.wrap_side_sign.push_back(side_sign);
  }

  // Muscles.
  m.n_muscles = static_cast<int>(spec.muscles.size());
  for (int i = 0; i < m.n_muscles; ++i) {
    const MuscleSpec& ms = spec.muscles[i];
    const std::string field = "muscles[" + std::to_string(i) + "=" + ms.name + "]";
    m.muscle_names.push_back(ms.name);
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
    p.tendon =
        ms.tendon == "compliant" ? muscle::TendonModel::Compliant : muscle::TendonModel::Rigid;
    try {
      muscle::validate(p);
    } catch (const InvalidArgument& e) {
      throw ModelError(file, ms.loc.line, field, "valid muscle-tendon parameters", e.what());
    }
    m.muscle_params.push_back(p);
    m.muscle_tau_act.push_back(ms.activation_time_constant);
    m.muscle_tau_deact.push_back(ms.deactivation_time_constant);
    m.muscle_min_activation.push_back(ms.minimum_activation);
    m.muscle_tone.push_back(ms.tone);
    m.muscle_visco.push_back(ms.viscoelastic);
    m.muscle_thixotropy.push_back(ms.thixotropy);
    m.muscle_curves.push_back(ms.curves);
    m.muscle_tendon.push_back(ms.tendon);
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
    m.muscle_path_body.push_back(bodies);
    m.muscle_path_point.push_back(points);
    // Conditional path points and wraps.
    std::vector<int> active_dof;
    std::vector<std::array<double, 2>> active_range;
    for (std::size_t k = 0; k < ms.path.size(); ++k) {
      const PathPointSpec& pp = ms.path[k];
      int d = -1;
      if (!pp.active_coordinate.empty()) {
        d = m.find_dof(pp.active_coordinate);
        if (d < 0)
          throw ModelError(file, ms.loc.line,
                           field + ".path[" + std::to_string(k) + "].active_when.coordinate",
                           "a coordinate of the model", "'" + pp.active_coordinate + "'");
      }
      active_dof.push_back(d);
      active_range.push_back(pp.active_range);
    }
    m.muscle_path_active_dof.push_back(active_dof);
    m.muscle_path_active_range.push_back(active_range);
    std::vector<Model::PathWrap> wraps;
    const int n_points = static_cast<int>(ms.path.size());
    for (std::size_t k = 0; k < ms.wrap.size(); ++k) {
      const PathWrapSpec& pw = ms.wrap[k];
      const std::string wfield = field + ".wrap[" + std::to_string(k) + "]";
      const auto found = wrap_index.find(pw.surface);
      if (found == wrap_index.end())
        throw ModelError(file, ms.loc.line, wfield + ".surface", "a wrap surface of the model",
                         "'" + pw.surface + "'");
      Model::PathWrap w;
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
    m.muscle_wraps.push_back(wraps);
  }

  // Pairs.
  std::map<std::string, int> muscle_index;
  for (int i = 0; i < m.n_muscles; ++i)
    muscle_index.emplace(m.muscle_names[i], i);
  m.n_pairs = static_cast<int>(spec.pairs.size());
  for (int k = 0; k < m.n_pairs; ++k) {
    const PairSpec& ps = spec.pairs[k];
    const std::string field = "pairs[" + std::to_string(k) + "=" + ps.name + "]";
    m.pair_names.push_back(ps.name);
    const int d = m.find_dof(ps.joint);
    if (d < 0)
      throw ModelError(file, ps.loc.line, field + ".joint", "a revolute joint's coordinate name",
                       "'" + ps.joint + "'");
    m.pair_dof.push_back(d);
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
    m.pair_agonists.push_back(resolve(ps.agonists, "agonists"));
    m.pair_antagonists.push_back(resolve(ps.antagonists, "antagonists"));
    for (int a : m.pair_agonists.back())
      for (int b : m.pair_antagonists.back())
        if (a == b)
          throw ModelError(file, ps.loc.line, field, "disjoint agonists and antagonists",
                           "'" + m.muscle_names[a] + "' on both sides");
    m.pair_reciprocal_inhibition.push_back(ps.reciprocal_inhibition);
  }

  // Muscle groups (names checked by the loader).
  for (const MuscleGroupSpec& g : spec.groups) {
    m.group_names.push_back(g.name);
    std::vector<int> members;
    for (const std::string& name : g.muscles) {
      const auto found = muscle_index.find(name);
      if (found == muscle_index.end())
        throw ModelError(file, g.loc.line, "groups." + g.name, "names of muscles of the model",
                         "'" + name + "'");
      members.push_back(found->second);
    }
    m.group_muscles.push_back(members);
  }

  // Spinal levels.
  m.n_segments = static_cast<int>(spec.segments.size());
  m.body_segment.assign(m.n_bodies, -1);
  for (int k = 0; k < m.n_segments; ++k) {
    const SegmentSpec& ss = spec.segments[k];
    const std::string field = "segments[" + std::to_string(k) + "=" + ss.name + "]";
    int body = -1;
    for (int b = 0; b < m.n_bodies; ++b)
      if (spec.bodies[b].joint.name == ss.joint) body = b;
    if (body < 0 || m.body_dof[body] < 0)
      throw ModelError(file, ss.loc.line, field + ".joint", "the name of a revolute joint",
                       "'" + ss.joint + "'");
    if (m.body_segment[body] >= 0)
      throw ModelError(file, ss.loc.line, field + ".joint", "a joint no other segment names",
                       "'" + ss.joint + "' again");
    const Eigen::Vector3d& axis = m.joint_axis[body];
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
    m.body_segment[body] = k;
    m.segment_names.push_back(ss.name);
    m.segment_params.push_back(ss.params);
    m.segment_body.push_back(body);
    m.segment_flexion_sign.push_back(axis.z() < 0.0 ? 1.0 : -1.0);
    m.segment_axis.emplace_back(std::sin(ss.axis_tilt), std::cos(ss.axis_tilt), 0.0);
    m.segment_hydration.push_back(ss.hydration);
    m.segment_region.push_back(ss.region);
    m.segment_rhythm.push_back(ss.rhythm);
  }
  m.subject = spec.subject;

  // Postures.
  const PostureSpec& ps = spec.posture;
  Model::PostureMap& pm = m.posture;
  pm.ground_is_thorax = ps.ground == "thorax";
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
    pm.load_reference = m.find_segment(ps.load_reference);
    if (pm.load_reference < 0)
      throw ModelError(file, ps.loc.line, "posture.load_reference", "a segment of the model",
                       "'" + ps.load_reference + "'");
  }
  auto coordinate = [&](const std::string& name, const char* field) {
    if (name.empty()) return -1;
    const int d = m.find_dof(name);
    if (d < 0)
      throw ModelError(file, ps.loc.line, std::string("posture.") + field,
                       "a coordinate of the model", "'" + name + "'");
    return d;
  };
  pm.hip_dof = coordinate(ps.hip_coordinate, "hip_coordinate");
  pm.head_dof = coordinate(ps.head_coordinate, "head_coordinate");
  pm.dof_prescribed.assign(m.n_dofs, false);
  for (std::size_t i = 0; i < ps.prescribed.size(); ++i)
    pm.dof_prescribed[coordinate(ps.prescribed[i],
                                 ("prescribed[" + std::to_string(i) + "]").c_str())] = true;

  m.warnings = spec.warnings;
  m.layout = make_layout(m);
  m.channels = make_channels(m);
  resolve_tone_thresholds(m);
  return m;
}

Model load_model(const std::string& path, const std::string& overrides_json) {
  return compile(load_model_spec_file(path, overrides_json));
}

Model load_model_text(const std::string& text, const std::string& file,
                      const std::string& overrides_json) {
  return compile(load_model_spec(text, file, overrides_json));
}

}  // namespace msk
