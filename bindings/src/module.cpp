// msk._core — the private extension module. The typed public API is the pure-Python package msk.
#include "bindings.hpp"
#include "msk/version.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "msk._core: compiled core of msk (private; use the msk package).";
  m.attr("__version__") = msk::version;
  msk::python::bind_errors(m);
  msk::python::bind_curves(m);
  msk::python::bind_model(m);
  msk::python::bind_sim(m);
  msk::python::bind_io(m);
  msk::python::bind_spine(m);
  msk::python::bind_equilibrium_file(m);
  msk::python::bind_drawing(m);
  msk::python::bind_lifetime(m);
  msk::python::bind_spine_elements(m);
}
