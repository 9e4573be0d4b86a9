"""docs/screenshots/web-*.png: every Web UI page, with realistic data, in headless Chromium.

Run with `make web-screenshots`. It starts a private server on free ports in a temp dir, fills
it through FWP (queues, jobs in progress, retries, dead, scheduled) plus a month of daily
history, and photographs each page, light and dark.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

import redis
from selenium.webdriver.support.ui import WebDriverWait

from faktory_desktop.config import Settings
from faktory_desktop.core.records import Kind
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage import keys as storage_keys
from faktory_desktop.storage.store import SortedSet
from tests.fwp import RawClient
from tests.integration.wire import ack, beat, core, raw_entries, run
from tests.web import browser
from tests.web.web_support import failed, keys, push, scheduled

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TYPES = [("SendWelcomeEmail", lambda n: [f"user-{n}@example.com", {"locale": "en"}]),
         ("ResizeImage", lambda n: [f"s3://uploads/{n:05d}.jpg", [640, 480]]),
         ("ChargeCard", lambda n: [{"customer": f"cus_{n:06d}", "amount": 1999}]),
         ("SyncInventory", lambda n: [n, "warehouse-eu"])]
ERRORS = [("Net::ReadTimeout", "Net::ReadTimeout with #<TCPSocket:(closed)>"),
          ("Stripe::CardError", "Your card was declined."),
          ("ActiveRecord::RecordNotFound", "Couldn't find User with 'id'=4411")]


def fill(server: ServerThread, client: RawClient) -> None:
    rng = random.Random(7)
    for n in range(34):  # first, while the queues are empty: failed() fetches its own job
        jobtype, args = TYPES[n % len(TYPES)]
        errtype, message = ERRORS[n % len(ERRORS)]
        failed(client, retry=-1 if n >= 26 else 25, queue="default", jobtype=jobtype,
               args=args(n), errtype=errtype, message=message)
    for n in range(60):
        jobtype, args = TYPES[n % len(TYPES)]
        queue = ("default", "critical", "mailers")[n % 3] if n < 48 else "low"
        push(client, queue, jobtype=jobtype, args=args(n))
    for n in range(180):  # today's processed and failed
        jid = push(client, "warmup", jobtype="Warmup", args=[n])
        client.call_json("FETCH warmup")
        ack(client, jid)
    for n in range(14):
        jobtype, args = TYPES[n % len(TYPES)]
        scheduled(client, seconds=600 + 900 * n, queue="critical", jobtype=jobtype, args=args(n))
    client.call("QUEUE PAUSE low")
    for member, score in raw_entries(server, SortedSet.RETRIES):  # due later than the shots
        run(server, core(server).store.add(SortedSet.RETRIES, score + rng.uniform(600, 7200),
                                           member))
    engine = redis.Redis.from_url(server.runtime.engine.address.redis_url)  # type: ignore[union-attr]
    today = date.today()
    for back in range(1, 181):
        day = (today - timedelta(days=back)).isoformat()
        processed = int(2000 + 900 * rng.random() + 600 * (back % 7 < 5))
        engine.set(storage_keys.processed_on(day), processed)
        engine.set(storage_keys.failures_on(day), int(processed * 0.03 * rng.random()))
    engine.close()


def workers(port: int) -> list[RawClient]:
    conns = []
    for n, labels in enumerate((["ruby", "web-1"], ["go", "billing"])):
        worker = RawClient("127.0.0.1", port)
        worker.hello(wid=f"4c2a9e{n}f7b", hostname=f"worker-{n + 1}.internal", pid=4100 + n,
                     labels=labels)
        for _ in range(2):
            worker.call("FETCH default critical")
        beat(worker, f"4c2a9e{n}f7b", rss_kb=184_000 + 90_000 * n)
        conns.append(worker)
    return conns


def keep_busy(port: int, stop: threading.Event) -> None:
    """Jobs flowing while the dashboard polls, so the live graph has something to draw."""
    with RawClient("127.0.0.1", port) as conn:
        conn.hello()
        n = 0
        while not stop.wait(0.05):
            push(conn, "webhooks", jobtype="DeliverWebhook", args=[f"https://hooks.example/{n}"])
            jid = conn.call_json("FETCH webhooks")["jid"]
            if n % 9 == 0:
                conn.call(f'FAIL {{"jid":"{jid}","errtype":"Timeout::Error",'
                          '"message":"execution expired"}')
            else:
                ack(conn, jid)
            n += 1


def shoot(driver: object, base: str, path: str, name: str, wait_for: str | None = None) -> None:
    driver.get(base + path)  # type: ignore[attr-defined]
    if wait_for:
        WebDriverWait(driver, 30).until(  # type: ignore[arg-type]
            lambda d: d.execute_script(wait_for))
    height = driver.execute_script(  # type: ignore[attr-defined]
        "return document.documentElement.scrollHeight")
    metrics = {"width": 1400, "height": min(height, 2400), "deviceScaleFactor": 1,
               "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)  # type: ignore[attr-defined]
    driver.save_screenshot(str(OUT / f"web-{name}.png"))  # type: ignore[attr-defined]
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # type: ignore[attr-defined]
    print(f"docs/screenshots/web-{name}.png")


def main() -> int:
    if (why := browser.missing()) is not None:
        print(f"cannot take screenshots: {why}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(port=0, data_dir=Path(tmp) / "db", config_dir=Path(tmp) / "cfg",
                            web_host="127.0.0.1", web_port=0)
        server = ServerThread(settings)
        server.start()
        stop = threading.Event()
        try:
            port = server.runtime.port
            base = f"http://127.0.0.1:{server.runtime.web.port}"  # type: ignore[union-attr]
            with RawClient("127.0.0.1", port) as client:
                client.hello()
                fill(server, client)
                busy = workers(port)
                flow = threading.Thread(target=keep_busy, args=(port, stop))
                flow.start()
                retry_key = sorted(keys(server, Kind.RETRIES).values())[0]
                dead_key = sorted(keys(server, Kind.DEAD).values())[0]
                for dark in (False, True):
                    driver = browser.chromium(dark=dark)
                    try:
                        take(driver, base, retry_key, dead_key, dark)
                    finally:
                        driver.quit()
                for worker in busy:
                    worker.close()
        finally:
            stop.set()
            server.stop()
    return 0


def take(driver: object, base: str, retry_key: str, dead_key: str, dark: bool) -> None:
    suffix = "-dark" if dark else ""
    driver.get(base + "/")  # type: ignore[attr-defined]
    driver.execute_script("localStorage.setItem('timeInterval', '2000')")  # type: ignore[attr-defined]
    shoot(driver, base, "/", f"dashboard{suffix}",
          "return document.getElementById('live-points').textContent.startsWith('6 ')")
    if dark:
        shoot(driver, base, "/retries", "retries-dark")
        shoot(driver, base, f"/retries/{retry_key}", "retry-detail-dark")
        return
    shoot(driver, base, "/busy", "busy")
    shoot(driver, base, "/queues", "queues")
    shoot(driver, base, "/queues/default", "queue")
    shoot(driver, base, "/retries", "retries")
    shoot(driver, base, "/retries?text=declined", "retries-filtered")
    shoot(driver, base, f"/retries/{retry_key}", "retry-detail")
    shoot(driver, base, "/scheduled", "scheduled")
    shoot(driver, base, "/morgue", "dead")
    shoot(driver, base, f"/morgue/{dead_key}", "dead-detail")
    shoot(driver, base, "/debug", "debug")


if __name__ == "__main__":
    sys.exit(main())
