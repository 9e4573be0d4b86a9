"""A browser's dashboard, simulated during a load run (`--web-poll SECONDS`): the page once, then
`/stats` every interval, as the dashboard's script polls it, over one keep-alive connection."""

from __future__ import annotations

import http.client
import threading


class WebPoller(threading.Thread):
    def __init__(self, host: str, port: int, interval_s: float) -> None:
        super().__init__(name="web-poll", daemon=True)
        self.host, self.port, self.interval_s = host, port, interval_s
        self.requests = 0
        self.errors: list[str] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self._get(conn, "/")
            while not self._stop_event.wait(self.interval_s):
                self._get(conn, "/stats")
        finally:
            conn.close()

    def _get(self, conn: http.client.HTTPConnection, path: str) -> None:
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            self.requests += 1
            if response.status != 200:
                self.errors.append(f"GET {path}: {response.status}")
        except OSError as exc:
            self.errors.append(f"GET {path}: {exc}")

    def stop(self) -> None:
        self._stop_event.set()
        self.join(30)
