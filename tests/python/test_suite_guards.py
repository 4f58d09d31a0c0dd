"""No silent pass: the test run fails when the compiled core is missing, and the validation
report on disk is the report of a fresh run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "tests/python/test_package_structure.py::test_find_cycle_names_the_cycle"


def _pytest_without_core(tmp_path: Path, allow: bool) -> subprocess.CompletedProcess[str]:
    """Run one pure-Python test in a subprocess where ``import msk._core`` fails."""
    (tmp_path / "no_msk_core.py").write_text(
        "import sys\nsys.modules['msk._core'] = None  # import msk._core now fails\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.pop("MSK_ALLOW_NO_CORE", None)
    if allow:
        env["MSK_ALLOW_NO_CORE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no_msk_core", "-p", "no:cacheprovider"]
        + [PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_suite_fails_when_the_core_is_missing(tmp_path: Path) -> None:
    run = _pytest_without_core(tmp_path, allow=False)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "msk._core, the compiled part of msk, cannot be imported" in output
    assert "MSK_ALLOW_NO_CORE=1" in output


def test_the_pure_python_tests_run_alone_when_allowed(tmp_path: Path) -> None:
    run = _pytest_without_core(tmp_path, allow=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


@pytest.mark.core
def test_the_validation_report_is_up_to_date() -> None:
    """docs/validation/index.md is what `python -m msk.validation --markdown` writes now."""
    pytest.importorskip("msk._core")
    page = ROOT / "docs" / "validation" / "index.md"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "msk.validation",
            "--cases",
            str(ROOT / "tests" / "validation"),
            "--check",
            str(page),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, (
        run.stderr[-3000:]
        + "\nregenerate it: python -m msk.validation --cases tests/validation --markdown "
        "docs/validation/index.md"
    )
