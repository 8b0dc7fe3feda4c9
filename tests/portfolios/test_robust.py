"""The two-stage robust LP on the two-plant instance (conftest), worked by hand.

With a the share of A (Nd separator) and b of B (Dy separator), a + b ≤ 1, online in 2026:
    obj[dy_heavy] = 100 · (11.04 − 1.84 a − 3.68 b) / 12       (Σw = 12; 2025 contributes 5.52)
    obj[dy_light] = 100 · (5.52 − 1.84 a − 0.92 b) / 6         (Dy weight 0.5: Σw = 6)
B alone: 61.33 / 76.67; A alone: 76.67 / 61.33; a = b = ½: 69 / 69.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.errors import InputError
from optimiser.portfolios import Portfolio, evaluate, robust
from optimiser.portfolios.robust import measure_of

ROOT = Path(__file__).resolve().parents[2]


def test_expected_with_equal_weights_is_69(data, dy_heavy, dy_light):
    """Equal weights: 50 · (1.84 − 0.46 a − 0.46 b) = 69 for any a + b = 1."""
    result = robust(data, [dy_heavy, dy_light])
    assert result.measure_value == pytest.approx(69.0, abs=1e-6)
    assert sum(result.portfolio.shares.values()) == pytest.approx(1.0, abs=1e-6)


def test_expected_with_weights_favours_the_likelier_scenario(data, dy_heavy, dy_light):
    """Weights ¾, ¼: 100 · (0.92 − 0.19167 a − 0.26833 b) is least at b = 1: 65.1667."""
    result = robust(data, [dy_heavy, dy_light], weights=[3, 1])
    assert result.measure_value == pytest.approx(100 * (0.92 - 0.26833333333), abs=1e-5)
    assert result.portfolio.shares == {("B", 2025): pytest.approx(1.0, abs=1e-6)}


def test_worst_case_splits_the_budget(data, dy_heavy, dy_light):
    """(9.2 − 1.84 b)/12 = (3.68 + 0.92 b)/6 at b = ½: both scenarios at 69, against 76.67 for either plant."""
    result = robust(data, [dy_heavy, dy_light], measure="worst")
    assert result.measure_value == pytest.approx(69.0, abs=1e-6)
    assert result.portfolio.shares[("A", 2025)] == pytest.approx(0.5, abs=1e-6)
    assert result.portfolio.shares[("B", 2025)] == pytest.approx(0.5, abs=1e-6)
    assert {name: r.objective for name, r in result.evaluations.items()} == {
        "dy_heavy": pytest.approx(69.0, abs=1e-5),
        "dy_light": pytest.approx(69.0, abs=1e-5),
    }


def test_cvar_at_one_half_of_two_equal_scenarios_is_the_worst_case(data, dy_heavy, dy_light):
    result = robust(data, [dy_heavy, dy_light], measure="cvar", alpha=0.5)
    assert result.measure_value == pytest.approx(69.0, abs=1e-6)
    assert measure_of([61.0, 77.0], [0.5, 0.5], "cvar", 0.5) == pytest.approx(77.0)
    assert measure_of([61.0, 77.0], [0.5, 0.5], "cvar", 0.0) == pytest.approx(69.0)


@pytest.mark.parametrize("measure", ["expected", "worst", "cvar"])
def test_robust_is_no_worse_than_any_single_scenario_optimum(data, dy_heavy, dy_light, measure):
    """By construction: each scenario's own optimum is feasible in the robust LP."""
    scenarios = [dy_heavy, dy_light]
    result = robust(data, scenarios, measure=measure, alpha=0.5)
    for scenario in scenarios:
        run = solve(data, scenario, baseline=False)
        shares = {(r.project, int(r.start_year)): float(r.share) for r in run.builds.itertuples(index=False)}
        objectives = [evaluate(data, s, Portfolio("single", scenario.name, shares)).objective for s in scenarios]
        assert result.measure_value <= measure_of(objectives, result.weights, measure, 0.5) + 1e-6


def test_scenarios_must_share_the_structure(data, dy_heavy):
    other = Scenario(name="short", budget_busd=0.1, horizon_end=2025)
    with pytest.raises(InputError) as error:
        robust(data, [dy_heavy, other])
    assert "horizon_end" in str(error.value)


def test_scenarios_must_agree_on_the_first_decision_year(data, dy_heavy):
    other = dy_heavy.with_overrides(name="decide_later", first_decision_year=2027)
    with pytest.raises(InputError) as error:
        robust(data, [dy_heavy, other])
    assert "first_decision_year" in str(error.value)


@pytest.mark.slow
def test_shipped_example_robust_beats_each_single_optimum_on_expected_dependence():
    """Base and the 2027-30 embargo on the default data: the robust portfolio's expected objective is no worse."""
    data = load_inputs(ROOT / "inputs")
    scenarios = [Scenario.from_toml(ROOT / "inputs" / "scenarios" / f"{name}.toml") for name in ("base", "embargo")]
    result = robust(data, scenarios)
    assert result.optimal
    for scenario in scenarios:
        run = solve(data, scenario, baseline=False)
        shares = {(r.project, int(r.start_year)): float(r.share) for r in run.builds.itertuples(index=False)}
        objectives = [result.evaluators[s.name](Portfolio("single", s.name, shares)).objective for s in scenarios]
        assert result.measure_value <= measure_of(objectives, result.weights, "expected", None) + 1e-6
