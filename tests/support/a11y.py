"""Accessibility checks for tests: every control has a name and a big enough target.

``assert_accessible(window)`` walks all child widgets and fails, listing each
problem, when an interactive control (a button, text field, combo box, slider,
spin box, item view, or any widget that takes keyboard focus) has no
``accessibleName``, or when a touch target (buttons, combo boxes, sliders, spin
boxes, text fields) that is on screen is smaller than 48 × 48 px. Qt's own inner
parts (a scroll area's scroll bars, a combo box's popup, a spin box's editor) are
skipped: Qt names those itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
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
    return found


def assert_accessible(root: QWidget, *, min_target: int = MIN_TARGET) -> None:
    """Fail with the list of problems; show ``root`` first so sizes are laid out."""
    found = problems(root, min_target=min_target)
    assert not found, "accessibility problems:\n  " + "\n  ".join(found)
