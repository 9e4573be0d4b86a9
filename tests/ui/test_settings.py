"""The Settings dialog: edits persist, invalid values are explained and block saving."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from faktory_desktop.ui.app import settings_for_app
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.settings_checks import (
    data_dir_problem,
    engine_problem,
    host_problem,
    redis_url_problem,
)
from faktory_desktop.ui.settings_dialog import SettingsDialog, server_settings_changed


def make_dialog(qtbot, prefs: Preferences | None = None, calls: list[bool] | None = None
                ) -> SettingsDialog:
    autostart = calls.append if calls is not None else None
    dialog = SettingsDialog(prefs or Preferences.load(), autostart=autostart)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_settings_persist_across_a_restart(qtbot, tmp_path):
    calls: list[bool] = []
    dialog = make_dialog(qtbot, calls=calls)
    dialog.port.setText("7500")
    dialog.bind_host.setText("0.0.0.0")
    dialog.password.setText("pa ss")
    dialog.data_dir.setText(str(tmp_path / "new-data"))
    dialog.start_at_launch.setChecked(False)
    dialog.launch_at_login.setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.notifications.setChecked(False)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].port == 7500
    assert calls == [True]  # "open at login" applied once, when it changed

    loaded = Preferences.load()  # a fresh read, as after restarting the app
    assert (loaded.port, loaded.bind_host, loaded.password) == (7500, "0.0.0.0", "pa ss")
    assert loaded.data_dir == str(tmp_path / "new-data")
    assert not loaded.start_at_launch and loaded.launch_at_login
    assert loaded.theme == "dark" and not loaded.notifications

    again = make_dialog(qtbot, loaded)
    assert again.port.text() == "7500" and again.bind_host.text() == "0.0.0.0"
    assert again.password.text() == "pa ss"
    assert again.password.echoMode() is QLineEdit.EchoMode.Password
    assert again.data_dir.text() == str(tmp_path / "new-data")
    assert again.launch_at_login.isChecked() and not again.start_at_launch.isChecked()
    assert again.theme.currentData() == "dark" and not again.notifications.isChecked()


def test_invalid_port_keeps_save_disabled_and_says_why(qtbot):
    dialog = make_dialog(qtbot)
    assert dialog.ok_button.isEnabled() and dialog.message.isHidden()
    dialog.port.setText("70000")
    assert not dialog.ok_button.isEnabled()
    assert not dialog.message.isHidden() and "1 to 65535" in dialog.message.text()
    dialog.port.setText("abc")
    assert not dialog.ok_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.accept()
    assert dialog.isVisible()
    dialog.port.setText("7420")
    assert dialog.ok_button.isEnabled() and dialog.message.isHidden()


def test_password_can_be_shown(qtbot):
    dialog = make_dialog(qtbot)
    qtbot.mouseClick(dialog.show_password, Qt.MouseButton.LeftButton)
    assert dialog.password.echoMode() is QLineEdit.EchoMode.Normal
    assert dialog.show_password.text() == "Hide"


def test_data_dir_must_be_a_creatable_folder(qtbot, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert data_dir_problem("") is None  # the default
    assert data_dir_problem(str(tmp_path / "not" / "yet")) is None  # will be created
    assert "is a file" in data_dir_problem(str(a_file))
    assert "cannot be created" in data_dir_problem(str(a_file / "sub"))
    assert "full path" in data_dir_problem("relative/dir")
    dialog = make_dialog(qtbot)
    dialog.data_dir.setText(str(a_file))
    assert not dialog.ok_button.isEnabled() and "is a file" in dialog.message.text()


def test_bind_address_is_checked():
    assert host_problem("127.0.0.1") is None and host_problem("::1") is None
    assert host_problem("my-host.local") is None
    assert host_problem("") and host_problem("not an address")


def test_server_settings_changed():
    old = Preferences()
    assert not server_settings_changed(old, replace(old))
    assert not server_settings_changed(old, replace(old, theme="dark", notifications=False,
                                                    launch_at_login=True))
    for change in ({"port": 7500}, {"bind_host": "0.0.0.0"}, {"password": "x"},
                   {"data_dir": "/tmp/x"}, {"redis_server": "/usr/bin/redis-server"},
                   {"redis_url": "redis://127.0.0.1:6379/0"}):
        assert server_settings_changed(old, replace(old, **change)), change


def test_engine_and_external_redis_are_saved_and_reach_the_server_settings(qtbot, tmp_path):
    engine = tmp_path / "my-redis-server"
    engine.write_text("#!/bin/sh\n")
    engine.chmod(0o755)
    dialog = make_dialog(qtbot)
    dialog.redis_server.setText(str(engine))
    assert dialog.validate()
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    prefs = saved.args[0]
    assert Preferences.load().redis_server == str(engine)
    assert settings_for_app({}, prefs).redis_server == str(engine)
    assert settings_for_app({"redis_server": "/opt/other"}, prefs).redis_server == "/opt/other"

    again = make_dialog(qtbot, prefs)
    again.redis_url.setText("redis://127.0.0.1:6379/2")
    assert not again.redis_server.isEnabled()  # no engine of the app's with an external Redis
    assert again.validate()
    external = again.preferences()
    assert settings_for_app({}, external).redis_url == "redis://127.0.0.1:6379/2"


def test_engine_and_redis_url_are_checked(qtbot, tmp_path):
    not_executable = tmp_path / "redis-server"
    not_executable.write_text("")
    assert engine_problem("") is None
    assert "no engine program" in engine_problem(str(tmp_path / "nope"))
    assert "not executable" in engine_problem(str(not_executable))
    assert redis_url_problem("") is None
    assert redis_url_problem("redis://127.0.0.1:6379/0") is None
    assert "expected redis://" in redis_url_problem("http://127.0.0.1:6379")
    dialog = make_dialog(qtbot)
    dialog.redis_url.setText("http://127.0.0.1:6379")
    assert not dialog.ok_button.isEnabled() and "expected redis://" in dialog.message.text()


def test_requeue_gone_workers_is_on_in_the_app_and_reaches_the_server(qtbot):
    dialog = make_dialog(qtbot)
    assert dialog.requeue_gone_workers.isChecked()  # on by default in the app
    assert settings_for_app({}, dialog.preferences()).requeue_gone_workers is True
    dialog.requeue_gone_workers.setChecked(False)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert Preferences.load().requeue_gone_workers is False
    assert settings_for_app({}, saved.args[0]).requeue_gone_workers is False
    assert server_settings_changed(Preferences(), saved.args[0])  # the server restarts with it
