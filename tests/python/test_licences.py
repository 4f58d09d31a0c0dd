"""msk's licence and the terms of the bundled data: in the repository, installed with the package,
and naming every model file (so that new data cannot arrive without its terms)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTICES = ("LICENSE", "THIRD_PARTY_LICENSES.md")


def test_the_licence_is_mit_as_pyproject_says() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Copyright (c) 2026 the msk authors" in text
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_third_party_terms_name_every_bundled_model_and_data_file() -> None:
    text = (ROOT / "THIRD_PARTY_LICENSES.md").read_text(encoding="utf-8")
    for model in sorted((ROOT / "models").glob("*.yaml")):
        assert f"`models/{model.name}`" in text, f"{model.name}: add its sources and terms"
    for data in sorted((ROOT / "models" / "data").iterdir()):
        assert f"`models/data/{data.name}`" in text, f"{data.name}: add its source and terms"
    for source, licence in (
        ("Arm26", "CC BY 3.0"),
        ("MyoTorso", "Apache-2.0"),
        ("Christophy", "MIT"),
        ("Mortensen", "MIT"),
    ):
        assert f"## {source}" in text or f"## OpenSim {source}" in text, source
        assert licence in text
    for holder in ("Reinbolt", "Seth", "Habib", "Hamner", "Holzbaur", "Walia", "mjhmilla"):
        assert holder in text
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "Permission is hereby granted, free of charge" in text


@pytest.mark.core
def test_the_installed_package_ships_the_licence_and_the_third_party_terms() -> None:
    pytest.importorskip("msk._core")
    distribution = importlib.metadata.distribution("msk")
    shipped = {Path(str(f)).name: f for f in distribution.files or []}
    for name in NOTICES:
        assert name in shipped, f"the installed msk lacks {name} (pyproject wheel.license-files)"
        installed = Path(str(distribution.locate_file(shipped[name])))
        assert installed.read_text(encoding="utf-8") == (ROOT / name).read_text(encoding="utf-8")


def test_the_cmake_install_ships_them_too() -> None:
    cmake = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    assert "install(FILES LICENSE THIRD_PARTY_LICENSES.md DESTINATION ${CMAKE_INSTALL_DOCDIR})" in (
        cmake
    )
    script = (ROOT / "tests" / "package" / "test_find_package.sh").read_text(encoding="utf-8")
    assert "share/doc/msk/$notice" in script
