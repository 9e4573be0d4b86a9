"""Faktory Desktop's load generator: `make bench` (or `python -m bench`).

It starts a fresh server, drives it over raw FWP (no client library) with producer, consumer and
idle "blocked" connections from separate processes, and reports jobs/s, CPU microseconds per job
for the server and for its storage engine, push-to-fetch latency, and the same run's
`redis-benchmark` LPUSH/RPOP ceiling as a reference ratio. See docs/benchmarks.md.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
