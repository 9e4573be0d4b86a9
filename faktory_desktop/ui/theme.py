"""Light and dark: follow the OS by default, or force one, and tell views when it changes.

Qt 6.8+ can ask the platform for a colour scheme (`QStyleHints.setColorScheme`); where the
platform ignores the request (Linux without a supporting platform theme, offscreen), a Fusion
palette is applied instead. The shared stylesheet uses `palette(...)` colours and translucent
overlays only, so one sheet reads well in both schemes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from faktory_desktop.ui.preferences import Theme

STYLESHEET = """
QListWidget#sidebar {
    border: none;
    border-right: 1px solid rgba(127, 127, 127, 0.25);
    background: palette(window);
    padding: 10px 8px;
    outline: 0;
}
QListWidget#sidebar::item {
    padding: 7px 10px;
    margin: 1px 0;
    border-radius: 6px;
    color: palette(window-text);
}
QListWidget#sidebar::item:hover:!selected {
    background: rgba(127, 127, 127, 0.14);
}
QListWidget#sidebar::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
"""

_SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}


def is_dark() -> bool:
    """Whether the app currently shows dark colours (from the scheme, else the palette)."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme is not Qt.ColorScheme.Unknown:
        return scheme is Qt.ColorScheme.Dark
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """A Fusion dark palette, for platforms that cannot switch schemes themselves."""
    palette = QPalette()
    roles = QPalette.ColorRole
    colors = {
        roles.Window: "#202124", roles.WindowText: "#e8eaed", roles.Base: "#17181a",
        roles.AlternateBase: "#26272b", roles.ToolTipBase: "#303134",
        roles.ToolTipText: "#e8eaed", roles.PlaceholderText: "#9aa0a6", roles.Text: "#e8eaed",
        roles.Button: "#2d2e31", roles.ButtonText: "#e8eaed", roles.BrightText: "#ff6e6e",
        roles.Light: "#3c4043", roles.Midlight: "#35363a", roles.Mid: "#2a2b2e",
        roles.Dark: "#141517", roles.Shadow: "#000000", roles.Highlight: "#3b78e7",
        roles.HighlightedText: "#ffffff", roles.Link: "#8ab4f8", roles.LinkVisited: "#c58af9",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#6f7378"))
    palette.setColor(disabled, roles.Highlight, QColor("#3c4043"))
    return palette


def _light_palette(app: QApplication) -> QPalette:
    return app.style().standardPalette()


def apply_theme(app: QApplication, theme: Theme | str) -> None:
    """Follow the OS (SYSTEM) or force LIGHT or DARK; then (re)apply the shared stylesheet."""
    theme = Theme(theme)
    hints = QGuiApplication.styleHints()
    if theme is Theme.SYSTEM:
        hints.unsetColorScheme()
        app.setPalette(QPalette())  # back to the platform's own palette
    else:
        wanted = _SCHEMES[theme]
        hints.setColorScheme(wanted)
        if hints.colorScheme() is wanted:
            app.setPalette(QPalette())
        else:  # the platform ignored the request: paint it ourselves
            app.setStyle("Fusion")
            app.setPalette(dark_palette() if theme is Theme.DARK else _light_palette(app))
    app.setStyleSheet(STYLESHEET)


class ThemeWatcher(QObject):
    """Emits `changed(dark)` when the OS scheme or the app palette turns light or dark.

    `paletteChanged` is the cheap way to hear about palettes set by `apply_theme`'s fallback; an
    event filter on the application would see every event of every object instead.
    """

    changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication), "a QGuiApplication must exist"
        self._dark = is_dark()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._check)
        app.paletteChanged.connect(self._check)

    @property
    def dark(self) -> bool:
        return self._dark

    def _check(self, *_: object) -> None:
        dark = is_dark()
        if dark != self._dark:
            self._dark = dark
            self.changed.emit(dark)
