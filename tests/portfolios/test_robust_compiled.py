"""The robust LP assembled from the scenarios' compiled LPs equals the Pyomo model of blocks (issue 14).

Both back ends solve the same algebra (``portfolios.robust``); the assembled one skips a second build of
every scenario and Pyomo's hand-over. Measure values agree within 1e-7 relative, the shared portfolios and
their evaluations agree, under every measure, continuous and integer, on the worked two-plant instance and
on the tiny data set (whose scenarios differ in export caps, so their rows differ block by block).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs
from optimiser.portfolios.robust import BACKENDS, robust

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _assert_same(compiled, reference, same_portfolio: bool = True) -> None:
    assert compiled.status == reference.status == "optimal", (compiled.message, reference.message)
    assert compiled.measure_value == pytest.approx(reference.measure_value, rel=1e-7, abs=1e-9)
    assert compiled.model_size["columns"] <= reference.model_size["columns"]
    for name, evaluation in reference.evaluations.items():
        assert compiled.evaluations[name].invariant_violations == []
        if same_portfolio:
            assert compiled.evaluations[name].objective == pytest.approx(evaluation.objective, rel=1e-7, abs=1e-9)
    if same_portfolio:
        assert compiled.portfolio.shares == pytest.approx(reference.portfolio.shares, abs=1e-6)


@pytest.mark.parametrize("measure", ["expected", "worst", "cvar"])
@pytest.mark.parametrize("integer", [False, True])
def test_assembled_robust_equals_the_pyomo_blocks_on_two_plants(data, dy_heavy, dy_light, measure, integer):
    scenarios = [s.with_overrides(integer_builds=integer) for s in (dy_heavy, dy_light)]
    weights = [0.7, 0.3]
    compiled = robust(data, scenarios, weights=weights, measure=measure, alpha=0.5)
    reference = robust(data, scenarios, weights=weights, measure=measure, alpha=0.5, backend="pyomo")
    _assert_same(compiled, reference)


@pytest.mark.parametrize("measure", ["expected", "worst", "cvar"])
def test_assembled_robust_equals_the_pyomo_blocks_on_tiny_data(measure):
    data = load_inputs(TINY)
    base = Scenario.from_toml(TINY / "scenarios" / "base.toml")
    capped = base.with_overrides(
        name="capped", capex_multiplier=1.3, demand_multiplier=1.2,
        export_controls=({"elements": ["Dy"], "start_year": 2027, "end_year": 2029, "fraction": 0.3},),
    )
    scenarios = [base, capped]
    compiled = robust(data, scenarios, measure=measure)
    reference = robust(data, scenarios, measure=measure, backend="pyomo")
    _assert_same(compiled, reference)


def test_an_unknown_robust_backend_is_refused(data, dy_heavy, dy_light):
    with pytest.raises(ValueError, match="compiled, pyomo"):
        robust(data, [dy_heavy, dy_light], backend="gurobi")
    assert BACKENDS == ("compiled", "pyomo")


def test_the_solve_sequence_asks_the_robust_lp_no_budget_dual(data, dy_heavy, dy_light):
    """Its budget rows are dropped, so even with ``budget_dual=True`` the sequence never calls the budget
    methods that refuse (robust.py asks none)."""
    from optimiser.portfolios.evaluate import Evaluator
    from optimiser.portfolios.robust_lp import StackedBackend, stack
    from optimiser.solve import Deadline, solve_sequence

    evaluators = [Evaluator(data, scenario) for scenario in (dy_heavy, dy_light)]
    backend = StackedBackend(stack([(e.resolver.current_lp(), e.model) for e in evaluators], [0.5, 0.5], "expected", 0.9))
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=1e-8, deadline=Deadline(None))
    assert outcome.optimal and outcome.budget_dual is None
    with pytest.raises(RuntimeError, match="never asked for a budget dual"):
        backend.lp_budget_dual()
