"""KioskWindow: the frame both devices run in.

Full screen and frameless; closing (the window button, Alt+F4, the window manager)
is ignored, so a pupil or a class cannot end up on a desktop by accident. With
``windowed=True`` (``--windowed``: the demo and development) it is an ordinary
window that closes. The classroom unit hides the mouse cursor. While a call is
live the screen does not blank and the machine does not sleep.

Layout, top to bottom: the banner (hidden until there is something to say), then
the current page: the content (call view or first run) or a panel on top of it
(technician mode). A 48×48 invisible zone in the top-left corner opens technician
mode after a long press; ``Ctrl+Alt+Shift+T`` does the same from a keyboard. The
window only *asks*: ``technician_requested`` is emitted and app.technician decides.

Subclasses set their texts in :meth:`retranslate` (called at start and on every
language change) and put their call view in with :meth:`set_content`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QMouseEvent, QResizeEvent, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.banner import BannerKind, BannerWidget
from app.i18n import error_sentence, error_text
from app.sleep_inhibit import SleepInhibitor

logger = logging.getLogger(__name__)

TECHNICIAN_CHORD = "Ctrl+Alt+Shift+T"
LONG_PRESS_MS = 3000
HOT_ZONE = 48


class CornerHotZone(QWidget):
    """Invisible; held down for ``hold_ms`` it emits ``held``. Not in the tab order:
    the keyboard way in is the chord.

    A finger is handled as a touch, not left to the platform's touch-to-mouse
    synthesis: that is skipped when the platform or the application turns it off,
    and a kiosk's touch screen must open technician mode all the same."""

    held = Signal()

    def __init__(self, parent: QWidget, hold_ms: int = LONG_PRESS_MS) -> None:
        super().__init__(parent)
        self.setObjectName("technicianHotZone")
        self.setFixedSize(HOT_ZONE, HOT_ZONE)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)  # touch → mouse events
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hold_ms)
        self._timer.timeout.connect(self.held)

    @property
    def hold_ms(self) -> int:
        return self._timer.interval()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.TouchBegin:
            self._timer.start()
            event.accept()  # this widget gets the rest of the touch
            return True
        if kind in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            self._timer.stop()
            event.accept()
            return True
        if kind == QEvent.Type.TouchUpdate:
            event.accept()  # a finger held still still moves a little
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._timer.start()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._timer.stop()
        event.accept()


