"""HELLO parsing (P-11, P-13)."""

import pytest

from faktory_desktop.protocol.hello import ClientHello, HelloError, parse_hello


def test_full_hello_like_the_go_client() -> None:
    # P-13 / 1.8: the Go client's HELLO
    line = (
        b'HELLO {"hostname":"box","wid":"4e4d","username":"me","pwdhash":"abc",'
        b'"labels":["golang"],"pid":1234,"v":2}'
    )
    assert parse_hello(line) == ClientHello(
        v=2,
        pwdhash="abc",
        wid="4e4d",
        hostname="box",
        pid=1234,
        labels=("golang",),
        rss_kb=0,
        username="me",
    )


def test_pyfaktory_style_spaces_and_rss() -> None:
    line = (
        b'HELLO {"hostname": "h", "wid": "w", "pid": 7, "labels": ["python"], "v": 2, '
        b'"rss_kb": 20480}'
    )
    hello = parse_hello(line)
    assert (hello.wid, hello.pid, hello.labels, hello.rss_kb) == ("w", 7, ("python",), 20480)


def test_empty_object_gives_defaults() -> None:
    # P-13: missing v = 0, no pwdhash
    assert parse_hello(b"HELLO {}") == ClientHello()
    assert parse_hello(b"HELLO {}").pwdhash is None


def test_unknown_keys_ignored() -> None:
    # P-13
    assert parse_hello(b'HELLO {"priority":5,"wid":"w","extra":{"a":[1]}}').wid == "w"


@pytest.mark.parametrize("key", ["WID", "Wid", "wId"])
def test_keys_match_case_insensitively(key: str) -> None:
    # P-13: Go-style case-insensitive key matching
    assert parse_hello(b'HELLO {"%s":"w1"}' % key.encode()).wid == "w1"


def test_case_insensitive_matching_covers_every_field() -> None:
    line = (
        b'HELLO {"V":2,"PWDHASH":"h","HOSTNAME":"x","PID":3,"LABELS":["a"],'
        b'"RSS_KB":9,"USERNAME":"u"}'
    )
    assert parse_hello(line) == ClientHello(
        v=2, pwdhash="h", hostname="x", pid=3, labels=("a",), rss_kb=9, username="u"
    )


def test_unicode_simple_folds_match_like_go() -> None:
    # Go's EqualFold: U+017F (long s) folds to s, U+212A (Kelvin sign) to k
    assert parse_hello('HELLO {"ho\u017ftname":"x"}'.encode()).hostname == "x"
    assert parse_hello('HELLO {"rss_\u212ab":5}'.encode()).rss_kb == 5
    # but full case folding (a ligature standing for "st") does not
    assert parse_hello('HELLO {"ho\ufb06name":"x"}'.encode()).hostname == ""


def test_later_duplicate_key_wins() -> None:
    assert parse_hello(b'HELLO {"wid":"a","WID":"b"}').wid == "b"
    assert parse_hello(b'HELLO {"WID":"b","wid":"a"}').wid == "a"


def test_null_values_keep_defaults() -> None:
    line = (
        b'HELLO {"v":null,"pwdhash":null,"wid":null,"hostname":null,"pid":null,'
        b'"labels":null,"rss_kb":null,"username":null}'
    )
    assert parse_hello(line) == ClientHello()


def test_null_after_a_value_keeps_the_value_except_labels() -> None:
    # Go: null into a string/int is a no-op, null into a slice sets it to nil
    assert parse_hello(b'HELLO {"wid":"a","WID":null}').wid == "a"
    assert parse_hello(b'HELLO {"labels":["x"],"LABELS":null}').labels == ()


def test_null_label_element_becomes_empty_string() -> None:
    assert parse_hello(b'HELLO {"labels":["a",null]}').labels == ("a", "")


def test_v_bounds() -> None:
    # P-13: v is 0..255 (Go uint8)
    assert parse_hello(b'HELLO {"v":0}').v == 0
    assert parse_hello(b'HELLO {"v":255}').v == 255


def test_int64_bounds() -> None:
    assert parse_hello(b'HELLO {"pid":9223372036854775807}').pid == 2**63 - 1
    assert parse_hello(b'HELLO {"rss_kb":-9223372036854775808}').rss_kb == -(2**63)


def test_invalid_utf8_in_strings_is_replaced() -> None:
    assert parse_hello(b'HELLO {"hostname":"a\xffb"}').hostname == "a\ufffdb"


def test_surrounding_whitespace_allowed() -> None:
    assert parse_hello(b'HELLO {"wid":"w"}  \t\r').wid == "w"


@pytest.mark.parametrize(
    "line",
    [
        # P-11: wrong prefix
        b"",
        b"HELLO",
        b"HELLO ",
        b"HELLO{}",
        b"HELLO  {}",
        b"hello {}",
        b" HELLO {}",
        b'HI {"v":2}',
        b"PUSH {}",
    ],
)
def test_wrong_prefix_rejected(line: bytes) -> None:
    with pytest.raises(HelloError):
        parse_hello(line)


@pytest.mark.parametrize(
    "line",
    [
        # P-11: invalid JSON
        b"HELLO {",
        b'HELLO {"wid":}',
        b'HELLO {"wid":"w"} x',
        b'HELLO {"wid":"w"}{}',
        b"HELLO {'wid':'w'}",
        b'HELLO {"wid":"w",}',
        b'HELLO {"pid":NaN}',
    ],
)
def test_invalid_json_rejected(line: bytes) -> None:
    with pytest.raises(HelloError):
        parse_hello(line)


@pytest.mark.parametrize(
    "payload",
    [
        # P-11 / P-13: JSON type mismatches
        b'{"pid":"x"}',
        b'{"pid":"1"}',
        b'{"pid":1.0}',
        b'{"pid":1e3}',
        b'{"pid":true}',
        b'{"pid":[1]}',
        b'{"pid":9223372036854775808}',
        b'{"pid":-9223372036854775809}',
        b'{"v":"2"}',
        b'{"v":2.0}',
        b'{"v":-1}',
        b'{"v":256}',
        b'{"v":false}',
        b'{"rss_kb":"5"}',
        b'{"rss_kb":1.5}',
        b'{"wid":5}',
        b'{"wid":true}',
        b'{"wid":["w"]}',
        b'{"hostname":{}}',
        b'{"pwdhash":1}',
        b'{"username":false}',
        b'{"labels":"golang"}',
        b'{"labels":{"a":"b"}}',
        b'{"labels":[1]}',
        b'{"labels":["a",["b"]]}',
        b'{"labels":[true]}',
        b'{"WID":5}',
    ],
)
def test_type_mismatch_rejected(payload: bytes) -> None:
    with pytest.raises(HelloError):
        parse_hello(b"HELLO " + payload)


def test_hello_error_is_value_error() -> None:
    assert issubclass(HelloError, ValueError)
