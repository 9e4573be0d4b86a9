"""The app's Web UI: off by default, turned on in Settings; then the tray and the Server panel
offer Open Web UI and Copy Web UI URL, for a real server's real Web UI."""

from __future__ import annotations

import os
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from faktory_desktop.config import Settings
from faktory_desktop.ui.app import settings_for_app
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.server.info import StatusSection
from faktory_desktop.ui.settings_dialog import server_settings_changed
from tests.ui.test_settings import make_dialog
from tests.ui.test_tray import app_double, make_tray, tray, window  # noqa: F401 (fixtures)


def test_off_by_default_and_on_from_settings(qtbot) -> None:
    assert settings_for_app({}, Preferences()).web_host is None
    dialog = make_dialog(qtbot)
    assert not dialog.web_ui.isChecked() and not dialog.web_port.isEnabled()
    dialog.web_ui.setChecked(True)
    assert dialog.web_port.isEnabled()
    dialog.web_port.setText("7521")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    prefs = saved.args[0]
    assert (Preferences.load().web_ui, Preferences.load().web_port) == (True, 7521)
    settings = settings_for_app({}, prefs)
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 7521)
    assert settings_for_app({"web_binding": "off"}, prefs).web_host is None  # a flag wins
    assert server_settings_changed(Preferences(), prefs)  # the server restarts for it


def test_the_web_port_is_checked(qtbot) -> None:
    dialog = make_dialog(qtbot)
    dialog.web_port.setText("x")
    assert dialog.validate()  # not checked while the Web UI is off
    dialog.web_ui.setChecked(True)
    assert not dialog.ok_button.isEnabled() and "Web UI port" in dialog.message.text()
    dialog.web_port.setText(dialog.port.text())
    assert "a port of its own" in dialog.message.text()
    dialog.web_port.setText("7420")
    assert dialog.ok_button.isEnabled()


def test_no_web_ui_actions_while_it_is_off(tray, controller) -> None:  # noqa: F811
    assert controller.web_ui_url == ""
    assert not tray.open_web_action.isVisible() and not tray.copy_web_action.isVisible()
    section = StatusSection(controller)
    assert section.web_ui.copy_value == ""


class TestWithTheWebUIOn:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return Settings(host="127.0.0.1", port=0, data_dir=tmp_path / "db",
                        config_dir=tmp_path / "config", web_host="127.0.0.1", web_port=0,
                        redis_server=os.environ.get("FAKTORY_REDIS_SERVER"))

    def test_tray_and_server_panel_offer_it(self, tray, controller, qtbot) -> None:  # noqa: F811
        url = controller.web_ui_url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "health", timeout=10) as reply:
            assert reply.status == 200
        tray._update_menu()
        assert tray.open_web_action.isVisible() and tray.copy_web_action.isVisible()
        assert tray.copy_web_ui_url() == url
        assert QGuiApplication.clipboard().text() == url
        section = StatusSection(controller)
        qtbot.addWidget(section)
        assert section.web_ui.copy_value == url
        assert section.open_web_ui.isEnabled()


def test_settings_replace_keeps_web_fields() -> None:
    prefs = replace(Preferences(), web_ui=True, web_port=7600)
    assert prefs.as_flags()["web_binding"] == "127.0.0.1:7600"
    assert Preferences().as_flags()["web_binding"] == "off"
