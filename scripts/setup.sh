#!/usr/bin/env bash
# Sets up a fresh machine for msk, idempotently:
#   1. the system packages (Debian/Ubuntu, apt-get; sudo when not root), only if missing;
#   2. a Python virtual environment in .venv with the build and runtime requirements (PyPI).
# Used by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config git libeigen3-dev libboost-dev libhdf5-dev
          libyaml-cpp-dev libpugixml-dev libgtest-dev libgmock-dev libbenchmark-dev clang-format
          clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
stamp=.venv/.msk-requirements
# distributed (with dask) lets tests/python/test_study.py run its Dask path; msk needs it only for
# msk.study with client= (the extra msk[parallel]). hypothesis runs the property tests
# (tests/python/test_law_properties.py); msk itself never imports it.
reqs="scikit-build-core>=0.10 pybind11>=2.12 numpy h5py pandas xarray matplotlib tqdm pyyaml pytest nbmake ruff==0.17.6 ipykernel ipywidgets distributed>=2023.1 hypothesis>=6.0"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$reqs" ]; then
  echo "setup: installing Python requirements into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check $reqs
  echo "$reqs" > "$stamp"
fi
