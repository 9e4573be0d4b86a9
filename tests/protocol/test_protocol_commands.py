"""Command line parsing (P-02, P-04, P-07, P-41)."""

import pytest

from faktory_desktop.protocol.commands import Command, parse_command


def test_verb_and_args_split_at_first_space() -> None:
    # P-07 example: `CMD foo`
    assert parse_command(b"CMD foo") == Command("CMD", b"foo")


def test_args_keep_further_spaces() -> None:
    assert parse_command(b"FETCH critical default  low") == Command(
        "FETCH", b"critical default  low"
    )
    assert parse_command(b'PUSH {"jid": "x"}').args == b'{"jid": "x"}'


def test_verb_is_case_sensitive() -> None:
    # P-04: `push` is not PUSH
    assert parse_command(b"push {}").verb == "push"


@pytest.mark.parametrize(("line", "has_args"), [(b"FETCH", False), (b"FETCH ", True)])
def test_missing_or_empty_args(line: bytes, has_args: bool) -> None:
    # P-41: both give empty args; only has_args tells "no queue list" from "one empty name"
    command = parse_command(line)
    assert command == Command("FETCH", b"", has_args)
    assert command.args == b"" and command.has_args is has_args


def test_args_imply_has_args() -> None:
    assert Command("CMD", b"foo").has_args is True
    assert parse_command(b"CMD foo") == Command("CMD", b"foo", True)
    assert parse_command(b"INFO") == Command("INFO", b"")


def test_empty_line_has_empty_verb() -> None:
    # P-07: an empty line is an unknown command with an empty name
    assert parse_command(b"") == Command("", b"")


def test_leading_space_gives_empty_verb() -> None:
    assert parse_command(b" INFO") == Command("", b"INFO")


def test_invalid_utf8_verb_is_replaced() -> None:
    assert parse_command(b"\xffX y").verb == "\ufffdX"


def test_command_is_frozen() -> None:
    cmd = parse_command(b"INFO")
    with pytest.raises(AttributeError):
        cmd.verb = "END"  # type: ignore[misc]
