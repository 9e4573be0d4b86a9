"""Two jobs side by side: their pretty JSON, aligned line for line, differing lines marked.

Keys are sorted on both sides so that the same field sits on the same line; `difflib` pairs the
lines, and blank filler lines keep the two sides aligned, so one scroll position shows the same
part of both jobs.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from enum import Enum

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core.humanize import place
from faktory_desktop.core.records import JobRecord
from faktory_desktop.ui.jobs.json_view import JsonView, pretty


class LineStatus(Enum):
    SAME = "same"
    REMOVED = "removed"  # only on the left
    ADDED = "added"  # only on the right
    CHANGED = "changed"  # on both sides, different
    FILLER = "filler"  # a blank line that keeps the sides aligned


@dataclass(frozen=True)
class Line:
    text: str
    status: LineStatus


_BACKGROUNDS = {  # translucent, so they read on light and dark bases
    (LineStatus.REMOVED, "left"): QColor(229, 57, 53, 60),
    (LineStatus.CHANGED, "left"): QColor(229, 57, 53, 60),
    (LineStatus.ADDED, "right"): QColor(67, 160, 71, 70),
    (LineStatus.CHANGED, "right"): QColor(67, 160, 71, 70),
    (LineStatus.FILLER, "left"): QColor(127, 127, 127, 30),
    (LineStatus.FILLER, "right"): QColor(127, 127, 127, 30),
}


def side_by_side(left: str, right: str) -> tuple[list[Line], list[Line]]:
    """Both texts as aligned lines of equal count, each marked with how it differs."""
    a, b = left.splitlines(), right.splitlines()
    out_a: list[Line] = []
    out_b: list[Line] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out_a += [Line(t, LineStatus.SAME) for t in a[i1:i2]]
            out_b += [Line(t, LineStatus.SAME) for t in b[j1:j2]]
            continue
        status_a = LineStatus.CHANGED if tag == "replace" else LineStatus.REMOVED
        status_b = LineStatus.CHANGED if tag == "replace" else LineStatus.ADDED
        rows = max(i2 - i1, j2 - j1)
        out_a += _padded([Line(t, status_a) for t in a[i1:i2]], rows)
        out_b += _padded([Line(t, status_b) for t in b[j1:j2]], rows)
    return out_a, out_b


def _padded(lines: list[Line], rows: int) -> list[Line]:
    return lines + [Line("", LineStatus.FILLER)] * (rows - len(lines))


def hunk_starts(lines: list[Line]) -> list[int]:
    """The first line of each run of differing lines."""
    starts = []
    for n, line in enumerate(lines):
        differs = line.status is not LineStatus.SAME
        if differs and (n == 0 or lines[n - 1].status is LineStatus.SAME):
            starts.append(n)
    return starts


def _header(record: JobRecord) -> QLabel:
    label = QLabel(f"<b>{html.escape(record.display_type)}</b><br>"
                   f"<code>{html.escape(record.jid)}</code> · {html.escape(place(record.source))}")
    label.setWordWrap(True)
    return label


class JobDiffDialog(QDialog):
    """Non-modal; open with `show()`."""

    def __init__(self, left: JobRecord, right: JobRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare {left.jid} and {right.jid}")
        self.resize(1100, 680)
        self.left, self.right = side_by_side(pretty(left.job, True), pretty(right.job, True))
        self.left_view, self.right_view = JsonView(), JsonView()
        self._fill(self.left_view, self.left, "left")
        self._fill(self.right_view, self.right, "right")
        self._link_scrolling()
        self._hunks = hunk_starts(self.left)
        self._hunk = -1
        self.summary = QLabel(self._summary_text())
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        grid.addWidget(_header(left), 0, 0)
        grid.addWidget(_header(right), 0, 1)
        grid.addWidget(self.left_view, 1, 0)
        grid.addWidget(self.right_view, 1, 1)
        grid.setRowStretch(1, 1)
        layout.addLayout(grid, 1)
        layout.addLayout(self._footer())

    def changed_lines(self, side: str = "right") -> list[str]:
        """The text of every line marked as differing on one side ("left" or "right")."""
        lines = self.left if side == "left" else self.right
        return [ln.text for ln in lines if ln.status not in (LineStatus.SAME, LineStatus.FILLER)]

    def _summary_text(self) -> str:
        if not self._hunks:
            return "The two jobs are identical."
        changed = sum(1 for a, b in zip(self.left, self.right, strict=True)
                      if a.status is not LineStatus.SAME or b.status is not LineStatus.SAME)
        places = "1 place" if len(self._hunks) == 1 else f"{len(self._hunks)} places"
        return (f"They differ in {places} ({changed} lines): red on the left, green on the right. "
                "Keys are sorted on both sides.")

    def _footer(self) -> QHBoxLayout:
        self.next_button = QPushButton("Next difference")
        self.next_button.setEnabled(bool(self._hunks))
        self.next_button.clicked.connect(self.next_difference)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(self.next_button)
        footer.addWidget(buttons)
        return footer

    def next_difference(self) -> None:
        """Scroll both sides to the next differing part (wrapping around)."""
        if not self._hunks:
            return
        self._hunk = (self._hunk + 1) % len(self._hunks)
        line = self._hunks[self._hunk]
        for view in (self.left_view, self.right_view):
            block = view.document().findBlockByNumber(line)
            view.setTextCursor(QTextCursor(block))
            view.centerCursor()

    def _fill(self, view: JsonView, lines: list[Line], side: str) -> None:
        view.setPlainText("\n".join(ln.text for ln in lines))
        selections = []
        for number, line in enumerate(lines):
            color = _BACKGROUNDS.get((line.status, side))
            if color is None:
                continue
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(color)
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.format = fmt  # type: ignore[attr-defined]
            selection.cursor = QTextCursor(view.document().findBlockByNumber(number))  # type: ignore[attr-defined]
            selections.append(selection)
        view.setExtraSelections(selections)

    def _link_scrolling(self) -> None:
        for a, b in ((self.left_view, self.right_view), (self.right_view, self.left_view)):
            a.verticalScrollBar().valueChanged.connect(b.verticalScrollBar().setValue)
            a.horizontalScrollBar().valueChanged.connect(b.horizontalScrollBar().setValue)
