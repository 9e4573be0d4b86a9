"""The job browser's keys, as data, in the style of Sidekiq's terminal UI (`tui/controls.rb`).

Each key names a command, a method of the browser page. Uppercase keys are the destructive
ones: Shift means "I'm sure" (and they still ask). Keys work while the table has the focus, so
typing in the filter fields is never taken for a command; Ctrl and Alt combinations pass through
(Ctrl+A still selects all). `?` shows them all in an overlay.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Key:
    typed: tuple[str, ...]  # characters as typed ("K" is Shift+k), or names from NAMED
    command: str  # the page's method
    help: str
    shown: str = ""  # how the help shows the key, if not `typed`


NAMED = {"Enter": (Qt.Key.Key_Return, Qt.Key.Key_Enter), "Esc": (Qt.Key.Key_Escape,),
         "Delete": (Qt.Key.Key_Delete,), "F5": (Qt.Key.Key_F5,)}

KEYMAP: tuple[Key, ...] = (
    Key(("?",), "show_keys", "Show these keys"),
    Key(("/",), "focus_filter", "Filter (Enter applies it, Esc comes back here)"),
    Key(("j",), "next_row", "Move the cursor down (arrows move the selection)"),
    Key(("k",), "previous_row", "Move the cursor up"),
    Key(("g",), "first_row", "Cursor to the first row"),
    Key(("G",), "last_row", "Cursor to the last row"),
    Key(("x",), "toggle_selected", "Select or unselect the row at the cursor"),
    Key(("Esc",), "clear_selection", "Unselect all"),
    Key(("Enter", "o"), "open_current", "Open the job", "Enter  o"),
    Key(("e",), "edit_current", "Edit the job"),
    Key(("c",), "compare_selected", "Compare the two selected jobs"),
    Key(("r",), "retry", "Retry now (Scheduled: add to queue)"),
    Key(("u",), "requeue", "Requeue unchanged"),
    Key(("K",), "kill", "Kill: move to Dead (asks first)"),
    Key(("D", "Delete"), "delete", "Delete (asks first)", "D  Del"),
    Key(("t",), "flip_order", "Flip the time order"),
    Key(("F5",), "refresh_now", "Refresh now"),
)


def command_for(event: QKeyEvent) -> str | None:
    """The command a key press means, or None."""
    held = Qt.KeyboardModifier
    if event.modifiers() & (held.ControlModifier | held.AltModifier | held.MetaModifier):
        return None
    text = event.text()
    for key in KEYMAP:
        for typed in key.typed:
            if typed in NAMED:
                if event.key() in NAMED[typed]:
                    return key.command
            elif text == typed:
                return key.command
    return None


class KeyDispatcher(QObject):
    """An event filter on the table: a mapped key runs its command on `target`."""

    def __init__(self, target: object, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = target

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress:
            return False
        command = command_for(event)  # type: ignore[arg-type]
        if command is None:
            return False
        getattr(self.target, command)()
        return True


class KeyHelp(QFrame):
    """An overlay listing the keys; any key or click closes it."""

    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("keyHelp")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet("#keyHelp { background: palette(base); border: 1px solid "
                           "palette(mid); border-radius: 8px; }")
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(24)
        shadow.setOffset(0, 4)
        self.setGraphicsEffect(shadow)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        for row, key in enumerate(KEYMAP):
            shown = QLabel(f"<b><code>{key.shown or '  '.join(key.typed)}</code></b>")
            grid.addWidget(shown, row, 0, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(QLabel(key.help), row, 1)
        title = QLabel("<b>Keys</b> (while the table has the focus)")
        hint = QLabel("Press any key or click to close.")
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addWidget(hint)
        self.hide()

    def popup(self) -> None:
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move((parent.width() - self.width()) // 2,
                      (parent.height() - self.height()) // 3)
        self.raise_()
        self.show()
        self.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        self.dismiss()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self.dismiss()

    def focusOutEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.dismiss()

    def dismiss(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()
