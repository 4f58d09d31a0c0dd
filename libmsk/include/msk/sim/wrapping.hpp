// msk/sim/wrapping.hpp — shortest paths of a muscle segment around a cylinder or a sphere.
//
// Pure functions in the surface's own frame (cylinder axis = z, centre at the origin). A segment
// from P to S that would pass through the surface on its wrapping side is replaced by the shortest
// path around it: a straight line from P to the tangent point T1, a geodesic on the surface (a
// helix on a cylinder, a great-circle arc on a sphere) from T1 to T2, and a straight line from T2
// to S. Because that path is the shortest, the derivative of its length with respect to P (or S) is
// the unit vector (P - T1)/|P - T1| (or (S - T2)/|S - T2|): moving the tangent points changes the
// length only to second order. compute_muscle_geometry uses this for exact moment arms.
// See docs/theory/geometry.md.
#pragma once

#include <Eigen/Core>

namespace msk {

/// The wrapped part of a segment, in the surface frame.
struct WrapPath {
  bool wrapped = false;           ///< false: the straight segment does not touch the surface
  Eigen::Vector3d tangent_in{};   ///< T1, where the path meets the surface [m]
  Eigen::Vector3d tangent_out{};  ///< T2, where it leaves the surface [m]
  double arc_length = 0.0;        ///< length of the geodesic from T1 to T2 on the surface [m]
  double length = 0.0;            ///< |P - T1| + arc_length + |T2 - S| [m] (when wrapped)
};

/// Which side of a surface a path must pass on to wrap (OpenSim's quadrant).
struct WrapSide {
  int axis = -1;      ///< 0, 1, 2 for x, y, z of the surface frame; -1: any side ("all")
  double sign = 1.0;  ///< +1 or -1: the side's coordinate sign
};

/// Wraps the segment P-S around an infinitely long cylinder of radius r about the z axis, clipped
/// to |z| <= length/2 as OpenSim does (no wrap when both tangent points lie beyond; length 0 means
/// infinite). The path wraps when the straight segment, projected on the xy plane, passes closer
/// than r to the axis between P and S, and (for a constrained side) when its closest point to the
/// axis lies on that side. It goes round the way the segment passes; along z it rises uniformly
/// with the distance travelled in the xy plane (the geodesic on the unrolled cylinder). A point
/// inside the cylinder gives no wrap.
/// @param p, s    segment ends in the cylinder frame [m]
/// @param radius  r [m], > 0
/// @param length  cylinder length [m], 0 = infinite
WrapPath wrap_cylinder(const Eigen::Vector3d& p, const Eigen::Vector3d& s, double radius,
                       double length, const WrapSide& side);

/// Wraps the segment P-S around a sphere of radius r at the origin, in the plane through the
/// centre, P and S (a great-circle arc). Same wrapping condition as wrap_cylinder, in 3-D.
/// @param p, s    segment ends in the sphere frame [m]
/// @param radius  r [m], > 0
WrapPath wrap_sphere(const Eigen::Vector3d& p, const Eigen::Vector3d& s, double radius,
                     const WrapSide& side);

}  // namespace msk
