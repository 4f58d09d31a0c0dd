// OpenSim model import: Arm26 against OpenSim 4.6's own numbers (tests/data/opensim, made by
// scripts/opensim_reference.py), the legacy format (Christophy 2012 lumbar skeleton), warnings for
// what is not imported, and errors that name the file, the XML line and the element.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "msk/error.hpp"
#include "msk/io/time_series.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/model/opensim.hpp"
#include "msk/model/yaml_writer.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/kinematics.hpp"

namespace {

const std::string kData = std::string(MSK_TEST_DATA_DIR) + "/opensim/";
const std::string kArm26 = kData + "arm26.osim";
const std::string kChristophy =
    kData + "christophy2012_lumbar_skeleton/Christophy2012_axialRotationUpd_skeletonOnly.osim";

bool has_warning(const msk::Model& m, const std::string& part) {
  return std::any_of(m.warnings().begin(), m.warnings().end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::vector<double> doubles(const YAML::Node& n) {
  return n.as<std::vector<double>>();
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v)
    m = std::max(m, std::abs(x));
  return m;
}

/// A minimal 4.x model around a body named "link" on a pin joint, with extra XML in the ForceSet
/// and in the model.
std::string model_4x(const std::string& forces, const std::string& extra = "",
                     const std::string& joint_extra = "") {
  return R"(<?xml version="1.0" encoding="UTF-8" ?>
<OpenSimDocument Version="40000">
  <Model name="test model">
    <Ground name="ground"/>
    <gravity>0 -9.81 0</gravity>
    <BodySet name="bodyset">
      <objects>
        <Body name="link">
          <mass>1</mass>
          <mass_center>0 -0.5 0</mass_center>
          <inertia>0.01 0.01 0.01 0 0 0</inertia>
        </Body>
      </objects>
    </BodySet>
    <JointSet name="jointset">
      <objects>
        <PinJoint name="hinge">
          <socket_parent_frame>ground_offset</socket_parent_frame>
          <socket_child_frame>link_offset</socket_child_frame>
          <coordinates>
            <Coordinate name="q"><range>-1 1</range></Coordinate>
          </coordinates>
          <frames>
            <PhysicalOffsetFrame name="ground_offset">
              <socket_parent>/ground</socket_parent>
              <translation>0 1 0</translation>
              <orientation>0 0 0</orientation>
            </PhysicalOffsetFrame>
            <PhysicalOffsetFrame name="link_offset">
              <socket_parent>/bodyset/link</socket_parent>
              <translation>0 0 0</translation>
              <orientation>0 0 0</orientation>
            </PhysicalOffsetFrame>
          </frames>
)" + joint_extra +
         R"(        </PinJoint>
      </objects>
    </JointSet>
    <ForceSet name="forceset">
      <objects>
)" + forces +
         R"(      </objects>
    </ForceSet>
)" + extra +
         R"(  </Model>
</OpenSimDocument>
)";
}

const char* kMuscle = R"(        <DeGrooteFregly2016Muscle name="flexor">
          <GeometryPath name="path">
            <PathPointSet><objects>
              <PathPoint name="p1"><socket_parent_frame>/ground</socket_parent_frame>
                <location>0.05 1 0</location></PathPoint>
              <PathPoint name="p2"><socket_parent_frame>/bodyset/link</socket_parent_frame>
                <location>0.03 -0.3 0</location></PathPoint>
            </objects></PathPointSet>
          </GeometryPath>
          <max_isometric_force>100</max_isometric_force>
          <optimal_fiber_length>0.1</optimal_fiber_length>
          <tendon_slack_length>0.2</tendon_slack_length>
        </DeGrooteFregly2016Muscle>
)";

}  // namespace

