// Results files: the HDF5 reader (the writer runs inside simulate).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "msk/io/hdf5_file.hpp"
#include "msk/io/reader.hpp"

namespace py = pybind11;

namespace msk::python {

void bind_io(py::module_& m) {
  m.def(
      "load_results",
      [](const std::string& path) {
        io::ResultsData r;
        {
          py::gil_scoped_release release;
          r = io::load_results(path);
        }
        const auto n = static_cast<py::ssize_t>(r.time.size());
        const auto nc = static_cast<py::ssize_t>(r.channels.size());
        py::array_t<double> values({n, nc});
        auto v = values.mutable_unchecked<2>();
        for (py::ssize_t c = 0; c < nc; ++c)
          for (py::ssize_t i = 0; i < n; ++i)
            v(i, c) = r.values[c][i];
        std::vector<std::string> names, units, descriptions;
        for (const auto& c : r.channels) {
          names.push_back(c.name);
          units.push_back(c.units);
          descriptions.push_back(c.description);
        }
        py::dict meta = attributes_dict(r.meta);
        py::dict out;
        out["time"] = py::array_t<double>(n, r.time.data());
        out["values"] = values;
        out["channel_names"] = names;
        out["channel_units"] = units;
        out["channel_descriptions"] = descriptions;
        out["meta"] = meta;
        out["event_times"] = py::array_t<double>(static_cast<py::ssize_t>(r.event_times.size()),
                                                 r.event_times.data());
        out["event_labels"] = r.event_labels;
        py::dict states;
        for (const auto& [name, state] : r.states) {
          py::dict e;
          e["time"] = state.time;
          e["names"] = state.names;
          e["values"] = py::array_t<double>(static_cast<py::ssize_t>(state.values.size()),
                                            state.values.data());
          states[py::str(name)] = e;
        }
        out["states"] = states;
        out["stats"] = attributes_dict(r.stats);
        out["msk_version"] = r.msk_version;
        return out;
      },
      py::arg("path"),
      "Reads an msk results file with the C++ reader: dict with time (n,), values (n, n_ch), "
      "channel_names, channel_units, channel_descriptions, meta ({name: str, int or float}, in "
      "the file's order), event_times, event_labels, states ({name: {time, names, values}}, "
      "e.g. the final state), stats (the /stats attributes, {} without) and msk_version. "
      "Raises IoError naming the file and dataset.");
  m.def(
      "is_hdf5_file",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return io::is_hdf5_file(path);
      },
      py::arg("path"), "Whether path is a readable file in the HDF5 format.");
}

}  // namespace msk::python
