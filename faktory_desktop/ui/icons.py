"""The app's icons, drawn with QPainter: no image files to ship, crisp at every size and scale.

Tray icons show the server's state: a rounded square with an "F" whose fill gives the state
(stopped is an outline), plus a corner badge for the states that need a second cue (a ring while
starting, a dot while busy, "!" on error), so the states differ in shape as well as colour. On
macOS they are template icons (black with alpha, `isMask`), which the menu bar tints itself;
elsewhere they are coloured, with the stopped grey chosen for the current light or dark theme.

Glyphs are laid out on a 16-unit grid (tray) or a 64-unit grid (app icon) and every rectangle is
snapped to whole device pixels, so a 16 px icon has sharp 2 px strokes rather than blurred 1.5s.
`build/make_icons.py` renders the app icon from the same code into `resources/icons/`.
"""

from __future__ import annotations

import math
import sys
from enum import Enum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTransform,
)

TRAY_SIZES = (16, 18, 20, 22, 24, 32, 40, 48, 64)
HIDPI_SIZES = (16, 18, 20, 22, 24, 32)  # also rendered at devicePixelRatio 2
APP_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


class TrayState(Enum):
    """What the tray icon shows; derived from the server status and the latest snapshot."""

    STOPPED = "stopped"
    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    ERROR = "error"


# (light theme, dark theme) colours of each state's body.
STATE_COLORS = {
    TrayState.STOPPED: ("#5f6368", "#a8adb4"),
    TrayState.STARTING: ("#c26a00", "#e8912d"),
    TrayState.IDLE: ("#188038", "#34a853"),
    TrayState.BUSY: ("#1a73e8", "#4c8df6"),
    TrayState.ERROR: ("#c5221f", "#ea4335"),
}
F_COLOR = QColor("#ffffff")
APP_TOP, APP_BOTTOM = QColor("#8b5cf6"), QColor("#4c1d95")


def use_template_icons() -> bool:
    """macOS menu bars want monochrome template icons that the system tints."""
    return sys.platform == "darwin"


def state_color(state: TrayState, dark: bool) -> QColor:
    return QColor(STATE_COLORS[state][1 if dark else 0])


# -- the tray glyph -------------------------------------------------------------------------------

def _snapped(x: float, y: float, w: float, h: float, scale: float) -> QRectF:
    """A rectangle on the glyph grid, scaled and snapped to whole device pixels."""
    left, top = round(x * scale), round(y * scale)
    return QRectF(left, top, round((x + w) * scale) - left, round((y + h) * scale) - top)


def _f_rects(scale: float) -> list[QRectF]:
    """The "F" on the 16-unit tray grid: stem, top bar, middle bar."""
    return [_snapped(5, 4, 2, 8, scale), _snapped(5, 4, 6, 2, scale), _snapped(5, 7, 4.5, 2, scale)]


def _draw_body(p: QPainter, state: TrayState, color: QColor, scale: float) -> None:
    body = _snapped(1, 1, 14, 14, scale)
    radius = 3.5 * scale
    if state is TrayState.STOPPED:
        stroke = max(1.0, round(1.25 * scale))
        inset = stroke / 2
        p.setPen(QPen(color, stroke))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(body.adjusted(inset, inset, -inset, -inset), radius, radius)
        p.setPen(Qt.PenStyle.NoPen)
        for rect in _f_rects(scale):
            p.fillRect(rect, color)
        return
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(body, radius, radius)


def _draw_f_on_body(p: QPainter, template: bool, scale: float) -> None:
    """White on colour; in a template, cut out so the menu bar shows through."""
    if template:
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    for rect in _f_rects(scale):
        p.fillRect(rect, F_COLOR)
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)


def _draw_badge(p: QPainter, state: TrayState, color: QColor, template: bool,
                scale: float) -> None:
    # Inside the glyph's 1-unit margin, and on whole pixels at 16 and 32 px.
    center, radius = QPointF(12.5 * scale, 12.5 * scale), 2.5 * scale
    p.setPen(Qt.PenStyle.NoPen)
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    p.setBrush(Qt.GlobalColor.black)
    gap = radius + 1.5 * scale  # a ring of nothing between badge and body
    p.drawEllipse(center, gap, gap)
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    if state is TrayState.STARTING:
        stroke = max(1.0, round(1.2 * scale))
        p.setPen(QPen(color, stroke))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(center, radius - stroke / 2, radius - stroke / 2)
        return
    p.setBrush(color)
    p.drawEllipse(center, radius, radius)
    if state is TrayState.ERROR:
        _draw_exclamation(p, center, template, scale)