TEST(OpenSim, Arm26ImportsBodiesJointsMusclesAndWrapSurfaces) {
  const msk::Model m = msk::load_model(kArm26);
  ASSERT_EQ(m.n_dofs(), 2);
  EXPECT_EQ(m.dof_names()[0], "r_shoulder_elev");
  EXPECT_EQ(m.dof_names()[1], "r_elbow_flex");
  // "base" is welded to ground: it becomes part of ground.
  EXPECT_EQ(m.find_body("base"), -2);
  EXPECT_EQ(m.n_bodies(), 2);
  EXPECT_NEAR(m.body_mass()[m.find_body("r_humerus")], 1.864572, 1e-12);
  EXPECT_NEAR(m.dof_range_max()[1], 2.26892803, 1e-12);
  ASSERT_EQ(m.n_muscles(), 6);
  for (int i = 0; i < m.n_muscles(); ++i) {
    EXPECT_EQ(m.muscle_curves()[i], "thelen2003");
    EXPECT_EQ(m.muscle_tendon()[i], "compliant");  // OpenSim's Thelen2003Muscle is compliant
    EXPECT_LT(m.find_law(msk::LawDomain::Muscle, i, "reflex"), 0);           // no reflex
    EXPECT_LT(m.find_law(msk::LawDomain::Muscle, i, "viscoelasticity"), 0);  // nor viscoelasticity
    EXPECT_NEAR(m.muscle_params()[i].curves.thelen.fmax_tendon_strain, 0.033, 1e-15);
    EXPECT_NEAR(m.muscle_params()[i].curves.thelen.flen, 1.8, 1e-15);
    EXPECT_NEAR(
        m.parameter_value(m.parameter("muscles." + m.muscle_names()[i] + ".minimum_activation")),
        0.01, 1e-15);
  }
  EXPECT_NEAR(m.muscle_params()[m.find_muscle("TRIlong")].max_isometric_force, 798.52, 1e-9);
  EXPECT_EQ(m.n_wrap_surfaces(), 4);
  EXPECT_TRUE(has_warning(m, "wrap ellipsoid 'TRIlonghh'"));
  EXPECT_TRUE(has_warning(m, "wrap ellipsoid 'BIClonghh'"));
  EXPECT_TRUE(has_warning(m, "3 markers"));
}

TEST(OpenSim, ImportedModelTextIsMskYamlThatRebuildsIt) {
  const msk::ModelSpec spec = msk::import_opensim_model(kArm26);
  const std::string yaml = msk::model_spec_to_yaml(spec);
  const msk::ModelSpec again = msk::load_model_spec(yaml, "arm26.yaml");
  EXPECT_EQ(msk::model_spec_to_yaml(again), yaml);
  EXPECT_EQ(again.warnings, spec.warnings);
  const msk::Model m = msk::load_model(kArm26);
  EXPECT_EQ(m.text(), yaml);
  EXPECT_EQ(m.file(), kArm26);
}

TEST(OpenSim, OverridesEditAnImportedModel) {
  const msk::Model m = msk::load_model(kArm26, R"({"muscles.BIClong.max_isometric_force": 700,
                                  "muscles.BIClong.tone.gain": 2.0})");
  const int i = m.find_muscle("BIClong");
  EXPECT_EQ(m.muscle_params()[i].max_isometric_force, 700.0);
  EXPECT_EQ(m.parameter_value(m.parameter("muscles.BIClong.tone.gain")), 2.0);
}

