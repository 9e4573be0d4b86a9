"""The sans-IO Faktory Work Protocol (FWP) layer: bytes in, events out; replies in, bytes out.

No sockets, no asyncio, no Redis. Modules:

- :mod:`.replies`     RESP2 encoders for everything the server writes (P-03)
- :mod:`.auth`        the password challenge and hash check (P-10, P-14)
- :mod:`.hello`       parsing the client's ``HELLO {...}`` line (P-11, P-13)
- :mod:`.framing`     splitting the byte stream into lines, with a size limit (P-02)
- :mod:`.commands`    splitting a line into verb and arguments (P-04)
- :mod:`.state`       the connection state machine and its transition table
- :mod:`.connection`  :class:`FWPConnection`, tying the above together per connection
"""

from .auth import new_challenge, password_hash, verify_password
from .commands import Command, parse_command
from .connection import Closed, Event, FWPConnection, Identified, Request
from .framing import DEFAULT_MAX_LINE, LineBuffer, LineTooLong
from .hello import ClientHello, HelloError, parse_hello
from .replies import NULL, OK, bulk, error, integer, simple
from .state import ConnState, ProtocolStateError

__all__ = [
    "DEFAULT_MAX_LINE",
    "NULL",
    "OK",
    "ClientHello",
    "Closed",
    "Command",
    "ConnState",
    "Event",
    "FWPConnection",
    "HelloError",
    "Identified",
    "LineBuffer",
    "LineTooLong",
    "ProtocolStateError",
    "Request",
    "bulk",
    "error",
    "integer",
    "new_challenge",
    "parse_command",
    "parse_hello",
    "password_hash",
    "simple",
    "verify_password",
]
