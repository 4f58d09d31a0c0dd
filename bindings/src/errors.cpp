// C++ errors map one-to-one to Python exceptions: msk::Error -> msk.Error, and so on.
#include "bindings.hpp"
#include "msk/error.hpp"

namespace py = pybind11;

namespace msk::python {

void bind_errors(py::module_& m) {
  // Translators run in reverse order of registration: the base first, the derived ones after.
  py::register_exception<msk::Error>(m, "Error", PyExc_RuntimeError);
  const py::object base = m.attr("Error");
  py::register_exception<msk::ModelError>(m, "ModelError", base);
  py::register_exception<msk::SimulationError>(m, "SimulationError", base);
  py::register_exception<msk::EquilibriumError>(m, "EquilibriumError", base);
  py::register_exception<msk::IoError>(m, "IoError", base);
  py::register_exception<msk::InvalidArgument>(m, "InvalidArgument", base);
}

}  // namespace msk::python
