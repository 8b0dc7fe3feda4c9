"""A run on the compiled arrays (the default) equals the same run through Pyomo's HiGHS interface (issue 14).

The compiled path is the fast one; the Pyomo path is the reference. Every case compares the objective
(1e-7 relative), the budget dual and its method, the tie-break capex, the builds, the dependence table and
the no-build baseline, and both pass the invariant checks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.runner import BACKENDS

ROOT = Path(__file__).resolve().parent
TINY = ROOT / "data" / "tiny"
INPUTS = ROOT.parent / "inputs"


def _assert_same_run(compiled, reference, same_plan: bool = True) -> None:
    assert compiled.status == reference.status == "optimal", (compiled.message, reference.message)
    assert compiled.invariant_violations == [] and reference.invariant_violations == []
    assert compiled.objective == pytest.approx(reference.objective, rel=1e-7, abs=1e-9)
    assert compiled.budget_used_musd == pytest.approx(reference.budget_used_musd, rel=1e-6, abs=1e-6)
    compared = ["budget_dual", "budget_dual_left", "budget_dual_right", "tie_break_capex_busd"]
    if reference.summary["budget_dual_method"] == "lp_dual":
        compared.append("budget_dual_lp")  # elsewhere the LP duals are one of many valid values: not compared
    for name in compared:
        left, right = compiled.summary.get(name), reference.summary.get(name)
        assert (left is None) == (right is None), name
        if left is not None:
            assert left == pytest.approx(right, rel=1e-5, abs=1e-6), name
    assert compiled.summary["budget_dual_method"] == reference.summary["budget_dual_method"]
    assert compiled.summary["model_size"] == reference.summary["model_size"]
    if not (same_plan and reference.scenario.tie_break):
        return  # several plans of equal dependence (and capex) are optimal: only the numbers above must agree
    keys = ["project", "start_year"]
    builds = compiled.builds.sort_values(keys).reset_index(drop=True)
    expected = reference.builds.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(builds, expected, rtol=1e-6, atol=1e-6)
    if reference.scenario.objective == "weighted":
        # Under another objective the weighted secondary solve and capex leave operating ties between cells
        # (the same builds and objectives, China content moved between stages of one year): not compared.
        pd.testing.assert_frame_equal(compiled.dependence, reference.dependence, rtol=1e-6, atol=1e-6)
        pd.testing.assert_frame_equal(
            compiled.baseline_dependence, reference.baseline_dependence, rtol=1e-6, atol=1e-6
        )
    secondary = reference.summary["secondary_objective"]
    assert compiled.summary["secondary_objective"] == (None if secondary is None else pytest.approx(secondary, rel=1e-7))


@pytest.fixture(scope="module")
def tiny():
    return load_inputs(TINY)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"budget_busd": 0.0},
        {"objective": "peak"},
        {"objective": "restricted"},
        {"tie_break": False},
        {"integer_builds": True},
        {"unmet_weight": 3.0, "budget_busd": 0.2},
    ],
    ids=["base", "no-budget", "peak", "restricted", "no-tie-break", "integer", "unmet-weight"],
)
def test_compiled_run_equals_the_pyomo_run_on_tiny_data(tiny, overrides):
    scenario = Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(**overrides)
    _assert_same_run(solve(tiny, scenario), solve(tiny, scenario, backend="pyomo"))


def test_compiled_run_reports_its_stages(tiny):
    result = solve(tiny, Scenario.from_toml(TINY / "scenarios" / "base.toml"))
    assert {"build", "compile", "solve_baseline", "solve_primary", "solve_tie_break", "extract"} <= set(
        result.summary["timings"]
    )


def test_an_unknown_backend_is_refused(tiny):
    with pytest.raises(ValueError, match="compiled, pyomo"):
        solve(tiny, Scenario.from_toml(TINY / "scenarios" / "base.toml"), backend="gurobi")
    assert BACKENDS == ("compiled", "pyomo")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario_file", "same_plan"),
    # Under these three instruments plans of equal dependence and capex tie (a stockpile bought one year or
    # the next, a project started in 2030 or 2031): the two paths may report different ones of them.
    [("base.toml", True), ("stockpile_embargo.toml", False), ("msp_bloc.toml", False), ("cofinance.toml", False)],
)
def test_compiled_run_equals_the_pyomo_run_on_default_data(scenario_file, same_plan):
    data = load_inputs(INPUTS)
    scenario = Scenario.from_toml(INPUTS / "scenarios" / scenario_file)
    _assert_same_run(solve(data, scenario), solve(data, scenario, backend="pyomo"), same_plan)


def test_an_integer_run_reports_its_proven_bound_and_gap(tiny):
    """summary.json's objective_bound and mip_gap: HiGHS's dual bound after the primary MILP, on both paths;
    None for an LP (it has no gap to prove)."""
    scenario = Scenario.from_toml(TINY / "scenarios" / "base.toml")
    for backend in BACKENDS:
        integer = solve(tiny, scenario.with_overrides(integer_builds=True), backend=backend)
        assert integer.summary["objective_bound"] <= integer.objective + 1e-9
        assert 0.0 <= integer.summary["mip_gap"] <= 1e-4  # HiGHS's default relative gap
        continuous = solve(tiny, scenario, backend=backend)
        assert continuous.summary["objective_bound"] is None and continuous.summary["mip_gap"] is None
