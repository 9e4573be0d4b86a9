"""What the bundle leaves out, checked against the real Qt without building a bundle: ICU's data
swapped for the empty stub (build/icu_stub.py), and QtOpenGL replaced by an empty module
(build/rthook_qtopengl.py) under pyqtgraph."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[2] / "build"
sys.path.insert(0, str(BUILD))
from icu_stub import stub_icu_data  # noqa: E402

QT_LIB = Path(__import__("PySide6").__file__).parent / "Qt" / "lib"
ICU_DATA = sorted(QT_LIB.glob("libicudata.so.[0-9]*"))

QT_WITH_STUB = """
import sys
from PySide6.QtCore import QCollator, QLocale
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("ok")
label.show()
app.processEvents()
print(QLocale("tr_TR").toUpper("i"), QCollator(QLocale("de_DE")).compare("file10", "file9") < 0)
"""


@pytest.mark.skipif(not ICU_DATA or shutil.which("cc") is None,
                    reason="needs Qt's own ICU (the Linux wheel) and a C compiler")
def test_qt_runs_on_the_stub_icu_data(tmp_path):
    lib_dir = tmp_path / "_internal" / "PySide6" / "Qt" / "lib"
    lib_dir.mkdir(parents=True)
    shutil.copyfile(ICU_DATA[0], lib_dir / ICU_DATA[0].name)
    assert stub_icu_data(tmp_path) > 20 * 2**20
    stub = lib_dir / ICU_DATA[0].name
    assert stub.stat().st_size < 100_000
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LD_PRELOAD": str(stub)}
    done = subprocess.run([sys.executable, "-c", QT_WITH_STUB], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # Case mapping needs no data; a collator without data warns and compares plainly.
    assert done.stdout.split() == ["\u0130", "True"]
    assert "Could not create collator" in done.stderr


def test_pyqtgraph_draws_with_qtopengl_left_out():
    code = f"""
import runpy, sys
sys.modules.pop("PySide6.QtOpenGL", None)
import importlib.abc
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "PySide6.QtOpenGL":
            raise ImportError("left out of the bundle")
sys.meta_path.insert(0, Refuse())
runpy.run_path({str(BUILD / "rthook_qtopengl.py")!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
import pyqtgraph as pg
plot = pg.PlotWidget()
plot.plot([1, 3, 2])
plot.resize(200, 100)
plot.show()
app.processEvents()
assert not plot.grab().isNull()
stand_in = sys.modules["PySide6.QtOpenGL"]
assert type(stand_in).__name__ == "_LeftOut"
try:
    stand_in.QOpenGLBuffer
except AttributeError as exc:
    print(exc)
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "QtOpenGL is left out of this bundle" in done.stdout
