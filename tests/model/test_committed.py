"""A ``committed`` project is data: online in its stated year whatever the plan, never a build decision, and
its capex is not charged to the budget."""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve
from optimiser.model.parameters import build_structure

from .conftest import make_data, mine, plant


def _committed_separator_instance():
    """One Nd mine (1,000 t ore, all Nd), 1,000 t/yr of separated-Nd demand in 2025-27 and a committed
    1,000 t/yr separator online in 2026 with US$100M of capex."""
    return make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="committed", online_year=2026, capex_musd=100.0),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2027),
    )


def test_committed_project_is_not_a_build_decision():
    structure = build_structure(_committed_separator_instance(), Scenario())
    assert structure.buildable_projects == []
    assert [structure.existing["sep", t] for t in (2025, 2026, 2027)] == [0.0, 1.0, 1.0]


def test_committed_project_runs_from_its_online_year_at_no_budget():
    """With a zero budget the committed separator still runs from 2026: separation dependence is 1, 0, 0 over
    2025-27, so the objective is 100·1/3; nothing is built and nothing of the budget is used."""
    result = solve(_committed_separator_instance(), Scenario(name="committed", budget_busd=0.0), baseline=False)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(100.0 / 3.0, abs=1e-6)
    assert result.builds.empty
    assert result.budget_used_musd == pytest.approx(0.0, abs=1e-9)
