"""JSON on screen: pretty text, syntax colours that read on light and dark palettes, a read-only
view, an editor that marks where a parse error is, and that parse error in words.

The stdlib parser is used for text people type because its errors carry a line and a column;
NaN and Infinity, which it would accept, are refused as Faktory (Go, orjson) refuses them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from faktory_desktop.ui.jobs.feedback import is_dark

MAX_HIGHLIGHTED_CHARS = 2_000_000  # beyond this, colouring costs more than it helps
_TOKENS = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))'
    r'|(?P<string>"(?:[^"\\]|\\.)*"?)'
    r"|(?P<number>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
)
# token -> (colour on a light base, colour on a dark base)
_COLORS = {
    "key": ("#1a4fa3", "#8ab4f8"),
    "string": ("#17702f", "#81c995"),
    "number": ("#a14f00", "#fcad70"),
    "literal": ("#8430ce", "#d7aefb"),
}


def pretty(obj: Any, sort_keys: bool = False) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=sort_keys)


def compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


@dataclass(frozen=True)
class ParseError:
    message: str
    line: int = 0  # 1-based; 0 when the error has no position
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return f"{self.message} at line {self.line}, column {self.column}"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse(text: str) -> tuple[Any, ParseError | None]:
    """The value of `text`, or the exact reason it is not JSON (with line and column)."""
    try:
        return json.loads(text, parse_constant=_refuse_constant), None
    except json.JSONDecodeError as exc:
        return None, ParseError(exc.msg, exc.lineno, exc.colno)
    except (ValueError, RecursionError) as exc:
        return None, ParseError(str(exc))


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers and literals in colours chosen for the palette's lightness."""

    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self._dark = not dark
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        if dark == self._dark:
            return
        self._dark = dark
        self._formats = {}
        for token, (light, darker) in _COLORS.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(darker if dark else light))
            if token == "key":
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._formats[token] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        for match in _TOKENS.finditer(text):
            kind = match.lastgroup
            if kind is not None:
                self.setFormat(match.start(), match.end() - match.start(), self._formats[kind])


class _JsonText(QPlainTextEdit):
    """Monospace, unwrapped, highlighted (while the text is not huge)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(True)
        self.highlighter = JsonHighlighter(self.document(), is_dark(self.palette()))

    def setPlainText(self, text: str) -> None:  # noqa: N802 - Qt's name
        huge = len(text) > MAX_HIGHLIGHTED_CHARS
        self.highlighter.setDocument(None if huge else self.document())  # type: ignore[arg-type]
        super().setPlainText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_dark(is_dark(self.palette()))

    def set_visible_lines(self, lines: int) -> None:
        """A minimum height of about `lines` lines of text."""
        margins = self.contentsMargins()
        height = self.fontMetrics().lineSpacing() * lines
        self.setMinimumHeight(height + margins.top() + margins.bottom() + 10)


class JsonView(_JsonText):
    """Read-only pretty JSON."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)

    def set_json(self, obj: Any, sort_keys: bool = False) -> None:
        self.setPlainText(pretty(obj, sort_keys))


class JsonEdit(_JsonText):
    """Editable JSON; `mark_error` underlines the spot a ParseError names."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("JSON")

    def mark_error(self, error: ParseError | None) -> None:
        if error is None or not error.line:
            self.setExtraSelections([])
            return
        block = self.document().findBlockByLineNumber(error.line - 1)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(0, error.column - 1))
        if not cursor.movePosition(QTextCursor.MoveOperation.Right,
                                   QTextCursor.MoveMode.KeepAnchor):
            cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor  # type: ignore[attr-defined]
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#d93025"))
        fmt.setBackground(QColor(217, 48, 37, 70))
        selection.format = fmt  # type: ignore[attr-defined]
        self.setExtraSelections([selection])

