#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then configures, builds and runs examples/cpp as
# an application outside the tree that finds msk with find_package(msk).
set -euo pipefail
build_dir=$1
source_dir=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
# The licence and the third-party terms of the bundled models travel with the install.
for notice in LICENSE THIRD_PARTY_LICENSES.md; do
  test -s "$work/prefix/share/doc/msk/$notice" || { echo "missing share/doc/msk/$notice" >&2; exit 1; }
done
cmake -S "$source_dir/examples/cpp" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
# The bundled model by name, from the installed share/msk/models.
MSK_MODEL_PATH="$work/prefix/share/msk/models" LD_LIBRARY_PATH="$work/prefix/lib:${LD_LIBRARY_PATH:-}" \
  "$work/build/elbow_demo" elbow "$work/out.h5"
test -s "$work/out.h5"
echo "find_package(msk) consumer: built, ran, wrote $work/out.h5"
