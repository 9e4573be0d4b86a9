"""The hot path runs as it was built: compiled by mypyc where `make` compiled it (and never a
compiled module older than its source), as source under FAKTORY_DESKTOP_PURE_PYTHON=1."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
from pathlib import Path

import pytest

import faktory_desktop
from faktory_desktop.compiled import GROUP, HOT_MODULES, PURE_PYTHON_ENV, hot_path_kind

PURE = bool(os.environ.get(PURE_PYTHON_ENV))
PACKAGE = Path(faktory_desktop.__file__).resolve().parent


def compiled_file(module: str) -> Path | None:
    """The module's compiled file in the source tree, if it was built."""
    base = PACKAGE.joinpath(*module.split(".")[1:])
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if base.with_name(base.name + suffix).exists():
            return base.with_name(base.name + suffix)
    return None


def shared_library() -> Path:
    found = compiled_file(GROUP + "__mypyc")
    assert found is not None, f"{GROUP}__mypyc is missing beside the compiled modules"
    return found


BUILT = all(compiled_file(name) for name in HOT_MODULES)


@pytest.mark.parametrize("name", HOT_MODULES)
def test_each_hot_module_runs_as_built(name):
    module = importlib.import_module(name)
    if PURE:
        assert module.__spec__.origin.endswith(".py")
        return
    built = compiled_file(name)
    if built is None:
        pytest.skip("the hot path is not compiled here (no C compiler): it runs as source")
    # mypyc's grouped build sets the module's origin under a doubled package folder: the
    # file's name still tells which file loaded
    assert Path(module.__spec__.origin).name == built.name
    # The code is in the group's shared library; the module's own file is a small shim
    source = Path(built.parent, name.rpartition(".")[2] + ".py")
    assert shared_library().stat().st_mtime >= source.stat().st_mtime, (
        f"the compiled {name} is older than {source.name}: rebuild it with `make compile`")


def test_the_banner_names_the_hot_path():
    assert hot_path_kind() == ("compiled" if BUILT and not PURE else "pure Python")
