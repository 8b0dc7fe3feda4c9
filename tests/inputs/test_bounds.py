"""Every number in the input tables has an upper bound, so a stray exponent or a mistyped year is named with its
file, line and column instead of overflowing a typed column, enumerating millions of years or reaching the
solver as an infinity (issue 9)."""

from __future__ import annotations

import pytest

from optimiser.inputs.schema import LAST_POSSIBLE_YEAR, TABLES


@pytest.mark.parametrize(
    "table, column",
    [
        (table.name, column.name)
        for table in TABLES.values()
        for column in table.columns
        if column.kind in ("int", "float") and (table.name, column.name) != ("parameters", "value")
    ],
)
def test_every_numeric_column_has_a_maximum(table, column):
    spec = TABLES[table].column(column)
    assert spec.maximum is not None


def test_each_parameter_is_bounded_by_name(tiny):
    """``parameters.csv`` holds years and shares in one column, so each is bounded by its name."""
    tiny.set_cell("parameters.csv", 4, "value", "1e300")
    (issue,) = tiny.assert_only(("parameters.csv", 4, "value"))
    assert "china_mined_share must be within 0-1" in issue.message


def test_a_huge_whole_number_is_named_not_overflowed(tiny):
    tiny.set_cell("stages.csv", 5, "order", "100000000000000000000")
    (issue,) = tiny.assert_only(("stages.csv", 5, "order"))
    assert "above the maximum" in issue.message


def test_a_far_future_last_year_is_named_before_the_completeness_checks(tiny):
    tiny.set_cell("parameters.csv", 3, "value", str(LAST_POSSIBLE_YEAR + 1))
    (issue,) = tiny.assert_only(("parameters.csv", 3, "value"))
    assert f"last_year {LAST_POSSIBLE_YEAR + 1} is outside" in issue.message


def test_an_unclosed_quote_is_named_on_the_line_it_opens(tiny):
    rows = tiny.rows("countries.csv")
    path = tiny.file("countries.csv")
    lines = [",".join(row) for row in rows]
    lines[2] = lines[2].replace("false,ASSUMPTION", 'false,"ASSUMPTION')
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    (issue,) = tiny.assert_only(("countries.csv", 3, None))
    assert "never closed" in issue.message
