"""Accessibility checks for tests: every control has a name and a big enough target.

``assert_accessible(window)`` walks all child widgets and fails, listing each
problem, when an interactive control (a button, text field, combo box, slider,
spin box, item view, or any widget that takes keyboard focus) has no
``accessibleName``, or when a touch target (buttons, combo boxes, sliders, spin
boxes, text fields) that is on screen is smaller than 48 × 48 px, or when the words
of a button or of a one-line label on screen do not fit in it. Qt's own inner
parts (a scroll area's scroll bars, a combo box's popup, a spin box's editor) are
skipped: Qt names those itself.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QTextEdit,
    QWidget,
)

MIN_TARGET = 48
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSlider,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
)
TOUCH_TARGETS = (QAbstractButton, QComboBox, QAbstractSlider, QAbstractSpinBox, QLineEdit)


def _qt_internal(widget: QWidget, root: QWidget) -> bool:
    """Parts Qt builds inside its own composite widgets."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root.parentWidget():
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        if isinstance(parent, QAbstractScrollArea) and (
            isinstance(widget, QScrollBar) or widget is parent.viewport()
        ):
            return True
        parent = parent.parentWidget()
    return isinstance(widget, QScrollBar) and widget.objectName().startswith("qt_scrollarea")


def _interactive(widget: QWidget) -> bool:
    if isinstance(widget, INTERACTIVE):
        return True
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and not isinstance(
        widget, QAbstractScrollArea
    )


def describe(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    label = f" {text()!r}" if callable(text) and isinstance(text(), str) and text() else ""
    name = f" #{widget.objectName()}" if widget.objectName() else ""
    return f"{type(widget).__name__}{name}{label}"


def problems(root: QWidget, *, min_target: int = MIN_TARGET) -> list[str]:
    """Every accessibility problem under ``root`` (itself included)."""
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if _qt_internal(widget, root) or not _interactive(widget):
            continue
        if not widget.accessibleName().strip():
            found.append(f"{describe(widget)}: no accessible name")
        if isinstance(widget, TOUCH_TARGETS) and widget.isVisible():
            size = widget.size()
            if size.width() < min_target or size.height() < min_target:
                found.append(
                    f"{describe(widget)}: target {size.width()}×{size.height()} px "
                    f"(needs {min_target}×{min_target})"
                )
    found.extend(cut_words(root))
    return found


def _push_button_cut(button: QPushButton) -> bool:
    """The button's words and icon need more than the room inside its border and
    padding (its size hint is no measure: styles round short buttons up to 80 px)."""
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    inside = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    needed = button.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, button.text()).width()
    if not button.icon().isNull():
        needed += button.iconSize().width() + 4
    return inside.width() < needed


def cut_words(root: QWidget) -> list[str]:
    """Buttons and one-line labels on screen that are narrower than their words."""
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        one_line = isinstance(widget, QAbstractButton) or (
            isinstance(widget, QLabel) and not widget.wordWrap()
        )
        if not one_line or not widget.text():  # type: ignore[attr-defined]
            continue
        if isinstance(widget, QPushButton):
            cut = _push_button_cut(widget)
        else:
            cut = widget.width() < widget.sizeHint().width()
        if cut:
            found.append(
                f"{describe(widget)}: words cut ({widget.width()} px for "
                f"{widget.sizeHint().width()} px)"
            )
    return found


def assert_accessible(root: QWidget, *, min_target: int = MIN_TARGET) -> None:
    """Fail with the list of problems; show ``root`` first so sizes are laid out."""
    # A text just changed re-lays its bar out on the next event-loop turn: check
    # what the person will see, not the moment in between.
    for _ in range(4):  # nested layouts ask their parents one turn later
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    found = problems(root, min_target=min_target)
    assert not found, "accessibility problems:\n  " + "\n  ".join(found)
