"""pyproject.toml: metadata setuptools accepts without a warning, pins that guard patches."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PROJECT = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))


def _requirement(name: str) -> Requirement:
    for line in PROJECT["project"]["dependencies"]:
        req = Requirement(line)
        if req.name == name:
            return req
    raise AssertionError(f"{name} is not a dependency")


def test_the_license_is_an_spdx_expression_not_the_deprecated_table() -> None:
    license_ = PROJECT["project"]["license"]
    assert isinstance(license_, str)  # the table form warns on every install (setuptools >= 77)
    assert license_.startswith("LicenseRef-") or license_.replace("-", "").isalnum()
    assert any("setuptools>=77" in r.replace(" ", "") for r in PROJECT["build-system"]["requires"])


def test_aiohttp_is_pinned_to_the_patch_level_its_server_header_patch_was_checked_on() -> None:
    spec = _requirement("aiohttp").specifier
    assert Version("3.14.9") in spec
    assert Version("3.15.0") not in spec  # signaling.server patches a private constant
