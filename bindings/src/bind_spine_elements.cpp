// The spine's element laws on NumPy arrays: msk._core.spine (disc, facet, ligament, disc fluid).
// Each function takes its element's parameters as a dict of field names (as in msk/spine/*.hpp
// and model files; fields not given keep their defaults), checks them with the element's
// validate(), and applies the element's pure function elementwise.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/laws/spine/disc_fluid.hpp"
#include "msk/spine/disc.hpp"
#include "msk/spine/facet.hpp"
#include "msk/spine/ligament.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

template <class P>
using Fields = std::vector<std::pair<const char*, double P::*>>;

const Fields<spine::DiscParams>& disc_fields() {
  using P = spine::DiscParams;
  static const Fields<P> f = {
      {"height", &P::height},
      {"posterior_height", &P::posterior_height},
      {"depth", &P::depth},
      {"area", &P::area},
      {"fluid_height", &P::fluid_height},
      {"stiffness_toe", &P::stiffness_toe},
      {"stiffness", &P::stiffness},
      {"toe_compression", &P::toe_compression},
      {"moment_c1", &P::moment_c1},
      {"moment_c2", &P::moment_c2},
      {"moment_c3", &P::moment_c3},
      {"preload_gain_max", &P::preload_gain_max},
      {"preload_force", &P::preload_force},
      {"pressure_factor", &P::pressure_factor},
      {"swelling_pressure", &P::swelling_pressure},
      {"pressure_blend", &P::pressure_blend},
      {"damping", &P::damping},
  };
  return f;
}

const Fields<spine::FacetParams>& facet_fields() {
  using P = spine::FacetParams;
  static const Fields<P> f = {{"lever_arm", &P::lever_arm},
                              {"gap", &P::gap},
                              {"stiffness", &P::stiffness},
                              {"exponent", &P::exponent}};
  return f;
}

const Fields<spine::LigamentParams>& ligament_fields() {
  using P = spine::LigamentParams;
  static const Fields<P> f = {{"stiffness", &P::stiffness},
                              {"neutral_length", &P::neutral_length},
                              {"slack_strain", &P::slack_strain},
                              {"moment_arm", &P::moment_arm},
                              {"toe_length", &P::toe_length}};
  return f;
}

/// Sets the fields named in `values` (the other fields keep their defaults). `extra` handles
/// non-numeric fields; returns false for an unknown name.
template <class P, class Extra>
P from_dict(const char* what, const py::dict& values, const Fields<P>& fields, Extra&& extra) {
  P p{};
  for (const auto& item : values) {
    const std::string key = py::str(item.first);
    bool found = extra(p, key, item.second);
    for (const auto& [name, member] : fields) {
      if (key != name) continue;
      p.*member = item.second.cast<double>();
      found = true;
    }
    if (!found) {
      std::string names;
      for (const auto& f : fields)
        names += std::string(names.empty() ? "" : ", ") + f.first;
      throw InvalidArgument(std::string(what) + "." + key + ": expected one of " + names +
                            ", got '" + key + "'");
    }
  }
  return p;
}

spine::DiscParams disc_params(const py::dict& d) {
  auto extra = [](spine::DiscParams& p, const std::string& key, const py::handle& value) {
    if (key != "preload_stiffening") return false;
    p.preload_stiffening = value.cast<bool>();
    return true;
  };
  const spine::DiscParams p = from_dict("disc", d, disc_fields(), extra);
  spine::validate(p);
  return p;
}

auto no_extra = [](auto&, const std::string&, const py::handle&) { return false; };

spine::FacetParams facet_params(const py::dict& d) {
  const spine::FacetParams p = from_dict("facet", d, facet_fields(), no_extra);
  spine::validate(p);
  return p;
}

spine::LigamentParams ligament_params(const py::dict& d) {
  const spine::LigamentParams p = from_dict("ligament", d, ligament_fields(), no_extra);
  spine::validate(p);
  return p;
}

/// The disc fluid law's parameters, checked against the law's documented ranges.
laws::DiscFluidParams fluid_params(const py::dict& d) {
  laws::DiscFluidParams p{};
  const laws::DiscFluidOsmotic law;
  const auto& fields = laws::DiscFluidOsmotic::fields();
  for (const auto& item : d) {
    const std::string key = py::str(item.first);
    std::size_t f = 0;
    while (f < fields.size() && key != fields[f].name)
      ++f;
    if (f == fields.size())
      throw InvalidArgument("fluid." + key +
                            ": expected a parameter of disc_fluid_osmotic (law_registry()), got '" +
                            key + "'");
    const double value = item.second.cast<double>();
    check_param(law.info(), static_cast<int>(f), value);
    p.*(fields[f].member) = value;
  }
  return p;
}

using Array = py::array_t<double>;

}  // namespace

