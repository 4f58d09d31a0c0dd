#!/usr/bin/env python3
"""Write bindings/python/msk/phase_schema.json, the snapshot of the core's protocol schema.

    .venv/bin/python scripts/gen_phase_schema.py           write it (install the package first)
    .venv/bin/python scripts/gen_phase_schema.py --check   exit 1 if it differs from the core's

The core owns the schema of protocol phases (msk::phase_types() in libmsk/src/sim/protocol.cpp,
msk._core.phase_schema() in Python). msk.protocols reads it from the core; the snapshot serves
machines without the compiled core. tests/python/test_protocols.py fails when it is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "bindings" / "python" / "msk" / "phase_schema.json"


def schema_text() -> str:
    """The core's schema as the snapshot stores it."""
    from msk import _core

    return json.dumps(_core.phase_schema(), indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = schema_text()
    if args.check:
        if SNAPSHOT.read_text(encoding="utf-8") != text:
            print(f"{SNAPSHOT} is out of date: run scripts/gen_phase_schema.py", file=sys.stderr)
            return 1
        return 0
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(SNAPSHOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
