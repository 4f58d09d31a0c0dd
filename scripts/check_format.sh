#!/usr/bin/env bash
# Fails if any C++ file differs from .clang-format or any Python file from ruff's formatting rules.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
mapfile -t cpp < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.hpp.in' | grep -v '\.in$' || true)
if [ ${#cpp[@]} -gt 0 ]; then
  if ! clang-format --dry-run --Werror "${cpp[@]}"; then
    echo "clang-format: run 'clang-format -i' on the files above" >&2
    status=1
  fi
fi
ruff_bin=$(command -v ruff || true)
[ -z "$ruff_bin" ] && [ -x .venv/bin/ruff ] && ruff_bin=.venv/bin/ruff
if [ -n "$ruff_bin" ]; then
  py_dirs=()
  for d in bindings/python tests/python examples/python examples/notebooks scripts; do
    [ -d "$d" ] && py_dirs+=("$d")
  done
  "$ruff_bin" check --quiet "${py_dirs[@]}" || status=1
else
  echo "ruff not found: Python lint skipped" >&2
fi
[ $status -eq 0 ] && echo "format check: clean"
exit $status
