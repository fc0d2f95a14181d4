"""Pictures of the technician's screens for docs/technician.md (issue 15, item 17): the
first-run screen at full HD and the panel's connection box with facts that are no
longer fresh. Rendered in a process of their own (the UI language is global);
``KLASGENOOT_UPDATE_SCREENSHOTS=1`` copies them to docs/screenshots/."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtGui import QImage

from tests.gui.test_firstrun import run_fleet
from tests.gui.test_gui_demo import _env, _publish

FIRST_RUN = ("first-run.png", (1920, 1080))
CHECK = ("first-run-check.png", (1920, 1080))
CONNECTION = ("technician-connection.png", (1000, 200))


def render_setup_screens(folder: str) -> None:
    from PySide6.QtWidgets import QApplication

    from app.firstrun import FirstRunView
    from app.i18n import set_language
    from app.technician.status import ConnectionStatusBox
    from app.widgets import theme
    from media.state import CallState, StateChange
    from media.stats import CallStats
    from pairing.roles import Role

    app = QApplication.instance() or QApplication([])
    set_language("nl")
    first_run = FirstRunView(Path(tempfile.mkdtemp()) / "pupil", Role.STUDENT, dev_keyring=True)
    first_run.resize(*FIRST_RUN[1])
    first_run.show()
    box = ConnectionStatusBox()
    theme.apply(box)
    box.setStyleSheet(box.styleSheet() + "QGroupBox { background: #f6f4ef; }")
    box.set_signaling(True)
    box.set_peer_online(True)
    box.set_call_state(StateChange(CallState.LIVE))
    box.set_stats(CallStats(bitrate_in_kbps=1180, bitrate_out_kbps=640, packet_loss_pct=0.4,
                            rtt_ms=38, fps_in=29, candidate_type="srflx"))  # fmt: skip
    box.set_call_state(StateChange(CallState.ENDED))
    box.set_signaling(False)  # the server went away after the call: nothing passes for fresh
    box.resize(*CONNECTION[1])
    box.show()
    app.processEvents()
    first_run.grab().save(str(Path(folder) / FIRST_RUN[0]), "PNG")
    box.grab().save(str(Path(folder) / CONNECTION[0]), "PNG")
    # The check of a real pairing file: the fingerprint on four lines of eight pairs.
    work = Path(tempfile.mkdtemp())
    request = first_run.write_request(work)
    assert request is not None
    result = run_fleet(work, request.read_bytes())
    first_run.choose_bundle(result.student_bundle)
    app.processEvents()
    first_run.grab().save(str(Path(folder) / CHECK[0]), "PNG")
    print(box.text("peer"))


def test_pictures_of_the_setup_screens_for_the_technician_guide(tmp_path: Path) -> None:
    module = "tests.gui.test_setup_screenshots"
    code = f"from {module} import render_setup_screens as r; r({str(tmp_path)!r})"
    env = _env(QT_QPA_PLATFORM="offscreen", KLASGENOOT_DEV_KEYRING="1")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "onbekend (geen verbinding met de server)"
    for name, size in (FIRST_RUN, CHECK, CONNECTION):
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == size
    _publish(tmp_path, (FIRST_RUN[0], CHECK[0], CONNECTION[0]))
