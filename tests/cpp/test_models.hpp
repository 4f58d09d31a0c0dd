// Small models written inline, shared by the C++ tests.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "msk/sim/episode.hpp"

namespace msk::test {

/// The value of a recorded channel at time t [s] (the first row at or after t; the last row
/// past the end).
inline double value_at(const msk::EpisodeResult& r, const std::string& channel, double t) {
  const auto v = r.channel(channel);
  const auto it = std::lower_bound(r.time.begin(), r.time.end(), t - 1e-9);
  return v[static_cast<std::size_t>(
      std::min<std::ptrdiff_t>(it - r.time.begin(), static_cast<std::ptrdiff_t>(v.size()) - 1))];
}

/// A 1 kg point-mass pendulum of length 0.5 m on a revolute z joint (0 = hanging down), with one
/// muscle from a ground point in front of the pivot to the pendulum (a "flexor").
inline const std::string kPendulum = R"(name: pendulum
gravity: [0, -9.81, 0]
bodies:
  - name: link
    parent: ground
    joint: {name: hinge, type: revolute, axis: [0, 0, 1], range_deg: [-170, 170], default_deg: 0,
            limit_stiffness: 0.0}
    mass: 1.0
    com: [0, -0.5, 0]
muscles:
  - name: flexor
    max_isometric_force: 100
    optimal_fibre_length: 0.1
    tendon_slack_length: 0.2
    path:
      - {body: ground, point: [0.05, 0.0, 0]}
      - {body: link, point: [0.03, -0.3, 0]}
)";

/// Two links in series (a double pendulum) on parallel z axes, no muscles.
inline const std::string kDoublePendulum = R"(name: double_pendulum
gravity: [0, -9.81, 0]
bodies:
  - name: upper
    joint: {name: q1, type: revolute, axis: [0, 0, 1], range_deg: [-360, 360], limit_stiffness: 0}
    mass: 1.0
    com: [0, -0.25, 0]
    inertia: [0.01, 0.002, 0.01, 0, 0, 0]
  - name: lower
    parent: upper
    joint: {name: q2, type: revolute, axis: [0, 0, 1], location_in_parent: [0, -0.5, 0],
            range_deg: [-360, 360], limit_stiffness: 0}
    mass: 0.7
    com: [0, -0.2, 0.01]
    inertia: [0.008, 0.001, 0.009, 0.0005, 0, 0]
)";

/// A three-segment column on two coordinates: "flex" turns a massless frame (ratio 0.4) and,
/// coupled, the third segment (ratio 0.6, offset 0.05); "bend" turns the second and fourth joints.
/// Fixed orientations, a cylinder and a sphere to wrap over, and a conditional path point.
inline const std::string kCoupledColumn = R"(name: column
gravity: [0, -9.81, 0]
bodies:
  - name: frame1
    joint: {name: flex, type: revolute, ratio: 0.4, axis: [0, 0, 1], location_in_parent: [0, 1, 0],
            range_deg: [-90, 90], limit_stiffness: 0}
    mass: 0
  - name: seg1
    parent: frame1
    joint: {name: bend, type: revolute, ratio: 0.5, axis: [1, 0, 0], orientation: [0.1, -0.2, 0.3],
            range_deg: [-60, 60], limit_stiffness: 0}
    mass: 2.0
    com: [0.01, 0.1, 0.0]
    inertia: [0.02, 0.01, 0.02, 0.001, 0, 0]
  - name: seg2
    parent: seg1
    joint: {name: seg2_flex, type: revolute, coordinate: flex, ratio: 0.6, offset: 0.05,
            axis: [0, 0, 1], location_in_parent: [0, 0.2, 0], location_in_child: [0, -0.01, 0]}
    mass: 1.5
    com: [0.0, 0.1, 0.01]
    inertia: [0.015, 0.008, 0.016, 0, 0.0005, 0]
  - name: seg3
    parent: seg2
    joint: {name: seg3_bend, type: revolute, coordinate: bend, ratio: 0.5, axis: [1, 0, 0],
            location_in_parent: [0, 0.2, 0]}
    mass: 1.0
    com: [0, 0.1, 0]
    inertia: [0.01, 0.005, 0.01, 0, 0, 0]
wrap_surfaces:
  - {name: drum, body: seg2, type: cylinder, centre: [0.0, 0.0, 0.0], axis: [0, 0, 1],
     radius: 0.03}
  - {name: ball, body: seg2, type: sphere, centre: [0.0, 0.0, 0.0], radius: 0.03, side: -x}
