"""What each FWP verb does: parse its argument, call the core, encode the reply.

Each handler takes the client session and the raw argument bytes and returns the reply bytes, or
None to close the connection without a reply (END). Errors the client caused come back as `-ERR`
with Faktory's text; anything unexpected becomes `-ERR internal error` and a log line, and the
connection stays usable (P-06).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from mypy_extensions import mypyc_attr

from faktory_desktop.core import jsonc
from faktory_desktop.core.failure import FailureReport
from faktory_desktop.core.mutate import mutate as run_mutation
from faktory_desktop.core.mutate import parse_operation
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.core.workers import WorkerState
from faktory_desktop.protocol.replies import NULL, OK, bulk, error

if TYPE_CHECKING:
    from faktory_desktop.server.session import Session

Handler = Callable[["Session", bytes], Awaitable[bytes | None]]


@mypyc_attr(native_class=False)
class CommandError(Exception):
    """A client mistake, answered as `-ERR <message>`."""


def _json_object(args: bytes, what: str) -> dict[str, Any]:
    try:
        obj = jsonc.loads(args)
    except jsonc.JSONDecodeError as exc:
        try:  # bytes that are not UTF-8 (an error message, say) become U+FFFD, as in Faktory
            obj = jsonc.loads_replacing_invalid_utf8(args, exc)
        except jsonc.JSONDecodeError:
            obj = None
    if not isinstance(obj, dict):
        raise CommandError(f"invalid {what} {args.decode(errors='replace')}")
    return obj


async def push(session: Session, args: bytes) -> bytes:
    if not args:
        raise CommandError("PUSH needs a job: PUSH {\"jid\":...,\"jobtype\":...,\"args\":[...]}")
    await session.core.manager.push(args)
    return OK


async def pushb(session: Session, args: bytes) -> bytes:
    if not args:
        raise CommandError("PUSHB needs an array of jobs: PUSHB [{...},{...}]")
    errors = await session.core.manager.push_bulk(args)
    return bulk(jsonc.dumps(errors))


async def fetch(session: Session, args: bytes) -> bytes:
    worker = session.worker
    if worker is not None and worker.state is not WorkerState.RUNNING:
        await asyncio.sleep(2.0)  # a quiet worker gets nothing (P-42), checked first as Faktory
        return NULL
    # P-41: `FETCH` names no queue (an error); `FETCH ` names one empty queue (waits, then $-1)
    has_args = bool(args) or (session.command is not None and session.command.has_args)
    queues = args.decode(errors="replace").split(" ") if has_args else []
    if not queues:
        raise CommandError("must call fetch with at least one queue")
    job = await session.core.manager.fetch(queues, session.wid, session.wid_json)
    return NULL if job is None else bulk(job)


async def ack(session: Session, args: bytes) -> bytes:
    obj = _json_object(args, "ACK")
    if not (len(obj) == 1 and type(obj.get("jid")) is str) and (  # the usual {"jid":"..."}
        "jid" not in obj or not all(isinstance(v, str) for v in obj.values())
    ):
        raise CommandError(f"invalid ACK {args.decode(errors='replace')}")
    await session.core.manager.ack(obj["jid"])
    return OK


async def fail(session: Session, args: bytes) -> bytes:
    obj = _json_object(args, "FAIL")
    backtrace = obj.get("backtrace")
    if not all(isinstance(obj.get(k), str | None) for k in ("jid", "errtype", "message")) or (
        backtrace is not None
        and not (isinstance(backtrace, list) and all(isinstance(b, str) for b in backtrace))
    ):  # a type mismatch is a parse error in Faktory (P-55)
        raise CommandError(f"invalid FAIL {args.decode(errors='replace')}")
    jid = obj.get("jid")
    if not jid:
        raise CommandError("missing JID")
    report = FailureReport.cleansed(obj.get("errtype"), obj.get("message"), backtrace)
    await session.core.manager.fail(jid, report)
    return OK


async def beat(session: Session, args: bytes) -> bytes:
    obj = _json_object(args, "BEAT")
    state = obj.get("current_state")
    rss = obj.get("rss_kb") or 0
    wid = obj.get("wid") or ""
    known = (None, "", "running", "quiet", "terminate")  # an unknown state is refused on purpose
    if state not in known or not isinstance(wid, str) or not isinstance(rss, int):
        raise CommandError(f"invalid BEAT {args.decode(errors='replace')}")
    if state not in ("quiet", "terminate"):
        state = None  # "running" (or "") cannot move a worker back: no change, as in Faktory
    worker = session.core.workers.beat(wid, rss, state, now_ns())
    if worker.state is WorkerState.RUNNING:
        return OK
    return bulk(b'{"state":"' + worker.state.value.encode() + b'"}')


async def info(session: Session, args: bytes) -> bytes:
    return bulk(jsonc.dumps(await session.core.info()))


async def flush(session: Session, args: bytes) -> bytes:
    await session.core.manager.flush()
    session.log_flush()
    return OK


async def end(session: Session, args: bytes) -> None:
    return None


async def mutate(session: Session, args: bytes) -> bytes:
    if not args or b" " in args:
        raise CommandError("invalid format")  # MUTATE's JSON must contain no spaces (P-70)
    try:
        op = jsonc.loads(args)
    except jsonc.JSONDecodeError as exc:
        raise CommandError(str(exc)) from None
    await run_mutation(session.core.manager, parse_operation(op))
    return OK


async def queue(session: Session, args: bytes) -> bytes:
    words = args.decode(errors="replace").split()
    if not words:
        raise CommandError("QUEUE needs a subcommand: PAUSE, RESUME, REMOVE or LATENCY")
    sub, *names = words
    manager = session.core.manager
    sub = sub.upper()
    if sub == "LATENCY":
        if "*" in names:
            raise CommandError("QUEUE LATENCY does not support wildcards")
        return bulk(jsonc.dumps(await manager.latency(names)))
    action = {"PAUSE": manager.pause, "RESUME": manager.resume, "REMOVE": manager.remove_queues}
    if sub not in action:
        raise CommandError(f"no such QUEUE subcommand: {sub}")
    if not names:
        raise CommandError(f"QUEUE {sub} needs queue names, or * for all queues")
    await action[sub](names)
    return OK


def _subcommand(args: bytes, verb: str, usage: str) -> tuple[str, bytes]:
    """`SUB rest` of BATCH and TRACK: the subcommand (any case) and its argument."""
    sub, _, rest = args.partition(b" ")
    if not sub:
        raise CommandError(f"{verb} needs a subcommand: {usage}")
    return sub.decode(errors="replace").upper(), rest


def _json_argument(rest: bytes, what: str) -> Any:
    try:
        return jsonc.loads(rest)
    except jsonc.JSONDecodeError as exc:
        raise CommandError(f"invalid {what} JSON: {exc}") from None


async def batch(session: Session, args: bytes) -> bytes:
    sub, rest = _subcommand(args, "BATCH", "NEW, OPEN, COMMIT or STATUS")
    batches = session.core.batches
    if sub == "NEW":
        return bulk((await batches.new(_json_argument(rest, "BATCH NEW"))).encode())
    bid = rest.decode(errors="replace").strip()
    if sub not in ("OPEN", "COMMIT", "STATUS"):
        raise CommandError(f"no such BATCH subcommand: {sub}")
    if not bid:
        raise CommandError(f"BATCH {sub} needs a batch id")
    if sub == "OPEN":
        return bulk((await batches.open(bid)).encode())
    if sub == "COMMIT":
        await batches.commit(bid)
        return OK
    return bulk(jsonc.dumps(await batches.status(bid)))


async def track(session: Session, args: bytes) -> bytes:
    sub, rest = _subcommand(args, "TRACK", "SET or GET")
    tracking = session.core.tracking
    if sub == "SET":
        await tracking.set(_json_argument(rest, "TRACK SET"))
        return OK
    if sub == "GET":
        jid = rest.decode(errors="replace").strip()
        if not jid:
            raise CommandError("TRACK GET needs a jid")
        return bulk(jsonc.dumps(await tracking.get(jid)))
    raise CommandError(f"no such TRACK subcommand: {sub}")


HANDLERS: Final[dict[str, Handler]] = {
    "PUSH": push,
    "PUSHB": pushb,
    "FETCH": fetch,
    "ACK": ack,
    "FAIL": fail,
    "BEAT": beat,
    "INFO": info,
    "FLUSH": flush,
    "END": end,
    "MUTATE": mutate,
    "QUEUE": queue,
    "BATCH": batch,
    "TRACK": track,
}


def unknown_command(verb: str) -> bytes:
    return error(f"unknown command {verb}")