TEST(OpenSim, Arm26GeometryAndForcesMatchOpenSim46) {
  // Largest differences over the elbow at 0..130 deg (shoulder 0): length relative to the length,
  // moment arm relative to the largest |moment arm| of the muscle over the range, fibre length
  // relative to the fibre length, forces relative to F0. Printed as a table.
  const YAML::Node ref = YAML::LoadFile(kData + "arm26_reference.json");
  const YAML::Node sweep = ref["elbow_sweep"];
  const std::vector<double> elbow_deg = doubles(sweep["r_elbow_flex_deg"]);
  const std::vector<std::string> activations = {"0.01", "0.5", "1.0"};
  const msk::Model m = msk::load_model(kArm26);
  msk::Data d = msk::make_data(m);
  std::printf("%-9s %9s %9s %9s %9s %9s\n", "muscle", "length%", "r_elbow%", "fibre_l%", "fibre_F%",
              "tendon_F%");
  for (int i = 0; i < m.n_muscles(); ++i) {
    const std::string name = m.muscle_names()[i];
    const YAML::Node mr = sweep["muscles"][name];
    const auto length = doubles(mr["length"]);
    const auto arm = doubles(mr["moment_arm"]["r_elbow_flex"]);
    const double arm_scale = max_abs(arm);
    const auto& p = m.muscle_params()[i];
    double e_length = 0, e_arm = 0, e_fibre = 0, e_fibre_force = 0, e_tendon = 0;
    for (std::size_t k = 0; k < elbow_deg.size(); ++k) {
      Eigen::VectorXd q(2);
      q << 0.0, elbow_deg[k] * M_PI / 180.0;
      msk::compute_kinematics(m, q, d);
      msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
      e_length = std::max(e_length, std::abs(d.mtu_length[i] - length[k]) / length[k]);
      e_arm = std::max(e_arm, std::abs(d.moment_arm(i, 1) - arm[k]) / arm_scale);
      for (const std::string& a : activations) {
        const YAML::Node eq = mr["equilibrium"][a];
        const double act = eq["activation"][k].as<double>();
        const double lf = msk::muscle::equilibrium_fibre_length(p, d.mtu_length[i], act);
        msk::muscle::MuscleTendonState st;
        msk::muscle::compute_compliant_tendon(p, d.mtu_length[i], 0.0, act, lf, st);
        const double f0 = p.max_isometric_force;
        const double ref_lf = eq["fiber_length"][k].as<double>();
        e_fibre = std::max(e_fibre, std::abs(lf - ref_lf) / ref_lf);
        e_fibre_force =
            std::max(e_fibre_force, std::abs(st.active_fibre_force + st.passive_fibre_force -
                                             eq["fiber_force"][k].as<double>()) /
                                        f0);
        e_tendon =
            std::max(e_tendon, std::abs(st.tendon_force - eq["tendon_force"][k].as<double>()) / f0);
      }
    }
    std::printf("%-9s %9.3f %9.3f %9.3f %9.3f %9.3f\n", name.c_str(), 100 * e_length, 100 * e_arm,
                100 * e_fibre, 100 * e_fibre_force, 100 * e_tendon);
    EXPECT_LT(e_length, 1e-3) << name;
    EXPECT_LT(e_arm, 1e-2) << name;
    EXPECT_LT(e_fibre, 5e-3) << name;
    EXPECT_LT(e_fibre_force, 1e-2) << name;
    EXPECT_LT(e_tendon, 1e-2) << name;
  }
}

TEST(OpenSim, Arm26ShoulderWrapsOverEllipsoidsApproximately) {
  // The ellipsoids at the shoulder become spheres: measured error of length and shoulder moment
  // arm over the shoulder range (documented in docs/guide/opensim.md).
  const YAML::Node ref = YAML::LoadFile(kData + "arm26_reference.json");
  const YAML::Node sweep = ref["shoulder_sweep"];
  const auto shoulder_deg = doubles(sweep["r_shoulder_elev_deg"]);
  const msk::Model m = msk::load_model(kArm26);
  msk::Data d = msk::make_data(m);
  for (const char* elbow : {"0.0", "90.0"}) {
    for (int i = 0; i < m.n_muscles(); ++i) {
      const YAML::Node mr = sweep["by_elbow_deg"][elbow][m.muscle_names()[i]];
      const auto length = doubles(mr["length"]);
      const auto arm = doubles(mr["moment_arm"]["r_shoulder_elev"]);
      double e_length = 0.0, e_arm = 0.0;
      for (std::size_t k = 0; k < shoulder_deg.size(); ++k) {
        Eigen::VectorXd q(2);
        q << shoulder_deg[k] * M_PI / 180.0, std::stod(elbow) * M_PI / 180.0;
        msk::compute_kinematics(m, q, d);
        msk::compute_muscle_geometry(m, Eigen::VectorXd::Zero(2), d);
        e_length = std::max(e_length, std::abs(d.mtu_length[i] - length[k]));
        e_arm = std::max(e_arm, std::abs(d.moment_arm(i, 0) - arm[k]));
      }
      const bool ellipsoid = m.muscle_names()[i] == "TRIlong" || m.muscle_names()[i] == "BIClong";
      std::printf("elbow %s deg, %-9s shoulder sweep: |length| %.2f mm, |r_shoulder| %.2f mm\n",
                  elbow, m.muscle_names()[i].c_str(), 1e3 * e_length, 1e3 * e_arm);
      EXPECT_LT(e_length, ellipsoid ? 0.014 : 5e-5) << m.muscle_names()[i];
      EXPECT_LT(e_arm, ellipsoid ? 0.014 : 5e-5) << m.muscle_names()[i];
    }
  }
}

