"""The transition table itself (faktory_desktop.protocol.state)."""

import pytest

from faktory_desktop.protocol.state import (
    TRANSITIONS,
    ConnectionStateMachine,
    ConnState,
    Input,
    ProtocolStateError,
)

AWAIT, IDENT, CLOSED = ConnState.AWAITING_HELLO, ConnState.IDENTIFIED, ConnState.CLOSED

EXPECTED = {
    (AWAIT, Input.HELLO_ACCEPTED): IDENT,  # P-15
    (AWAIT, Input.HELLO_INVALID): CLOSED,  # P-11
    (AWAIT, Input.BAD_PASSWORD): CLOSED,  # P-14
    (AWAIT, Input.LINE_TOO_LONG): CLOSED,
    (AWAIT, Input.PEER_EOF): CLOSED,
    (AWAIT, Input.SERVER_CLOSE): CLOSED,  # e.g. the 2 s handshake deadline (P-12)
    (IDENT, Input.LINE): IDENT,  # P-02, P-18
    (IDENT, Input.LINE_TOO_LONG): CLOSED,
    (IDENT, Input.PEER_EOF): CLOSED,
    (IDENT, Input.SERVER_CLOSE): CLOSED,  # END (P-20), shutdown (P-17), cap (P-16)
    (CLOSED, Input.SERVER_CLOSE): CLOSED,
}


def test_table_is_exactly_the_documented_one() -> None:
    flat = {(s, i): t for s, row in TRANSITIONS.items() for i, t in row.items()}
    assert flat == EXPECTED


def _machine_in(state: ConnState) -> ConnectionStateMachine:
    m = ConnectionStateMachine()
    if state is IDENT:
        m.process(Input.HELLO_ACCEPTED)
    elif state is CLOSED:
        m.process(Input.SERVER_CLOSE)
    assert m.state is state
    return m


@pytest.mark.parametrize(("start", "event"), list(EXPECTED))
def test_every_legal_transition(start: ConnState, event: Input) -> None:
    m = _machine_in(start)
    assert m.process(event) is EXPECTED[start, event]
    assert m.state is EXPECTED[start, event]


ILLEGAL = [(s, i) for s in ConnState for i in Input if (s, i) not in EXPECTED]


@pytest.mark.parametrize(("start", "event"), ILLEGAL)
def test_every_illegal_transition_raises_and_keeps_state(start: ConnState, event: Input) -> None:
    m = _machine_in(start)
    with pytest.raises(ProtocolStateError):
        m.process(event)
    assert m.state is start


def test_initial_state() -> None:
    assert ConnectionStateMachine().state is AWAIT
