"""The budget frontier: non-increasing in the budget, with a non-negative budget dual that is its local
slope (between the left and right finite differences of neighbouring points)."""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.sweep import sweep

from .conftest import ROOT, TINY

TOLERANCE = 1e-6


def _check_frontier(runs, step: float) -> None:
    assert (runs["status"] == "optimal").all()
    for _, group in runs.groupby("lead_time_shift_years"):
        group = group.sort_values("budget_busd")
        budget = group["budget_busd"].to_numpy()
        objective = group["objective"].to_numpy()
        dual = group["budget_dual"].to_numpy()
        assert np.allclose(np.diff(budget), step)
        assert (np.diff(objective) <= TOLERANCE).all(), "more budget never raises dependence"
        assert (dual >= -TOLERANCE).all(), "the budget dual is non-negative"
        left = (objective[:-2] - objective[1:-1]) / step
        right = (objective[1:-1] - objective[2:]) / step
        inner = dual[1:-1]
        assert (inner <= left + TOLERANCE).all() and (inner >= right - TOLERANCE).all(), np.c_[budget[1:-1], left, inner, right]
        assert (left >= right - TOLERANCE).all(), "the frontier is convex (an LP in its right-hand side)"


def test_tiny_budget_frontier(sweep_file, tmp_path):
    path = sweep_file("[grid]\nbudget_busd = { start = 0.0, stop = 1.2, step = 0.05 }\nlead_time_shift_years = [0, 1]")
    runs = sweep(path, inputs=TINY, out=tmp_path / "out", workers=1, progress=False)
    assert len(runs) == 25 * 2
    _check_frontier(runs, 0.05)
    assert runs["budget_dual"].max() > 1.0, "the frontier is not flat: the budget binds somewhere"


@pytest.mark.slow
def test_default_budget_frontier_around_the_report_range(tmp_path):
    """The default model between $10B and $20B, where the source report's $13-18B band lies."""
    path = tmp_path / "frontier.toml"
    path.write_text(
        f'name = "frontier"\n[base]\nscenario = "{ROOT / "inputs" / "scenarios" / "base.toml"}"\n'
        "[grid]\nbudget_busd = { start = 10.0, stop = 20.0, step = 0.5 }\nlead_time_shift_years = [0]\n",
        encoding="utf-8",
    )
    runs = sweep(path, inputs=ROOT / "inputs", out=tmp_path / "out", workers=1, progress=False)
    assert len(runs) == 21
    _check_frontier(runs, 0.5)


@pytest.mark.slow
def test_shipped_lead_time_sweep_never_rewards_a_slower_pipeline(tmp_path):
    """inputs/sweeps/lead_times.toml on the default data: at each budget, every extra year of lead time
    leaves dependence as high or higher (metamorphic: longer lead times never lower it), and more budget
    never raises it at any shift."""
    runs = sweep(ROOT / "inputs" / "sweeps" / "lead_times.toml", inputs=ROOT / "inputs", out=tmp_path / "out", workers=1, progress=False)
    assert len(runs) == 12 and (runs["status"] == "optimal").all()
    table = runs.pivot(index="lead_time_shift_years", columns="budget_busd", values="objective").sort_index()
    assert (np.diff(table.to_numpy(), axis=0) >= -TOLERANCE).all(), table
    assert (np.diff(table.to_numpy(), axis=1) <= TOLERANCE).all(), table
    assert table.loc[3, 15.5] > table.loc[0, 15.5] + 0.1, "three years' delay costs the base plan dependence"
