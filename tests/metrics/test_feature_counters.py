"""Enterprise's counters (`jobs.expired`, `uniq.lock`, `uniq.denied`) from real unique and
expiring jobs over FWP, and a job path that pays nothing when no metrics are on."""

from __future__ import annotations

from collections.abc import Callable

from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient, job
from tests.integration.client_support import core
from tests.metrics.statsd_listener import StatsdListener
from tests.metrics.test_prometheus import scrape


def test_no_listener_is_registered_when_metrics_are_off(server: ServerThread) -> None:
    assert not core(server).manager.events


def test_feature_counters_reach_statsd_and_prometheus(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient]) -> None:
    listener = StatsdListener()
    try:
        server = make_server(metrics_binding=("127.0.0.1", 0),
                             toml={"statsd": {"location": f"127.0.0.1:{listener.port}"}})
        client = dial(server)
        unique = {"unique_for": 60}
        assert client.push(job("jid-unique-1", "Send", queue="mail", custom=unique)) == b"+OK\r\n"
        assert client.push(job("jid-unique-2", "Send", queue="mail", custom=unique)).startswith(
            b"-NOTUNIQUE")
        for n in (1, 2):
            old = {"expires_at": "2001-01-01T00:00:00Z"}
            client.push(job(f"jid-expired-{n}", "Send", queue="mail", args=[n], custom=old))
        client.call("FETCH mail")  # the unique job; then the two expired ones are dropped
        assert client.call("FETCH mail") == b"$-1\r\n"
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
