// msk/sim/drawing.hpp — what a picture of a model needs at given coordinates: the frame of every
// body and the path of every muscle, in ground.
//
// Drawing code (Python's msk.plot.Skeleton and the animations) takes its geometry from here, so a
// picture always shows the core's kinematics (docs/theory/geometry.md): the same joint names,
// joint angles (ratio q + offset), conditional path points and wrap surfaces as the simulation.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "msk/model/model.hpp"
#include "msk/sim/data.hpp"

namespace msk {

/// The frames of every body in ground, per body (size model.n_bodies(), model order).
struct BodyFrames {
  std::vector<Eigen::Matrix3d> rotation;  ///< body frame to ground (columns: the body's axes) [1]
  std::vector<Eigen::Vector3d> origin;    ///< origin of the body frame in ground [m]
  /// Centre of the joint that attaches the body to its parent, in ground [m].
  std::vector<Eigen::Vector3d> joint_centre;
  std::vector<Eigen::Vector3d> centre_of_mass;  ///< the body's centre of mass in ground [m]
};

/// The body frames of data computed by compute_kinematics.
BodyFrames make_body_frames(const Model& model, const Data& data);
/// The body frames at coordinates q.
/// @param q  coordinates [rad], size model.n_dofs()
/// @throws InvalidArgument for a q of another size
BodyFrames make_body_frames(const Model& model, const Eigen::VectorXd& q);

/// Per muscle (size model.n_muscles(), model order): its path in ground [m], origin to
/// insertion: the active path points, and where a segment wraps over a surface, the tangent
/// point where it meets the surface, `arc_points` points along the path on the surface (a helix
/// on a cylinder, a great-circle arc on a sphere) and the tangent point where it leaves. The
/// polyline's length tends to the muscle-tendon length as arc_points grows (it is exact for a
/// path that wraps nowhere). Needs compute_muscle_geometry.
/// @param arc_points  points drawn inside each wrap arc, >= 0
std::vector<std::vector<Eigen::Vector3d>> make_muscle_paths(const Model& model, const Data& data,
                                                            int arc_points = 8);
/// The muscle paths at coordinates q (computes the kinematics and the muscle geometry).
/// @throws InvalidArgument for a q of another size or a negative arc_points
std::vector<std::vector<Eigen::Vector3d>> make_muscle_paths(const Model& model,
                                                            const Eigen::VectorXd& q,
                                                            int arc_points = 8);

}  // namespace msk
