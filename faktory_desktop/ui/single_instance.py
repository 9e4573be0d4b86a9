"""One app per user and data folder: a second launch brings the first one's window forward.

The first instance holds a QLockFile and listens on a QLocalServer; a later one fails to take the
lock, connects, sends "show", and exits. Both names derive from the user and the resolved data
folder, so two users, or one user with two data folders, never clash.

A lock left by a crashed process is stale: QLockFile sees that its PID is gone and takes it over.
Its age-based staleness is turned off (`setStaleLockTime(0)`), since the live app never refreshes
the file and would otherwise lose the lock after 30 seconds.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QThread, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

SHOW = b"show\n"
CONNECT_TRIES = 10  # the first app may hold the lock a moment before it listens
CONNECT_TIMEOUT_MS = 200
RETRY_PAUSE_MS = 50


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def instance_key(data_dir: Path | str, user: str | None = None) -> str:
    """A short name for (user, data folder), safe in file and local-socket names."""
    folder = Path(data_dir).expanduser().resolve()
    digest = hashlib.sha256(f"{user or _user()}\0{folder}".encode()).hexdigest()[:16]
    return f"faktory-desktop-{digest}"


class SingleInstance(QObject):
    """`acquire()` once at startup: True means this is the first instance and it now listens;
    False means another one runs and was asked to show itself (the caller exits 0)."""

    showRequested = Signal()

    def __init__(self, key: str, lock_dir: Path | str | None = None,
                 on_show: Callable[[], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        folder = lock_dir or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.TempLocation)
        self.key = key
        self.lock_path = str(Path(folder) / f"{key}.lock")
        self._lock = QLockFile(self.lock_path)
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None
        self._sockets: set[QLocalSocket] = set()
        if on_show is not None:
            self.showRequested.connect(on_show)

    @property
    def is_primary(self) -> bool:
        return self._server is not None

    def acquire(self) -> bool:
        """Become the first instance, or tell the first one to show itself."""
        if self._lock.tryLock(0):
            return self._listen()
        if self._lock.error() is not QLockFile.LockError.LockFailedError:
            log.warning("cannot use the lock file %s (%s); running anyway", self.lock_path,
                        self._lock.error().name)
            return self._listen()
        if not self.notify_primary():
            log.warning("Faktory Desktop is already running for this data folder but did not "
                        "answer; not starting a second one")
        return False

    def _listen(self) -> bool:
        QLocalServer.removeServer(self.key)  # a socket file left by a crash (Unix)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_connection)
        if not server.listen(self.key):
            log.warning("cannot listen for other launches: %s", server.errorString())
        self._server = server
        return True

    def notify_primary(self) -> bool:
        """Send "show" to the first instance; returns whether it was delivered."""
        socket = QLocalSocket()
        for _ in range(CONNECT_TRIES):
            socket.connectToServer(self.key)
            if socket.waitForConnected(CONNECT_TIMEOUT_MS):
                break
            QThread.msleep(RETRY_PAUSE_MS)  # nothing else to do before exiting
        else:
            return False
        socket.write(SHOW)
        delivered = socket.waitForBytesWritten(1000)
        socket.disconnectFromServer()
        return delivered

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._sockets.add(socket)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            self._read(socket)  # what arrived before the signals were connected

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()).strip() == SHOW.strip():
                self.showRequested.emit()

    def _drop(self, socket: QLocalSocket) -> None:
        self._read(socket)
        self._sockets.discard(socket)
        socket.deleteLater()

    def release(self) -> None:
        """Stop listening and give up the lock (also done when the process exits)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for socket in list(self._sockets):
            socket.abort()
        self._sockets.clear()
        if self._lock.isLocked():
            self._lock.unlock()
