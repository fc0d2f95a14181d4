"""Private folders and files: every folder made is the owner's only, and an atomic
write that fails leaves no temporary copy of what it was writing."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.paths import ensure_private_dir, write_private_file

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual desktop umask, under which plain mkdir gives 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_folder_made_is_private(tmp_path: Path, open_umask: None) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    logs = home / "config" / "state" / "logs"
    assert ensure_private_dir(logs) == logs
    for folder in (home / "config", home / "config" / "state", logs):
        assert mode(folder) == 0o700, folder
    assert mode(home) == 0o755  # a folder that was already there keeps its mode


def test_the_asked_folder_is_tightened_even_if_it_existed(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    ensure_private_dir(folder)
    assert mode(folder) == 0o700


def test_a_file_in_the_way_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        ensure_private_dir(tmp_path / "file")
    assert (tmp_path / "file").read_text() == "x"


def test_a_write_is_private_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    write_private_file(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_failed_rename_leaves_no_temporary_copy(tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "inside").write_text("kept")
    with pytest.raises(OSError):
        write_private_file(folder, b"the whole export")  # the target is a folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["usb"]  # no .usb.*.tmp
    assert (folder / "inside").read_text() == "kept"
