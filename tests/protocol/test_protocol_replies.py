"""RESP2 reply encoders (P-03, T-16)."""

from faktory_desktop.protocol.replies import NULL, OK, bulk, error, integer, simple


def test_t16_reply_encodings() -> None:
    # T-16
    assert OK == b"+OK\r\n"
    assert integer(123) == b":123\r\n"
    assert NULL == b"$-1\r\n"
    assert bulk(b"{some:jobjson}") == b"$14\r\n{some:jobjson}\r\n"
    assert error("permission denied") == b"-ERR permission denied\r\n"


def test_simple_string() -> None:
    assert simple("OK") == OK
    assert simple('HI {"v":2}') == b'+HI {"v":2}\r\n'


def test_error_with_code_uses_code_instead_of_err() -> None:
    # P-08: known errors carry their own code
    assert error("job not unique", code="NOTUNIQUE") == b"-NOTUNIQUE job not unique\r\n"


def test_error_and_simple_stay_on_one_line() -> None:
    assert error("a\nb\r\nc\rd") == b"-ERR a b c d\r\n"
    assert simple("x\ny") == b"+x y\r\n"


def test_error_text_is_utf8() -> None:
    assert error("unknown command \u00e9") == "-ERR unknown command \u00e9\r\n".encode()


def test_bulk_is_binary_safe_and_counts_bytes() -> None:
    assert bulk(b"") == b"$0\r\n\r\n"
    assert bulk(b"a\r\nb") == b"$4\r\na\r\nb\r\n"
    payload = '{"k":"\u00e9"}'.encode()
    assert bulk(payload) == b"$%d\r\n" % len(payload) + payload + b"\r\n"


def test_integer_negative_and_zero() -> None:
    assert integer(0) == b":0\r\n"
    assert integer(-5) == b":-5\r\n"
