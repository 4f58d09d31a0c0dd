// Private declarations shared by the binding files of msk._core (one file per wrapped concept).
#pragma once

#include <pybind11/pybind11.h>

namespace msk::python {

void bind_errors(pybind11::module_& m);
void bind_curves(pybind11::module_& m);
void bind_model(pybind11::module_& m);
void bind_sim(pybind11::module_& m);
void bind_io(pybind11::module_& m);
void bind_spine(pybind11::module_& m);
void bind_spine_elements(pybind11::module_& m);

}  // namespace msk::python
