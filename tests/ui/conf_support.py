"""Helpers for the Cron and Throttles page tests: conf.d written and put in force, and a page
shown once its rows are in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faktory_desktop.ui.controller import ServerController


def write_confd(controller: ServerController, run: Any, name: str, text: str) -> Path:
    path = controller.settings.config_dir / "conf.d" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    run(controller.reload_configuration())
    return path


def shown(qtbot: Any, page: Any, wait_until: Any, rows: int, width: int = 1200) -> Any:
    qtbot.addWidget(page)
    page.resize(width, 400)
    page.show()
    wait_until(lambda: page.model.rowCount() == rows)
    return page
