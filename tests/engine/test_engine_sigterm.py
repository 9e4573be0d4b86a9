"""An engine told to stop by SIGTERM (PDEATHSIG, when the app dies) exits even when it cannot
save: a crashed app's data dir may be gone, and an engine that refused to exit would linger."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import psutil

from faktory_desktop.engine import Engine


async def test_engine_exits_on_sigterm_even_when_its_data_dir_is_gone(
    engine_binary: str, tmp_path: Path
) -> None:
    engine = Engine(tmp_path / "db", binary=engine_binary)
    await engine.start()
    proc = psutil.Process(engine.pid)
    try:
        shutil.rmtree(tmp_path / "db")
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    finally:
        await engine.stop()
