"""A sweep's results equal single `optimiser run`s of the same scenarios.

Objective within 1e-7; budget dual, budget used and the dependence table within round-off; builds equal.
Builds and the dependence table are compared where the optimum leaves one plan: where several plans tie on
dependence and on capex (as at budgets that do not bind), or where flows do not count in the objective (the
unrestricted elements under the ``restricted`` objective), a warm-started re-solve may report another of
them than a cold run, with the same objective, budget dual and capex.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import optimiser
from optimiser import Scenario
from optimiser.sweep import read_detail, sweep
from optimiser.sweep.resolve import Resolver

from .conftest import ROOT, TINY, TINY_BASE


def _single(data, scenario):
    result = optimiser.solve(data, scenario, baseline=False)
    assert result.optimal
    return result


def _assert_same(run, fresh, builds: pd.DataFrame | None = None, dependence: pd.DataFrame | None = None) -> None:
    assert run["status"] == "optimal"
    assert run["objective"] == pytest.approx(fresh.objective, abs=1e-7)
    assert run["budget_dual"] == pytest.approx(fresh.budget_dual, rel=1e-6, abs=1e-6)
    # Capex is held to the tie-break's rows: under a named objective the weighted objective over every cell
    # is held too, and its row's feasibility tolerance (1e-7 points) moves capex by up to about $100.
    assert run["budget_used_musd"] == pytest.approx(fresh.budget_used_musd, rel=1e-7, abs=1e-3)
    if builds is not None:
        mine = builds.drop(columns="scenario_id").sort_values(["start_year", "project"]).reset_index(drop=True)
        theirs = fresh.builds.reset_index(drop=True)
        assert list(mine["project"]) == list(theirs["project"])
        assert list(mine["start_year"]) == list(theirs["start_year"])
        assert list(mine["online_year"]) == list(theirs["online_year"])
        np.testing.assert_allclose(mine["share"].astype(float), theirs["share"].astype(float), atol=1e-6)
        np.testing.assert_allclose(mine["capex_musd"].astype(float), theirs["capex_musd"].astype(float), rtol=1e-6, atol=1e-4)
    if dependence is not None:
        mine = dependence.drop(columns="scenario_id").reset_index(drop=True)
        theirs = fresh.dependence.reset_index(drop=True)
        assert list(zip(mine["year"], mine["element"].astype(str), mine["stage"].astype(str))) == list(
            zip(theirs["year"], theirs["element"], theirs["stage"])
        )
        np.testing.assert_allclose(mine["dependence"], theirs["dependence"], atol=1e-6)
        np.testing.assert_allclose(mine["unmet"], theirs["unmet"], atol=1e-6)


def test_grid_sweep_equals_single_runs(sweep_file, tiny_data, tmp_path):
    """Budgets, lead-time shifts, capex, export caps and two objectives (two builds) in one grid."""
    path = sweep_file(
        "[export_control]\nelements = ['Dy']\nstart_year = 2027\nend_year = 2029\n"
        "[grid]\nobjective = ['weighted', 'restricted']\nbudget_busd = [0.1, 0.3, 0.6]\n"
        "lead_time_shift_years = [0, 1]\ncapex_multiplier = [1.0, 1.4]\nexport_control.fraction = [1.0, 0.3]"
    )
    out = tmp_path / "out"
    runs = sweep(path, inputs=TINY, out=out, workers=1, progress=False)
    assert len(runs) == 2 * 3 * 2 * 2 * 2 and runs["scenario_id"].is_unique
    assert set(runs["objective_name"]) == {"weighted", "restricted"}
    builds = read_detail(out, "builds")
    dependence = read_detail(out, "dependence")
    base = Scenario.from_toml(TINY_BASE)
    for row in runs.iloc[::5].to_dict("records"):
        scenario = base.with_overrides(
            objective=row["objective_name"], budget_busd=row["budget_busd"],
            lead_time_shift_years=row["lead_time_shift_years"], capex_multiplier=row["capex_multiplier"],
            export_controls=({"elements": ["Dy"], "start_year": 2027, "end_year": 2029,
                              "fraction": row["export_control.fraction"]},),
        )
        fresh = _single(tiny_data, scenario)
        if row["objective_name"] != "weighted":
            _assert_same(row, fresh)
            continue
        _assert_same(
            row, fresh,
            builds[builds["scenario_id"] == row["scenario_id"]],
            dependence[dependence["scenario_id"] == row["scenario_id"]],
        )


@pytest.mark.parametrize(
    "structural",
    [{"integer_builds": True}, {"objective": "peak"}, {"horizon_end": 2028, "objective": "final_year"},
     {"first_decision_year": 2027}, {"equipment_delay": {"years": 1, "stages": ["separation"]}}],
    ids=["milp_finite_difference", "peak", "horizon", "first_decision_year", "equipment_delay"],
)
def test_structural_groups_equal_single_runs(tiny_data, structural):
    """The re-solver reproduces the MILP finite-difference dual, the peak objective and a shorter horizon."""
    first = Scenario.from_toml(TINY_BASE).with_overrides(**structural)
    resolver = Resolver(tiny_data, first)
    for budget in (0.2, 0.5, 0.35):
        scenario = first.with_overrides(budget_busd=budget, lead_time_shift_years=1 if budget > 0.4 else 0)
        outcome = resolver.solve(scenario)
        fresh = _single(tiny_data, scenario)
        row = {"status": outcome.status, "objective": outcome.objective, "budget_dual": outcome.budget_dual,
               "budget_used_musd": outcome.budget_used_musd}
        assert outcome.budget_dual_method == fresh.summary["budget_dual_method"]
        _assert_same(row, fresh)
        assert [b[0] for b in outcome.builds] == list(fresh.builds["project"])


def test_every_mutable_field_re_solves_like_a_single_run(tiny_data):
    """One resolver, one scenario after another changing each kind of mutable value."""
    base = Scenario.from_toml(TINY / "scenarios" / "embargo.toml")
    resolver = Resolver(tiny_data, base)
    for changes in (
        {},
        {"demand_multiplier": 0.6, "demand_growth_shift": 0.1},
        {"unmet_weight": 20.0, "element_weights": {"Dy": 1.0}, "stage_weights": {"magnet": 1.0}},
        {"discount_rate": 0.05, "yearly_cap_fraction": 0.5},
        {"export_controls": ()},
        {"row_demand_share": 0.45, "budget_busd": 0.2},
    ):
        scenario = base.with_overrides(**changes)
        outcome = resolver.solve(scenario)
        fresh = _single(tiny_data, scenario)
        assert outcome.objective == pytest.approx(fresh.objective, abs=1e-7)
        assert outcome.budget_dual == pytest.approx(fresh.budget_dual, rel=1e-6, abs=1e-6)
        assert outcome.total_shortfall_t == pytest.approx(fresh.flows["shortfall"].sum(), rel=1e-6, abs=1e-6)


@pytest.mark.slow
def test_default_model_sweep_equals_single_runs(tmp_path):
    """On the shipped data: budgets across the source report's range, warm-started, against fresh runs."""
    data = optimiser.load_inputs(ROOT / "inputs")
    spec_path = tmp_path / "default.toml"
    spec_path.write_text(
        f'name = "default"\n[base]\nscenario = "{ROOT / "inputs" / "scenarios" / "base.toml"}"\n'
        "[grid]\nbudget_busd = [13.0, 15.5, 18.0]\nlead_time_shift_years = [0, 1]\n",
        encoding="utf-8",
    )
    runs = sweep(spec_path, inputs=data, out=tmp_path / "out", workers=1, progress=False)
    base = Scenario.from_toml(ROOT / "inputs" / "scenarios" / "base.toml")
    dependence = read_detail(tmp_path / "out", "dependence")
    for row in runs.iloc[[0, 4]].to_dict("records"):
        scenario = base.with_overrides(budget_busd=row["budget_busd"], lead_time_shift_years=row["lead_time_shift_years"])
        fresh = _single(data, scenario)
        _assert_same(row, fresh, dependence=dependence[dependence["scenario_id"] == row["scenario_id"]])
        assert row["dependence_all_final_separation"] == pytest.approx(
            fresh.summary["headline"]["plan"]["all"]["separation"], abs=1e-6
        )
