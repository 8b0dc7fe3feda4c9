"""Alternatives solved on the compiled arrays reach the optimum of their goal (issue 14).

Each alternative's goal (``Σ c[p, τ] · build[p, τ]``, minimised or maximised with the dependence objective
held within the slack) is solved again as a fresh Pyomo model through Pyomo's HiGHS interface; the
alternative's portfolio must score that optimum, and its evaluation must stay within the slack bound.
"""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo
import pytest

from optimiser import Scenario, load_inputs
from optimiser.model import build_model, build_structure
from optimiser.portfolios.alternatives import _emphasis_goals, alternatives
from optimiser.solve import Deadline, make_solver, run_within

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _goal_optimum(data, scenario, bound: float, costs: dict, sense) -> float:
    model, _ = build_model(data, scenario, build_structure(data, scenario))
    model.primary.deactivate()
    model.primary_bound.set_value(bound)
    model.tie_break_bound.activate()
    model.goal = pyo.Objective(expr=sum(c * model.build[pair] for pair, c in costs.items()), sense=sense)
    status, _, objective, _ = run_within(make_solver(), model, Deadline(None))
    assert status == "optimal"
    return objective


@pytest.mark.parametrize("mode", ["projects", "stages"])
def test_each_alternative_reaches_its_goals_optimum(mode):
    data = load_inputs(TINY)
    scenario = Scenario.from_toml(TINY / "scenarios" / "base.toml")
    optimum, found = alternatives(data, scenario, slack=0.05, count=2, mode=mode)
    assert optimum.optimal and len(found) == 2
    bound = optimum.summary["objective"] * 1.05
    structure = build_structure(data, scenario)
    model, _ = build_model(data, scenario, structure)
    if mode == "projects":
        optimum_shares = {(r.project, int(r.start_year)): float(r.share) for r in optimum.builds.itertuples(index=False)}
        used: dict[str, float] = {}
        for (p, _), share in optimum_shares.items():
            used[p] = used.get(p, 0.0) + share / structure.projects[p].max_units
        goals = [({pair: used[pair[0]] / structure.projects[pair[0]].max_units for pair in model.BUILD if pair[0] in used},
                  pyo.minimize)]
    else:
        goals = [(costs, sense) for _, _, costs, sense in _emphasis_goals(model, structure, mode)[:2]]
    for alternative, (costs, sense) in zip(found, goals):
        assert alternative.result.optimal
        assert alternative.result.objective <= bound + 1e-6
        achieved = sum(costs.get(pair, 0.0) * share for pair, share in alternative.portfolio.shares.items())
        assert achieved == pytest.approx(_goal_optimum(data, scenario, bound, costs, sense), rel=1e-6, abs=1e-6)
