"""PyInstaller runtime hook: `PySide6.QtOpenGL` stands in as an empty module in the bundle.

pyqtgraph imports QtOpenGL when its modules load (graphicsItems/PlotCurveItem.py,
PColorMeshItem.py, Qt/OpenGLHelpers.py) but uses it only to draw with OpenGL, which pyqtgraph
does only when `useOpenGL` is on, and the app never turns it on. Its Python binding is 8.5 MB of
the bundle, so the spec leaves it out and this module takes its place. QtOpenGLWidgets, which
pyqtgraph subclasses at import, stays: its binding does not load QtOpenGL's.
"""

import sys
import types


class _LeftOut(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        raise AttributeError(f"PySide6.QtOpenGL.{name}: QtOpenGL is left out of this bundle "
                             "(the app never draws with OpenGL)")


sys.modules.setdefault("PySide6.QtOpenGL", _LeftOut("PySide6.QtOpenGL"))
