"""``#include <msk/msk.hpp>`` is the whole public C++ API: it names every public header."""

from __future__ import annotations

import re
from pathlib import Path

INCLUDE = Path(__file__).resolve().parents[2] / "libmsk" / "include"


def test_msk_hpp_includes_every_public_header() -> None:
    text = (INCLUDE / "msk" / "msk.hpp").read_text()
    included = set(re.findall(r'#include "(msk/[^"]+)"', text))
    headers = {p.relative_to(INCLUDE).as_posix() for p in INCLUDE.rglob("*.hpp")}
    headers |= {
        p.relative_to(INCLUDE).as_posix().removesuffix(".in") for p in INCLUDE.rglob("*.hpp.in")
    }
    headers.discard("msk/msk.hpp")
    assert sorted(headers - included) == []
    assert sorted(included - headers) == []
