"""A sidebar page built on first need, with a light stand-in until then.

The dashboard's modules import pyqtgraph and numpy, about 0.4 s of a 1 s launch; the window
paints first with the stand-in (the dashboard's own placeholder), then the app builds the page.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class DeferredPage(QWidget):
    def __init__(self, build: Callable[[], QWidget], stand_in: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self._stand_in = stand_in
        self._page: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(stand_in)

    @property
    def built(self) -> bool:
        return self._page is not None

    def page(self) -> QWidget:
        """The page, built now if it was not yet (it then takes the stand-in's place)."""
        if self._page is None:
            self._page = self._build()
            self._layout.replaceWidget(self._stand_in, self._page)
            self._stand_in.hide()
            self._stand_in.deleteLater()
        return self._page
