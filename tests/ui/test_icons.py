"""Drawn icons (tray states, app icon, the generated resources) and the light/dark theme."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette

from faktory_desktop.ui.icons import (
    APP_SIZES,
    HIDPI_SIZES,
    TRAY_SIZES,
    TrayState,
    app_icon,
    state_color,
    status_icon,
    status_pixmap,
)
from faktory_desktop.ui.preferences import Theme
from faktory_desktop.ui.theme import STYLESHEET, ThemeWatcher, apply_theme, is_dark

ROOT = Path(__file__).resolve().parents[2]


def image(state: TrayState, size: int = 32, **kwargs) -> QImage:
    return status_pixmap(state, size, **kwargs).toImage()


def colors(img: QImage) -> set[tuple[int, int, int, int]]:
    return {img.pixelColor(x, y).getRgb() for x in range(img.width()) for y in range(img.height())}


@pytest.mark.parametrize("state", list(TrayState))
def test_each_state_has_every_size_and_hidpi_pixmaps(state):
    icon = status_icon(state, template=False)
    assert {s.width() for s in icon.availableSizes()} >= set(TRAY_SIZES)
    for size in HIDPI_SIZES:
        pixmap = icon.pixmap(QSize(size, size), 2.0)
        assert pixmap.devicePixelRatio() == 2.0
        assert pixmap.size() == QSize(2 * size, 2 * size)


def test_the_five_states_look_different():
    for template in (False, True):
        images = {state: image(state, template=template) for state in TrayState}
        for a, b in combinations(TrayState, 2):
            assert images[a] != images[b], (a, b, template)


def test_coloured_icons_use_the_state_colour_and_a_white_f():
    img = image(TrayState.IDLE, 32)
    assert img.pixelColor(5, 20) == state_color(TrayState.IDLE, dark=False)  # the body
    assert img.pixelColor(11, 16) == QColor("#ffffff")  # the F's stem


def test_template_icons_are_black_masks():
    for state in TrayState:
        icon = status_icon(state, template=True)
        assert icon.isMask()
        img = icon.pixmap(QSize(32, 32)).toImage()
        assert {rgb[:3] for rgb in colors(img) if rgb[3]} == {(0, 0, 0)}, state


def test_icons_are_retinted_for_a_dark_theme():
    for state in TrayState:
        assert image(state, dark=True) != image(state, dark=False)


def test_small_icons_have_sharp_edges():
    """Snapped to device pixels: the F's stem is whole pixels of pure white at 16 and 32 px."""
    for size, dpr in ((16, 1.0), (16, 2.0), (22, 1.0)):
        img = status_pixmap(TrayState.IDLE, size, dpr).toImage()
        row = [img.pixelColor(x, img.height() // 2) for x in range(img.width())]
        whites = [x for x, c in enumerate(row) if c == QColor("#ffffff")]
        assert whites and all(c.alpha() == 255 for c in row[whites[0]:whites[-1] + 1])


def test_app_icon_covers_16_to_512():
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} >= set(APP_SIZES)
    assert not icon.isNull() and not icon.isMask()


def test_the_generated_resources_are_committed():
    folder = ROOT / "resources" / "icons"
    assert (folder / "faktory-desktop.svg").read_text().startswith("<?xml")
    for size in APP_SIZES:
        img = QImage(str(folder / f"faktory-desktop-{size}.png"))
        assert img.size() == QSize(size, size), size
    assert (ROOT / "build" / "make_icons.py").exists()


@pytest.fixture
def restore_theme(qapp):
    style, sheet = qapp.style().name(), qapp.styleSheet()
    yield qapp
    apply_theme(qapp, Theme.SYSTEM)
    qapp.setStyle(style)
    qapp.setStyleSheet(sheet)


def test_apply_theme_forces_dark_and_light_and_follows_the_system(restore_theme, qtbot):
    app = restore_theme
    watcher = ThemeWatcher()
    assert not is_dark()
    with qtbot.waitSignal(watcher.changed, check_params_cb=lambda dark: dark):
        apply_theme(app, Theme.DARK)
    assert is_dark() and app.styleSheet() == STYLESHEET
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 64
    with qtbot.waitSignal(watcher.changed, check_params_cb=lambda dark: not dark):
        apply_theme(app, "light")
    assert not is_dark()
    apply_theme(app, Theme.DARK)
    apply_theme(app, Theme.SYSTEM)
    assert not is_dark() and QGuiApplication.styleHints().colorScheme() in (
        QGuiApplication.styleHints().colorScheme().Unknown,
        QGuiApplication.styleHints().colorScheme().Light)


def test_sidebar_stylesheet_marks_the_selected_item(restore_theme, qtbot):
    from PySide6.QtWidgets import QLabel

    from faktory_desktop.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    for title in ("Dashboard", "Queues", "Busy"):
        window.add_page(title, QLabel(title))
    for theme in (Theme.LIGHT, Theme.DARK):
        apply_theme(restore_theme, theme)
        shot = window.sidebar.grab().toImage()
        highlight = restore_theme.palette().color(QPalette.ColorRole.Highlight)
        assert highlight.getRgb() in colors(shot), theme
    window.quit_on_close = True
    window.close()
