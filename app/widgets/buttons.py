"""Big, clear buttons: an on/off toggle that says its state, and a plain action button,
both touch buttons that never cut their words."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from app.widgets import icons, theme

ICON_SIZE = 32


class TouchButton(QPushButton):
    """A push button at least as big as its touch target and never narrower than its
    words.

    ``setMinimumSize`` would do the first but not the second: an explicit minimum
    replaces the text's own minimum in every layout, so a squeezed bar cut
    "Vinger opsteken" to "Vinger opsteke". Here the minimum follows the words in
    the current language; layouts must wrap or grow instead.
    """

    def __init__(self, parent: QWidget | None = None, *, width: int = theme.MIN_TARGET,
                 height: int = theme.MIN_TARGET) -> None:  # fmt: skip
        super().__init__(parent)
        self._target = QSize(width, height)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(height)  # also when a parent without a layout is too small

    def set_target(self, width: int, height: int) -> None:
        """The smallest size to touch (the words may make it wider)."""
        self._target = QSize(width, height)
        self.setMinimumHeight(height)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(self._target)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Mark keyboard focus (the style sheet's yellow) only when it came by the
        keyboard: on a button just tapped, or the one a window starts with, it would
        look like "selected" (CSS calls this focus-visible)."""
        keyboard = event.reason() in (Qt.FocusReason.TabFocusReason,
                                      Qt.FocusReason.BacktabFocusReason)  # fmt: skip
        self._show_keyboard_focus(keyboard)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._show_keyboard_focus(False)
        super().focusOutEvent(event)

    def _show_keyboard_focus(self, on: bool) -> None:
        if bool(self.property("keyboardFocus")) != on:
            self.setProperty("keyboardFocus", on)
            theme.restyle(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the button, as Space does: Qt's buttons take Enter only inside
        dialogs, and the pupil's guide says "Space or Enter"."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.animateClick()
            event.accept()
            return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(self._target)


class ToggleButton(TouchButton):
    """A checkable button whose words, icon and colour all change with its state.

    The accessible name stays the control's name ("Microphone"); the description
    says the state ("Microphone is on"), so a screen reader announces both.
    """

    def __init__(
        self, icon_kind: str, *, checked: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, width=theme.MIN_TARGET * 4, height=theme.BUTTON_HEIGHT)
        self._icon_kind = icon_kind
        self._on_text = self._off_text = ""
        self.setCheckable(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setFont(theme.font(15, bold=True))
        self.setChecked(checked)
        self.toggled.connect(self._render)
        self._render(checked)

    def set_texts(self, name: str, on_text: str, off_text: str) -> None:
        """The control's name and its words when on and off (again on a language change)."""
        self.setAccessibleName(name)
        self._on_text, self._off_text = on_text, off_text
        self._render(self.isChecked())

    def _render(self, checked: bool) -> None:
        text = self._on_text if checked else self._off_text
        self.setText(text)
        self.setAccessibleDescription(text)
        color = theme.CALM if checked else theme.ALERT
        self.setIcon(icons.icon(self._icon_kind, color, off=not checked, size=ICON_SIZE))
        self.setProperty("state", "on" if checked else "off")
        theme.restyle(self)


class ActionButton(TouchButton):
    """A big push button with an icon; ``role`` picks its look in the style sheet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, width=theme.MIN_TARGET * 4, height=theme.BUTTON_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setFont(theme.font(15, bold=True))

    def show_action(self, icon_kind: str, text: str, name: str, role: str) -> None:
        """Set what the button does now (its words are also its accessible name)."""
        color = "white" if role == "join" else theme.INK
        self.setIcon(icons.icon(icon_kind, color, size=ICON_SIZE))
        self.setText(text)
        self.setAccessibleName(name)
        self.setAccessibleDescription(text)
        self.setProperty("role", role)
        theme.restyle(self)
