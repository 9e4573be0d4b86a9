"""The connection state machine, in the style of h11's ``_state.py``.

Theory of operation
-------------------
A Faktory connection has exactly one conversation: the server speaks first (``+HI``), the client
identifies itself with one ``HELLO`` line, and from then on every line is a command answered in
order. Faktory keeps no other per-connection protocol state (P-05, P-96): roles are not
enforced, there is no "quiet" protocol state, and nothing but the handshake is sequenced.
So the machine has three states::

    AWAITING_HELLO --HELLO_ACCEPTED--> IDENTIFIED --LINE--> IDENTIFIED
          |                                 |
          +------- anything fatal ------->  CLOSED  <------- anything fatal

Inputs are the *classified* things that can happen, not raw bytes; the caller
(:class:`~faktory_desktop.protocol.connection.FWPConnection`) decides which input a line is:

- ``HELLO_ACCEPTED``  a well-formed HELLO with an acceptable password (P-11, P-14)
- ``HELLO_INVALID``   first line is not ``HELLO {`` + a valid ClientData JSON (P-11)
- ``BAD_PASSWORD``    HELLO parsed but the password check failed (P-14)
- ``LINE``            a complete line after identification: one command (P-02)
- ``LINE_TOO_LONG``   the peer sent a line over the size limit (a deliberate non-Faktory guard)
- ``PEER_EOF``        the peer closed its side
- ``SERVER_CLOSE``    the server closes (END, shutdown, reaping, connection cap)

Rules
-----
1. Only the transitions in :data:`TRANSITIONS` are legal; anything else is a bug in the caller
   and raises :class:`ProtocolStateError`. (Inputs are classified from the current state, so a
   peer can never trigger that error.)
2. ``CLOSED`` is terminal. Its only legal input is ``SERVER_CLOSE`` (closing twice is a no-op);
   the connection object drops data and EOF received after closing before classifying them.
3. A second ``HELLO`` after identification is not special: it is a ``LINE`` like any other and
   the server answers it as an unknown command (P-18). ``END`` is a ``LINE`` too; the server
   reacts to it by closing (``SERVER_CLOSE``).
4. Timing (the 2 s handshake deadline, P-12) is I/O policy and lives in the server, not here.
"""

from __future__ import annotations

from enum import Enum

from mypy_extensions import mypyc_attr

__all__ = ["TRANSITIONS", "ConnState", "ConnectionStateMachine", "Input", "ProtocolStateError"]


class ConnState(Enum):
    """Where a connection is in its (single) conversation."""

    AWAITING_HELLO = "AWAITING_HELLO"
    IDENTIFIED = "IDENTIFIED"
    CLOSED = "CLOSED"


class Input(Enum):
    """Classified inputs that drive :class:`ConnectionStateMachine`."""

    HELLO_ACCEPTED = "HELLO_ACCEPTED"
    HELLO_INVALID = "HELLO_INVALID"
    BAD_PASSWORD = "BAD_PASSWORD"
    LINE = "LINE"
    LINE_TOO_LONG = "LINE_TOO_LONG"
    PEER_EOF = "PEER_EOF"
    SERVER_CLOSE = "SERVER_CLOSE"


@mypyc_attr(native_class=False)
class ProtocolStateError(RuntimeError):
    """An input arrived that the current state does not allow (a bug in the caller)."""


_A, _I, _C = ConnState.AWAITING_HELLO, ConnState.IDENTIFIED, ConnState.CLOSED

#: state -> {input -> next state}. A missing entry is an illegal transition.
TRANSITIONS: dict[ConnState, dict[Input, ConnState]] = {
    _A: {
        Input.HELLO_ACCEPTED: _I,
        Input.HELLO_INVALID: _C,
        Input.BAD_PASSWORD: _C,
        Input.LINE_TOO_LONG: _C,
        Input.PEER_EOF: _C,
        Input.SERVER_CLOSE: _C,
    },
    _I: {
        Input.LINE: _I,
        Input.LINE_TOO_LONG: _C,
        Input.PEER_EOF: _C,
        Input.SERVER_CLOSE: _C,
    },
    _C: {
        Input.SERVER_CLOSE: _C,
    },
}


class ConnectionStateMachine:
    """Tracks one connection's :class:`ConnState` and enforces :data:`TRANSITIONS`."""

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state = ConnState.AWAITING_HELLO

    def process(self, event: Input) -> ConnState:
        """Apply ``event``; return the new state or raise :class:`ProtocolStateError`."""
        try:
            self.state = TRANSITIONS[self.state][event]
        except KeyError:
            raise ProtocolStateError(
                f"input {event.name} is not allowed in state {self.state.name}"
            ) from None
        return self.state
