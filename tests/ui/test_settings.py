"""The Settings dialog: edits persist, invalid values are explained and block saving."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.settings_dialog import (
    SettingsDialog,
    data_dir_problem,
    host_problem,
    server_settings_changed,
)


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
                   {"data_dir": "/tmp/x"}):
        assert server_settings_changed(old, replace(old, **change)), change
