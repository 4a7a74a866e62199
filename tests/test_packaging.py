"""Packaging: the explicit package list and the shipped codebooks.

pyproject.toml lists its packages by hand (the shipped codebooks are mapped
from the top-level codebooks/ folder), so a new subpackage under
src/kotoba_code must be added there or it is missing from the wheel.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from kotoba_code.codebook import Codebook
from kotoba_code.codebook.model import SHIPPED

ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]


def test_package_list_names_every_package_under_src():
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in (src / "kotoba_code").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert listed - {"kotoba_code.codebooks"} == found
    assert "kotoba_code.codebooks" in listed


def test_codebooks_package_maps_the_top_level_folder():
    conf = _setuptools()
    assert conf["package-dir"]["kotoba_code.codebooks"] == "codebooks"
    assert conf["package-data"]["kotoba_code.codebooks"] == ["*.yaml"]
    assert (ROOT / "codebooks" / "__init__.py").is_file()
    # No symlink (or its text-file stand-in on checkouts without symlinks).
    assert not (ROOT / "src" / "kotoba_code" / "codebooks").exists()


def test_shipped_names_are_the_yaml_files_of_codebooks():
    stems = sorted(p.stem for p in (ROOT / "codebooks").glob("*.yaml"))
    assert stems and list(SHIPPED) == stems
    installed = sorted(p.name for p in resources.files("kotoba_code.codebooks").iterdir() if p.name.endswith(".yaml"))
    assert installed == [f"{s}.yaml" for s in stems]
    for name in SHIPPED:
        assert Codebook.load(name).name == name
