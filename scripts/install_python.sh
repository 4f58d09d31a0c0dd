#!/usr/bin/env bash
# Builds and installs the msk Python package (extension msk._core + the msk package) into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-build-isolation .
