#include "msk/model/rotation.hpp"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

namespace msk {

Eigen::Matrix3d rotation_xyz(const std::array<double, 3>& a) {
  return (Eigen::AngleAxisd(a[0], Eigen::Vector3d::UnitX()) *
          Eigen::AngleAxisd(a[1], Eigen::Vector3d::UnitY()) *
          Eigen::AngleAxisd(a[2], Eigen::Vector3d::UnitZ()))
      .toRotationMatrix();
}

std::array<double, 3> xyz_angles(const Eigen::Matrix3d& r) {
  const double s = std::clamp(r(0, 2), -1.0, 1.0);
  if (std::abs(s) > 1.0 - 1e-12) {
    // Gimbal lock: only a + c (or a - c) is defined; put it all in a.
    return {std::atan2(r(2, 1), r(1, 1)), std::copysign(M_PI / 2.0, s), 0.0};
  }
  return {std::atan2(-r(1, 2), r(2, 2)), std::asin(s), std::atan2(-r(0, 1), r(0, 0))};
}

}  // namespace msk
