"""Redis key names, compatible with Faktory 1.10 (`docs/storage.md` lists them all).

Nothing outside `storage/` spells a key: the rest of the program names queues and sets, and asks
this module for the key.
"""
from typing import Final

QUEUES: Final = "queues"  # SET of known queue names
PAUSED: Final = "paused"  # SET of paused queue names
SCHEDULED: Final = "scheduled"  # ZSET, score = `at`
RETRIES: Final = "retries"  # ZSET, score = failure.next_at
DEAD: Final = "dead"  # ZSET, score = death time + 180 days (the expiry)
WORKING: Final = "working"  # ZSET, score = reservation expiry, member = reservation JSON
PROCESSED: Final = "processed"
FAILURES: Final = "failures"
VERSION: Final = "v"  # data-format version; 1 once queues live under the `q:` prefix

SORTED_SETS: Final = (SCHEDULED, RETRIES, DEAD, WORKING)
QUEUE_PREFIX: Final = "q:"


def queue(name: str) -> str:
    """The list holding a queue's jobs (Faktory 1.10 prefixes them; 1.9 used the bare name)."""
    return QUEUE_PREFIX + name


def processed_on(date: str) -> str:
    return f"{PROCESSED}:{date}"


def failures_on(date: str) -> str:
    return f"{FAILURES}:{date}"


# -- Enterprise features (our own names: Faktory Enterprise's are not public) ------------------
# The Lua scripts that fire batch callbacks build `batch:<bid>` and `q:<queue>` themselves
# (lua/ent_lib.lua), since a callback's batch and queue are only known inside the script.
EXPIRED: Final = "expired"  # count of jobs dropped at FETCH because their expires_at had passed
NOT_UNIQUE: Final = "notunique"  # count of pushes refused by a unique lock
BATCHES: Final = "batches"  # ZSET of batch ids, score = creation time
BATCH_PREFIX: Final = "batch:"
UNIQUE_PREFIX: Final = "unique:"
TRACK_PREFIX: Final = "track:"


def unique_lock(digest: str) -> str:
    """A unique job's lock: a string holding the jid that took it, with the lock's TTL."""
    return UNIQUE_PREFIX + digest


def batch(bid: str) -> str:
    """A batch's HASH: counts, callback states, callback jobs (lua/ent_lib.lua)."""
    return BATCH_PREFIX + bid


def batch_failed(bid: str) -> str:
    """SET of the batch's jids whose latest run failed."""
    return f"{BATCH_PREFIX}{bid}:failed"


def batch_jobs(bid: str) -> str:
    """SET of every jid pushed into the batch."""
    return f"{BATCH_PREFIX}{bid}:jobs"


def track(jid: str) -> str:
    """A tracked job's HASH: state, percent, desc, updated_at."""
    return TRACK_PREFIX + jid
