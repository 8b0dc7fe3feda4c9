"""The default data set end to end: invariants on the base run, metamorphic checks, calibration.

Solving the default model takes seconds, so these are marked slow; they still run in `make test` and CI.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.model.parameters import construction_years, build_structure

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data():
    return load_inputs(INPUTS)


@pytest.fixture(scope="module")
def base(data):
    return Scenario.from_toml(INPUTS / "scenarios" / "base.toml")


@pytest.fixture(scope="module")
def base_result(data, base):
    return solve(data, base)


def test_base_run_is_optimal_and_sound(base_result):
    assert base_result.status == "optimal", base_result.message
    assert base_result.invariant_violations == []


def test_base_run_respects_budget_and_yearly_cap(data, base, base_result):
    """Recomputed from builds.csv and the projects table, independently of the model's own rows."""
    builds = base_result.builds
    assert base_result.budget_used_musd <= base.budget_busd * 1000 * (1 + 1e-6)
    assert builds["capex_musd"].sum() == pytest.approx(base_result.budget_used_musd, rel=1e-6)
    structure = build_structure(data, base)
    spend: dict[int, float] = {}
    for row in builds.itertuples(index=False):
        years = construction_years(structure.projects[row.project], row.start_year, base)
        for year in years:
            spend[year] = spend.get(year, 0.0) + row.capex_musd / len(years)
    assert max(spend.values()) <= base.yearly_cap_fraction * base.budget_busd * 1000 * (1 + 1e-6)


def test_builds_come_online_after_their_lead_time(data, base_result):
    projects = data.projects.drop_duplicates("project").set_index("project")
    for row in base_result.builds.itertuples(index=False):
        project = projects.loc[row.project]
        assert row.online_year - row.start_year == int(project["lead_time_years"])
        if not pd.isna(project["earliest_start"]):
            assert row.start_year >= int(project["earliest_start"])
        assert row.online_year <= 2045
        assert 0 < row.share <= int(project["max_units"]) + 1e-9


def test_base_plan_starts_nothing_in_the_history_years(data, base, base_result):
    """The shipped base sets first_decision_year = 2027 (issue 12: decisions start at the end of 2026), so
    2025-26 are run by the projects that are data and no build starts before 2027; without the key the same
    plan starts builds in 2025 (the projects without an earliest_start), which the horizon start allowed."""
    assert base.first_decision_year == 2027
    assert base_result.builds["start_year"].min() >= 2027
    unconstrained = build_structure(data, base.with_overrides(first_decision_year=None))
    assert min(min(years) for years in unconstrained.start_years.values()) == 2025


def test_dependence_and_unmet_within_zero_and_one(base_result):
    dependence = base_result.dependence
    assert dependence["dependence"].between(-1e-9, 1 + 1e-9).all()
    assert dependence["unmet"].between(-1e-9, 1 + 1e-9).all()
    shares = dependence["china_world_share"].dropna()
    assert shares.between(0, 1).all()


def test_flows_are_non_negative_and_complete(data, base_result):
    flows = base_result.flows
    assert (flows[["row_output", "china_imports", "shortfall", "surplus"]] >= -1e-6).all().all()
    assert len(flows) == 21 * len(data.elements) * 4


def test_plan_lowers_dependence_against_no_builds(base_result):
    """The $15.5B plan lowers final-year dependence at every stage it touches, never raises it."""
    headline = base_result.summary["headline"]
    for stage, after in headline["plan"]["all"].items():
        assert after <= headline["baseline"]["all"][stage] + 1e-9


def test_more_budget_never_raises_optimal_dependence(data, base):
    objectives = [solve(data, base.with_overrides(budget_busd=b), baseline=False).objective for b in (0.0, 13.0, 15.5, 18.0)]
    for lower_budget, higher_budget in zip(objectives, objectives[1:]):
        assert higher_budget <= lower_budget + 1e-6
    assert objectives[-1] < objectives[0]


def test_longer_lead_times_never_lower_optimal_dependence(data, base, base_result):
    delayed = solve(data, base.with_overrides(lead_time_shift_years=1), baseline=False)
    assert delayed.objective >= base_result.objective - 1e-6


def test_budget_dual_matches_the_finite_difference(data, base, base_result):
    """The LP dual is a local slope: a $0.1B step either side brackets it."""
    below = solve(data, base.with_overrides(budget_busd=15.4), baseline=False).objective
    above = solve(data, base.with_overrides(budget_busd=15.6), baseline=False).objective
    left, right = (below - base_result.objective) / 0.1, (base_result.objective - above) / 0.1
    assert min(left, right) - 1e-4 <= base_result.budget_dual <= max(left, right) + 1e-4


def test_china_world_share_is_reported_for_2030_and_2035(base_result):
    """China's output is projected forward (china_production.csv, every year), so its world share is defined in
    every year of dependence.csv and summary.json carries it for 2025, 2030, 2035 and 2045, plan and baseline.
    With the plan, ROW's new plants cut China's separation share below its no-build value."""
    dependence = base_result.dependence
    all_rows = dependence[dependence["element"] == "all"]
    assert all_rows["china_world_share"].notna().all()
    shares = base_result.summary["china_world_share"]
    assert shares["years"] == [2025, 2030, 2035, 2045]
    for year in ("2030", "2035"):
        plan, baseline = shares["plan"][year]["all"], shares["baseline"][year]["all"]
        assert set(plan) == {"mining", "separation", "metal", "magnet"}
        assert all(0 < value < 1 for value in plan.values())
        assert plan["separation"] < baseline["separation"]
    assert base_result.summary["history_years"] == [2025, 2026]
    assert base_result.summary["first_decision_year"] == 2027
    assert base_result.summary["demand_case"] == "iea_aps"
