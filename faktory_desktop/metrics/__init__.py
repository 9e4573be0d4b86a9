"""Metrics: statsd / DogStatsD (Faktory Enterprise's names) and a Prometheus /metrics endpoint.

They observe the core through `core.events` and read INFO; nothing in the layers below knows
about them.
"""