TEST(OpenSim, Arm26ForwardSimulationFollowsOpenSim) {
  // Excitations of forward_controls.sto over 1 s from rest. Against OpenSim 4.6 (same model, same
  // controls, scripts/opensim_reference.py) and against forward_states.sto (computed by an older
  // OpenSim with the same controls; OpenSim 4.6 itself ends 24 deg away from it).
  const msk::Model m = msk::load_model(kArm26);
  const msk::Protocol protocol = msk::parse_protocol(
      "phases:\n  - {type: voluntary, excitation_file: forward_controls.sto, duration: 1.0}\n",
      kData + "forward_protocol.yaml");
  msk::EpisodeOptions options;
  options.rtol = 1e-7;
  options.atol = 1e-9;
  options.max_step = 1e-3;
  const YAML::Node ref = YAML::LoadFile(kData + "arm26_reference.json")["forward_opensim46"];
  options.output_times = doubles(ref["time"]);
  const msk::EpisodeResult r = msk::simulate_episode(m, protocol, options);
  ASSERT_EQ(r.time.size(), options.output_times.size());
  auto worst = [](const std::vector<double>& a, const std::vector<double>& b) {
    double w = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k)
      w = std::max(w, std::abs(a[k] - b[k]));
    return w;
  };
  const double deg = 180.0 / M_PI;
  const double elbow =
      worst(r.channel("joint.r_elbow_flex.angle"), doubles(ref["coordinates"]["r_elbow_flex"]));
  const double shoulder = worst(r.channel("joint.r_shoulder_elev.angle"),
                                doubles(ref["coordinates"]["r_shoulder_elev"]));
  std::printf("vs OpenSim 4.6: elbow %.2f deg, shoulder %.2f deg\n", elbow * deg, shoulder * deg);
  EXPECT_LT(elbow * deg, 1.5);
  EXPECT_LT(shoulder * deg, 1.0);
  for (const std::string& name : m.muscle_names()) {
    const YAML::Node mr = ref["muscles"][name];
    const double act =
        worst(r.channel("muscle." + name + ".activation"), doubles(mr["activation"]));
    const double lf =
        worst(r.channel("muscle." + name + ".fibre_length"), doubles(mr["fiber_length"]));
    std::printf("vs OpenSim 4.6: %-9s activation %.4f, fibre length %.3f mm\n", name.c_str(), act,
                1e3 * lf);
    EXPECT_LT(act, 5e-3) << name;
    EXPECT_LT(lf, 1e-3) << name;
  }

  // forward_states.sto (older OpenSim): activations follow the same controls, the motion does not.
  const msk::io::TimeSeries states = msk::io::load_time_series(kData + "forward_states.sto");
  options.output_times = states.time;
  const msk::Model m0 = msk::load_model(
      kArm26, R"({"muscles.TRIlong.minimum_activation": 0, "muscles.TRIlat.minimum_activation": 0,
                  "muscles.TRImed.minimum_activation": 0, "muscles.BIClong.minimum_activation": 0,
                  "muscles.BICshort.minimum_activation": 0, "muscles.BRA.minimum_activation": 0})");
  const msk::EpisodeResult r0 = msk::simulate_episode(m0, protocol, options);
  auto column = [&](const std::string& name) {
    std::vector<double> v(states.n_rows());
    const int c = states.find(name);
    for (std::size_t k = 0; k < v.size(); ++k)
      v[k] = states.values[k * states.n_columns() + static_cast<std::size_t>(c)];
    return v;
  };
  const double elbow0 = worst(r0.channel("joint.r_elbow_flex.angle"), column("r_elbow_flex"));
  std::printf("vs forward_states.sto: elbow %.2f deg, shoulder %.2f deg\n", elbow0 * deg,
              worst(r0.channel("joint.r_shoulder_elev.angle"), column("r_shoulder_elev")) * deg);
  for (const std::string& name : m.muscle_names()) {
    const double act =
        worst(r0.channel("muscle." + name + ".activation"), column(name + ".activation"));
    const double lf =
        worst(r0.channel("muscle." + name + ".fibre_length"), column(name + ".fiber_length"));
    std::printf("vs forward_states.sto: %-9s activation %.4f, fibre length %.2f mm\n", name.c_str(),
                act, 1e3 * lf);
    EXPECT_LT(act, 0.01) << name;
  }
  EXPECT_LT(elbow0 * deg, 30.0);  // the known gap (docs/guide/opensim.md)
}

