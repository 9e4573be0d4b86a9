"""Qt test fixtures: offscreen widgets (pytest-qt), a qasync loop, and a real server behind a
ServerController. pytest-qt does not drive qasync, so `run(coro)` runs coroutines to completion on
the qasync loop, which processes Qt events while it waits.

QSettings are redirected to the test's temp dir: no test reads or writes the user's preferences.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from faktory_desktop.config import Settings  # noqa: E402
from faktory_desktop.ui.app import DesktopApp  # noqa: E402
from faktory_desktop.ui.controller import ServerController  # noqa: E402
from faktory_desktop.ui.dashboard import DashboardPage  # noqa: E402
from faktory_desktop.ui.poller import Poller  # noqa: E402
from faktory_desktop.ui.preferences import Preferences  # noqa: E402
from tests.fwp import RawClient  # noqa: E402
from tests.ui.jobs_support import connect, release_widgets, top_level_widgets  # noqa: E402

Runner = Callable[..., Any]


@pytest.fixture(autouse=True, scope="session")
def gc_on_the_gui_thread_only() -> Iterator[None]:
    """As the app does (app.py): no automatic GC, which could run on the server thread and free
    a QObject there, crashing Qt. Each test's garbage is collected here, on the GUI thread."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def collect_garbage_after_test() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path, qapp) -> Iterator[None]:
    qapp.setOrganizationName("FaktoryDesktopTests")
    qapp.setApplicationName("FaktoryDesktopTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    yield


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()  # also joins the loop's executor threads
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop) -> Runner:
    """run(coro, timeout=30): drive a coroutine to completion on the qasync loop."""

    def runner(coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        return qloop.run_until_complete(asyncio.wait_for(coro, timeout))

    return runner


@pytest.fixture
def wait_until(run) -> Callable[..., None]:
    """Poll a condition on the qasync loop (Qt events keep flowing) until it holds."""

    def waiter(condition: Callable[[], bool], timeout: float = 10.0, message: str = "") -> None:
        async def poll() -> None:
            while not condition():
                await asyncio.sleep(0.02)

        try:
            run(poll(), timeout)
        except TimeoutError:
            raise AssertionError(message or "condition not met in time") from None

    return waiter


@pytest.fixture
def gui_widgets(request, qapp) -> Iterator[None]:
    """Widgets as the app has them: closing a dialog does not quit, and unparented test widgets
    are freed on the GUI thread (before the server stops), never by a collection that happens
    to run on the server thread."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    if "controller" in request.fixturenames:
        request.getfixturevalue("controller")  # torn down after this fixture
    existing = top_level_widgets(qapp)
    yield
    release_widgets(qapp, existing)
    qapp.setQuitOnLastWindowClosed(before)


@pytest.fixture
def client(controller: ServerController) -> Iterator[RawClient]:
    """A raw FWP producer connection to the controller's server."""
    with connect(controller) as fwp:
        yield fwp


@pytest.fixture
def controller(settings: Settings, run: Runner) -> Iterator[ServerController]:
    """A ServerController with a real server started (and stopped after the test)."""
    ctl = ServerController(settings)
    assert run(ctl.start(), 60), ctl.status
    yield ctl
    run(ctl.stop(), 60)


def _shut_down(desktop: DesktopApp, run) -> None:
    """What Quit does, without ending the test's event loop."""
    desktop.poller.stop()
    if desktop.controller.server_thread is not None or desktop.controller.attached:
        run(desktop.controller.stop(), 60)
    desktop.tray.hide()
    desktop.window.quit_on_close = True
    desktop.window.close()
    desktop.window.deleteLater()


@pytest.fixture
def make_app(qapp, qloop, settings, run):
    made: list[DesktopApp] = []

    def make(prefs: Preferences | None = None, **overrides: Any) -> DesktopApp:
        """An app on the test's settings, with `overrides` (e.g. port=...)."""
        made.append(DesktopApp(qapp, replace(settings, **overrides), prefs or Preferences(),
                               cli_flags={}))
        return made[-1]

    yield make
    for desktop in made:
        _shut_down(desktop, run)


@pytest.fixture
def poller(controller: ServerController) -> Iterator[Poller]:
    poller = Poller(controller, interval_ms=100)  # faster than the app's 1 s: shorter tests
    yield poller
    poller.stop()


@pytest.fixture
def dashboard(controller: ServerController, poller: Poller, qtbot: Any) -> DashboardPage:
    """The Dashboard page, shown, on `poller` (not started: each test starts it when ready)."""
    page = DashboardPage(controller, poller)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    return page
