"""CSV cells that a spreadsheet would run as formulas are neutralised with a leading quote."""

from __future__ import annotations

import pytest

from events.export import neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Alice", "Alice"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (2027, "2027"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
