// Results files: the HDF5 reader, and the writer of a whole file (the Recorder runs inside
// simulate).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "msk/error.hpp"
#include "msk/io/hdf5_file.hpp"
#include "msk/io/reader.hpp"
#include "msk/io/writer.hpp"

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
      "save_results",
      [](const std::string& path, const py::dict& d, int compression_level) {
        io::ResultsData r;
        const auto time =
            d["time"].cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
        const auto values =
            d["values"].cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
        const auto names = d["channel_names"].cast<std::vector<std::string>>();
        const auto units = d["channel_units"].cast<std::vector<std::string>>();
        const auto descriptions = d["channel_descriptions"].cast<std::vector<std::string>>();
        if (time.ndim() != 1 || values.ndim() != 2 || values.shape(0) != time.shape(0) ||
            values.shape(1) != static_cast<py::ssize_t>(names.size()) ||
            units.size() != names.size() || descriptions.size() != names.size())
          throw InvalidArgument(
              "save_results: expected time (n,), values (n, n_channels) and one name, unit and "
              "description per channel");
        r.time.assign(time.data(), time.data() + time.shape(0));
        const auto v = values.unchecked<2>();
        r.values.assign(names.size(), std::vector<double>(r.time.size()));
        for (std::size_t c = 0; c < names.size(); ++c) {
          r.channels.push_back({names[c], units[c], descriptions[c]});
          for (std::size_t i = 0; i < r.time.size(); ++i)
            r.values[c][i] = v(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(c));
        }
        r.meta = attributes_from(d["meta"].cast<py::dict>());
        r.stats = attributes_from(d["stats"].cast<py::dict>());
        r.event_times = d["event_times"].cast<std::vector<double>>();
        r.event_labels = d["event_labels"].cast<std::vector<std::string>>();
        for (const auto& kv : d["states"].cast<py::dict>()) {
          const py::dict e = py::reinterpret_borrow<py::dict>(kv.second);
          io::StoredState state;
          state.time = e["time"].cast<double>();
          state.names = e["names"].cast<std::vector<std::string>>();
          state.values = e["values"].cast<std::vector<double>>();
          r.states[py::str(kv.first).cast<std::string>()] = std::move(state);
        }
        io::RecorderOptions options;
        options.compression_level = compression_level;
        py::gil_scoped_release release;
        io::save_results(path, r, options);
      },
      py::arg("path"), py::arg("data"), py::arg("compression_level") = 4,
      "Writes a whole msk results file with the C++ writer (the layout a run writes): data as "
      "load_results returns it (time, values, channel_names, channel_units, "
      "channel_descriptions, meta, event_times, event_labels, states, stats). Raises "
      "InvalidArgument naming the field at fault, IoError naming the file.");
  m.def(
      "is_hdf5_file",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return io::is_hdf5_file(path);
      },
      py::arg("path"), "Whether path is a readable file in the HDF5 format.");
}

}  // namespace msk::python
