"""media.sctpguard patches private aiortc code: only on the version it was checked on."""

from __future__ import annotations

import tomllib
from pathlib import Path

import aiortc
from aiortc import rtcsctptransport as sctp
from packaging.requirements import Requirement
from packaging.version import Version

from media import control, sctpguard


def test_installed_aiortc_is_the_version_the_guard_was_checked_on() -> None:
    assert aiortc.__version__.startswith(sctpguard.CHECKED_AIORTC)
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    pins = [Requirement(d) for d in project["project"]["dependencies"]]
    spec = next(r.specifier for r in pins if r.name == "aiortc")
    assert Version(sctpguard.CHECKED_AIORTC + "9") in spec  # any patch release
    assert Version("1.17.0") not in spec  # a new minor version must be checked first


def test_the_guard_is_installed_once() -> None:
    guarded = sctp.RTCSctpTransport._receive_data_chunk
    assert getattr(guarded, "klasgenoot_guard", False)
    sctpguard.install()
    sctpguard.install()
    assert sctp.RTCSctpTransport._receive_data_chunk is guarded  # not wrapped again


def test_the_private_names_it_relies_on_are_there() -> None:
    for name in ("WEBRTC_DCEP", "SCTP_DATA_UNORDERED", "tsn_plus_one", "InboundStream"):
        assert hasattr(sctp, name), name
    assert hasattr(sctp.InboundStream(), "reassembly")
    assert sctpguard.MAX_MESSAGE == control.MAX_CONTROL_BYTES