TEST(OpenSim, ChristophyLumbarSkeletonLoadsWithItsRhythm) {
  const msk::Model m = msk::load_model(kChristophy);
  // Three coordinates drive the 15 joint rotations through the couplers (the lumbar rhythm).
  ASSERT_EQ(m.n_dofs(), 3);
  EXPECT_GE(m.find_dof("flex_extension"), 0);
  EXPECT_GE(m.find_dof("lat_bending"), 0);
  EXPECT_GE(m.find_dof("axial_rotation"), 0);
  const int l4 = m.find_body("lumbar4_rotation1");
  ASSERT_GE(l4, 0);
  EXPECT_EQ(m.dof_names()[m.body_dof()[l4]], "flex_extension");
  EXPECT_NEAR(m.joint_ratio()[l4], 0.185, 1e-15);
  // Body poses at flex_extension -0.5, lat_bending 0.2, axial_rotation 0.3 rad, from OpenSim 4.6
  // (assembled with the coupler constraints).
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(3);
  q[m.find_dof("flex_extension")] = -0.5;
  q[m.find_dof("lat_bending")] = 0.2;
  q[m.find_dof("axial_rotation")] = 0.3;
  msk::compute_kinematics(m, q, d);
  const int torso = m.find_body("torso");
  const Eigen::Vector3d p(-0.11866044384382796, 1.052706995136996, 0.0019493093031178674);
  Eigen::Matrix3d r;
  r << 0.8385455350768592, 0.49584382920067777, 0.22578813663758487, -0.4386873369149819,
      0.8602349434948688, -0.25990240941711273, -0.32310185086610815, 0.11888960860389958,
      0.9388665799424887;
  EXPECT_LT((d.body_position[torso] - p).norm(), 1e-5);
  EXPECT_LT((d.body_rotation[torso] - r).norm(), 1e-5);
}

