"""Integer builds from every command: hand-worked answers, the finite-difference budget dual, and one
time limit shared by every solve of a run.

The hand-worked instance (``tests/test_solve.py``'s): an operating 1000 t mine, a candidate 1000 t
separation plant costing $0.1B with a one-year lead, 1000 t of separation demand, 2025-2026, yearly cap
100 % of the budget. The weighted objective averages mining and separation dependence over both years:
without the plant (0.84 + 1.0 + 0.84 + 1.0) / 4 = 92 points, with it online in 2026 (0.84 + 1.0 + 0 + 0)
/ 4 = 46, and with half of it (the LP at $0.05B) 69. Built whole, $0.05B buys nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import highspy
import pandas as pd
import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

import optimiser
from optimiser.cli import main
from optimiser.model import build_model
from optimiser.portfolios import Portfolio
from optimiser.portfolios.alternatives import alternatives
from optimiser.portfolios.evaluate import evaluate
from optimiser.portfolios.robust import robust
from optimiser.scenario import ExportControl, Scenario
from optimiser.solve import STATUSES
from optimiser.sweep import read_detail, sweep
from optimiser.sweep.resolve import Resolver

from .test_solve import _data

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny"


def _hand(budget: float, integer: bool = True, **changes) -> Scenario:
    return Scenario(budget_busd=budget, yearly_cap_fraction=1.0, integer_builds=integer, **changes)


def _shares(result) -> dict[tuple[str, int], float]:
    return {(row.project, int(row.start_year)): float(row.share) for row in result.builds.itertuples(index=False)}


def test_integer_run_builds_whole_units_and_reports_the_finite_difference_dual():
    data = _data()
    half = optimiser.solve(data, _hand(0.05, integer=False))
    assert half.objective == pytest.approx(69.0) and _shares(half) == {("sep", 2025): pytest.approx(0.5)}

    nothing = optimiser.solve(data, _hand(0.05))
    assert nothing.status == "optimal"
    assert nothing.objective == pytest.approx(92.0)
    assert _shares(nothing) == {}
    assert nothing.baseline_dependence is not None
    # re-solves at B- = max(0.05 - 1, 0) = 0 (92 points) and B + 1 = 1.05 (46 points)
    assert nothing.budget_dual == pytest.approx((92.0 - 46.0) / 1.05)
    assert nothing.summary["budget_dual_method"] == "finite_difference"

    whole = optimiser.solve(data, _hand(0.1))
    assert whole.objective == pytest.approx(46.0)
    assert _shares(whole) == {("sep", 2025): 1.0}
    assert whole.budget_dual == pytest.approx((92.0 - 46.0) / 1.1)


def test_integer_run_through_the_cli_on_the_tiny_data(tmp_path):
    scenario = tmp_path / "whole.toml"
    scenario.write_text('name = "whole"\nbudget_busd = 0.5\ninteger_builds = true\n', encoding="utf-8")
    out = tmp_path / "whole"
    assert main(["run", "--inputs", str(TINY), "--scenario", str(scenario), "--out", str(out), "--no-report"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["budget_dual_method"] == "finite_difference"
    assert (out / "baseline_dependence.csv").exists()
    shares = pd.read_csv(out / "builds.csv")["share"]
    assert len(shares) and (shares == shares.round()).all()

    data = optimiser.load_inputs(TINY)
    base = Scenario.from_toml(scenario)
    low, high = (optimiser.solve(data, base.with_overrides(budget_busd=b), baseline=False) for b in (0.0, 1.5))
    assert summary["budget_dual"] == pytest.approx((low.objective - high.objective) / 1.5, rel=1e-6, abs=1e-6)
    assert summary["objective"] <= low.objective + 1e-9


def test_integer_sweep_equals_integer_runs(tmp_path):
    spec = tmp_path / "whole.toml"
    spec.write_text(
        f'name = "whole"\n[base]\nscenario = "{TINY / "scenarios" / "base.toml"}"\ninteger_builds = true\n'
        "[grid]\nbudget_busd = [0.0, 0.3, 0.6]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    runs = sweep(spec, inputs=TINY, out=out, workers=1, progress=False)
    builds = read_detail(out, "builds")
    data = optimiser.load_inputs(TINY)
    base = Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(integer_builds=True)
    assert len(runs) == 3
    for row in runs.to_dict("records"):
        fresh = optimiser.solve(data, base.with_overrides(budget_busd=row["budget_busd"]), baseline=False)
        assert row["status"] == fresh.status == "optimal"
        assert row["objective"] == pytest.approx(fresh.objective, abs=1e-7)
        assert row["budget_dual"] == pytest.approx(fresh.budget_dual, rel=1e-6, abs=1e-6)
        mine = builds[builds["scenario_id"] == row["scenario_id"]]
        assert sorted(zip(mine["project"], mine["start_year"], mine["share"])) == sorted(
            (p, tau, share) for (p, tau), share in _shares(fresh).items()
        )


def test_portfolio_commands_take_integer_scenarios():
    """evaluate (a fractional portfolio too), robust and alternatives under integer builds."""
    data = optimiser.load_inputs(TINY)
    base = Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(integer_builds=True)
    embargo = base.with_overrides(name="dy_stop", export_controls=(ExportControl(("Dy",), 2027, 2030, 0.0),))
    run = optimiser.solve(data, base)
    assert run.optimal
    halves = Portfolio("halves", "test", {key: share / 2 for key, share in _shares(run).items()})
    assert evaluate(data, embargo, halves).status == "optimal"

    result = robust(data, [base, embargo], measure="worst")
    assert result.status == "optimal", result.message
    assert result.portfolio.shares and all(share == round(share) for share in result.portfolio.shares.values())

    optimum, found = alternatives(data, base, count=2)
    assert optimum.optimal and found and all(alternative.result.optimal for alternative in found)


@pytest.fixture
def slow_highs(monkeypatch):
    """Every HiGHS run (Pyomo's and the sweep's) takes 0.3 s longer than it does, outside HiGHS's own clock."""
    original = highspy.Highs.run

    def run(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(highspy.Highs, "run", run)


def test_one_time_limit_bounds_every_solve_of_a_run(slow_highs):
    """Baseline, primary, tie-break and two re-solves are five runs of 0.3 s: a 1 s limit cannot hold them all."""
    started = time.perf_counter()
    result = optimiser.solve(_data(), _hand(0.05, time_limit_seconds=1.0))
    elapsed = time.perf_counter() - started
    assert result.status in STATUSES
    assert any("ended time_limit" in warning for warning in result.summary["warnings"]) or not result.optimal
    assert result.budget_dual is None
    assert elapsed < 1.0 + 0.3 + 1.0


def test_the_sweep_re_solver_shares_one_time_limit_per_scenario(slow_highs):
    """Primary, tie-break and two re-solves are four runs of 0.3 s: a 0.7 s limit stops the dual's."""
    resolver = Resolver(_data(), _hand(0.05))
    outcome = resolver.solve(_hand(0.05, time_limit_seconds=0.7))
    assert outcome.status == "optimal"
    assert outcome.budget_dual is None
    assert any("ended time_limit" in warning for warning in outcome.warnings)


def test_a_spent_time_limit_is_a_status_in_words(tmp_path):
    scenario = tmp_path / "hurry.toml"
    scenario.write_text('name = "hurry"\nbudget_busd = 0.5\ninteger_builds = true\ntime_limit_seconds = 1e-9\n')
    out = tmp_path / "hurry"
    assert main(["run", "--inputs", str(TINY), "--scenario", str(scenario), "--out", str(out), "--no-report"]) == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "time_limit"
    assert "time limit of 1e-09 s" in summary["message"] and "--time-limit" in summary["message"]


@pytest.mark.slow
def test_integer_run_on_the_default_data_stopped_by_its_time_limit_reports_its_best_plan(tmp_path):
    """The primary MILP takes about 26 s here: stopped at 5 s, the run writes HiGHS's best plan (at worst
    the no-build baseline's, its start) with the proven gap, exit 3, and the report shows it as not proven."""
    limit = 5.0
    scenario = tmp_path / "whole.toml"
    scenario.write_text('name = "whole"\nbudget_busd = 15.5\ninteger_builds = true\n', encoding="utf-8")
    out = tmp_path / "whole"
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-m", "optimiser", "run", "--scenario", str(scenario), "--time-limit", str(limit),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    elapsed = time.perf_counter() - started
    assert finished.returncode == 3, finished.stderr
    assert "Traceback" not in finished.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "time_limit" and summary["incumbent"] is True
    assert summary["invariant_violations"] == []
    bound, objective = summary["objective_bound"], summary["objective"]
    assert bound <= objective and summary["mip_gap"] == pytest.approx((objective - bound) / objective)
    assert f"not proven optimal: {objective:.4f} points" in summary["message"]
    builds = pd.read_csv(out / "builds.csv")
    assert (builds["share"] == builds["share"].round()).all()
    assert builds["capex_musd"].sum() <= 15.5e3 + 1e-6
    assert (out / "dependence.csv").is_file() and (out / "baseline_dependence.csv").is_file()
    assert "the best plan found (not proven optimal)" in finished.stdout
    assert f"whole units: proven within {100 * summary['mip_gap']:.4f} %" in finished.stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Best plan found, not proven optimal" in html and 'id="builds"' in html
    assert elapsed < limit * 4 + 30


@pytest.mark.slow
def test_the_reference_back_end_stopped_by_the_time_limit_reports_its_best_plan_too():
    scenario = Scenario.from_toml(ROOT / "inputs" / "scenarios" / "base.toml").with_overrides(integer_builds=True)
    result = optimiser.solve(optimiser.load_inputs(ROOT / "inputs"), scenario, time_limit=5.0, backend="pyomo")
    assert result.status == "time_limit" and result.has_plan and result.summary["incumbent"]
    assert result.invariant_violations == [] and result.summary["objective_bound"] <= result.objective
    assert result.budget_used_musd <= scenario.budget_busd * 1e3 + 1e-6


DEFAULT_LP_OPTIMUM = 24.977681752205616
"""The base scenario's continuous optimum on the shipped data (points): what the integer formulation must
leave alone. Re-pin it when the data changes, after checking it moved for the data's sake."""


@pytest.mark.slow
def test_the_integer_formulation_leaves_the_default_lp_alone():
    """The continuous base run has no unit count and its optimum is the pinned one; the integer model's
    relaxation (builds and counts continuous) has the same optimum, so the LP-MILP gap is the MILP's alone."""
    data = optimiser.load_inputs(ROOT / "inputs")
    base = Scenario.from_toml(ROOT / "inputs" / "scenarios" / "base.toml")
    model, _ = build_model(data, base)
    assert model.component("units_started") is None and model.component("units_started_count") is None
    result = optimiser.solve(data, base, baseline=False)
    assert result.objective == pytest.approx(DEFAULT_LP_OPTIMUM, rel=1e-9)

    relaxed, _ = build_model(data, base.with_overrides(integer_builds=True))
    assert len(relaxed.units_started) > 0
    for var in relaxed.component_data_objects(pyo.Var):
        if var.is_integer():
            var.domain = pyo.NonNegativeReals
    Highs().solve(relaxed)
    assert pyo.value(relaxed.primary) == pytest.approx(DEFAULT_LP_OPTIMUM, rel=1e-7)


def test_run_prints_the_proven_gap_of_whole_units(tmp_path, capsys):
    """`optimiser run` with integer builds says how close to proven the whole-unit plan is (summary.json's
    mip_gap and objective_bound); a continuous run says nothing of it."""
    from optimiser.cli import main

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    scenario = tmp_path / "whole.toml"
    scenario.write_text('name = "whole"\nbudget_busd = 0.5\ninteger_builds = true\n')
    assert main(["run", "--inputs", str(tiny), "--scenario", str(scenario), "--out", str(tmp_path / "r"), "--no-report"]) == 0
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert 0.0 <= summary["mip_gap"] <= 1e-4 and summary["objective_bound"] <= summary["objective"] + 1e-9
    assert f"whole units: proven within {100 * summary['mip_gap']:.4f} %" in capsys.readouterr().out
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"),
                 "--out", str(tmp_path / "c"), "--no-report"]) == 0
    assert "whole units" not in capsys.readouterr().out
