// Private declarations shared by the binding files of msk._core (one file per wrapped concept).
#pragma once

#include <pybind11/pybind11.h>

#include "msk/io/attributes.hpp"
#include "msk/io/equilibrium_file.hpp"
#include "msk/law/law.hpp"

namespace msk::python {

void bind_errors(pybind11::module_& m);
void bind_curves(pybind11::module_& m);
void bind_model(pybind11::module_& m);
void bind_sim(pybind11::module_& m);
void bind_io(pybind11::module_& m);
void bind_spine(pybind11::module_& m);
void bind_equilibrium_file(pybind11::module_& m);
void bind_drawing(pybind11::module_& m);
void bind_lifetime(pybind11::module_& m);

/// Attributes as a dict {name: str, int or float}, in order (bind_equilibrium_file.cpp).
pybind11::dict attributes_dict(const io::Attributes& attributes);
/// A dict of str, int (bool) or float values as attributes, in the dict's order.
/// @throws InvalidArgument naming the key of any other value ("meta.<key>: ...")
io::Attributes attributes_from(const pybind11::dict& d);
/// A table of the core as {"index_name", "index", "columns": [(name, units, values)]}.
pybind11::dict table_as_dict(const io::Table& table);
/// A stored equilibrium as a dict of plain values and NumPy arrays (bind_equilibrium_file.cpp).
pybind11::dict equilibrium_dict(const io::StoredEquilibrium& equilibrium);
void bind_spine_elements(pybind11::module_& m);
/// Law documentation as a dict (bind_model.cpp).
pybind11::dict law_info_dict(const LawInfo& info);

}  // namespace msk::python
