// Spine laws: disc, ligament, facet and the level's axial balance (docs/theory/spine.md).
#include <gtest/gtest.h>

#include <cmath>

#include "msk/error.hpp"
#include "msk/spine/disc.hpp"
#include "msk/spine/facet.hpp"
#include "msk/spine/ligament.hpp"
#include "msk/spine/segment.hpp"

namespace {

using namespace msk::spine;

constexpr double kDeg = M_PI / 180.0;

SegmentParams lumbar_level() {
  SegmentParams p;
  p.name = "L4-L5";
  p.ligaments = {{"ALL", 4.0e4, 0.011, 0.0, -0.016, 1e-3},
                 {"PLL", 2.5e4, 0.004, 0.0, 0.005, 1e-3},
                 {"LF", 2.7e4, 0.015, 0.05, 0.02, 1e-3},
                 {"SSL", 1.8e4, 0.02, 0.1, 0.045, 1e-3}};
  return p;
}

TEST(Disc, AxialForceHasAToeRegionAndMatchingDerivative) {
  const DiscParams d;
  EXPECT_DOUBLE_EQ(disc_axial_force(d, 0.0), 0.0);
  EXPECT_NEAR(disc_axial_stiffness(d, 0.0), d.stiffness_toe, 1e-9);
  EXPECT_NEAR(disc_axial_stiffness(d, 0.01), d.stiffness_toe + d.stiffness, 1.0);
  for (double e : {-1e-3, 1e-5, 1e-4, 5e-4, 2e-3}) {
    const double h = 1e-9;
    const double fd = (disc_axial_force(d, e + h) - disc_axial_force(d, e - h)) / (2 * h);
    EXPECT_NEAR(disc_axial_stiffness(d, e), fd, 1e-4 * fd) << e;
  }
}

TEST(Disc, MomentIsHan2010InDegreesAndStiffensWithPreload) {
  DiscParams d;
  d.preload_stiffening = false;
  // AMMR's polynomial M(x) = -0.002 x^3 + 0.0141 x^2 - 0.4726 x with x = extension in degrees:
  // 8 deg flexion (x = -8) resists with 5.71 N m, 8 deg extension with 3.90 N m.
  EXPECT_NEAR(disc_moment(d, 8 * kDeg, 0.0), -5.71, 0.01);
  EXPECT_NEAR(disc_moment(d, -8 * kDeg, 0.0), 3.90, 0.01);
  d.preload_stiffening = true;
  // Gardner-Morse & Stokes 2004: x1.71 at 250 N, x2.11 at 500 N.
  const double m0 = disc_moment(d, 2 * kDeg, 0.0);
  EXPECT_NEAR(disc_moment(d, 2 * kDeg, 250.0) / m0, 1.71, 1e-3);
  EXPECT_NEAR(disc_moment(d, 2 * kDeg, 500.0) / m0, 2.11, 0.01);
}

TEST(Disc, PressureIsNachemsonPlusSwelling) {
  const DiscParams d;
  EXPECT_NEAR(disc_pressure(d, 0.0, 1.0), d.swelling_pressure, 1e-9);
  EXPECT_NEAR(disc_pressure(d, 500.0, 1.0), 1.5 * 500.0 / d.area + d.swelling_pressure, 1e-6);
}

TEST(Ligament, SlackThenQuadraticToeThenLinearAndContinuous) {
  const LigamentParams l{"SSL", 2e4, 0.02, 0.1, 0.045, 1e-3};
  const double slack = ligament_slack_length(l);
  EXPECT_NEAR(slack, 0.022, 1e-12);
  EXPECT_EQ(ligament_force(l, slack - 1e-4), 0.0);
  EXPECT_NEAR(ligament_force(l, slack + 0.5e-3), 0.5 * 2e4 * 0.25e-6 / 1e-3, 1e-9);
  EXPECT_NEAR(ligament_force(l, slack + 1e-3 - 1e-12), ligament_force(l, slack + 1e-3 + 1e-12),
              1e-6);
  EXPECT_NEAR(ligament_force(l, slack + 3e-3), 2e4 * 2.5e-3, 1e-9);
  // Flexion stretches a posterior ligament, disc height loss relaxes it.
  EXPECT_GT(ligament_length(l, 0.1, 0.0), ligament_length(l, 0.0, 0.0));
  EXPECT_LT(ligament_length(l, 0.0, -1e-3), ligament_length(l, 0.0, 0.0));
}

TEST(Facet, ExtensionAndHeightLossCloseTheGap) {
  const FacetParams f;
  EXPECT_LT(facet_penetration(f, 0.0, 0.0), 0.0);
  EXPECT_EQ(facet_force(f, facet_penetration(f, 0.0, 0.0)), 0.0);
  EXPECT_GT(facet_penetration(f, -3 * kDeg, 0.0), 0.0);
  EXPECT_GT(facet_penetration(f, 0.0, 1e-3), 0.0);
  EXPECT_LT(facet_penetration(f, 3 * kDeg, 0.0), facet_penetration(f, 0.0, 0.0));
  const double h = 1e-9, x = 4e-4;
  EXPECT_NEAR(facet_stiffness(f, x), (facet_force(f, x + h) - facet_force(f, x - h)) / (2 * h),
              1e-3 * facet_stiffness(f, x));
}

TEST(Segment, AxialBalanceHolds) {
  SegmentParams p = lumbar_level();
  p.neutral_angle = 0.05;  // ligaments slack at a flexed neutral: the balance uses the same angle
  SegmentLoads out;
  for (double theta : {-6 * kDeg, -2 * kDeg, 0.0, 4 * kDeg, 10 * kDeg})
    for (double c : {-50.0, 0.0, 300.0, 1200.0, 4000.0})
      for (double hydration : {1.0, 0.7}) {
        compute_segment(p, theta, c, hydration, out);
        EXPECT_NEAR(out.disc_force + out.facet_force, c + out.ligament_force_total,
                    1e-6 * (1.0 + std::abs(c)))
            << theta << " " << c;
        EXPECT_GE(out.facet_share, 0.0);
        EXPECT_LE(out.facet_share, 1.0);
      }
}

TEST(Segment, FacetShareRisesWithExtensionAndDiscHeightLoss) {
  const SegmentParams p = lumbar_level();
  SegmentLoads neutral, extended, dehydrated, flexed;
  compute_segment(p, 0.0, 500.0, 1.0, neutral);
  compute_segment(p, -3 * kDeg, 500.0, 1.0, extended);
  compute_segment(p, 0.0, 500.0, 0.6, dehydrated);
  compute_segment(p, 5 * kDeg, 500.0, 1.0, flexed);
  EXPECT_GT(extended.facet_share, neutral.facet_share);
  EXPECT_GT(dehydrated.facet_share, neutral.facet_share);
  EXPECT_EQ(flexed.facet_share, 0.0);
  EXPECT_LT(dehydrated.disc_height, neutral.disc_height);
  EXPECT_LT(dehydrated.foramen_height, neutral.foramen_height);
  EXPECT_LT(extended.foramen_height, neutral.foramen_height);
  EXPECT_GT(flexed.foramen_height, neutral.foramen_height);
}

TEST(Segment, MomentResistsTheRotationAndGrowsWithIt) {
  const SegmentParams p = lumbar_level();
  SegmentLoads a, b;
  double previous = 0.0;
  for (double deg = 0.5; deg <= 12.0; deg += 0.5) {
    compute_segment(p, deg * kDeg, 400.0, 1.0, a);
    compute_segment(p, -deg * kDeg, 400.0, 1.0, b);
    EXPECT_LT(a.moment, previous) << deg;  // flexion: a growing negative (extending) moment
    EXPECT_GT(b.moment, 0.0) << deg;
    previous = a.moment;
  }
  // Posterior ligaments carry tension in flexion and add to the disc's compression.
  compute_segment(p, 12 * kDeg, 400.0, 1.0, a);
  EXPECT_GT(a.ligament_force_total, 0.0);
  EXPECT_GT(a.disc_force, 400.0);
}

TEST(Segment, BadArgumentsAndParametersAreRefused) {
  SegmentParams p = lumbar_level();
  SegmentLoads out;
  EXPECT_THROW(compute_segment(p, NAN, 0.0, 1.0, out), msk::InvalidArgument);
  p.disc.area = -1.0;
  EXPECT_THROW(validate(p), msk::InvalidArgument);
  p = lumbar_level();
  p.ligaments[0].neutral_length = 0.0;
  try {
    validate(p);
    FAIL();
  } catch (const msk::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("ALL"), std::string::npos);
  }
  p = lumbar_level();
  p.disc.moment_c2 = 1000.0;  // a moment that would fall with the angle
  EXPECT_THROW(validate(p), msk::InvalidArgument);
}

}  // namespace
