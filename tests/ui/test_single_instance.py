"""One app per user and data folder: a second launch wakes the first, and a dead first gives way."""

from __future__ import annotations

import subprocess
import sys

import pytest

from faktory_desktop.ui.single_instance import SingleInstance, instance_key


@pytest.fixture
def key(tmp_path) -> str:
    return instance_key(tmp_path / "db")


@pytest.fixture
def instances(tmp_path, key):
    made: list[SingleInstance] = []

    def make(**kwargs) -> SingleInstance:
        instance = SingleInstance(kwargs.pop("key", key), lock_dir=tmp_path, **kwargs)
        made.append(instance)
        return instance

    yield make
    for instance in reversed(made):
        instance.release()


def test_the_second_launch_asks_the_first_to_show_itself(instances, qtbot):
    shown = []
    first = instances(on_show=lambda: shown.append("first"))
    assert first.acquire() and first.is_primary
    second = instances()
    with qtbot.waitSignal(first.showRequested, timeout=5000):
        assert not second.acquire()
    assert not second.is_primary
    assert shown == ["first"]


def test_after_the_first_is_released_the_next_becomes_primary(instances, qtbot):
    first = instances()
    assert first.acquire()
    first.release()
    assert not first.is_primary
    third = instances()
    assert third.acquire()
    with qtbot.waitSignal(third.showRequested, timeout=5000):
        assert not instances().acquire()


def test_a_lock_left_by_a_crashed_process_is_taken_over(instances, tmp_path, key):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from PySide6.QtCore import QLockFile\n"
         f"lock = QLockFile({str(tmp_path / (key + '.lock'))!r}); lock.setStaleLockTime(0)\n"
         "print(lock.tryLock(0), flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert not instances().acquire()  # held by a live process that does not answer
        holder.kill()  # a crash: the lock file stays behind
        holder.wait()
        assert (tmp_path / f"{key}.lock").exists()
        assert instances().acquire()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stdin.close()


def test_keys_differ_by_user_and_by_data_folder(tmp_path):
    base = instance_key(tmp_path / "db", user="ann")
    assert base == instance_key(tmp_path / "x" / ".." / "db", user="ann")
    assert base != instance_key(tmp_path / "db", user="bob")
    assert base != instance_key(tmp_path / "other", user="ann")
    assert base.startswith("faktory-desktop-") and base.replace("-", "").isalnum()


def test_different_keys_do_not_clash(instances, tmp_path):
    assert instances().acquire()
    assert instances(key=instance_key(tmp_path / "other")).acquire()
