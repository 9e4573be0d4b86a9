"""Builds the hot path (FWP parsing, sessions, the job lifecycle, the Redis multiplexer) to C with
mypyc, where a C compiler is present; everything else, and any platform without a compiler, runs
the same modules as plain Python. The metadata is in pyproject.toml.

FAKTORY_DESKTOP_PURE_PYTHON=1 at build time skips the compilation; at run time it makes the
package import the .py sources even where compiled modules exist (faktory_desktop/compiled.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

from setuptools import setup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faktory_desktop.compiled import GROUP, HOT_MODULES, PURE_PYTHON_ENV  # noqa: E402


def has_c_compiler() -> bool:
    """A C compiler and Python's headers: what mypyc's output needs."""
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.errors import DistutilsPlatformError
    from setuptools._distutils.sysconfig import customize_compiler

    if not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
        return False
    compiler = new_compiler()
    customize_compiler(compiler)
    if hasattr(compiler, "initialize"):  # MSVC: finds Visual C++ or raises
        try:
            compiler.initialize()
        except DistutilsPlatformError:
            return False
        return True
    return shutil.which(compiler.compiler_so[0]) is not None


def compiled_extensions() -> list:
    if os.environ.get(PURE_PYTHON_ENV):
        print(f"faktory-desktop: {PURE_PYTHON_ENV} is set: not compiling the hot path")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("faktory-desktop: mypyc is not installed: the hot path stays pure Python")
        return []
    if not has_c_compiler():
        print("faktory-desktop: no C compiler or Python headers: the hot path stays pure Python")
        return []
    paths = [module.replace(".", "/") + ".py" for module in HOT_MODULES]
    return mypycify(paths, opt_level="3", debug_level="0", group_name=GROUP,
                    target_dir="build/mypyc")


setup(ext_modules=compiled_extensions(), options={"build": {"build_base": "build/setuptools"}})