class KioskWindow(QWidget):
    """Base window of the student and the classroom device."""

    technician_requested = Signal()
    closed = Signal()  # only ever when closing is allowed (windowed, or exit to desktop)

    def __init__(
        self,
        *,
        windowed: bool = False,
        hide_cursor: bool = False,
        inhibitor: SleepInhibitor | None = None,
        long_press_ms: int = LONG_PRESS_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._windowed = windowed
        self._may_close = windowed
        self._kiosk_shown = False
        self._inhibitor = inhibitor or SleepInhibitor(parent=self)
        if not windowed:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            if hide_cursor:
                self.setCursor(Qt.CursorShape.BlankCursor)
        self.banner = BannerWidget(self)
        self._pages = QStackedWidget(self)
        self._content: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self._pages, 1)
        self._hot_zone = CornerHotZone(self, long_press_ms)
        self._hot_zone.held.connect(self._ask_technician)
        for child in (self.banner, self._pages):  # made before the corner existed
            child.installEventFilter(self)
        self._chord = QShortcut(QKeySequence(TECHNICIAN_CHORD), self)
        self._chord.setContext(Qt.ShortcutContext.WindowShortcut)
        self._chord.activated.connect(self._ask_technician)
        self.retranslate()

    # -- public API -----------------------------------------------------------------

    @property
    def windowed(self) -> bool:
        return self._windowed

    @property
    def hot_zone(self) -> CornerHotZone:
        return self._hot_zone

    @property
    def live_call(self) -> bool:
        return self._inhibitor.active

    def content(self) -> QWidget | None:
        return self._content

    def set_content(self, widget: QWidget) -> None:
        """Make ``widget`` the main page (the window owns it); the old one is deleted."""
        old = self._content
        if old is widget:
            return
        self._pages.addWidget(widget)
        self._pages.setCurrentWidget(widget)
        self._content = widget
        if old is not None:
            self._pages.removeWidget(old)
            old.deleteLater()
        self._hot_zone.raise_()

    def show_panel(self, widget: QWidget) -> None:
        """Show ``widget`` over the content (the content keeps running underneath).

        Panels are the technician's: the pointer shows there even where the class
        never sees one (the classroom unit hides it over the call)."""
        if self._pages.indexOf(widget) < 0:
            self._pages.addWidget(widget)
            widget.setCursor(Qt.CursorShape.ArrowCursor)
        self._pages.setCurrentWidget(widget)
        self._hot_zone.raise_()

    def close_panel(self) -> None:
        if self._content is not None:
            self._pages.setCurrentWidget(self._content)

    def current_page(self) -> QWidget | None:
        return self._pages.currentWidget()

    def show_banner(self, text: str, kind: BannerKind | str = BannerKind.ERROR) -> None:
        """One sentence, already in the person's language."""
        self.banner.show_message(text, kind)
        self._hot_zone.raise_()

    def show_error(self, error: BaseException | str) -> None:
        """An error as a banner in the current language (never a traceback)."""
        self.show_banner(error_text(error), BannerKind.ERROR)

    def hide_banner(self) -> None:
        self.banner.dismiss()

    def set_live_call(self, live: bool) -> None:
        """While True the screen stays on and the machine awake."""
        self._inhibitor.set_active(live)

    def show_kiosk(self) -> None:
        """Show as the device runs: full screen, or a normal window when windowed."""
        if self._windowed:
            self.show()
        else:
            self._kiosk_shown = True
            screen = self.screen()
            if screen is not None:  # without a window manager full screen is only a wish
                self.setGeometry(screen.geometry())
            self.showFullScreen()

    def exit_to_desktop(self) -> None:
        """The technician's way out: the only close a kiosk window accepts."""
        logger.info("exit to desktop")
        self._may_close = True
        self.close()

    def retranslate(self) -> None:
        """Set every text again; subclasses extend it (call super)."""
        self.setWindowTitle(self.tr("Klasgenoot"))
        self._hot_zone.setAccessibleName(self.tr("Technician mode"))
        self._hot_zone.setAccessibleDescription(
            self.tr("Hold for three seconds, or press Ctrl+Alt+Shift+T, to open technician mode.")
        )

    # -- Qt events ---------------------------------------------------------------------

    def _ask_technician(self) -> None:
        logger.info("technician mode requested")
        self.technician_requested.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.WindowStateChange and self._kiosk_shown:
            state = self.windowState()
            if not state & (Qt.WindowState.WindowFullScreen | Qt.WindowState.WindowMinimized):
                QTimer.singleShot(0, self.showFullScreen)  # something took full screen away
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            logger.debug("close ignored (kiosk)")
            event.ignore()
            return
        self.set_live_call(False)
        event.accept()
        self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_f4 = (
            event.key() == Qt.Key.Key_F4 and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_f4 and not self._windowed:
            event.accept()  # the close event it would cause is ignored as well
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._hot_zone.move(0, 0)
        self._hot_zone.raise_()

    # The corner stays on top of every other child of the window, whoever raises
    # what: a banner, the LIVE sign or an overlay added later would otherwise take
    # the touches meant for it (issue 15, item 17).
    def childEvent(self, event: QChildEvent) -> None:
        super().childEvent(event)
        child, zone = event.child(), getattr(self, "_hot_zone", None)
        if event.added() and zone is not None and child is not zone:
            child.installEventFilter(self)  # its raise_() comes as a ZOrderChange
            self._keep_corner_on_top()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.ZOrderChange, QEvent.Type.Show)
            and watched is not self._hot_zone
            and isinstance(watched, QWidget)
            and watched.parent() is self
        ):
            self._keep_corner_on_top()
        return super().eventFilter(watched, event)

    def _keep_corner_on_top(self) -> None:
        zone = getattr(self, "_hot_zone", None)  # children come before it in __init__
        if zone is not None:
            zone.raise_()


class _ErrorRelay(QObject):
    """Carries an unhandled error's sentence from any thread to the window."""

    raised = Signal(str)


def install_excepthooks(window: KioskWindow) -> Callable[[], None]:
    """Log unhandled errors (main and other threads) and show a banner instead.

    Returns a function that puts the previous hooks back.
    """
    relay = _ErrorRelay(window)
    relay.raised.connect(window.show_error)  # queued when raised on another thread
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def report(exc: BaseException | None) -> None:
        # RuntimeError: the window is gone (closing down); the log has it.
        with contextlib.suppress(RuntimeError):
            relay.raised.emit(error_sentence(exc if exc is not None else RuntimeError()))

    def sys_hook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous_sys(exc_type, exc, tb)
            return
        logger.critical("unhandled error", exc_info=(exc_type, exc, tb))
        report(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        logger.critical(
            "unhandled error in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )
        report(args.exc_value)

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous_sys, previous_thread

    return restore
