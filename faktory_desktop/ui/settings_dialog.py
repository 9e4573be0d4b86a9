"""The Settings dialog: edit the saved Preferences, validated as they are typed.

Open it with `open()` (never `exec()`: the app runs on qasync). Save writes the preferences,
applies "Open at login" at once, then emits `saved(Preferences)`; the app restarts the server
when `server_settings_changed(old, new)` says the server's own settings differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.config import default_data_dir
from faktory_desktop.ui.autostart import set_launch_at_login
from faktory_desktop.ui.preferences import Preferences, Theme
from faktory_desktop.ui.settings_checks import (
    data_dir_problem,
    engine_problem,
    host_problem,
    port_problem,
    redis_url_problem,
    web_port_problem,
)

SERVER_FIELDS = ("bind_host", "port", "password", "data_dir", "redis_server", "redis_url",
                 "web_ui", "web_port", "requeue_gone_workers", "redis_gateway_on", "redis_gateway")
THEMES = (("Follow the system", Theme.SYSTEM.value), ("Light", Theme.LIGHT.value),
          ("Dark", Theme.DARK.value))

STYLESHEET = """
#settingsMessage { color: #d93025; }
QLineEdit[invalid="true"] { border: 1px solid #d93025; border-radius: 3px; padding: 2px 3px; }
"""

Autostart = Callable[[bool], None]


def server_settings_changed(old: Preferences, new: Preferences) -> bool:
    """Whether the running server must restart for `new` to take effect."""
    return any(getattr(old, name) != getattr(new, name) for name in SERVER_FIELDS)


class SettingsDialog(QDialog):
    saved = Signal(object)  # Preferences, after they are written

    def __init__(self, prefs: Preferences, parent: QWidget | None = None, *,
                 store: QSettings | None = None,
                 autostart: Autostart | None = set_launch_at_login) -> None:
        super().__init__(parent)
        self.setWindowTitle("Faktory Desktop Settings")
        self.setMinimumWidth(520)
        self.original = prefs
        self._store = store
        self._autostart = autostart
        self._browser: QFileDialog | None = None
        self._build_fields()
        self._layout()
        self.load(prefs)
        self.validate()

    # -- building -------------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.bind_host = QLineEdit()
        self.bind_host.setPlaceholderText("127.0.0.1")
        self.port = QLineEdit()
        self.port.setPlaceholderText("7419")
        self.port.setMaximumWidth(90)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("none")
        self.show_password = QPushButton("Show")
        self.show_password.setCheckable(True)
        self.show_password.toggled.connect(self._on_show_password)
        self.web_ui = QCheckBox("Serve the Web UI, port")
        self.web_ui.setToolTip("Faktory's Web UI in a browser, with the same password")
        self.web_port = QLineEdit()
        self.web_port.setPlaceholderText("7420")
        self.web_port.setMaximumWidth(90)
        self.web_ui.toggled.connect(self.web_port.setEnabled)
        self.web_ui.toggled.connect(self.validate)
        self.data_dir = QLineEdit()
        self.data_dir.setPlaceholderText(f"Default: {default_data_dir()}")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self.choose_data_dir)
        self.redis_server = QLineEdit()
        self.redis_server.setPlaceholderText("Automatic: bundled, or found on the PATH")
        self.redis_server.setToolTip("A redis-server or valkey-server program for the app to run")
        self.browse_engine = QPushButton("Browse…")
        self.browse_engine.clicked.connect(self.choose_engine)
        self.redis_url = QLineEdit()
        self.redis_url.setPlaceholderText("None: the app runs its own engine")
        self.redis_url.setToolTip("Keep the data in a Redis you run: redis://host:6379/0, "
                                  "rediss://… or unix:///path/redis.sock?db=0")
        self.redis_url.textChanged.connect(self._on_redis_url)
        self.requeue_gone_workers = QCheckBox(
            "When a worker process dies, retry its jobs at once")
        self.requeue_gone_workers.setToolTip(
            "When a worker process disconnects or stops sending heartbeats, fail its jobs in "
            "progress as WorkerGone, so they retry, instead of waiting for their reservation to "
            "run out (30 minutes by default)")
        self.start_at_launch = QCheckBox("Start the server when the app opens")
        self.launch_at_login = QCheckBox("Open Faktory Desktop when I log in")
        self.theme = QComboBox()
        for name, value in THEMES:
            self.theme.addItem(name, value)
        self.notifications = QCheckBox("Notify me when jobs fail or the server stops")
        self.message = QLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.setStyleSheet(STYLESHEET)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for field in (self.bind_host, self.port, self.web_port, self.data_dir,
                      self.redis_server, self.redis_url):
            field.textChanged.connect(self.validate)

    def _layout(self) -> None:
        server = QGroupBox("Server")
        form = QFormLayout(server)
        form.addRow("Listen on", _row(self.bind_host, QLabel("Port"), self.port))
        form.addRow("Password", _row(self.password, self.show_password))
        form.addRow("Data folder", _row(self.data_dir, self.browse))
        form.addRow("Web UI", _row(self.web_ui, self.web_port, stretch_after=True))
        form.addRow(self.requeue_gone_workers)
        note = QLabel("Changes to the server or its engine restart it; clients reconnect.")
        note.setObjectName("settingsNote")
        note.setWordWrap(True)
        note.setEnabled(False)
        engine = QGroupBox("Storage engine")
        engine_form = QFormLayout(engine)
        engine_form.addRow("Engine", _row(self.redis_server, self.browse_engine))
        engine_form.addRow("External Redis", self.redis_url)
        engine_form.addRow(note)
        app = QGroupBox("App")
        app_form = QFormLayout(app)
        app_form.addRow(self.start_at_launch)
        app_form.addRow(self.launch_at_login)
        app_form.addRow(self.notifications)
        app_form.addRow("Theme", _row(self.theme, stretch_after=True))
        layout = QVBoxLayout(self)
        layout.addWidget(server)
        layout.addWidget(engine)
        layout.addWidget(app)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # -- values ---------------------------------------------------------------------------------

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def load(self, prefs: Preferences) -> None:
        self.bind_host.setText(prefs.bind_host)
        self.port.setText(str(prefs.port))
        self.password.setText(prefs.password)
        self.data_dir.setText(prefs.data_dir)
        self.web_ui.setChecked(prefs.web_ui)
        self.web_port.setText(str(prefs.web_port))
        self.web_port.setEnabled(prefs.web_ui)
        self.redis_server.setText(prefs.redis_server)
        self.redis_url.setText(prefs.redis_url)
        self.requeue_gone_workers.setChecked(prefs.requeue_gone_workers)
        self.start_at_launch.setChecked(prefs.start_at_launch)
        self.launch_at_login.setChecked(prefs.launch_at_login)
        self.theme.setCurrentIndex(max(0, self.theme.findData(prefs.theme)))
        self.notifications.setChecked(prefs.notifications)

    def preferences(self) -> Preferences:
        """The preferences as edited (call only while valid)."""
        data_dir = self.data_dir.text().strip()
        engine = self.redis_server.text().strip()
        web_port = self.web_port.text().strip()
        return replace(
            self.original,
            bind_host=self.bind_host.text().strip().strip("[]"),
            port=int(self.port.text().strip()),
            password=self.password.text(),
            data_dir=str(Path(data_dir).expanduser()) if data_dir else "",
            web_ui=self.web_ui.isChecked(),
            web_port=int(web_port) if web_port.isdigit() else self.original.web_port,
            redis_server=str(Path(engine).expanduser()) if engine else "",
            redis_url=self.redis_url.text().strip(),
            requeue_gone_workers=self.requeue_gone_workers.isChecked(),
            start_at_launch=self.start_at_launch.isChecked(),
            launch_at_login=self.launch_at_login.isChecked(),
            theme=str(self.theme.currentData()),
            notifications=self.notifications.isChecked(),
        )

    def problems(self) -> list[str]:
        return [problem for _field, problem in self._checks() if problem]

    def _checks(self) -> list[tuple[QLineEdit, str | None]]:
        return [(self.bind_host, host_problem(self.bind_host.text())),
                (self.port, port_problem(self.port.text())),
                (self.web_port, web_port_problem(self.web_port.text(), self.port.text())
                 if self.web_ui.isChecked() else None),
                (self.data_dir, data_dir_problem(self.data_dir.text())),
                (self.redis_server, engine_problem(self.redis_server.text())),
                (self.redis_url, redis_url_problem(self.redis_url.text()))]

    def validate(self) -> bool:
        """Mark the invalid fields, say why (one line each), and allow Save only when none is."""
        checks = self._checks()
        for field, problem in checks:
            _mark_invalid(field, problem is not None)
        problems = [problem for _field, problem in checks if problem]
        self.show_message("\n".join(problems))
        self.ok_button.setEnabled(not problems)
        return not problems

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- actions --------------------------------------------------------------------------------

    def accept(self) -> None:
        if not self.validate():
            return
        new = self.preferences()
        if self._autostart and new.launch_at_login != self.original.launch_at_login:
            try:
                self._autostart(new.launch_at_login)
            except OSError as exc:
                self.show_message(f"Could not change “open at login”: {exc}")
                return
        new.save(self._store)
        self.saved.emit(new)
        super().accept()

    def choose_data_dir(self) -> None:
        """A folder picker, opened window-modal without a nested event loop."""
        start = self.data_dir.text().strip() or str(default_data_dir().parent)
        browser = QFileDialog(self, "Choose the data folder", start)
        browser.setFileMode(QFileDialog.FileMode.Directory)
        browser.setOption(QFileDialog.Option.ShowDirsOnly, True)
        browser.fileSelected.connect(self.data_dir.setText)
        self._browser = browser
        browser.open()

    def choose_engine(self) -> None:
        """A file picker for the engine program, opened window-modal."""
        browser = QFileDialog(self, "Choose redis-server or valkey-server",
                              self.redis_server.text().strip() or "/usr/bin")
        browser.setFileMode(QFileDialog.FileMode.ExistingFile)
        browser.fileSelected.connect(self.redis_server.setText)
        self._browser = browser
        browser.open()

    def _on_redis_url(self, url: str) -> None:
        """With an external Redis there is no engine of the app's to choose."""
        for widget in (self.redis_server, self.browse_engine):
            widget.setEnabled(not url.strip())

    def _on_show_password(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.password.setEchoMode(mode)
        self.show_password.setText("Hide" if shown else "Show")


def _row(*widgets: QWidget, stretch_after: bool = False) -> QWidget:
    """Widgets side by side; the first takes the spare width, or nothing does (stretch_after)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == 0 and not stretch_after else 0)
    if stretch_after:
        layout.addStretch(1)
    return row


def _mark_invalid(field: QLineEdit, invalid: bool) -> None:
    if field.property("invalid") != invalid:
        field.setProperty("invalid", invalid)
        field.style().unpolish(field)
        field.style().polish(field)
