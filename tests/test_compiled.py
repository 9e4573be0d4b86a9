"""The hot path runs as it was built: compiled by mypyc where `make` compiled it (and never a
compiled module older than its source), as source under FAKTORY_DESKTOP_PURE_PYTHON=1."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import time
from pathlib import Path

import pytest

import faktory_desktop
from faktory_desktop.compiled import (
    HOT_MODULES,
    PURE_PYTHON_ENV,
    compiled_is_stale,
    hot_path_kind,
)

PURE = bool(os.environ.get(PURE_PYTHON_ENV))
PACKAGE = Path(faktory_desktop.__file__).resolve().parent


def compiled_file(module: str) -> Path | None:
    """The module's compiled file in the source tree, if it was built."""
    base = PACKAGE.joinpath(*module.split(".")[1:])
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if base.with_name(base.name + suffix).exists():
            return base.with_name(base.name + suffix)
    return None


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
    assert not compiled_is_stale(), "a hot module changed since the build: `make compile`"


def test_the_banner_names_the_hot_path():
    assert hot_path_kind() == ("compiled" if BUILT and not PURE else "pure Python")


def test_an_edit_after_the_build_is_noticed():
    if not BUILT or PURE:
        pytest.skip("needs the compiled build")
    assert compiled_is_stale(built_at=0.0)  # every source is newer than that
    assert not compiled_is_stale(built_at=time.time() + 60)
