"""On the default data: the budget dual's one-sided slopes equal finite differences from independent solves,
and under ``restricted`` the cells it does not weigh are supplied where the plan allows (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.model import build_model
from optimiser.solve import make_solver, solve_model

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
pytestmark = pytest.mark.slow

STEP = 1e-4
"""A step ten times smaller than the slopes' own (0.001 $B), so the check does not repeat their arithmetic: on
the frontier's linear piece the slope is the same (a step of 0.01 $B crosses a kink just above $13B, where
the slope to the right rises from 0.777 to 0.780)."""


@pytest.fixture(scope="module")
def data():
    return load_inputs(INPUTS)


@pytest.fixture(scope="module")
def base():
    return Scenario.from_toml(INPUTS / "scenarios" / "base.toml")


@pytest.mark.parametrize("budget", [0.0, 13.0, 18.0])
def test_the_slopes_equal_finite_differences(data, base, budget):
    scenario = base.with_overrides(budget_busd=budget)
    result = solve(data, scenario, baseline=False)
    summary = result.summary
    model, _ = build_model(data, scenario)
    solver = make_solver()

    def optimum(value: float) -> float:
        model.budget.set_value(value)
        outcome = solve_model(model, solver=solver, tie_break=False, budget_dual=False)
        assert outcome.optimal
        return outcome.objective

    at = optimum(budget)
    assert at == pytest.approx(result.objective, abs=1e-6)
    right = (at - optimum(budget + STEP)) / STEP
    assert summary["budget_dual_right"] == pytest.approx(right, rel=1e-3, abs=1e-3)
    if budget > 0:
        left = (optimum(budget - STEP) - at) / STEP
        assert summary["budget_dual_left"] == pytest.approx(left, rel=1e-3, abs=1e-3)
    expected = summary["budget_dual_lp"] if summary["budget_dual_method"] == "lp_dual" else summary["budget_dual_right"]
    assert result.budget_dual == expected
    if budget == 0.0:
        assert summary["budget_dual_method"] == "right_slope"  # the LP dual (171.7) is not what $1 more buys


def test_under_restricted_2025_la_metal_is_not_left_wholly_unmet(data, base):
    result = solve(data, base.with_overrides(objective="restricted"), baseline=False)
    dependence = result.dependence
    la_metal = dependence[
        (dependence["element"] == "La") & (dependence["stage"] == "metal") & (dependence["year"] == 2025)
    ]
    assert float(la_metal["unmet"].iloc[0]) < 1.0 - 1e-6
    assert result.summary["secondary_objective"] is not None
