"""The Web UI's Batches, Cron and Throttles pages: real batches, cron entries and throttles,
rendered after Faktory's tabs, with everything from a job escaped."""

from __future__ import annotations

from faktory_desktop.core.features import parse_features
from tests.enterprise.ent import batch_new, callback, custom_job
from tests.web.web_support import Http

CRON = {"schedule": "*/5 * * * *",
        "job": {"type": "PartnerReport", "queue": "reports", "custom": {"unique_for": 65}}}


def test_the_three_pages_show_real_batches_cron_entries_and_throttles(make_server, dial):
    features = parse_features({"cron": [CRON], "throttles": {"api": {"concurrency": 4,
                                                                     "timeout": 60}}},
                              ["cron.toml"])
    server = make_server(web_host="127.0.0.1", web_port=0, features=features)
    client = dial(server)
    bid = batch_new(client, description="<script>alert(1)</script>", success=callback("Done"))
    client.push(custom_job({"bid": bid}))
    http = Http(server.runtime.web.port)

    batches = http.get("/batches").body
    assert bid in batches and "success (Done): not fired" in batches
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in batches and "<script>alert" not in batches
    assert '<a href="/morgue">Dead</a>' in batches and ">Batches</a>" in batches

    cron = http.get("/cron").body
    assert "*/5 * * * *" in cron and "PartnerReport" in cron and "Every 5 minutes" in cron

    throttles = http.get("/throttles").body
    assert "4 concurrent" in throttles and ">api<" in throttles


def test_empty_pages_say_what_the_feature_is(web_server, http):
    assert "A batch groups jobs" in http.get("/batches").body
    assert "[[cron]]" in http.get("/cron").body
    assert "[throttles]" in http.get("/throttles").body
