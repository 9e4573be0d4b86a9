"""Redis key names, compatible with Faktory 1.10 (`docs/storage.md` lists them all).

Nothing outside `storage/` spells a key: the rest of the program names queues and sets, and asks
this module for the key.
"""

QUEUES = "queues"  # SET of known queue names
PAUSED = "paused"  # SET of paused queue names
SCHEDULED = "scheduled"  # ZSET, score = `at`
RETRIES = "retries"  # ZSET, score = failure.next_at
DEAD = "dead"  # ZSET, score = death time + 180 days (the expiry)
WORKING = "working"  # ZSET, score = reservation expiry, member = reservation JSON
PROCESSED = "processed"
FAILURES = "failures"
VERSION = "v"  # data-format version; 1 once queues live under the `q:` prefix

SORTED_SETS = (SCHEDULED, RETRIES, DEAD, WORKING)
QUEUE_PREFIX = "q:"


def queue(name: str) -> str:
    """The list holding a queue's jobs (Faktory 1.10 prefixes them; 1.9 used the bare name)."""
    return QUEUE_PREFIX + name


def processed_on(date: str) -> str:
    return f"{PROCESSED}:{date}"


def failures_on(date: str) -> str:
    return f"{FAILURES}:{date}"
