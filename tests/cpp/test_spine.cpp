// Spine laws: disc, ligament, facet and the level's axial balance (docs/theory/spine.md).
#include <gtest/gtest.h>

#include <cmath>

#include "msk/error.hpp"
#include "msk/spine/degeneration.hpp"
#include "msk/spine/disc.hpp"
#include "msk/spine/facet.hpp"
#include "msk/spine/foramen.hpp"
#include "msk/spine/ligament.hpp"
#include "msk/spine/segment.hpp"
#include "msk/spine/shear.hpp"

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
  EXPECT_NEAR(disc_moment(d, 2 * kDeg, 500.0) / m0, 2.11, 1e-3);
}

TEST(Disc, PreloadStiffeningIsBoundedAndMonotonic) {
  const DiscParams d;
  // The unbounded power law gave x2.3 in standing (614 N) and x5.5 at 4.4 kN; the bounded law
  // stays below 1 + s_max = 2.63 at any load and keeps rising.
  EXPECT_NEAR(disc_preload_factor(d, 614.0), 2.23, 0.01);
  EXPECT_NEAR(disc_preload_factor(d, 4400.0), 2.626, 1e-3);
  EXPECT_LT(disc_preload_factor(d, 1e6), 1.0 + d.preload_gain_max + 1e-12);
  double previous = 1.0;
  for (double f = 50.0; f < 5000.0; f += 50.0) {
    EXPECT_GT(disc_preload_factor(d, f), previous) << f;
    previous = disc_preload_factor(d, f);
  }
  EXPECT_EQ(disc_preload_factor(d, -100.0), 1.0);
}

TEST(Disc, PressureIsSwellingUnloadedAndNachemsonUnderLoadWithoutDoubleCount) {
  const DiscParams d;
  // Unloaded: the swelling pressure, rising with hydration.
  EXPECT_NEAR(disc_pressure(d, 0.0, 1.0), d.swelling_pressure, 1e-9);
  EXPECT_NEAR(disc_pressure(d, 0.0, 0.7), 0.7 * d.swelling_pressure, 1e-9);
  // Loaded: Nachemson's 1.5 F / A is the total (within 0.1 % at 600 N), not plus the swelling.
  const double nachemson = 1.5 * 600.0 / d.area;
  EXPECT_NEAR(disc_pressure(d, 600.0, 1.0) / nachemson, 1.0, 1e-3);
  EXPECT_GE(disc_pressure(d, 600.0, 1.0), nachemson);
  // Smooth and monotonic in the load, never below either pressure.
  double previous = 0.0;
  for (double f = 0.0; f < 2000.0; f += 10.0) {
    const double p = disc_pressure(d, f, 1.0);
    EXPECT_GE(p, previous);
    EXPECT_GE(p, disc_load_pressure(d, f) - 1e-9);
    EXPECT_GE(p, disc_swelling_pressure(d, 1.0) - 1e-9);
    previous = p;
  }
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
        compute_segment(p, theta, c, 0.0, hydration, out);
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
  compute_segment(p, 0.0, 500.0, 0.0, 1.0, neutral);
  compute_segment(p, -3 * kDeg, 500.0, 0.0, 1.0, extended);
  compute_segment(p, 0.0, 500.0, 0.0, 0.6, dehydrated);
  compute_segment(p, 5 * kDeg, 500.0, 0.0, 1.0, flexed);
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
    compute_segment(p, deg * kDeg, 400.0, 0.0, 1.0, a);
    compute_segment(p, -deg * kDeg, 400.0, 0.0, 1.0, b);
    EXPECT_LT(a.moment, previous) << deg;  // flexion: a growing negative (extending) moment
    EXPECT_GT(b.moment, 0.0) << deg;
    previous = a.moment;
  }
  // Posterior ligaments carry tension in flexion and add to the disc's compression.
  compute_segment(p, 12 * kDeg, 400.0, 0.0, 1.0, a);
  EXPECT_GT(a.ligament_force_total, 0.0);
  EXPECT_GT(a.disc_force, 400.0);
}

