// Muscle curves on NumPy arrays: msk._core.curves (wrapped by msk.curves).
#include <pybind11/numpy.h>

#include "bindings.hpp"
#include "msk/laws/muscle/activation.hpp"
#include "msk/muscle/curves.hpp"

namespace py = pybind11;

namespace msk::python {

namespace {

muscle::CurveParams make_params(const std::string& set, double kshape_active, double kshape_passive,
                                double fmax_muscle_strain, double fmax_tendon_strain, double af,
                                double flen) {
  muscle::CurveParams p;
  p.set = muscle::curve_set_from_name(set);
  p.thelen = {kshape_active, kshape_passive, fmax_muscle_strain, fmax_tendon_strain, af, flen};
  muscle::validate(p);
  return p;
}

/// Binds f(params, x) as curves.<name>(x, curves="degroote2016", <Thelen shape parameters>).
void bind_curve(py::module_& m, const char* name, double (*f)(const muscle::CurveParams&, double),
                const char* doc) {
  const muscle::ThelenCurveParams d;
  m.def(
      name,
      [f](const py::array_t<double>& x, const std::string& set, double kshape_active,
          double kshape_passive, double fmax_muscle_strain, double fmax_tendon_strain, double af,
          double flen) {
        const muscle::CurveParams p = make_params(set, kshape_active, kshape_passive,
                                                  fmax_muscle_strain, fmax_tendon_strain, af, flen);
        return py::vectorize([&p, f](double v) { return f(p, v); })(x);
      },
      py::arg("x"), py::arg("curves") = "degroote2016", py::arg("kshape_active") = d.kshape_active,
      py::arg("kshape_passive") = d.kshape_passive,
      py::arg("fmax_muscle_strain") = d.fmax_muscle_strain,
      py::arg("fmax_tendon_strain") = d.fmax_tendon_strain, py::arg("af") = d.af,
      py::arg("flen") = d.flen, doc);
}

}  // namespace

void bind_curves(py::module_& m) {
  py::module_ c = m.def_submodule("curves", "Muscle curves (De Groote 2016, Thelen 2003).");
  bind_curve(c, "active_force_length", &muscle::active_force_length,
             "Active force-length f_L(l~) [1] of normalised fibre length l~ [1].");
  bind_curve(c, "active_force_length_derivative", &muscle::active_force_length_derivative,
             "d f_L / d l~ [1].");
  bind_curve(c, "passive_force_length", &muscle::passive_force_length,
             "Passive force-length f_PE(l~) [1] of normalised fibre length [1].");
  bind_curve(c, "passive_force_length_derivative", &muscle::passive_force_length_derivative,
             "d f_PE / d l~ [1].");
  bind_curve(c, "force_velocity", &muscle::force_velocity,
             "Force-velocity f_V(v~) [1] of fibre velocity normalised by v_max [1], lengthening "
             "positive.");
  bind_curve(c, "force_velocity_derivative", &muscle::force_velocity_derivative, "d f_V / d v~.");
  bind_curve(c, "force_velocity_inverse", &muscle::force_velocity_inverse,
             "Normalised fibre velocity [1] at which f_V equals the given normalised force.");
  bind_curve(c, "tendon_force_length", &muscle::tendon_force_length,
             "Tendon force-length f_T [1] of tendon length / slack length [1].");
  bind_curve(c, "tendon_force_length_derivative", &muscle::tendon_force_length_derivative,
             "d f_T / d l~_T.");
  bind_curve(c, "tendon_force_length_inverse", &muscle::tendon_force_length_inverse,
             "Normalised tendon length [1] at which f_T equals the given normalised force.");
  c.def(
      "activation_derivative",
      [](const py::array_t<double>& excitation, const py::array_t<double>& activation,
         double tau_act, double tau_deact) {
        return py::vectorize([tau_act, tau_deact](double u, double a) {
          return laws::activation_derivative(u, a, tau_act, tau_deact);
        })(excitation, activation);
      },
      py::arg("excitation"), py::arg("activation"), py::arg("tau_act") = 0.015,
      py::arg("tau_deact") = 0.060,
      "Thelen 2003 activation dynamics da/dt [1/s] for excitation u and activation a [1]; time "
      "constants [s].");
}

}  // namespace msk::python