muscles:
  - name: front
    max_isometric_force: 500
    optimal_fibre_length: 0.1
    tendon_slack_length: 0.2
    path:
      - {body: seg1, point: [0.02, 0.05, 0.0]}
      - {body: seg3, point: [0.02, 0.1, 0.0]}
    wrap: [{surface: drum}]
  - name: back
    max_isometric_force: 500
    optimal_fibre_length: 0.1
    tendon_slack_length: 0.2
    path:
      - {body: ground, point: [-0.05, 0.9, 0.02]}
      - {body: seg1, point: [-0.02, 0.05, 0.0],
         active_when: {coordinate: bend, range_deg: [-30, 30]}}
      - {body: seg3, point: [-0.02, 0.1, 0.01]}
    wrap: [{surface: ball, from_point: 1, to_point: 2}]
)";

/// A two-level sagittal spine: a 2 kg vertebra on the sacrum (ground) and a 30 kg trunk above it,
/// both on flexion joints (axis -z: positive angle = flexion), one segment per level, long
/// extensor and flexor muscles crossing both levels and short ones crossing only the lower one.
inline const std::string kMiniSpine = R"(name: mini_spine
gravity: [0, -9.81, 0]
subject: {reference_mass: 70, reference_height: 1.75}
posture: {ground: pelvis, load_body: trunk, shoulder: [0.0, 0.4, 0.0], arm_mass: 6.0,
          arm_length: 0.6, load_reference: lower_level}
bodies:
  - name: vertebra
    joint: {name: lower_joint, type: revolute, axis: [0, 0, -1], location_in_parent: [0, 0.05, 0],
            range_deg: [-30, 30], limit_stiffness: 0}
    mass: 2.0
    com: [0.02, 0.015, 0]
    inertia: [0.01, 0.01, 0.005, 0, 0, 0]
  - name: trunk
    parent: vertebra
    joint: {name: upper_joint, type: revolute, axis: [0, 0, -1], location_in_parent: [0, 0.04, 0],
            range_deg: [-30, 30], limit_stiffness: 0}
    mass: 30.0
    com: [0.02, 0.3, 0]
    inertia: [1.0, 0.3, 1.0, 0, 0, 0]
muscles:
  - name: long_extensor
    max_isometric_force: 3000
    optimal_fibre_length: 0.12
    tendon_slack_length: 0.2
    path:
      - {body: ground, point: [-0.06, -0.05, 0]}
      - {body: vertebra, point: [-0.06, 0.02, 0]}
      - {body: trunk, point: [-0.06, 0.18, 0]}
  - name: short_extensor
    max_isometric_force: 1500
    optimal_fibre_length: 0.05
    tendon_slack_length: 0.05
    path:
      - {body: ground, point: [-0.05, -0.02, 0]}
      - {body: vertebra, point: [-0.05, 0.03, 0]}
  - name: flexor
    max_isometric_force: 1000
    optimal_fibre_length: 0.25
    tendon_slack_length: 0.19
    path:
      - {body: ground, point: [0.12, -0.05, 0]}
      - {body: trunk, point: [0.12, 0.3, 0]}
  - name: short_flexor
    max_isometric_force: 1500
    optimal_fibre_length: 0.05
    tendon_slack_length: 0.05
    path:
      - {body: ground, point: [0.04, -0.02, 0]}
      - {body: vertebra, point: [0.04, 0.03, 0]}
segment_defaults:
  region: lumbar
  rhythm: 0.5
  neutral_angle_deg: 6.5  # the unloaded (recumbent) shape: lying_supine flexes 13 deg
  disc: {height: 0.011, posterior_height: 0.008, depth: 0.033, area: 0.0017}
  facet: {lever_arm: 0.035, gap: 0.0005, stiffness: 4.0e6, exponent: 1.5}
  ligaments:
    - {name: ALL, stiffness: 3.0e4, neutral_length: 0.011, moment_arm: -0.016, slack_strain: 0.05}
    - {name: SSL, stiffness: 2.0e4, neutral_length: 0.02, moment_arm: 0.05, slack_strain: 0.1}
segments:
  - {name: lower_level, joint: lower_joint}
  - {name: upper_level, joint: upper_joint, axis_tilt_deg: 5}
)";

}  // namespace msk::test
