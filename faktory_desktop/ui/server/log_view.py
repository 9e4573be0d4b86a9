"""A log viewer: monospace, filterable by level, capped, following the end until scrolled up.

Lines are appended in one batch per update (never a re-render of the whole text); only a change
of the level filter re-renders, from the entries kept here. Each entry is (level, text); its
text may span lines (a traceback), which stay with their record when filtering.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.ui.server.widgets import ElidedLabel, monospace_font

DEFAULT_MAX_LINES = 5000
LEVELS = (("Debug", logging.DEBUG), ("Info", logging.INFO), ("Warning", logging.WARNING),
          ("Error", logging.ERROR))
LEVEL_COLORS = {logging.DEBUG: "#8a8f98", logging.WARNING: "#c26a00",
                logging.ERROR: "#d93025", logging.CRITICAL: "#d93025"}

Entry = tuple[int, str]
Classifier = Callable[[str], "int | None"]


class LevelHighlighter(QSyntaxHighlighter):
    """Colours each line by its level; a line without one (a traceback) takes the level of the
    line before it, carried in the block state."""

    def __init__(self, document: QTextDocument, classify: Classifier) -> None:
        super().__init__(document)
        self._classify = classify
        self._formats: dict[int, QTextCharFormat] = {}
        for level, color in LEVEL_COLORS.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(color))
            self._formats[level] = fmt

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        level = self._classify(text)
        if level is None:
            level = max(self.previousBlockState(), logging.NOTSET)
        self.setCurrentBlockState(level)
        fmt = self._formats.get(level)
        if fmt is not None:
            self.setFormat(0, len(text), fmt)


class LogView(QWidget):
    """`append(entries)` adds lines; `set_entries(entries)` replaces them all."""

    def __init__(self, classify: Classifier, max_lines: int = DEFAULT_MAX_LINES,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: deque[Entry] = deque(maxlen=max_lines)
        self._follow = True
        self.level_filter = QComboBox()
        for name, level in LEVELS:
            self.level_filter.addItem(name, level)
        self.level_filter.setCurrentIndex(1)
        self.level_filter.setToolTip("Show lines at this level and above")
        self.level_filter.currentIndexChanged.connect(self._rerender)
        self.note = ElidedLabel()
        self.note.setObjectName("logNote")
        self.follow_button = QPushButton("Scroll to latest ↓")
        self.follow_button.setToolTip("Auto-scroll is paused while you look further up")
        self.follow_button.clicked.connect(self.scroll_to_end)
        self.follow_button.hide()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setUndoRedoEnabled(False)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMaximumBlockCount(max_lines)
        self.text.setFont(monospace_font())
        self.highlighter = LevelHighlighter(self.text.document(), classify)
        bar = self.text.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)
        self._layout()

    def _layout(self) -> None:
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Level"))
        tools.addWidget(self.level_filter)
        tools.addSpacing(12)
        tools.addWidget(self.note, 1)
        tools.addWidget(self.follow_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(tools)
        layout.addWidget(self.text, 1)

    def set_note(self, text: str) -> None:
        """The line beside the filter: what this log is (a path is elided, whole as tooltip)."""
        self.note.set_full_text(text)

    @property
    def min_level(self) -> int:
        return int(self.level_filter.currentData())

    def set_min_level(self, level: int) -> None:
        index = self.level_filter.findData(level)
        if index >= 0:
            self.level_filter.setCurrentIndex(index)

    @property
    def following(self) -> bool:
        return self._follow

    def shown_text(self) -> str:
        return self.text.toPlainText()

    def append(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        self._entries.extend(entries)
        shown = [text for level, text in entries if level >= self.min_level]
        if shown:
            self.text.appendPlainText("\n".join(shown))

    def set_entries(self, entries: Iterable[Entry]) -> None:
        self._entries.clear()
        self._entries.extend(entries)
        self._rerender()

    def _rerender(self) -> None:
        minimum = self.min_level
        self.text.setPlainText("\n".join(t for level, t in self._entries if level >= minimum))
        self.scroll_to_end()

    def scroll_to_end(self) -> None:
        self._set_follow(True)
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_range(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.text.verticalScrollBar().setValue(maximum)

    def _on_scrolled(self, value: int) -> None:
        self._set_follow(value >= self.text.verticalScrollBar().maximum())

    def _set_follow(self, follow: bool) -> None:
        if follow != self._follow:
            self._follow = follow
            self.follow_button.setVisible(not follow)
