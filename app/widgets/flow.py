"""A layout that wraps its items onto the next line when the window is too narrow.

A bar of touch buttons in a row needs ~900 px in Dutch; half a 1366 px laptop
screen (the demo) or a small classroom screen has less. A row that does not fit
would either cut the buttons' words or push the window off the screen, so the bar
flows onto a second line instead. The last item can keep to the right edge of its
line (the pupil's "am I heard?" meter sits there, as in a plain row with a stretch).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(
        self, parent: QWidget | None = None, *, spacing: int = 12, last_to_right: bool = False
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._last_to_right = last_to_right

    # -- QLayout's item list ----------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes -------------------------------------------------------------------------

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def minimumSize(self) -> QSize:
        """As wide as the widest item: anything wider goes onto its own line."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        items = self._visible()
        width = sum(item.sizeHint().width() for item in items)
        width += self._spacing * max(0, len(items) - 1)
        height = max((item.sizeHint().height() for item in items), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    # -- placing -----------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _lines(self, items: list[QLayoutItem], width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in items:
            w = item.sizeHint().width()
            if lines[-1] and used + self._spacing + w > width:
                lines.append([])
                used = 0
            used += (self._spacing if lines[-1] else 0) + w
            lines[-1].append(item)
        return lines

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); returns the height used."""
        m: QMargins = self.contentsMargins()
        inner = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        items = self._visible()
        y = inner.y()
        for n, line in enumerate(self._lines(items, inner.width())):
            if not line:
                continue
            if n:
                y += self._spacing
            height = max(item.sizeHint().height() for item in line)
            x = inner.x()
            for item in line:
                hint = item.sizeHint()
                width = min(hint.width(), inner.width())
                if self._last_to_right and item is items[-1] and len(line) > 1:
                    x = max(x, inner.right() + 1 - width)
                if place:
                    top = y + (height - hint.height()) // 2  # centred on the line
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, hint.height())))
                x += width + self._spacing
            y += height
        return y - rect.y() + m.bottom()