TEST(Segment, DegenerationLowersTheDiscClosesTheFacetsAndNarrowsTheForamen) {
  SegmentParams p = lumbar_level();
  SegmentLoads healthy, moderate, severe;
  compute_segment(p, 0.0, 600.0, 0.0, 1.0, healthy);
  p.degeneration = 0.5;
  compute_segment(p, 0.0, 600.0, 0.0, 1.0, moderate);
  p.degeneration = 1.0;
  compute_segment(p, 0.0, 600.0, 0.0, 1.0, severe);
  // Height: little at intermediate grades, most at severe ones (Salamat et al. 2016).
  const double h0 = p.disc.height;
  EXPECT_LT(healthy.disc_height - moderate.disc_height,
            0.1 * (healthy.disc_height - severe.disc_height));
  EXPECT_NEAR(degeneration_height_loss(p.disc, p.degeneration_effects, 1.0),
              p.degeneration_effects.height_loss * h0, 1e-12);
  EXPECT_GT(severe.facet_share, healthy.facet_share);
  EXPECT_LT(severe.foramen_height, healthy.foramen_height);
  EXPECT_LT(severe.foramen_area, healthy.foramen_area);
  EXPECT_GT(severe.nerve_root_risk, healthy.nerve_root_risk);
  EXPECT_DOUBLE_EQ(severe.degeneration, 1.0);
  // A smaller, drier nucleus: lower pressure at the same disc force.
  const DiscParams d1 = degenerated_disc(p.disc, p.degeneration_effects, 1.0);
  EXPECT_LT(disc_pressure(d1, 600.0, 1.0), disc_pressure(p.disc, 600.0, 1.0));
  EXPECT_LT(disc_pressure(d1, 0.0, 1.0), disc_pressure(p.disc, 0.0, 1.0));
  // Laxity near neutral peaks at intermediate grades; the shorter disc is stiffer at the ends.
  const DiscParams d05 = degenerated_disc(p.disc, p.degeneration_effects, 0.5);
  EXPECT_LT(d05.moment_c1, p.disc.moment_c1);
  EXPECT_LT(d05.moment_c1, d1.moment_c1);
  EXPECT_GT(d1.moment_c3, p.disc.moment_c3);
  EXPECT_GT(d1.stiffness, p.disc.stiffness);
  // Healthy is the identity.
  const DiscParams d0 = degenerated_disc(p.disc, p.degeneration_effects, 0.0);
  EXPECT_EQ(d0.height, p.disc.height);
  EXPECT_EQ(d0.moment_c1, p.disc.moment_c1);
}

TEST(Segment, FacetsCarryMostAnteriorShearErectAndLessInFlexion) {
  const SegmentParams p = lumbar_level();
  SegmentLoads erect, flexed, posterior;
  compute_segment(p, 0.0, 500.0, 200.0, 1.0, erect);
  compute_segment(p, 12 * kDeg, 500.0, 200.0, 1.0, flexed);
  compute_segment(p, 0.0, 500.0, -200.0, 1.0, posterior);
  EXPECT_NEAR(erect.disc_shear + erect.facet_shear, 200.0, 1e-9);
  EXPECT_GT(erect.facet_shear, 0.5 * erect.shear);  // "most" (Hutton, Stott & Cyron 1977)
  EXPECT_LT(flexed.facet_shear, erect.facet_shear);
  EXPECT_GT(flexed.facet_shear, 0.0);            // still some in flexion (Adams & Hutton 1985)
  EXPECT_NEAR(posterior.facet_shear, 0.0, 1.0);  // a posterior shear goes to the disc
  EXPECT_NEAR(posterior.disc_shear, -200.0, 1.0);
  SegmentLoads big;
  compute_segment(p, 0.0, 500.0, 1200.0, 1.0, big);
  EXPECT_TRUE(big.shear_over_repetitive_limit);
  EXPECT_TRUE(big.shear_over_action_limit);
  EXPECT_NEAR(big.shear_ultimate_ratio, 0.6, 1e-12);
  EXPECT_FALSE(erect.shear_over_repetitive_limit);
}

