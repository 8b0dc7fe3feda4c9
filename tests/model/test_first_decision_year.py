"""``first_decision_year``: builds start from that year; the years before it are history, run by the
projects that are data (operating, construction, committed) only."""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve
from optimiser.errors import InputError
from optimiser.model.parameters import build_structure

from .conftest import make_data, mine, plant


def _instance():
    """One Nd mine (1,000 t ore, all Nd), 1,000 t/yr of separated-Nd demand over 2025-28, one candidate
    separator (1,000 t/yr, lead 1 year, US$100M) that may start from 2025."""
    return make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=1,
                  earliest_start=2025),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2028),
    )


def test_start_years_begin_at_the_first_decision_year():
    structure = build_structure(_instance(), Scenario(first_decision_year=2027))
    assert structure.start_years["sep"] == [2027, 2028]
    assert structure.history_years == [2025, 2026]


def test_absent_first_decision_year_is_the_horizon_start():
    structure = build_structure(_instance(), Scenario())
    assert structure.start_years["sep"] == [2025, 2026, 2027, 2028]
    assert structure.first_decision_year == 2025 and structure.history_years == []


def test_a_first_decision_year_before_the_horizon_means_no_history():
    structure = build_structure(_instance(), Scenario(horizon_start=2026, first_decision_year=2025))
    assert structure.start_years["sep"] == [2026, 2027, 2028] and structure.history_years == []


def test_history_years_are_dependent_whatever_the_budget():
    """Without it: start 2025, online 2026, dependence 1, 0, 0, 0 → objective 100·1/4 = 25. From 2027: start
    2027, online 2028, dependence 1, 1, 1, 0 → 100·3/4 = 75, the builds start in 2027."""
    data = _instance()
    free = solve(data, Scenario(name="free", budget_busd=1.0), baseline=False)
    assert free.objective == pytest.approx(25.0, abs=1e-6)
    assert free.builds.iloc[0][["start_year", "online_year"]].tolist() == [2025, 2026]
    late = solve(data, Scenario(name="late", budget_busd=1.0, first_decision_year=2027), baseline=False)
    assert late.objective == pytest.approx(75.0, abs=1e-6)
    assert late.builds.iloc[0][["start_year", "online_year"]].tolist() == [2027, 2028]


def test_a_first_decision_year_after_the_horizon_is_named():
    with pytest.raises(InputError) as raised:
        Scenario(first_decision_year=2030).check_against(_instance())
    (issue,) = raised.value.issues
    assert issue.column == "first_decision_year" and "after the horizon's last year 2028" in issue.message


def test_first_decision_year_is_bounded():
    with pytest.raises(InputError) as raised:
        Scenario(first_decision_year=20270)
    assert raised.value.issues[0].column == "first_decision_year"
