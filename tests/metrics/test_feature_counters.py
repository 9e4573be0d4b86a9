"""The entry points for Enterprise's counters (`jobs.expired`, `uniq.lock`, `uniq.denied`), and a
job path that pays nothing when no metrics are on."""

from __future__ import annotations

from collections.abc import Callable

from faktory_desktop.core.events import EXPIRED, UNIQUE_DENIED, UNIQUE_LOCK
from faktory_desktop.server.runtime import ServerThread
from tests.integration.client_support import core, on_loop
from tests.metrics.statsd_listener import StatsdListener
from tests.metrics.test_prometheus import scrape


def test_no_listener_is_registered_when_metrics_are_off(server: ServerThread) -> None:
    assert not core(server).manager.events


def test_feature_counters_reach_statsd_and_prometheus(
        make_server: Callable[..., ServerThread]) -> None:
    listener = StatsdListener()
    try:
        server = make_server(metrics_binding=("127.0.0.1", 0),
                             toml={"statsd": {"location": f"127.0.0.1:{listener.port}"}})
        events = core(server).manager.events
        job = {"jid": "j1", "queue": "mail", "jobtype": "Send"}
        for name in (EXPIRED, EXPIRED, UNIQUE_LOCK, UNIQUE_DENIED):
            on_loop(server, events.count, name, job)
        names = ("faktory.jobs.expired", "faktory.uniq.lock", "faktory.uniq.denied")
        listener.receive_until(lambda _: all(listener.named(n) for n in names))
    finally:
        listener.close()
    tags = ("queue:mail", "jobtype:Send")
    assert listener.total("faktory.jobs.expired", *tags) == 2
    assert [(m.kind, m.tags) for m in listener.named("faktory.uniq.lock")] == [("c", tags)]
    samples = scrape(server)
    labels = (("jobtype", "Send"), ("queue", "mail"))
    assert samples["faktory_jobs_expired_total", labels] == 2
    assert samples["faktory_uniq_lock_total", labels] == 1
    assert samples["faktory_uniq_denied_total", labels] == 1
