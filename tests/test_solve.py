"""Solver statuses in words, and invariant checks that do catch a broken plan."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from optimiser.model import build_model
from optimiser.results import check_invariants, extract_tables
from optimiser.scenario import Scenario
from optimiser.solve import solve_model

from .model.conftest import make_data, mine, plant


def _data():
    return make_data(
        elements={"Nd": (False, 1.0)},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=1),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2026),
    )


def test_infeasible_model_is_a_status_with_an_explanation():
    model, _ = build_model(_data(), Scenario(budget_busd=1.0))
    model.budget.set_value(-1.0)
    outcome = solve_model(model)
    assert outcome.status == "infeasible"
    assert "no plan satisfies every constraint" in outcome.message
    assert outcome.objective is None


def test_optimal_outcome_reports_size_and_version():
    model, _ = build_model(_data(), Scenario(budget_busd=1.0))
    outcome = solve_model(model)
    assert outcome.status == "optimal"
    assert outcome.model_size["rows"] > 0 and outcome.model_size["nonzeros"] > 0
    assert outcome.solver_version.count(".") == 2


def test_invariant_checks_catch_a_broken_plan():
    data = _data()
    scenario = Scenario(budget_busd=1.0)
    model, structure = build_model(data, scenario)
    assert solve_model(model).optimal
    tables = extract_tables(model, structure, data, 1.0, 0)
    assert check_invariants(model, structure, tables) == []

    model.out["sep/0", "Nd", 2025].set_value(500.0)
    problems = check_invariants(model, structure, tables)
    assert any("produced" in p and "2025" in p for p in problems)
    assert any("balance of Nd at separation in 2025" in p for p in problems)

    model.build["sep", 2025].set_value(50.0)
    assert any("budget exceeded" in p for p in check_invariants(model, structure, tables))


def test_re_solve_after_parameter_change_matches_a_fresh_build():
    """Mutable parameters: changing the budget on a built model gives the fresh model's optimum."""
    data = _data()
    model, _ = build_model(data, Scenario(budget_busd=1.0, yearly_cap_fraction=1.0))
    assert solve_model(model).optimal
    model.budget.set_value(0.05)
    resolved = solve_model(model).objective
    fresh_model, _ = build_model(data, Scenario(budget_busd=0.05, yearly_cap_fraction=1.0))
    assert resolved == pytest.approx(solve_model(fresh_model).objective, abs=1e-7)
    assert pyo.value(model.build["sep", 2025]) == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize(
    "changes",
    [
        {"lead_time_shift_years": 1},
        {"capex_multiplier": 1.7, "discount_rate": 0.05},
        {"demand_multiplier": 0.6, "demand_growth_shift": 0.1},
        {"unmet_weight": 20.0, "element_weights": {"Dy": 3.0}},
        {"export_controls": ({"elements": ["Dy"], "start_year": 2026, "end_year": 2027, "fraction": 0.2},)},
        {"budget_busd": 0.2, "yearly_cap_fraction": 0.5},
    ],
    ids=["lead_shift", "capex", "demand", "weights", "export_caps", "budget"],
)
def test_every_mutable_value_re_solves_like_a_fresh_build(changes):
    """A sweep's promise: only mutable parameters change between these scenarios, so loading the new
    values into one built model and re-solving gives the fresh model's optimum."""
    from pathlib import Path

    from optimiser import load_inputs
    from optimiser.model import build_structure, mutable_values
    from optimiser.model.variables import set_mutable_values

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    data = load_inputs(tiny)
    base = Scenario.from_toml(tiny / "scenarios" / "base.toml")
    changed = base.with_overrides(**changes)
    model, structure = build_model(data, base)
    assert solve_model(model).optimal
    set_mutable_values(model, mutable_values(data, changed, structure))
    resolved = solve_model(model)
    fresh_model, _ = build_model(data, changed, build_structure(data, changed))
    fresh = solve_model(fresh_model)
    assert resolved.objective == pytest.approx(fresh.objective, abs=1e-7)
    assert resolved.budget_dual == pytest.approx(fresh.budget_dual, abs=1e-6)


def test_an_unknown_termination_is_an_error_that_says_what_to_try(monkeypatch):
    """HiGHS's `unknown` (and any other unexpected status) is status `error` with advice, from a run and a
    sweep's re-solver alike."""
    import highspy

    from optimiser.sweep.resolve import Resolver

    data = _data()
    resolver = Resolver(data, Scenario(budget_busd=1.0))
    model, _ = build_model(data, Scenario(budget_busd=1.0))
    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kUnknown)
    outcome = solve_model(model)
    assert outcome.status == "error" and outcome.objective is None
    assert "'unknown'" in outcome.message and "Scenario settings" in outcome.message
    swept = resolver.solve(Scenario(budget_busd=1.0))
    assert swept.status == "error"
    assert any("'unknown'" in warning and "Scenario settings" in warning for warning in swept.warnings)


def test_a_spent_deadline_stops_before_calling_highs():
    from optimiser.solve import Deadline

    model, _ = build_model(_data(), Scenario(budget_busd=1.0))
    outcome = solve_model(model, deadline=Deadline(0.0))
    assert outcome.status == "time_limit" and outcome.objective is None
    assert "time limit of 0 s" in outcome.message


_WITHOUT_HIGHSPY = """
import sys
sys.modules["highspy"] = None  # every `import highspy` now fails, as on a machine without it
from optimiser.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_without_highspy_a_command_says_so_in_one_line_and_exits_4(tmp_path, command):
    """Not a traceback from importing the sweep's re-solver: the SolverUnavailableError a run raises."""
    import subprocess
    import sys
    from pathlib import Path

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    if command == "run":
        arguments = ["run", "--scenario", str(tiny / "scenarios" / "base.toml")]
    else:
        spec = tmp_path / "budgets.toml"
        spec.write_text(
            f'name = "budgets"\n[base]\nscenario = "{(tiny / "scenarios" / "base.toml").as_posix()}"\n'
            "[grid]\nbudget_busd = [0.5, 1.0]\n",
            encoding="utf-8",
        )
        arguments = ["sweep", str(spec), "--workers", "1", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_HIGHSPY, *arguments, "--inputs", str(tiny), "--out", str(tmp_path / "out"),
         "--no-report"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert "HiGHS is not available: install the 'highspy' package" in done.stderr


def test_a_resolver_without_highspy_is_solver_unavailable(monkeypatch):
    import sys

    from optimiser.errors import SolverUnavailableError
    from optimiser.sweep.resolve import Resolver

    monkeypatch.setitem(sys.modules, "highspy", None)
    with pytest.raises(SolverUnavailableError, match="install the 'highspy' package"):
        Resolver(_data(), Scenario(budget_busd=1.0))
