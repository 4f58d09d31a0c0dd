// Small models written inline, shared by the C++ tests.
#pragma once

#include <string>

namespace msk::test {

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

}  // namespace msk::test
