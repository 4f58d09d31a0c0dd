#!/usr/bin/env bash
# The main job on the bundled default: set up, build and install msk, run the demo, which writes
# an HDF5 file and a PNG report and prints where they are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/install_python.sh
.venv/bin/msk demo -o "${1:-out}"
