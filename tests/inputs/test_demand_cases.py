"""Named demand cases (issue 12): an optional ``case`` column in demand.csv and magnet_demand.csv, one complete
demand path per case, the first case the default; a scenario picks one with ``demand_case``."""

from __future__ import annotations

import pytest

from optimiser import Scenario
from optimiser.errors import InputError
from optimiser.inputs import load_inputs



def _with_cases(tiny, cases: tuple[str, ...] = ("low", "high"), factor: float = 2.0) -> None:
    """Both demand tables as ``cases``: the first case the fixture's figures, each next one ``factor`` times
    the one before."""
    for filename in ("demand.csv", "magnet_demand.csv"):
        rows = tiny.rows(filename)
        header, body = rows[0], rows[1:]
        demand_at = header.index("demand_t")
        out = [["case", *header]]
        for index, case in enumerate(cases):
            for row in body:
                values = list(row)
                values[demand_at] = f"{float(values[demand_at]) * factor**index:g}"
                out.append([case, *values])
        tiny.write(filename, out)


def test_a_file_without_a_case_column_is_one_default_case(tiny):
    data = load_inputs(tiny.directory)
    assert data.demand_cases == ["default"]
    assert data.default_demand_case == "default"
    assert set(data.magnet_demand["case"]) == {"default"}


def test_cases_are_listed_in_file_order_and_the_first_is_the_default(tiny):
    rows_per_case = len(tiny.rows("demand.csv")) - 1
    _with_cases(tiny, ("low", "high"))
    data = load_inputs(tiny.directory)
    assert data.demand_cases == ["low", "high"]
    assert data.default_demand_case == "low"
    assert len(data.demand) == 2 * rows_per_case


def test_a_magnet_case_demand_csv_does_not_have_is_named(tiny):
    _with_cases(tiny, ("low", "high"))
    tiny.set_cell("magnet_demand.csv", 2, "case", "hihg")
    issues = tiny.issues()
    messages = [str(issue) for issue in issues]
    assert any("unknown case 'hihg' (not in demand.csv's cases)" in m and "line 2" in m for m in messages), messages


def test_a_case_missing_a_year_is_named_with_its_case(tiny):
    _with_cases(tiny, ("low", "high"))
    rows = tiny.rows("demand.csv")
    last_high = max(i for i, row in enumerate(rows) if row[0] == "high")
    tiny.drop_line("demand.csv", last_high + 1)
    (issue,) = tiny.assert_only(("demand.csv", None, None))
    assert "(case, element, stage, year)" in str(issue) and "(high," in str(issue)


def test_an_empty_case_cell_is_refused_with_its_line(tiny):
    _with_cases(tiny, ("low", "high"))
    tiny.set_cell("demand.csv", 3, "case", "")
    issues = tiny.issues()
    assert (issues[0].line, issues[0].column) == (3, "case")


def test_the_scenario_names_a_case_the_data_has(tiny):
    _with_cases(tiny, ("low", "high"))
    data = load_inputs(tiny.directory)
    Scenario(demand_case="high").check_against(data)
    with pytest.raises(InputError) as raised:
        Scenario(demand_case="hgh").check_against(data)
    (issue,) = raised.value.issues
    assert issue.column == "demand_case"
    assert "unknown demand case 'hgh' (demand.csv has: low, high)" in str(issue) and "high" in str(issue)


def test_the_scenario_reads_its_cases_demand(tiny):
    """Each case's magnet demand reaches the model: 'high' is exactly twice 'low' in every year, and a
    scenario without demand_case runs the first case."""
    from optimiser.model.parameters import build_structure, demand_tables

    _with_cases(tiny, ("low", "high"))
    data = load_inputs(tiny.directory)
    structure = build_structure(data, Scenario())
    _, default = demand_tables(data, Scenario(), structure)
    _, low = demand_tables(data, Scenario(demand_case="low"), structure)
    _, high = demand_tables(data, Scenario(demand_case="high"), structure)
    assert default == low
    assert low and all(high[key] == pytest.approx(2 * low[key]) for key in low)
