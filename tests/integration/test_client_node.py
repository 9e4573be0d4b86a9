"""Another language's client, unchanged: the Node.js `faktory-worker` package.

`make test` installs it with npm into tests/node/ when npm is on the machine; without Node.js the
test is skipped, and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.skipif(not (NODE_DIR / "node_modules" / "faktory-worker").exists(),
                    reason="faktory-worker is not installed (make test installs it with npm)")
def test_node_client_pushes_works_and_fails_jobs(port):
    result = subprocess.run(
        ["node", "lifecycle.js"], cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
        env={"FAKTORY_URL": f"tcp://127.0.0.1:{port}", "PATH": os.environ["PATH"]},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["results"] == [5, "boom"]
    faktory = report["faktory"]
    assert (faktory["total_processed"], faktory["total_failures"]) == (2, 1)
    assert faktory["sets"]["retries"] == 1 and faktory["total_enqueued"] == 0