def _draw_exclamation(p: QPainter, center: QPointF, template: bool, scale: float) -> None:
    if template:
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    width = max(1, round(0.9 * scale))
    left = round(center.x() - width / 2)
    top, bottom = round(center.y() - 1.6 * scale), round(center.y() + 0.4 * scale)
    p.fillRect(QRectF(left, top, width, bottom - top), F_COLOR)
    dot = bottom + max(1, round(0.4 * scale))
    p.fillRect(QRectF(left, dot, width, width), F_COLOR)
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)


def paint_status(p: QPainter, state: TrayState, pixels: int, *, template: bool,
                 dark: bool) -> None:
    """Paint the tray glyph for `state` into a `pixels`-square transparent device."""
    scale = pixels / 16
    color = QColor(Qt.GlobalColor.black) if template else state_color(state, dark)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    _draw_body(p, state, color, scale)
    if state is not TrayState.STOPPED:
        _draw_f_on_body(p, template, scale)
    if state in (TrayState.STARTING, TrayState.BUSY, TrayState.ERROR):
        _draw_badge(p, state, color, template, scale)


def _render(paint, size: int, dpr: float) -> QPixmap:  # noqa: ANN001 - a painting callable
    pixels = round(size * dpr)
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    paint(painter, pixels)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


def status_pixmap(state: TrayState, size: int, dpr: float = 1.0, *, template: bool = False,
                  dark: bool = False) -> QPixmap:
    """One tray glyph of `size` logical pixels at device pixel ratio `dpr`."""
    return _render(lambda p, px: paint_status(p, state, px, template=template, dark=dark),
                   size, dpr)


def status_icon(state: TrayState, *, template: bool | None = None, dark: bool = False) -> QIcon:
    """The tray icon for `state`: every size at 1x, the small ones at 2x too."""
    template = use_template_icons() if template is None else template
    icon = QIcon()
    for size in TRAY_SIZES:
        icon.addPixmap(status_pixmap(state, size, 1.0, template=template, dark=dark))
    for size in HIDPI_SIZES:
        icon.addPixmap(status_pixmap(state, size, 2.0, template=template, dark=dark))
    icon.setIsMask(template)
    return icon


# -- the app icon ---------------------------------------------------------------------------------

def _gear(center: QPointF, outer: float, inner: float, hole: float, teeth: int = 8) -> QPainterPath:
    path = QPainterPath()
    path.addEllipse(center, inner, inner)
    tooth_width = 2 * math.pi * inner / teeth * 0.5
    for n in range(teeth):
        tooth = QPainterPath()
        tooth.addRoundedRect(QRectF(-tooth_width / 2, -outer, tooth_width, outer), 1.0, 1.0)
        transform = QTransform().translate(center.x(), center.y()).rotate(n * 360 / teeth)
        path = path.united(transform.map(tooth))
    hole_path = QPainterPath()
    hole_path.addEllipse(center, hole, hole)
    return path.subtracted(hole_path)


def paint_app_icon(p: QPainter, pixels: int) -> None:
    """The window icon: a violet tile with a white "F" and, when big enough, a gear."""
    scale = pixels / 64
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = 2 if pixels < 32 else 4
    tile = QRectF(margin * scale, margin * scale, (64 - 2 * margin) * scale,
                  (64 - 2 * margin) * scale)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    gradient.setColorAt(0, APP_TOP)
    gradient.setColorAt(1, APP_BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    radius = 13 * scale
    p.drawRoundedRect(tile, radius, radius)
    for x, y, w, h in ((17, 13, 9, 38), (17, 13, 29, 8), (17, 28, 21, 7.5)):
        p.fillRect(_snapped(x, y, w, h, scale), F_COLOR)
    if pixels >= 32:
        p.setBrush(F_COLOR)
        p.drawPath(QTransform().scale(scale, scale).map(_gear(QPointF(45, 45), 11.5, 8, 3.6)))


def app_pixmap(size: int, dpr: float = 1.0) -> QPixmap:
    return _render(paint_app_icon, size, dpr)


def app_icon() -> QIcon:
    """The window and application icon, at every size from 16 to 512 (and 2x for small ones)."""
    icon = QIcon()
    for size in APP_SIZES:
        icon.addPixmap(app_pixmap(size))
    for size in (16, 24, 32, 48, 64, 128):
        icon.addPixmap(app_pixmap(size, 2.0))
    return icon