TEST(OpenSim, LegacyFormatCustomJointsCouplersAndDisabledElements) {
  // OpenSim 2.x: joints inside bodies, <function> wrappers, isDisabled, a via point.
  const std::string xml = R"(<?xml version="1.0"?>
<OpenSimDocument Version="20101">
  <Model name="legacy">
    <gravity>0 -9.80665 0</gravity>
    <BodySet name=""><objects>
      <Body name="ground"><mass>0</mass><Joint/></Body>
      <Body name="seg">
        <mass>2</mass><mass_center>0 0.1 0</mass_center>
        <inertia_xx>0.02</inertia_xx><inertia_yy>0.01</inertia_yy><inertia_zz>0.02</inertia_zz>
        <inertia_xy>0</inertia_xy><inertia_xz>0</inertia_xz><inertia_yz>0</inertia_yz>
        <Joint><CustomJoint name="j1">
          <parent_body> ground </parent_body>
          <location_in_parent>0 1 0</location_in_parent>
          <orientation_in_parent>0 0 0</orientation_in_parent>
          <location>0 0 0</location><orientation>0 0 0</orientation>
          <CoordinateSet name=""><objects>
            <Coordinate name="a"><range>-1 1</range><default_value>0.1</default_value></Coordinate>
            <Coordinate name="b"><range>-1 1</range></Coordinate>
          </objects></CoordinateSet>
          <reverse>false</reverse>
          <SpatialTransform name="">
            <TransformAxis name="rotation1"><function><LinearFunction name="">
              <coefficients> 0.5 0 </coefficients></LinearFunction></function>
              <coordinates> a </coordinates><axis> 0 0 1 </axis></TransformAxis>
            <TransformAxis name="rotation2"><function><LinearFunction name="">
              <coefficients> 1 0 </coefficients></LinearFunction></function>
              <coordinates> b </coordinates><axis> 1 0 0 </axis></TransformAxis>
            <TransformAxis name="rotation3"><function><Constant name=""><value>0</value>
              </Constant></function><coordinates></coordinates><axis>0 1 0</axis></TransformAxis>
            <TransformAxis name="translation1"><function><Constant name=""><value>0.01</value>
              </Constant></function><coordinates></coordinates><axis>1 0 0</axis></TransformAxis>
          </SpatialTransform>
        </CustomJoint></Joint>
      </Body>
    </objects></BodySet>
    <ConstraintSet name=""><objects>
      <CoordinateCouplerConstraint name="c">
        <isDisabled> false </isDisabled>
        <coupled_coordinates_function><LinearFunction name="">
          <coefficients> 2 0 </coefficients></LinearFunction></coupled_coordinates_function>
        <independent_coordinate_names> a </independent_coordinate_names>
        <dependent_coordinate_name> b </dependent_coordinate_name>
      </CoordinateCouplerConstraint>
    </objects></ConstraintSet>
    <ForceSet name=""><objects>
      <Thelen2003Muscle name="m1">
        <isDisabled>false</isDisabled>
        <GeometryPath name=""><PathPointSet name=""><objects>
          <PathPoint name="p1"><location>0.05 1.2 0</location><body>ground</body></PathPoint>
          <MuscleViaPoint name="v"><location>0.04 0.05 0</location><body>seg</body>
            <coordinate>b</coordinate><range>-0.2 0.6</range></MuscleViaPoint>
          <PathPoint name="p2"><location>0.03 0.2 0</location><body>seg</body></PathPoint>
        </objects></PathPointSet></GeometryPath>
        <max_isometric_force>300</max_isometric_force>
        <optimal_fiber_length>0.1</optimal_fiber_length>
        <tendon_slack_length>0.1</tendon_slack_length>
        <pennation_angle>0.1</pennation_angle>
      </Thelen2003Muscle>
      <Thelen2003Muscle name="off"><isDisabled>true</isDisabled></Thelen2003Muscle>
    </objects></ForceSet>
  </Model>
</OpenSimDocument>
)";
  const msk::ModelSpec spec = msk::import_opensim_text(xml, "legacy.osim");
  const msk::Model m =
      msk::compile(msk::load_model_spec(msk::model_spec_to_yaml(spec), "legacy.yaml"));
  // One coordinate a; b = 2 a drives the second rotation (ratio 2), through a massless body.
  ASSERT_EQ(m.n_dofs(), 1);
  EXPECT_EQ(m.dof_names()[0], "a");
  EXPECT_NEAR(m.dof_default()[0], 0.1, 1e-15);
  ASSERT_EQ(m.n_bodies(), 2);
  EXPECT_EQ(m.joint_ratio()[0], 0.5);
  EXPECT_EQ(m.joint_ratio()[1], 2.0);
  EXPECT_NEAR(m.joint_location_in_parent()[0].x(), 0.01, 1e-15);  // constant translation
  ASSERT_EQ(m.n_muscles(), 1);
  EXPECT_NEAR(m.muscle_params()[0].pennation_at_optimal, 0.1, 1e-15);
  // OpenSim 2.x had no activation floor.
  EXPECT_EQ(m.parameter_value(m.parameter("muscles.m1.minimum_activation")), 0.0);
  // The via point is active for b in [-0.2, 0.6], i.e. a in [-0.1, 0.3].
  EXPECT_EQ(m.muscle_path_active_dof()[0][1], 0);
  EXPECT_NEAR(m.muscle_path_active_range()[0][1][0], -0.1, 1e-15);
  EXPECT_NEAR(m.muscle_path_active_range()[0][1][1], 0.3, 1e-15);
  EXPECT_TRUE(has_warning(m, "muscle 'off' is disabled"));
  // The second segment rotation follows b = 2 a: the body turns by 0.5 a about z then 2 a about x.
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(1);
  q << 0.3;
  msk::compute_kinematics(m, q, d);
  const Eigen::Matrix3d expected = (Eigen::AngleAxisd(0.15, Eigen::Vector3d::UnitZ()) *
                                    Eigen::AngleAxisd(0.6, Eigen::Vector3d::UnitX()))
                                       .toRotationMatrix();
  EXPECT_LT((d.body_rotation[1] - expected).norm(), 1e-12);
}

