"""Every screen once, saved as an image, then Quit: how the bundle's smoke test sees that each
screen still opens from a bundle that leaves parts of Qt and numpy out (build/smoke.py).

With `FAKTORY_DESKTOP_SCREEN_TOUR=<folder>`, the app waits for its server, shows each page of the
sidebar in turn, then the About, Settings (and its file picker) and New Job dialogs, saves each
into the folder as `NN-<name>.png`, writes `tour.txt` listing them, and quits.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from faktory_desktop.ui.about import AboutDialog
from faktory_desktop.ui.jobs.new_job import NewJobDialog
from faktory_desktop.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from faktory_desktop.ui.app import DesktopApp

log = logging.getLogger(__name__)

SETTLE_S = 0.5  # a page reads its rows when shown: let them arrive before the picture
SERVER_WAIT_S = 60.0


async def tour(app: DesktopApp, folder: Path) -> None:
    """Show and save every screen, then quit the app (also when a screen fails)."""
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []
    try:
        await _server_up(app)
        window = app.window
        for index in range(window.pages.count()):
            window.show_page(index)
            await asyncio.sleep(SETTLE_S)
            saved.append(_save(window, folder, len(saved), window.sidebar.item(index).text()))
        app.show_about()
        app.open_settings()
        app.jobs.new_job()
        dialogs: list[type[QDialog]] = [AboutDialog, SettingsDialog, NewJobDialog]
        for kind in dialogs:
            dialog = window.findChild(kind)
            await asyncio.sleep(SETTLE_S)
            saved.append(_save(dialog, folder, len(saved), kind.__name__))
            if isinstance(dialog, SettingsDialog):  # and Qt's own file dialog, from there
                dialog.choose_engine()
                picker = dialog.findChild(QFileDialog)
                await asyncio.sleep(SETTLE_S)
                saved.append(_save(picker, folder, len(saved), "file dialog"))
                if picker is not None:
                    picker.reject()
            if dialog is not None:
                dialog.reject()
    finally:
        (folder / "tour.txt").write_text("".join(f"{name}\n" for name in saved))
        app.request_quit()


async def _server_up(app: DesktopApp) -> None:
    """Until the server runs and the dashboard has had its first numbers."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SERVER_WAIT_S
    while not (app.controller.running and app.poller.latest is not None) \
            and loop.time() < deadline:
        await asyncio.sleep(0.1)


def _save(widget: QWidget | None, folder: Path, number: int, title: str) -> str:
    if widget is None:
        raise RuntimeError(f"screen {title!r} did not open")
    name = f"{number + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}.png"
    if not widget.grab().save(str(folder / name)):
        raise RuntimeError(f"could not save {name}")
    log.info("screen tour: %s", name)
    return name
