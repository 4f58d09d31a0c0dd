// msk/sim/point_load.hpp — a force at a point fixed in a body.
//
// What the posture's external loads (a load in the hands, the arms' weight) and the trunk's
// elements (intra-abdominal pressure: a pair of opposite forces on the thorax and the pelvis) apply
// to the bodies; compute_joint_reactions (joint_loads.hpp) takes them.
#pragma once

#include <Eigen/Core>

namespace msk {

/// A force at a point fixed in a body.
struct PointLoad {
  int body = -1;                                    ///< body index (-1: ground, ignored)
  Eigen::Vector3d point = Eigen::Vector3d::Zero();  ///< in the body frame [m]
  Eigen::Vector3d force = Eigen::Vector3d::Zero();  ///< in ground [N]
};

}  // namespace msk
