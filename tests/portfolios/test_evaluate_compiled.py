"""The Evaluator on the compiled arrays equals the reference path through Pyomo (issue 14).

The reference: a fresh model, ``fix_portfolio``, one primary solve through Pyomo's HiGHS interface. The
compiled Evaluator fixes the build columns of one compiled LP per scenario and re-solves warm; its
objective, its result tables and ``optimise`` (the scenario's own optimum on the same model) must agree
with the plain paths, in any order of calls.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.model import build_model, build_structure
from optimiser.portfolios.evaluate import Evaluator, fix_portfolio
from optimiser.portfolios.portfolio import Portfolio
from optimiser.solve import solve_model

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _reference_objective(data, scenario, portfolio) -> float:
    model, _ = build_model(data, scenario, build_structure(data, scenario))
    fix_portfolio(model, portfolio)
    outcome = solve_model(model, tie_break=False, budget_dual=False)
    assert outcome.optimal
    return outcome.objective


def _portfolio_of(result, name: str) -> Portfolio:
    shares = {(row.project, int(row.start_year)): float(row.share) for row in result.builds.itertuples(index=False)}
    return Portfolio(name=name, source=name, shares=shares)


@pytest.fixture(scope="module")
def tiny():
    return load_inputs(TINY)


@pytest.mark.parametrize("integer", [False, True])
def test_compiled_evaluations_equal_the_pyomo_reference(tiny, integer):
    base = Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(integer_builds=integer)
    embargo = Scenario.from_toml(TINY / "scenarios" / "embargo.toml").with_overrides(integer_builds=integer)
    optimum = solve(tiny, base, baseline=False)
    half = Portfolio("half", "half", {pair: share / 2 for pair, share in _portfolio_of(optimum, "x").shares.items()})
    portfolios = [_portfolio_of(optimum, "optimum"), Portfolio("none", "none", {}), half]
    for scenario in (base, embargo):
        evaluator = Evaluator(tiny, scenario)
        for portfolio in portfolios + portfolios[::-1]:  # warm from every other portfolio's basis, both ways
            expected = _reference_objective(tiny, scenario, portfolio)
            result = evaluator(portfolio)
            assert result.optimal and result.invariant_violations == [], (portfolio.name, scenario.name, result.status, result.message)
            assert result.objective == pytest.approx(expected, rel=1e-7, abs=1e-9)
            assert evaluator.objective(portfolio) == pytest.approx(expected, rel=1e-7, abs=1e-9)
            built = {(r.project, int(r.start_year)): r.share for r in result.builds.itertuples(index=False)}
            assert built == pytest.approx({pair: share for pair, share in portfolio.shares.items() if share > 0}, abs=1e-6)


def test_optimise_equals_a_run_and_leaves_evaluations_unchanged(tiny):
    scenario = Scenario.from_toml(TINY / "scenarios" / "embargo.toml")
    evaluator = Evaluator(tiny, scenario)
    empty = Portfolio("none", "none", {})
    before = evaluator(empty).objective
    mine = evaluator.optimise()
    run = solve(tiny, scenario, baseline=False)
    assert mine.optimal and mine.invariant_violations == []
    assert mine.objective == pytest.approx(run.objective, rel=1e-7)
    assert mine.budget_dual == pytest.approx(run.budget_dual, rel=1e-6)
    assert mine.budget_used_musd == pytest.approx(run.budget_used_musd, rel=1e-7)
    keys = ["project", "start_year"]
    pd.testing.assert_frame_equal(
        mine.builds.sort_values(keys).reset_index(drop=True), run.builds.sort_values(keys).reset_index(drop=True),
        rtol=1e-6, atol=1e-6,
    )
    assert evaluator(empty).objective == pytest.approx(before, rel=1e-9)
    assert evaluator(_portfolio_of(run, "optimum")).objective == pytest.approx(run.objective, rel=1e-7)
