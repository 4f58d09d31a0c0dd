"""docs/validation/spine_study.md is what scripts/spine_study.py computes now (no stale numbers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("msk._core")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.core
def test_the_central_study_page_is_up_to_date() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "spine_study.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr + "\nrun: python scripts/spine_study.py"
