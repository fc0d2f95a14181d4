"""``klasgenoot student`` and ``klasgenoot classroom``: the device's window.

Qt is imported only inside the handlers (and the helpers they call), so this
module can be imported — and ``klasgenoot server`` run — on a machine without Qt.
Not enrolled yet → the first-run view; enrolled → the call window, with the call
engine on its own thread behind an :class:`app.bridge.EngineBridge`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from common.errors import KlasgenootError
from pairing.roles import Role
from privacy.errors import WipeIncomplete

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.assembly import Sources
    from app.bridge import EngineBridge
    from app.bundle_watch import BundleWatch
    from app.devicetest import DeviceTester
    from app.kiosk import KioskWindow
    from app.runtime import DeviceRuntime
    from app.service_watchdog import ServiceWatchdog
    from app.technician import TechnicianMode
    from common.instance import DeviceLock
    from pairing.keystore import KeyStore

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for role, help_text in (
        (Role.STUDENT, "het venster van de leerling (laptop)"),
        (Role.CLASSROOM, "het venster van de Klasgenoot in de klas"),
    ):
        parser = sub.add_parser(role.value, help=help_text, description=help_text)
        parser.add_argument(
            "--config", type=Path, required=True, metavar="DIR", help="de map van dit apparaat"
        )
        parser.add_argument(
            "--windowed",
            action="store_true",
            help="een gewoon venster in plaats van volledig scherm",
        )
        parser.add_argument(
            "--synthetic",
            action="store_true",
            help="synthetisch beeld en geluid in plaats van camera en microfoon",
        )
        parser.add_argument(
            "--dev-keyring",
            action="store_true",
            default=None,
            help="ontwikkelaars-sleutelopslag (een bestand; niet voor echt gebruik)",
        )
        parser.set_defaults(func=run_student if role is Role.STUDENT else run_classroom)


def run_student(args: argparse.Namespace) -> int:
    return run_device(args, Role.STUDENT)


def run_classroom(args: argparse.Namespace) -> int:
    return run_device(args, Role.CLASSROOM)


def application() -> QApplication:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Klasgenoot")
    return app


def quit_on_interrupt(app: QApplication) -> None:
    """Ctrl+C in the terminal, and SIGTERM (logout, shutdown, systemd), end the program
    cleanly: the peer is told this device is restarting (it waits and reconnects by
    itself; only a person's hangup ends its call) and the log's record is closed.

    Qt's loop alone would swallow the signals. ``exit`` rather than ``quit``: Qt 6's
    quit first asks every window to close, and a kiosk window refuses.
    """
    import signal

    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_args: app.exit(128 + signal.SIGINT))
    signal.signal(signal.SIGTERM, lambda *_args: app.exit(128 + signal.SIGTERM))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)  # Python runs signal handlers between events
    timer.start(200)


# -- the command -------------------------------------------------------------------------


@dataclass
class DeviceSession:
    """One device's windows for the life of the program: first run, then the call."""

    config: Path
    role: Role
    windowed: bool = False
    synthetic: bool = False
    dev_keyring: bool | None = None
    windows: list[KioskWindow] = field(default_factory=list)
    bridge: EngineBridge | None = None
    sources: Sources | None = None
    technician: TechnicianMode | None = None
    tester: DeviceTester | None = None
    runtime: DeviceRuntime | None = None
    watch: BundleWatch | None = None
    watchdog: ServiceWatchdog | None = None  # only under systemd with WatchdogSec=

    def open(self) -> None:
        from app.runtime import DeviceRuntime
        from pairing.errors import NotEnrolled

        try:
            runtime = DeviceRuntime.load(self.config, dev_keyring=self.dev_keyring)
        except NotEnrolled:
            self._first_run()
            return
        except KlasgenootError as exc:  # e.g. no secure key store: say so in the window
            self._problem(exc)
            return
        self._call(runtime)

    def _first_run(self) -> None:
        from app.firstrun.view import FirstRunView
        from app.kiosk import KioskWindow

        window = KioskWindow(windowed=self.windowed)
        view = FirstRunView(self.config, self.role, dev_keyring=self.dev_keyring)
        view.enrolled.connect(lambda _installed: self._enrolled(window))
        window.set_content(view)
        self._show(window)

    def _enrolled(self, first_run: KioskWindow) -> None:
        self.open()
        first_run.exit_to_desktop()  # the call window is up: this one may close now

    def _problem(self, exc: KlasgenootError) -> None:
        from app.keyproblem import KeyProblemView, is_key_problem, recorded_choice
        from app.kiosk import KioskWindow
        from app.settings import SettingsStore
        from app.technician import TechnicianMode

        window = KioskWindow(windowed=self.windowed)
        if is_key_problem(exc):  # issue 12: a clear screen for the technician
            window.set_content(KeyProblemView(self.config, exc))
        choice = recorded_choice(self.config)
        self.technician = TechnicianMode(window, SettingsStore(self.config), key_store=choice)
        self._show(window)
        window.show_error(exc)

    def _call(self, runtime: DeviceRuntime) -> None:
        from app.audit import AuditLog
        from app.bridge import EngineBridge
        from app.devicetest import DeviceTester
        from app.kiosk import install_excepthooks
        from app.settings import SettingsStore
        from app.technician import TechnicianMode
        from app.technician.kept import KeptDataView
        from pairing.keystore import store_facts

        audit = AuditLog(self.config, runtime.keystore)
        from app.assembly import build_window, open_sources, start_engine

        self.sources = sources = open_sources(self.role, self.config, synthetic=self.synthetic)
        self.bridge = bridge = EngineBridge()
        window = build_window(self.role, bridge, sources, windowed=self.windowed,
                              measure=self.synthetic)  # fmt: skip
        self.technician = TechnicianMode(
            window,
            SettingsStore(self.config),
            device=runtime.device,
            catalog=sources.catalog,
            bridge=bridge,
            kept=KeptDataView(self.config, runtime.keystore, audit=audit, health=bridge.log_health),
            audit=audit,
            key_store=store_facts(self.config, runtime.keystore),
        )
        self.technician.wipe_requested.connect(lambda: self.wipe(runtime.keystore, window))
        self.technician.device_chosen.connect(sources.choose)
        self.tester = tester = DeviceTester(
            sources.camera, sources.microphone, sources.speaker, window
        )
        self.technician.device_test_requested.connect(lambda kind, _key: tester.run(kind))
        tester.finished.connect(self.technician.view.show_test_result)
        install_excepthooks(window)
        start_engine(bridge, runtime, sources.media)
        self.runtime = runtime
        self._watch_bundle()
        if self.watchdog is not None:
            self.watchdog.watch(bridge)
        self._show(window)

    def _watch_bundle(self) -> None:
        """A new bundle installed while this runs (after a re-pair, the old certificate
        is revoked) is taken at once: the call starts again with it, no restart."""
        from app.bundle_watch import BundleWatch

        if self.watch is None:
            self.watch = BundleWatch(self.config)
            self.watch.changed.connect(self._bundle_changed)
        self.watch.accept()

    def _bundle_changed(self) -> None:
        from app.runtime import DeviceRuntime

        if self.runtime is None:
            return  # no call running (first run after a wipe installs its own bundle)
        try:
            runtime = DeviceRuntime.load(self.config, dev_keyring=self.dev_keyring)
        except KlasgenootError:
            return  # half written, or not for this device: the next tick tries again
        if self.runtime.device.credentials.info.serial == runtime.device.credentials.info.serial:
            assert self.watch is not None
            self.watch.accept()  # the same certificate, written again
            return
        logger.info("new bundle installed: starting the call with it")
        old = self.windows[-1] if self.windows else None
        self.close()
        self._call(runtime)
        if old is not None:
            old.exit_to_desktop()

    def _show(self, window: KioskWindow) -> None:
        from app.service_watchdog import ready

        self.windows.append(window)
        window.show_kiosk()
        ready()

    def close(self) -> None:
        self.runtime = None
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge = None
        if self.sources is not None:
            self.sources.stop()
            self.sources = None

    def wipe(self, store: KeyStore, window: KioskWindow) -> None:
        """Service end: stop the call (it holds the log open), wipe, start at first run."""
        from app.cli_logs import wipe_device

        self.close()
        outcome = wipe_device(self.config, store)
        logger.info("device wiped: %d removed, %d failed", len(outcome.removed),
                    len(outcome.failed))  # fmt: skip
        self._first_run()
        if outcome.failed:
            self.windows[-1].show_error(WipeIncomplete(", ".join(outcome.failed)))
        window.exit_to_desktop()


def claim_folder(config: Path, role: Role) -> DeviceLock:
    """Refuse a folder set up for the other role, then take the folder's lock.

    A second copy of the app (a double-clicked launcher, autostart firing twice, or
    ``classroom --config <the pupil's folder>``) would connect with the device's
    identity and leave the real app waiting for ever: it stops here, before any
    window, log or connection, with the reason on stderr (exit code 1).
    """
    from common.instance import DeviceLock
    from common.paths import ensure_private_dir
    from pairing.device import recorded_role
    from pairing.errors import RoleConflict

    try:
        recorded = recorded_role(config) if config.is_dir() else None
    except KlasgenootError:
        recorded = None  # a damaged folder: the window says so, as before
    if recorded is not None and recorded is not role:
        names = {Role.STUDENT: "leerling", Role.CLASSROOM: "klas"}
        raise RoleConflict(f"map van de {names[recorded]}, gestart als {names[role]}")
    ensure_private_dir(config)
    return DeviceLock.acquire(config)


def run_device(args: argparse.Namespace, role: Role) -> int:
    from app.cli_logs import retention
    from app.i18n import set_language
    from app.settings import SettingsStore
    from privacy.applog import setup_program_log
    from privacy.files import state_dir

    lock = claim_folder(args.config, role)  # held until the program ends
    # The device's own text log: rotating, addresses redacted, same retention as the
    # connection log (DESIGN.md "What is kept").
    program_log = setup_program_log(
        state_dir(args.config),
        level=logging.DEBUG if args.verbose else logging.INFO,
        retention=retention(args.config),
    )
    app = application()
    set_language(SettingsStore(args.config).load().language)
    from app.service_watchdog import ServiceWatchdog

    session = DeviceSession(
        args.config,
        role,
        windowed=args.windowed,
        synthetic=args.synthetic,
        dev_keyring=args.dev_keyring,
        watchdog=ServiceWatchdog.from_environment(app),
    )
    session.open()
    quit_on_interrupt(app)
    try:
        return app.exec()
    finally:
        session.close()
        program_log.close()
        lock.release()
