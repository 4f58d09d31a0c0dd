// msk/msk.hpp — the whole public API of libmsk in one include.
//
//   #include <msk/msk.hpp>
//   const msk::Model model = msk::load_model("elbow");           // a bundled model by name
//   const msk::EpisodeResult r = msk::simulate_episode(model, msk::parse_protocol(text));
//
// One concept per header remains the rule inside the library; include single headers to keep
// compile times down in large applications.
#pragma once

#include "msk/error.hpp"
#include "msk/io/reader.hpp"
#include "msk/io/recorder.hpp"
#include "msk/io/time_series.hpp"
#include "msk/law/law.hpp"
#include "msk/law/registry.hpp"
#include "msk/laws/muscle/activation.hpp"
#include "msk/laws/muscle/tendon.hpp"
#include "msk/laws/muscle/thixotropy.hpp"
#include "msk/laws/muscle/viscoelasticity.hpp"
#include "msk/laws/neural/post_activation_depression.hpp"
#include "msk/laws/neural/reciprocal_inhibition.hpp"
#include "msk/laws/neural/stretch_reflex.hpp"
#include "msk/laws/spine/disc_fluid.hpp"
#include "msk/model/loader.hpp"
#include "msk/model/model.hpp"
#include "msk/model/opensim.hpp"
#include "msk/model/rotation.hpp"
#include "msk/model/scaling.hpp"
#include "msk/model/spec.hpp"
#include "msk/model/yaml_writer.hpp"
#include "msk/muscle/curves.hpp"
#include "msk/muscle/muscle_tendon.hpp"
#include "msk/sim/data.hpp"
#include "msk/sim/dynamics.hpp"
#include "msk/sim/effort_qp.hpp"
#include "msk/sim/episode.hpp"
#include "msk/sim/equilibrium.hpp"
#include "msk/sim/joint_loads.hpp"
#include "msk/sim/kinematics.hpp"
#include "msk/sim/posture.hpp"
#include "msk/sim/protocol.hpp"
#include "msk/sim/rhs.hpp"
#include "msk/sim/state.hpp"
#include "msk/sim/wrapping.hpp"
#include "msk/spine/disc.hpp"
#include "msk/spine/facet.hpp"
#include "msk/spine/ligament.hpp"
#include "msk/spine/segment.hpp"
#include "msk/version.hpp"