TEST(OpenSim, UnsupportedElementsAreNamedInWarnings) {
  std::string millard = kMuscle;
  for (const char* tag : {"<DeGrooteFregly2016Muscle", "</DeGrooteFregly2016Muscle"})
    millard.replace(millard.find(tag), std::string(tag).size(),
                    std::string(tag).replace(std::string(tag).find("DeGrooteFregly2016"), 18,
                                             "Millard2012Equilibrium"));
  millard.replace(millard.find("\"flexor\""), 8, "\"flexor2\"");
  const std::string forces = std::string(kMuscle) + millard + R"(
        <PointActuator name="push"><appliesForce>true</appliesForce></PointActuator>
        <Thelen2003Muscle name="off"><appliesForce>false</appliesForce></Thelen2003Muscle>
)";
  const std::string extra = R"(    <ConstraintSet name="constraintset"><objects>
      <WeldConstraint name="glue"/></objects></ConstraintSet>
    <MarkerSet name="markerset"><objects><Marker name="m1"/><Marker name="m2"/></objects>
    </MarkerSet>
)";
  const msk::Model m = msk::compile(msk::import_opensim_text(model_4x(forces, extra), "t.osim"));
  ASSERT_EQ(m.n_muscles(), 2);
  EXPECT_EQ(m.muscle_curves()[0], "degroote2016");
  EXPECT_EQ(m.muscle_tendon()[0], "compliant");
  // DeGrooteFregly2016Muscle default
  EXPECT_NEAR(m.parameter_value(m.parameter("muscles.flexor.deactivation_time_constant")), 0.06,
              1e-15);
  EXPECT_NEAR(m.muscle_params()[1].fibre_damping, 0.1, 1e-15);  // Millard2012 default
  EXPECT_TRUE(has_warning(m, "muscle 'flexor2' (Millard2012EquilibriumMuscle): its Bezier"));
  EXPECT_TRUE(has_warning(m, "force 'push' of type PointActuator"));
  EXPECT_TRUE(has_warning(m, "muscle 'off' is disabled"));
  EXPECT_TRUE(has_warning(m, "constraint 'glue' of type WeldConstraint"));
  EXPECT_TRUE(has_warning(m, "2 markers"));
}

TEST(OpenSim, ErrorsNameFileLineAndElement) {
  // Malformed XML: the line of the fault.
  try {
    msk::import_opensim_text("<OpenSimDocument>\n<Model name=\"x\">\n<mass>1</mas>\n", "bad.osim");
    FAIL() << "expected a ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.file(), "bad.osim");
    EXPECT_EQ(e.line(), 3);
  }
  // A value that is not a number: the line and the element path.
  std::string xml = model_4x(kMuscle);
  xml.replace(xml.find("<mass>1</mass>"), 14, "<mass>heavy</mass>");
  try {
    msk::import_opensim_text(xml, "t.osim");
    FAIL() << "expected a ModelError";
  } catch (const msk::ModelError& e) {
    EXPECT_EQ(e.line(), 9);
    EXPECT_EQ(e.field(), "BodySet[bodyset].Body[link].mass");
    EXPECT_NE(std::string(e.what()).find("heavy"), std::string::npos);
  }
  // A path point on an unknown body.
  xml = model_4x(kMuscle);
  xml.replace(xml.find("/bodyset/link</socket_parent_frame>"), 13, "/bodyset/limb");
  EXPECT_THROW(msk::import_opensim_text(xml, "t.osim"), msk::ModelError);
}

TEST(OpenSim, PinJointWithOrientedFramesMatchesTheFrameAlgebra) {
  // Joint frames with orientations: the child turns about the parent frame's z axis.
  std::string xml = model_4x(kMuscle);
  const auto at = xml.find("<orientation>0 0 0</orientation>");
  xml.replace(at, 32, "<orientation>0.3 0 0</orientation>");
  const msk::Model m = msk::compile(msk::import_opensim_text(xml, "t.osim"));
  msk::Data d = msk::make_data(m);
  Eigen::VectorXd q(1);
  q << 0.4;
  msk::compute_kinematics(m, q, d);
  const Eigen::Matrix3d expected = (Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitX()) *
                                    Eigen::AngleAxisd(0.4, Eigen::Vector3d::UnitZ()))
                                       .toRotationMatrix();
  EXPECT_LT((d.body_rotation[0] - expected).norm(), 1e-12);
  EXPECT_LT((d.body_position[0] - Eigen::Vector3d(0, 1, 0)).norm(), 1e-12);
}