void bind_spine_elements(py::module_& m) {
  py::module_ s = m.def_submodule(
      "spine",
      "The spine's element laws (msk/spine/*.hpp) and the disc fluid rate, elementwise on arrays. "
      "Parameters are dicts of field names; fields not given keep their defaults.");
  s.def(
      "disc_axial_force",
      [](const Array& compression, const py::dict& disc) {
        const spine::DiscParams p = disc_params(disc);
        return py::vectorize([&p](double e) { return spine::disc_axial_force(p, e); })(compression);
      },
      py::arg("compression"), py::arg("disc") = py::dict(),
      "Disc axial force F_d [N] at elastic compression e [m] (negative: distraction).");
  s.def(
      "disc_axial_stiffness",
      [](const Array& compression, const py::dict& disc) {
        const spine::DiscParams p = disc_params(disc);
        return py::vectorize([&p](double e) { return spine::disc_axial_stiffness(p, e); })(
            compression);
      },
      py::arg("compression"), py::arg("disc") = py::dict(), "d F_d / d e [N/m].");
  s.def(
      "disc_moment",
      [](const Array& theta, const Array& disc_force, const py::dict& disc) {
        const spine::DiscParams p = disc_params(disc);
        return py::vectorize([&p](double a, double f) { return spine::disc_moment(p, a, f); })(
            theta, disc_force);
      },
      py::arg("theta"), py::arg("disc_force"), py::arg("disc") = py::dict(),
      "Disc restoring moment [N m] at flexion theta [rad] from neutral and disc force [N].");
  s.def(
      "disc_pressure",
      [](const Array& disc_force, const Array& hydration, const py::dict& disc) {
        const spine::DiscParams p = disc_params(disc);
        return py::vectorize([&p](double f, double h) { return spine::disc_pressure(p, f, h); })(
            disc_force, hydration);
      },
      py::arg("disc_force"), py::arg("hydration"), py::arg("disc") = py::dict(),
      "Intradiscal pressure [Pa] at disc force [N] and hydration [1].");
  s.def(
      "facet_penetration",
      [](const Array& theta, const Array& height_loss, const py::dict& facet) {
        const spine::FacetParams p = facet_params(facet);
        return py::vectorize([&p](double a, double h) {
          return spine::facet_penetration(p, a, h);
        })(theta, height_loss);
      },
      py::arg("theta"), py::arg("height_loss"), py::arg("facet") = py::dict(),
      "Facet closure beyond contact [m] at flexion theta [rad] and disc height loss [m].");
  s.def(
      "facet_force",
      [](const Array& penetration, const py::dict& facet) {
        const spine::FacetParams p = facet_params(facet);
        return py::vectorize([&p](double d) { return spine::facet_force(p, d); })(penetration);
      },
      py::arg("penetration"), py::arg("facet") = py::dict(),
      "Facet contact force [N] at penetration [m].");
  s.def(
      "facet_stiffness",
      [](const Array& penetration, const py::dict& facet) {
        const spine::FacetParams p = facet_params(facet);
        return py::vectorize([&p](double d) { return spine::facet_stiffness(p, d); })(penetration);
      },
      py::arg("penetration"), py::arg("facet") = py::dict(), "d F_f / d penetration [N/m].");
  s.def(
      "ligament_force",
      [](const Array& length, const py::dict& ligament) {
        const spine::LigamentParams p = ligament_params(ligament);
        return py::vectorize([&p](double l) { return spine::ligament_force(p, l); })(length);
      },
      py::arg("length"), py::arg("ligament") = py::dict(), "Ligament tension [N] at length [m].");
  s.def(
      "ligament_stiffness",
      [](const Array& length, const py::dict& ligament) {
        const spine::LigamentParams p = ligament_params(ligament);
        return py::vectorize([&p](double l) { return spine::ligament_stiffness(p, l); })(length);
      },
      py::arg("length"), py::arg("ligament") = py::dict(), "d T / d length [N/m].");
  s.def(
      "disc_hydration_rate",
      [](const Array& disc_force, const Array& hydration, const py::dict& fluid,
         const py::dict& disc) {
        const laws::DiscFluidParams f = fluid_params(fluid);
        const spine::DiscParams p = disc_params(disc);
        return py::vectorize([&f, &p](double force, double h) {
          return laws::disc_hydration_rate(f, spine::disc_pressure(p, force, h), h);
        })(disc_force, hydration);
      },
      py::arg("disc_force"), py::arg("hydration"), py::arg("fluid") = py::dict(),
      py::arg("disc") = py::dict(),
      "Rate of disc hydration dH/dt [1/s] of the law disc_fluid_osmotic at disc force [N] and "
      "hydration [1]; fluid: the law's parameters (law_registry()).");
}

}  // namespace msk::python
