"""Near-optimal alternatives (modelling to generate alternatives, MGA).

With the optimum ``f*`` of the scenario's dependence objective, every alternative keeps

    primary ≤ f* · (1 + slack)

and optimises a different goal:

- ``projects`` (Hop-Skip-Jump, weighted): minimise ``Σ_{p,τ} used[p] · build[p, τ] / max_units[p]``, where
  ``used[p]`` sums the project's share of its maximum units over the optimum and every earlier alternative:
  portfolios that lean least on the projects already leaned on (a project in every portfolio so far weighs
  most), so each alternative differs from all those before it, not only from the optimum;
- ``stages`` / ``countries``: in turn, maximise then minimise capex spent at each stage (in a project's
  stages) or in each country: portfolios that put the emphasis elsewhere.

Each alternative's builds are then evaluated like any portfolio, so its ``objective`` is the scenario's
dependence objective (never above the slack bound) and ``compare`` ranks it with the rest.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pyomo.environ as pyo

from ..errors import UsageError
from ..inputs.data import InputData
from ..model import build_structure
from ..runner import RunResult
from ..scenario import Scenario
from ..solve import TIE_BREAK_ABSOLUTE_TOLERANCE, Deadline
from .choices import MODES
from .evaluate import Evaluator
from .portfolio import Portfolio

logger = logging.getLogger(__name__)

SLACK_MAXIMUM = 100.0
"""Largest relative slack: 100 lets the dependence objective grow a hundredfold, which already bounds nothing."""


@dataclass
class Alternative:
    """One alternative: what it optimised, its portfolio and its evaluation."""

    label: str
    criterion: str
    portfolio: Portfolio
    result: RunResult


def _emphasis_goals(model: pyo.ConcreteModel, structure, mode: str) -> list[tuple[str, str, dict, int]]:
    """(label, criterion, capex coefficients by build, sense) for every stage or country, maximise then minimise."""
    goals = []
    if mode == "stages":
        groups = {s: [p for p in structure.buildable_projects if s in structure.projects[p].stages] for s in structure.stages}
    else:
        countries = sorted({structure.projects[p].country for p in structure.buildable_projects})
        groups = {c: [p for p in structure.buildable_projects if structure.projects[p].country == c] for c in countries}
    for group, projects in groups.items():
        if not projects:
            continue
        members = set(projects)
        spend = {(p, tau): pyo.value(model.capex_total[p, tau]) for p, tau in model.BUILD if p in members}
        slug = group.lower().replace(" ", "-")
        goals.append((f"max-{slug}", f"maximise capex in {group}", spend, pyo.maximize))
        goals.append((f"min-{slug}", f"minimise capex in {group}", spend, pyo.minimize))
    return goals


def check_arguments(slack: float, count: int, mode: str) -> None:
    """Refuse a slack, count or mode that cannot ask for alternatives, before anything is solved."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if not (math.isfinite(slack) and 0 <= slack <= SLACK_MAXIMUM):
        raise UsageError(f"--slack must be a number from 0 to {SLACK_MAXIMUM:g} (a relative loss, 0.05 is 5 %), got {slack}")
    if count < 1:
        raise UsageError(f"--count must be at least 1, got {count}")


def alternatives(
    data: InputData,
    scenario: Scenario,
    *,
    slack: float = 0.05,
    count: int = 3,
    mode: str = "projects",
) -> tuple[RunResult, list[Alternative]]:
    """The optimum and up to ``count`` alternatives within ``slack`` (relative) of its dependence.

    The scenario's time limit bounds the optimum's solves and every alternative's together; when it (or
    anything else) stops an alternative's solve, the ones found so far are returned and the optimum's
    summary warns why there are no more.
    """
    check_arguments(slack, count, mode)
    scenario.check_against(data)
    structure = build_structure(data, scenario)
    evaluator = Evaluator(data, scenario, structure)
    deadline = Deadline(scenario.time_limit_seconds)
    optimum = evaluator.optimise(deadline)
    if not optimum.optimal:
        return optimum, []
    model = evaluator.model
    optimum_portfolio = Portfolio.from_model(model, "optimum", "optimum")
    bound = optimum.objective * (1 + slack) + TIE_BREAK_ABSOLUTE_TOLERANCE

    found: list[Alternative] = []
    used: dict[str, float] = {}

    def lean_on(portfolio: Portfolio) -> None:
        for (p, _), share in portfolio.shares.items():
            used[p] = used.get(p, 0.0) + share / structure.projects[p].max_units

    lean_on(optimum_portfolio)
    goals = _emphasis_goals(model, structure, mode) if mode != "projects" else []
    resolver = evaluator.resolver
    for index in range(count):
        if mode == "projects":
            label, criterion = f"alt-{index + 1:02d}-fewest-shared-projects", "minimise overlap with earlier portfolios"
            costs = {(p, tau): used[p] / structure.projects[p].max_units for p, tau in model.BUILD if p in used}
            sense = pyo.minimize
        else:
            if index >= len(goals):
                break
            slug, criterion, costs, sense = goals[index]
            label = f"alt-{index + 1:02d}-{slug}"
        sign = 1.0 if sense == pyo.minimize else -1.0
        evaluator.release()
        resolver.set_goal({pair: sign * cost for pair, cost in costs.items()}, bound)
        try:
            status, condition, _ = resolver.run(deadline)
        finally:
            resolver.set_primary()
        if status != "optimal":
            warning = (
                f"alternative {index + 1} ({criterion}): the solve ended {status} ({condition}); "
                f"{len(found)} alternative(s) found"
            )
            logger.warning(warning)
            optimum.summary["warnings"].append(warning)
            break
        resolver.load_solution()
        portfolio = Portfolio.from_model(model, label, criterion)
        lean_on(portfolio)
        result = evaluator(portfolio)
        result.summary.update(
            {
                "kind": "alternative",
                "criterion": criterion,
                "slack": slack,
                "optimum_objective": optimum.objective,
                "slack_bound": bound,
            }
        )
        found.append(Alternative(label=label, criterion=criterion, portfolio=portfolio, result=result))
    return optimum, found