TEST(Foramen, ExtensionBucklesTheFlavumAndNarrowsTheForamen) {
  const SegmentParams p = lumbar_level();
  SegmentLoads flexed, neutral, extended;
  compute_segment(p, 5 * kDeg, 500.0, 0.0, 1.0, flexed);
  compute_segment(p, 0.0, 500.0, 0.0, 1.0, neutral);
  compute_segment(p, -5 * kDeg, 500.0, 0.0, 1.0, extended);
  EXPECT_GT(extended.flavum_buckling, neutral.flavum_buckling);
  EXPECT_LT(extended.foramen_width, neutral.foramen_width);
  EXPECT_LT(extended.foramen_area, neutral.foramen_area);
  EXPECT_GT(flexed.foramen_area, neutral.foramen_area);
  // Schmid et al. 1999: foraminal area varies with posture by up to 44 %.
  const double change = 1.0 - extended.foramen_area / flexed.foramen_area;
  EXPECT_GT(change, 0.1);
  EXPECT_LT(change, 0.6);
}

TEST(Foramen, DegenerationNarrowsTheForamenInHeightAndWidth) {
  // The annulus bulges as the nucleus loses volume (Brinckmann & Grootenboer 1991: 0.2 mm of
  // bulge per 0.8 mm of height), so a degenerated level's foramen is smaller in both directions.
  SegmentParams p = lumbar_level();
  SegmentLoads healthy, degenerated;
  compute_segment(p, 0.0, 2000.0, 0.0, 1.0, healthy);
  p.degeneration = 1.0;
  compute_segment(p, 0.0, 2000.0, 0.0, 1.0, degenerated);
  EXPECT_LT(degenerated.foramen_height, healthy.foramen_height);
  EXPECT_LT(degenerated.foramen_width, healthy.foramen_width);
  EXPECT_LT(degenerated.foramen_area, healthy.foramen_area);
  // Without the bulge term the width would not fall (a stiffer, shorter disc compresses less).
  p.foramen.volume_loss_bulge = 0.0;
  SegmentLoads no_bulge;
  compute_segment(p, 0.0, 2000.0, 0.0, 1.0, no_bulge);
  const double lost = p.disc.height - degenerated.disc_height - degenerated.disc_compression;
  EXPECT_NEAR(no_bulge.foramen_width - degenerated.foramen_width, 0.25 * lost, 2e-5);
}

TEST(Foramen, NerveRootRiskFollowsHasegawasThresholdsAndRevelsCollapsePlusExtension) {
  // 0.8 at each threshold, 0.05 at 20 mm foramen and 7 mm posterior disc height.
  const ForamenParams f;
  EXPECT_NEAR(nerve_root_risk(0.015, f.stenosis_height, f.risk_height_width), 0.8, 1e-12);
  EXPECT_NEAR(nerve_root_risk(0.020, f.stenosis_height, f.risk_height_width), 0.05, 1e-3);
  EXPECT_NEAR(nerve_root_risk(0.007, f.stenosis_posterior_disc_height, f.risk_posterior_width),
              0.05, 1e-3);
  // Revel et al. 1988: with the disc height kept, extension does not threaten the root; after
  // 4 mm of collapse it does.
  SegmentParams p = lumbar_level();
  p.disc.posterior_height = 0.010;
  p.foramen.height = 0.021;
  p.disc.fluid_height = 0.005;
  SegmentLoads kept, collapsed;
  compute_segment(p, -5 * kDeg, 500.0, 0.0, 1.0, kept);
  compute_segment(p, -5 * kDeg, 500.0, 0.0, 0.2, collapsed);  // 4 mm of fluid lost
  EXPECT_LT(kept.nerve_root_risk, 0.2);
  EXPECT_GT(collapsed.nerve_root_risk, 0.5);
}

TEST(Segment, BadArgumentsAndParametersAreRefused) {
  SegmentParams p = lumbar_level();
  SegmentLoads out;
  EXPECT_THROW(compute_segment(p, NAN, 0.0, 0.0, 1.0, out), msk::InvalidArgument);
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
