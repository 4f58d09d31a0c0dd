// msk/model/rotation.hpp — body-fixed x-y-z Euler angles (OpenSim's convention), the one
// conversion between angles in model files and rotation matrices.
#pragma once

#include <Eigen/Core>
#include <array>

namespace msk {

/// Rotation matrix of body-fixed x-y-z Euler angles [rad]: Rx(a) Ry(b) Rz(c).
Eigen::Matrix3d rotation_xyz(const std::array<double, 3>& angles);

/// Body-fixed x-y-z Euler angles [rad] of a rotation matrix (inverse of rotation_xyz; at gimbal
/// lock, where only a + c or a - c is defined, c = 0).
std::array<double, 3> xyz_angles(const Eigen::Matrix3d& rotation);

}  // namespace msk
