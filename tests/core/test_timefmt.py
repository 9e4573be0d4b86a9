"""RFC3339Nano formatting and parsing as Faktory's Go does it (J-01)."""

import pytest

from faktory_desktop.core.timefmt import NS, format_ns, parse_ns


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-07-01T10:00:00Z", "2026-07-01T10:00:00Z"),
    ("2026-07-01T10:00:00.120000000Z", "2026-07-01T10:00:00.12Z"),
    ("2026-07-01T12:00:00.000000001+02:00", "2026-07-01T10:00:00.000000001Z"),
    ("2026-07-01t09:30:00-00:30", "2026-07-01T10:00:00Z"),
])
def test_round_trip_in_utc_with_trimmed_fraction(text, expected):
    assert format_ns(parse_ns(text)) == expected


@pytest.mark.parametrize("text", ["2026-07-01", "2026-07-01T10:00:00", "2026-13-01T00:00:00Z",
                                  "yesterday", "2026-02-30T00:00:00Z"])
def test_rejects_what_is_not_rfc3339(text):
    with pytest.raises(ValueError):
        parse_ns(text)


def test_epoch():
    assert parse_ns("1970-01-01T00:00:01Z") == NS
