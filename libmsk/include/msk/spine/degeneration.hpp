// msk/spine/degeneration.hpp — disc degeneration of one level as a continuous index.
//
// The index D runs from 0 (healthy) to 1 (severe); a Pfirrmann grade G maps to D = (G - 1) / 4.
// It changes the disc the level's balance sees (docs/theory/spine.md, Degeneration):
//   - the unloaded height falls, mostly at severe grades:   dh = c_h D^q h_0
//     (the facet gap and the foramen close with it, the ligaments slacken: they see the healthy
//     geometry minus dh);
//   - the axial and bending stiffnesses of the shorter disc rise as h_0 / (h_0 - dh) (E A / h),
//     the toe region and the fluid height shrink as (h_0 - dh) / h_0;
//   - the neutral-zone stiffness c_1 falls by lambda 4 D (1 - D): laxity, largest at
//     intermediate grades (a hypothesis, H17);
//   - the swelling pressure falls by c_sw D, Nachemson's factor by c_N D (the functional nucleus
//     shrinks and load passes to the posterior annulus).
// The index is a parameter of the level (segments.NAME.degeneration): the lifetime layer drives
// it. All functions are pure.
#pragma once

#include "msk/spine/disc.hpp"

namespace msk::spine {

/// How the degeneration index maps onto the disc [1 each].
struct DegenerationParams {
  double height_loss = 0.37;          ///< c_h, fraction of h_0 lost at D = 1 [1]
  double height_exponent = 4.0;       ///< q, concentrates the loss at severe grades [1]
  double swelling_loss = 0.5;         ///< c_sw, fraction of the swelling pressure lost at D = 1
  double pressure_factor_loss = 0.3;  ///< c_N, fraction of Nachemson's factor lost at D = 1
  double laxity = 0.3;                ///< lambda, largest drop of c_1 (at D = 0.5) [1]
};

/// Unloaded disc height lost to degeneration [m]: c_h D^q h_0.
double degeneration_height_loss(const DiscParams& disc, const DegenerationParams& g,
                                double degeneration);

/// The disc of a level with degeneration index D in [0, 1] (D = 0 returns `disc` unchanged):
/// height and posterior height lowered by the height loss, stiffnesses and moment coefficients
/// scaled, swelling pressure and Nachemson's factor lowered (see the header comment).
DiscParams degenerated_disc(const DiscParams& disc, const DegenerationParams& g,
                            double degeneration);

/// Checks every field. @throws msk::InvalidArgument naming the field
void validate(const DegenerationParams& g);

}  // namespace msk::spine
