"""The sans-IO Faktory connection: bytes in, events out.

:class:`FWPConnection` owns the line buffer and the state machine (:mod:`.state`) of one client
connection. The server drives it like this::

    conn = FWPConnection(password)
    write(conn.greeting())                      # +HI ... immediately on accept (P-10)
    for event in conn.receive_data(chunk):      # or conn.receive_eof()
        Identified -> run its own checks (connection cap, worker registry), write +OK
        Request    -> execute event.command, write the reply; on END call conn.close()
        Closed     -> write event.reply if not None, then close the transport

Events come in the order the peer's bytes imply; one ``receive_data`` call may return several
``Request`` events (pipelining) and at most one ``Closed``, always last. After ``Closed`` (or
:meth:`FWPConnection.close`) the connection is ``CLOSED`` and ignores further input.

Handshake outcomes (P-11, P-14): a first line that is not ``HELLO {`` plus valid ClientData JSON
closes silently (``Closed(reply=None)``); a wrong or missing password closes with
``-ERR Invalid password``. A line longer than ``max_line`` closes with an error in any state;
lines completed before it are still delivered first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from .auth import new_challenge, verify_password
from .commands import Command, parse_command
from .framing import DEFAULT_MAX_LINE, LineBuffer, LineTooLong
from .hello import ClientHello, HelloError, parse_hello
from .replies import error, simple
from .state import ConnectionStateMachine, ConnState, Input

__all__ = ["Closed", "ConnState", "Event", "FWPConnection", "Identified", "Request"]

INVALID_PASSWORD = "Invalid password"
_CLOSED, _IDENTIFIED = ConnState.CLOSED, ConnState.IDENTIFIED


@dataclass(frozen=True, slots=True)
class Identified:
    """HELLO accepted. The server writes ``+OK`` itself once its own checks pass."""

    hello: ClientHello


class Request(NamedTuple):
    """A command to execute; requests must be answered in the order they arrive.

    A named tuple (one per command on the hot path: cheaper to build than a frozen dataclass).
    """

    command: Command


@dataclass(frozen=True, slots=True)
class Closed:
    """The connection is over: write ``reply`` (if any), then close the transport."""

    reply: bytes | None
    reason: str


Event: TypeAlias = Identified | Request | Closed


class FWPConnection:
    """Protocol state for one client connection; performs no I/O."""

    __slots__ = ("_greeting", "_iterations", "_lines", "_machine", "_password", "_salt")

    def __init__(self, password: str | None, max_line: int = DEFAULT_MAX_LINE) -> None:
        self._password = password or None  # Faktory: an empty password means "no password"
        self._lines = LineBuffer(max_line)
        self._machine = ConnectionStateMachine()
        if self._password is None:
            self._iterations, self._salt = 0, ""
            self._greeting = simple('HI {"v":2}')
        else:
            self._iterations, self._salt = new_challenge()
            self._greeting = simple(f'HI {{"v":2,"i":{self._iterations},"s":"{self._salt}"}}')

    @property
    def state(self) -> ConnState:
        """The current :class:`ConnState`."""
        return self._machine.state

    def greeting(self) -> bytes:
        """The ``+HI`` line to send on accept (same bytes on every call for this connection)."""
        return self._greeting

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the peer; return the events they complete, in order."""
        state = self._machine.state
        if state is _CLOSED or not data:
            return []
        try:
            lines = self._lines.feed(data)
            too_long: LineTooLong | None = None
        except LineTooLong as exc:
            lines, too_long = exc.lines, exc
        if state is _IDENTIFIED and too_long is None:
            # The hot path: commands after the handshake. Input.LINE keeps IDENTIFIED as it is
            # (TRANSITIONS), so the machine is not stepped per line; tuple.__new__ builds each
            # Request without NamedTuple's Python-level __new__.
            new = tuple.__new__
            requests: list[Event] = [new(Request, (parse_command(line),)) for line in lines]
            return requests
        events: list[Event] = []
        done = 0
        while done < len(lines) and self._machine.state is ConnState.AWAITING_HELLO:
            event = self._handshake(lines[done])
            done += 1
            events.append(event)
            if isinstance(event, Closed):
                return events  # anything pipelined behind a rejected HELLO is dropped
        process = self._machine.process
        for line in lines[done:] if done else lines:
            process(Input.LINE)
            events.append(Request(parse_command(line)))
        if too_long is not None:
            self._machine.process(Input.LINE_TOO_LONG)
            self._release()
            reply = error(f"line too long: the limit is {too_long.max_line} bytes")
            events.append(Closed(reply, "line too long"))
        return events

    def receive_eof(self) -> list[Event]:
        """The peer closed its side. Any partial line is discarded, as Faktory does."""
        if self._machine.state is ConnState.CLOSED:
            return []
        before = self._machine.state
        self._machine.process(Input.PEER_EOF)
        self._release()
        if before is ConnState.AWAITING_HELLO:
            return [Closed(None, "peer closed the connection before HELLO")]
        return [Closed(None, "peer closed the connection")]

    def close(self) -> None:
        """Server-initiated close (END, shutdown, reaping, connection cap); idempotent."""
        self._machine.process(Input.SERVER_CLOSE)
        self._release()

    def _handshake(self, line: bytes) -> Identified | Closed:
        try:
            hello = parse_hello(line)
        except HelloError as exc:
            self._machine.process(Input.HELLO_INVALID)
            self._release()
            return Closed(None, f"invalid HELLO: {exc}")
        if self._password is not None and not verify_password(
            self._password, self._salt, self._iterations, hello.v, hello.pwdhash
        ):
            self._machine.process(Input.BAD_PASSWORD)
            self._release()
            return Closed(error(INVALID_PASSWORD), "invalid password")
        self._machine.process(Input.HELLO_ACCEPTED)
        return Identified(hello)

    def _release(self) -> None:
        """Drop buffered bytes once closed; nothing will read them."""
        self._lines = LineBuffer(self._lines.max_line)
