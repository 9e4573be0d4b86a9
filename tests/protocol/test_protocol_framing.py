"""Line framing with a size limit (P-02; the limit deliberately differs from P-04)."""

import time

import pytest

from faktory_desktop.protocol.framing import DEFAULT_MAX_LINE, LineBuffer, LineTooLong


def test_crlf_and_bare_lf_are_both_terminators() -> None:
    # P-02
    assert LineBuffer().feed(b"A\r\nB\nC\r\n") == [b"A", b"B", b"C"]


def test_only_one_cr_is_stripped() -> None:
    # Faktory trims a "\r\n" or "\n" suffix, nothing more
    assert LineBuffer().feed(b"A\r\r\nB\rC\n") == [b"A\r", b"B\rC"]


def test_empty_lines() -> None:
    assert LineBuffer().feed(b"\r\n\n") == [b"", b""]


def test_partial_line_waits_for_its_terminator() -> None:
    buf = LineBuffer()
    assert buf.feed(b"PUS") == []
    assert buf.pending == 3
    assert buf.feed(b"H {}") == []
    assert buf.feed(b"\r\nINFO") == [b"PUSH {}"]
    assert buf.feed(b"\r\n") == [b"INFO"]
    assert buf.pending == 0


def test_crlf_split_across_chunks() -> None:
    buf = LineBuffer()
    assert buf.feed(b"END\r") == []
    assert buf.feed(b"\n") == [b"END"]


def test_byte_at_a_time() -> None:
    buf = LineBuffer()
    out: list[bytes] = []
    for b in b"ACK {}\r\nFETCH a b\nEND\r\n":
        out += buf.feed(bytes([b]))
    assert out == [b"ACK {}", b"FETCH a b", b"END"]


def test_empty_feed() -> None:
    assert LineBuffer().feed(b"") == []


def test_limit_exactly_at_boundary_is_accepted() -> None:
    buf = LineBuffer(max_line=5)
    assert buf.feed(b"12345\r\n12345\n") == [b"12345", b"12345"]


def test_boundary_partial_with_pending_cr_is_accepted() -> None:
    # 5 bytes of content plus a "\r" that may be the first half of "\r\n"
    buf = LineBuffer(max_line=5)
    assert buf.feed(b"12345\r") == []
    assert buf.feed(b"\n") == [b"12345"]


def test_boundary_partial_cr_that_is_content_overflows() -> None:
    buf = LineBuffer(max_line=5)
    assert buf.feed(b"12345\r") == []
    with pytest.raises(LineTooLong):
        buf.feed(b"x")


def test_over_limit_complete_line_in_one_chunk() -> None:
    buf = LineBuffer(max_line=5)
    with pytest.raises(LineTooLong) as info:
        buf.feed(b"ok\r\n123456\r\nlater\r\n")
    assert info.value.lines == [b"ok"]
    assert info.value.max_line == 5
    assert str(info.value) == "line too long: the limit is 5 bytes"


def test_over_limit_partial_line_raises_before_terminator() -> None:
    buf = LineBuffer(max_line=5)
    with pytest.raises(LineTooLong) as info:
        buf.feed(b"a\n123456")
    assert info.value.lines == [b"a"]


def test_over_limit_across_chunks() -> None:
    buf = LineBuffer(max_line=10)
    assert buf.feed(b"one\r\n1234") == [b"one"]
    assert buf.feed(b"567") == []
    assert buf.feed(b"890") == []
    with pytest.raises(LineTooLong) as info:
        buf.feed(b"1")
    assert info.value.lines == []


def test_over_limit_line_is_sticky() -> None:
    buf = LineBuffer(max_line=2)
    with pytest.raises(LineTooLong):
        buf.feed(b"abc")
    with pytest.raises(LineTooLong) as info:
        buf.feed(b"\r\nok\r\n")
    assert info.value.lines == []


def test_zero_limit_allows_only_empty_lines() -> None:
    buf = LineBuffer(max_line=0)
    assert buf.feed(b"\r\n\n\r") == [b"", b""]
    with pytest.raises(LineTooLong):
        buf.feed(b"x")


def test_negative_limit_rejected() -> None:
    with pytest.raises(ValueError):
        LineBuffer(max_line=-1)


def test_default_limit_16_mib_in_64_kib_chunks() -> None:
    # The brief's worst case: a line of exactly the default limit, streamed in 64 KiB chunks.
    assert DEFAULT_MAX_LINE == 16 * 1024 * 1024
    buf = LineBuffer()
    chunk = b"x" * 65536
    for _ in range(DEFAULT_MAX_LINE // len(chunk)):
        assert buf.feed(chunk) == []
    [line] = buf.feed(b"\r\n")
    assert len(line) == DEFAULT_MAX_LINE
    with pytest.raises(LineTooLong):
        for _ in range(DEFAULT_MAX_LINE // len(chunk)):
            buf.feed(chunk)
        buf.feed(b"y")


def test_feeding_is_linear_not_quadratic() -> None:
    # 16 MiB in 1 KiB chunks takes ~30 ms; rescanning the whole buffer on every feed would
    # memchr ~128 GiB (several seconds).
    buf = LineBuffer()
    chunk = b"x" * 1024
    start = time.perf_counter()
    for _ in range(16 * 1024):
        buf.feed(chunk)
    [line] = buf.feed(b"\n")
    elapsed = time.perf_counter() - start
    assert len(line) == 16 * 1024 * 1024
    assert elapsed < 1.0, f"feeding took {elapsed:.2f}s"


def test_many_pipelined_lines_in_one_chunk() -> None:
    data = b"".join(b'ACK {"jid":"%d"}\r\n' % i for i in range(10000))
    lines = LineBuffer().feed(data)
    assert len(lines) == 10000
    assert lines[9999] == b'ACK {"jid":"9999"}'
