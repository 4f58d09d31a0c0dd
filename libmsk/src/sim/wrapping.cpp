#include "msk/sim/wrapping.hpp"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

namespace msk {

namespace {

/// The tangent-arc-tangent path from p to s around a circle of radius r at the origin, in a
/// plane, turning counter-clockwise (sigma = +1) or clockwise (sigma = -1).
struct CirclePath {
  double angle_in = 0.0;     ///< polar angle of the tangent point T1 [rad]
  double angle_out = 0.0;    ///< polar angle of the tangent point T2 [rad]
  double arc_angle = 0.0;    ///< angle turned on the circle from T1 to T2, in [0, 2 pi) [rad]
  double tangent_in = 0.0;   ///< |p - T1| [m]
  double tangent_out = 0.0;  ///< |T2 - s| [m]
};

CirclePath circle_path(const Eigen::Vector2d& p, const Eigen::Vector2d& s, double r, double sigma) {
  // A tangent from p touches the circle where (T - p).T = 0, at the polar angle of p plus or minus
  // acos(r/|p|); turning counter-clockwise the path leaves p towards +acos and reaches s from
  // -acos.
  const double np = p.norm(), ns = s.norm();
  CirclePath c;
  c.angle_in = std::atan2(p.y(), p.x()) + sigma * std::acos(std::min(1.0, r / np));
  c.angle_out = std::atan2(s.y(), s.x()) - sigma * std::acos(std::min(1.0, r / ns));
  double arc = std::fmod(sigma * (c.angle_out - c.angle_in), 2.0 * M_PI);
  if (arc < 0.0) arc += 2.0 * M_PI;
  c.arc_angle = arc;
  c.tangent_in = std::sqrt(std::max(0.0, np * np - r * r));
  c.tangent_out = std::sqrt(std::max(0.0, ns * ns - r * r));
  return c;
}

/// Parameter t in (0, 1) of the point of segment p-s closest to the origin, or -1 when that point
/// is an end of the segment.
template <class Vec>
double closest_parameter(const Vec& p, const Vec& s) {
  const Vec d = s - p;
  const double dd = d.squaredNorm();
  if (dd < 1e-24) return -1.0;
  const double t = -p.dot(d) / dd;
  return (t > 0.0 && t < 1.0) ? t : -1.0;
}

}  // namespace

WrapPath wrap_cylinder(const Eigen::Vector3d& p, const Eigen::Vector3d& s, double radius,
                       double length, const WrapSide& side) {
  WrapPath out;
  const Eigen::Vector2d p2 = p.head<2>(), s2 = s.head<2>();
  // No wrap with an end inside the cylinder, or when the segment misses it.
  if (p2.norm() <= radius || s2.norm() <= radius) return out;
  const double t = closest_parameter(p2, s2);
  if (t < 0.0) return out;
  const Eigen::Vector2d closest = p2 + t * (s2 - p2);
  if (closest.norm() >= radius) return out;
  if (side.axis >= 0 && !(side.sign * closest[side.axis] > 0.0)) return out;
  // Go round the way the segment passes the axis.
  const double sigma = p2.x() * s2.y() - p2.y() * s2.x() >= 0.0 ? 1.0 : -1.0;
  const CirclePath c = circle_path(p2, s2, radius, sigma);
  // Unrolled, the geodesic is straight: z grows uniformly with the distance travelled in xy.
  const double arc = radius * c.arc_angle;
  const double planar = c.tangent_in + arc + c.tangent_out;
  const double dz = s.z() - p.z();
  const double z_in = p.z() + dz * c.tangent_in / planar;
  const double z_out = p.z() + dz * (c.tangent_in + arc) / planar;
  if (length > 0.0 && std::abs(z_in) > 0.5 * length && std::abs(z_out) > 0.5 * length) return out;
  out.wrapped = true;
  out.tangent_in = {radius * std::cos(c.angle_in), radius * std::sin(c.angle_in), z_in};
  out.tangent_out = {radius * std::cos(c.angle_out), radius * std::sin(c.angle_out), z_out};
  out.arc_length = arc * std::sqrt(1.0 + (dz / planar) * (dz / planar));
  out.length = std::sqrt(planar * planar + dz * dz);
  return out;
}

WrapPath wrap_sphere(const Eigen::Vector3d& p, const Eigen::Vector3d& s, double radius,
                     const WrapSide& side) {
  WrapPath out;
  if (p.norm() <= radius || s.norm() <= radius) return out;
  const double t = closest_parameter(p, s);
  if (t < 0.0) return out;
  const Eigen::Vector3d closest = p + t * (s - p);
  if (closest.norm() >= radius) return out;
  if (side.axis >= 0 && !(side.sign * closest[side.axis] > 0.0)) return out;
  // The plane through the centre, P and S: x towards P, y towards S (S has y >= 0, so the path
  // turns counter-clockwise). When P, the centre and S are aligned any such plane will do.
  const Eigen::Vector3d ex = p.normalized();
  Eigen::Vector3d ey = s - s.dot(ex) * ex;
  ey = ey.norm() > 1e-12 * s.norm() ? Eigen::Vector3d(ey.normalized()) : ex.unitOrthogonal();
  const Eigen::Vector2d p2(p.norm(), 0.0), s2(s.dot(ex), s.dot(ey));
  const CirclePath c = circle_path(p2, s2, radius, 1.0);
  out.wrapped = true;
  out.tangent_in = radius * (std::cos(c.angle_in) * ex + std::sin(c.angle_in) * ey);
  out.tangent_out = radius * (std::cos(c.angle_out) * ex + std::sin(c.angle_out) * ey);
  out.arc_length = radius * c.arc_angle;
  out.length = c.tangent_in + out.arc_length + c.tangent_out;
  return out;
}

}  // namespace msk
