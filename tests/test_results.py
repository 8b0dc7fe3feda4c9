"""The shared result-row functions: builds, dependence cells and aggregates, the budget check, timing helpers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimiser.model import build_model
from optimiser.model.parameters import (
    build_structure,
    construction_span,
    construction_years,
    effective_lead,
    mutable_values,
    online_year,
)
from optimiser.portfolios.portfolio import Portfolio
from optimiser.results import (
    BUDGET_ABSOLUTE_TOLERANCE_BUSD,
    BUDGET_RELATIVE_TOLERANCE,
    aggregate_dependence,
    budget_violations,
    build_rows,
    build_values,
    capex_musd,
    chosen_builds,
    dependence_cells,
    exceeds_budget,
    extract_builds,
)
from optimiser.scenario import Scenario
from optimiser.solve import solve_model

from .model.conftest import make_data, mine, plant


def _data():
    return make_data(
        elements={"Nd": (True, 1.0), "Ce": (False, 1.0)},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=2),
            plant("alt", "separation", 1000.0, "Nd", status="candidate", capex_musd=40.0, lead_time_years=1),
        ],
        grades={("mine", 0): {"Nd": 0.5, "Ce": 0.5}},
        demand={("Nd", "separation"): 1000.0, ("Ce", "separation"): 1000.0},
        years=(2025, 2030),
    )


@pytest.fixture
def structure():
    return build_structure(_data(), Scenario(budget_busd=1.0))


def test_online_year_adds_the_shifted_lead_and_never_goes_before_the_start(structure):
    project = structure.projects["sep"]
    assert online_year(project, 2025, 0) == 2027
    assert online_year(project, 2025, 3) == 2030
    assert online_year(project, 2025, -5) == 2025
    assert online_year(project, 2025, 1) == 2025 + effective_lead(project, Scenario(lead_time_shift_years=1))


def test_construction_span_is_the_last_build_years_before_output():
    assert construction_span(2025, 5) == [2027, 2028, 2029]
    assert construction_span(2025, 2) == [2025, 2026]
    assert construction_span(2025, 5, build_years=1) == [2029]
    assert construction_span(2025, 2, build_years=4) == [2025, 2026]
    assert construction_span(2025, 0) == [2025]
    assert construction_span(2025, -1) == [2025]


def test_construction_years_are_the_span_of_the_shifted_lead(structure):
    project = replace(structure.projects["sep"], build_years=1)
    assert construction_years(project, 2025, Scenario(lead_time_shift_years=2)) == [2028]
    assert construction_years(project, 2025, Scenario(lead_time_shift_years=-9)) == [2025]


def test_capex_musd_scales_share_and_multiplier(structure):
    assert capex_musd(0.5, structure.projects["sep"], 2.0) == pytest.approx(100.0)


def test_build_rows_drop_noise_round_shares_and_sort_by_start_then_project(structure):
    shares = {("sep", 2026): 0.1234567891, ("alt", 2026): 1.0, ("sep", 2025): 1e-9, ("alt", 2025): 0.5}
    assert chosen_builds(shares) == {("sep", 2026): 0.1234567891, ("alt", 2026): 1.0, ("alt", 2025): 0.5}
    rows = build_rows(structure, shares, capex_multiplier=2.0, lead_shift=1)
    assert [(row[0], row[3]) for row in rows] == [("alt", 2025), ("alt", 2026), ("sep", 2026)]
    project, stage, country, start, online, share, capex = rows[2]
    assert (project, stage, start, online, share) == ("sep", "separation", 2026, 2029, 0.123457)
    assert country == structure.projects["sep"].country
    assert capex == pytest.approx(0.123457 * 100.0 * 2.0)


def test_aggregate_dependence_appends_the_sum_of_all_and_of_restricted_elements():
    cells = np.arange(12, dtype=float).reshape(3, 2, 2)
    aggregated = aggregate_dependence(cells, np.array([True, False, True]))
    assert aggregated.shape == (5, 2, 2)
    np.testing.assert_array_equal(aggregated[3], cells.sum(0))
    np.testing.assert_array_equal(aggregated[4], cells[0] + cells[2])


def test_dependence_cells_are_defined_where_required_in_year_stage_element_order(structure):
    shape = (len(structure.elements), len(structure.stages), len(structure.years))
    requirement = np.zeros(shape)
    china = np.zeros(shape)
    shortfall = np.zeros(shape)
    nd, ce = structure.elements.index("Nd"), structure.elements.index("Ce")
    requirement[nd, 1, 0], china[nd, 1, 0], shortfall[nd, 1, 0] = 4.0, 1.0, 2.0
    requirement[ce, 1, 0], china[ce, 1, 0] = 4.0, 3.0
    requirement[ce, 0, 2] = 1.0
    cells = dependence_cells(structure, china, shortfall, requirement)
    n = len(structure.elements)
    restricted = n + 1
    expected_order = [(0, 1, min(nd, ce)), (0, 1, max(nd, ce)), (0, 1, n), (0, 1, restricted), (2, 0, ce), (2, 0, n)]
    assert list(zip(cells.year, cells.stage, cells.element)) == expected_order
    by_element = dict(zip(cells.element[:4], cells.dependence[:4]))
    assert by_element[nd] == 0.25 and by_element[ce] == 0.75
    assert by_element[n] == 0.5 and by_element[restricted] == 0.25
    assert dict(zip(cells.element[:4], cells.unmet[:4]))[n] == 0.25
    assert cells.china.shape == (len(structure.years), len(structure.stages), n + 2)


def test_budget_violations_have_one_tolerance():
    total = {("p", 2025): 1.0}
    draw = {("p", 2025, 2025): 1.0}
    limit = 2.0
    inside = limit * (1 + BUDGET_RELATIVE_TOLERANCE) + 0.5 * BUDGET_ABSOLUTE_TOLERANCE_BUSD
    outside = limit * (1 + BUDGET_RELATIVE_TOLERANCE) + 2 * BUDGET_ABSOLUTE_TOLERANCE_BUSD
    assert budget_violations({("p", 2025): inside}, total, draw, limit, 1.0, [2025]) == []
    problems = budget_violations({("p", 2025): outside}, total, draw, limit, 0.5, [2025])
    assert [p.split(":")[0] for p in problems] == ["budget exceeded", "yearly cap exceeded in 2025"]


def test_exceeds_budget_allows_the_relative_and_absolute_tolerance_and_no_more():
    limit = 15.5
    edge = limit * (1 + BUDGET_RELATIVE_TOLERANCE) + BUDGET_ABSOLUTE_TOLERANCE_BUSD
    assert not exceeds_budget(limit, limit)
    assert not exceeds_budget(edge, limit)
    assert exceeds_budget(edge + 1e-9, limit)
    assert exceeds_budget(2 * BUDGET_ABSOLUTE_TOLERANCE_BUSD, 0.0)


def test_a_portfolio_and_the_invariants_agree_on_what_fits():
    data = _data()
    scenario = Scenario(budget_busd=0.1, yearly_cap_fraction=1.0)
    structure = build_structure(data, scenario)
    total = mutable_values(data, scenario, structure)["capex_total"][("sep", 2025)]
    fits = scenario.budget_busd * (1 + BUDGET_RELATIVE_TOLERANCE) / total
    for share, expected in ((fits, []), (fits * 1.001, ["budget"])):
        portfolio = Portfolio(name="p", source="test", shares={("sep", 2025): share})
        found = portfolio.budget_violations(data, scenario, structure)
        assert [p.split(" ")[0] for p in found] == expected


def test_a_run_reads_its_builds_through_build_rows():
    data = _data()
    scenario = Scenario(budget_busd=1.0, lead_time_shift_years=1)
    model, structure = build_model(data, scenario)
    assert solve_model(model).optimal
    frame = extract_builds(model, structure, 1.0, 1)
    assert not frame.empty
    expected = build_rows(structure, build_values(model), 1.0, 1)
    assert [tuple(row) for row in frame.itertuples(index=False)] == expected
