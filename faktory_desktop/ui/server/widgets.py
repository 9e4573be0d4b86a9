"""Small widgets the Server panel's sections share: values that elide, values with Copy, and a
section that refreshes itself while it is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QGuiApplication,
    QHideEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

COPIED_FEEDBACK_MS = 1500


def monospace_font() -> QFont:
    """The platform's fixed-width font, for paths, URLs, commands and logs."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class ElidedLabel(QLabel):
    """A one-line label that shortens its text in the middle to fit, with the whole text as
    tooltip and selectable (paths are long; their ends are what tell them apart)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text if text else "")
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        shown = metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.width())
        if shown != self.text():
            self.setText(shown)


class ValueWithButton(QWidget):
    """A value (elided, selectable) followed by one small action button."""

    def __init__(self, button_text: str, monospace: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel()
        if monospace:
            self.label.setFont(monospace_font())
        self.button = QPushButton(button_text)
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)

    def text(self) -> str:
        return self.label.full_text()

    def set_text(self, text: str) -> None:
        self.label.set_full_text(text)


class CopyField(ValueWithButton):
    """A value with a Copy button; what is copied may differ from what is shown (a password is
    shown masked but copied for real)."""

    def __init__(self, monospace: bool = True, parent: QWidget | None = None) -> None:
        super().__init__("Copy", monospace, parent)
        self._copy_value = ""
        self.button.setToolTip("Copy to the clipboard")
        width = self.button.fontMetrics().horizontalAdvance("Copied") + 32
        self.button.setMinimumWidth(max(self.button.sizeHint().width(), width))
        self.button.clicked.connect(self.copy)
        self.set_value("")

    @property
    def copy_value(self) -> str:
        return self._copy_value

    def set_value(self, shown: str, copied: str | None = None) -> None:
        self.set_text(shown or "—")
        self._copy_value = shown if copied is None else copied
        self.button.setEnabled(bool(self._copy_value))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._copy_value)
        self.button.setText("Copied")
        QTimer.singleShot(COPIED_FEEDBACK_MS, self.button, lambda: self.button.setText("Copy"))


class LiveSection(QGroupBox):
    """A section that calls `refresh()` every `interval_ms` while shown, and once when shown."""

    def __init__(self, title: str, interval_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    def refresh(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._timer.start()
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self._timer.stop()
