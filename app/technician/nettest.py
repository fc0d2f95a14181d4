"""Technician page "Network test": can this device call from this network?

:class:`NetTestRunner` runs media.nettest on a worker thread of its own (asyncio
there), never on the GUI thread, and reports each step and the final report by
queued signals; only frozen dataclasses cross. :class:`NetTestView` is thin: a
button, the steps as they go, the results in words with the advice for the
school's IT. The results are the Dutch sentences media.nettest writes (they are
meant to be handed to an ICT department); the page's own texts follow the UI
language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.technician.widgets import big_button
from media.netcheck import SYMBOLS, NetReport, Progress, Step, lines
from media.nettest import BUDGET

logger = logging.getLogger(__name__)

NetTest = Callable[[Progress], Awaitable[NetReport]]


class NetTestRunner(QObject):
    """One test at a time, on a daemon thread (a closing app does not wait 20 s)."""

    progressed = Signal(object)  # Step
    finished = Signal(object)  # NetReport, or None when the test itself broke

    def __init__(self, test: NetTest, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._test = test
        self._running = False
        self.finished.connect(self._ended)  # queued: runs on the GUI thread

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> bool:
        """Start a test; False if one is already running."""
        if self._running:
            return False
        self._running = True
        threading.Thread(target=self._work, name="nettest", daemon=True).start()
        return True

    def _work(self) -> None:
        report: NetReport | None = None
        try:
            report = asyncio.run(self._run())
        except Exception:  # a bug, not a network fault: the page says the test broke
            logger.exception("network test failed")
        with contextlib.suppress(RuntimeError):  # the app closed while the test ran
            self.finished.emit(report)

    async def _run(self) -> NetReport:
        return await self._test(self.progressed.emit)

    def _ended(self, _report: object) -> None:
        self._running = False


class NetTestView(QWidget):
    start_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: NetReport | None = None
        self._broken = False
        self.title = QLabel(self)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.results = QPlainTextEdit(self)
        self.results.setReadOnly(True)
        self.start_button, self.back_button = big_button(self), big_button(self)
        self.start_button.clicked.connect(self.start_requested)
        self.back_button.clicked.connect(self.back_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.explanation, self.status):
            layout.addWidget(widget)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def connect_runner(self, runner: NetTestRunner) -> None:
        runner.progressed.connect(self.show_step)
        runner.finished.connect(self.show_report)

    def show_running(self) -> None:
        self._report, self._broken = None, False
        self.start_button.setEnabled(False)
        self.results.clear()
        self.status.setText(self.tr("The test is running (at most {s} seconds)…").format(
            s=int(BUDGET)))  # fmt: skip

    def show_step(self, step: Step) -> None:
        if step.check is None:
            self.status.setText(self.tr("Testing: {what}…").format(what=step.title))
        else:
            self.results.appendPlainText(f"[{SYMBOLS[step.check.outcome]}] {step.title}")

    def show_report(self, report: NetReport | None) -> None:
        self._report, self._broken = report, report is None
        self.start_button.setEnabled(True)
        self._show_result()

    def _show_result(self) -> None:
        if self._broken:
            self.status.setText(self.tr("The test itself failed. Try again."))
            return
        if self._report is None:
            return
        self.status.setText(self._verdict(self._report))
        self.results.setPlainText("\n".join(lines(self._report)))

    def _verdict(self, report: NetReport) -> str:
        if report.call_possible:
            return self.tr("A call is possible from this network.")
        return self.tr("No call is possible from this network. Give the advice below to the IT "
                       "department.")  # fmt: skip

    def retranslate(self) -> None:
        self.title.setText(self.tr("Network test"))
        self.explanation.setText(self.tr(
            "Tests whether this device reaches the Klasgenoot server and the relay (TURN) "
            "from this network, how fast, and what to ask the IT department if not. "
            "The call keeps running, but may stutter while the speed is measured."
        ))  # fmt: skip
        self.start_button.setText(self.tr("Start network test"))
        self.start_button.setAccessibleName(self.tr("Start network test"))
        self.back_button.setText(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Back to technician mode"))
        self.results.setAccessibleName(self.tr("Network test results"))
        if self._report is None and not self._broken and self.start_button.isEnabled():
            self.status.setText(self.tr("Not run yet."))
        else:
            self._show_result()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
