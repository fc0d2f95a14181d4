"""One running app per device folder; a folder of the other role is refused
(issue 15, item 11). The real console script, as a launcher would start it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from app.demo.workspace import prepare
from common.instance import DeviceLock, lock_path
from pairing.roles import Role
from tests.integration.test_cli_logs import KLASGENOOT, tree


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLASGENOOT_")}
    return {**env, "KLASGENOOT_DEV_KEYRING": "1", "QT_QPA_PLATFORM": "offscreen"}


def _app(role: Role, folder: Path) -> list[str]:
    return [KLASGENOOT, role.value, "--config", str(folder), "--windowed", "--synthetic"]


def _held_by_someone(folder: Path) -> bool:
    if not lock_path(folder).exists():
        return False
    lock = DeviceLock.try_acquire(folder, create=False)
    if lock is None:
        return True
    lock.release()  # nobody yet: let the starting app take it
    return False


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[Role, Path]:
    workspace, _ = prepare(tmp_path_factory.mktemp("instance") / "demo")
    return {role: workspace.device_dir(role) for role in Role}


def test_a_second_copy_on_the_same_folder_stops_with_a_clear_message(
    folders: dict[Role, Path],
) -> None:
    folder = folders[Role.STUDENT]
    first = subprocess.Popen(
        _app(Role.STUDENT, folder), env=_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not _held_by_someone(folder):
            assert first.poll() is None, "the first app ended"
            assert time.monotonic() < deadline, "the first app never took the folder"
            time.sleep(0.1)
        started = time.monotonic()
        second = subprocess.run(
            _app(Role.STUDENT, folder), env=_env(), capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        assert second.returncode == 1
        assert "draait al met deze instellingenmap" in second.stderr
        assert "Traceback" not in second.stderr
        assert time.monotonic() - started < 20  # it gave up, it did not start a call
        assert first.poll() is None  # the real app runs on, untouched
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
    assert not _held_by_someone(folder)  # its lock went with it


def test_a_folder_of_the_other_role_is_refused(folders: dict[Role, Path]) -> None:
    folder = folders[Role.STUDENT]
    before = tree(folder)
    done = subprocess.run(
        _app(Role.CLASSROOM, folder), env=_env(), capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "al ingericht voor de andere rol" in done.stderr
    assert "leerling" in done.stderr
    assert tree(folder) == before  # no lock, no log, nothing started
