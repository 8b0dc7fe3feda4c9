"""The robust portfolio: a two-stage stochastic LP over a set of scenarios.

One set of builds is shared by every scenario (first stage); operations are chosen per scenario (second
stage), each scenario's model a block of the whole. With ``obj[s]`` a scenario's dependence objective and
weights ``w[s]`` (normalised to sum to 1):

    expected   min Σ_s w[s] · obj[s]
    worst      min z,                      z ≥ obj[s] for every s
    cvar       min η + Σ_s w[s] · u[s] / (1 − α),   u[s] ≥ obj[s] − η,  u[s] ≥ 0

The budget and yearly-cap rows are the first scenario's (the reference): a portfolio that is optimal for any
single scenario of a set differing in export caps, capex overruns, delays or demand also meets them, so
the robust optimum is never worse, on the chosen measure, than any single-scenario optimum evaluated over
the set. Starts are offered as in the reference scenario; in the others a start whose output falls after
the horizon simply produces nothing. Ties are broken by capex, as for a single run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pyomo.environ as pyo

from ..errors import InputError, InputIssue
from ..inputs.data import InputData
from ..model.build import populate
from ..model.parameters import build_structure, mutable_values
from ..runner import RunResult
from ..scenario import BUILD_SHAPING_FIELDS, Scenario
from ..results import build_values, chosen_builds
from ..solve import Deadline, PyomoBackend, SolveOutcome, is_integer, make_solver, solve_sequence
from .choices import MEASURES
from .evaluate import Evaluator
from .portfolio import Portfolio
from .robust_lp import StackedBackend, stack

logger = logging.getLogger(__name__)

WEIGHT_MAXIMUM = 1e6
"""Largest scenario weight: weights are relative (normalised to sum to 1), so larger ones only risk overflow."""
ALPHA_MAXIMUM = 0.99
"""Largest CVaR level: the measure divides by 1 − α, and nearer 1 the LP's coefficients blow up."""


@dataclass
class RobustResult:
    """The shared portfolio, its measure, and its evaluation under every scenario."""

    status: str
    message: str
    measure: str
    alpha: float | None
    weights: list[float]
    measure_value: float | None
    portfolio: Portfolio | None
    evaluations: dict[str, RunResult] = field(default_factory=dict)
    evaluators: dict[str, Evaluator] = field(default_factory=dict)
    model_size: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def _check(scenarios: list[Scenario], weights: list[float] | None, measure: str, alpha: float) -> list[float]:
    issues = []
    if len(scenarios) < 1:
        issues.append(InputIssue("<robust>", "give at least one scenario", column="scenarios"))
    if measure not in MEASURES:
        issues.append(InputIssue("<robust>", f"unknown measure '{measure}'; choose one of {', '.join(MEASURES)}", column="measure"))
    if measure == "cvar" and not 0 <= alpha <= ALPHA_MAXIMUM:
        issues.append(InputIssue("<robust>", f"alpha must be from 0 to {ALPHA_MAXIMUM:g}, got {alpha}", column="alpha"))
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        issues.append(InputIssue("<robust>", f"scenario names must differ, got {names}", column="scenarios"))
    if weights is not None and (
        len(weights) != len(scenarios)
        or not all(0 <= w <= WEIGHT_MAXIMUM for w in weights)
        or sum(weights) <= 0
    ):
        issues.append(
            InputIssue("<robust>", f"give one weight from 0 to {WEIGHT_MAXIMUM:g} per scenario ({len(scenarios)}), "
                       f"not all zero, got {weights}", column="weights")
        )
    for scenario in scenarios[1:]:
        for key in BUILD_SHAPING_FIELDS:
            if getattr(scenario, key) != getattr(scenarios[0], key):
                issues.append(
                    InputIssue(
                        scenario.source,
                        f"must equal the first scenario's ({getattr(scenarios[0], key)!r}): builds are shared",
                        column=key,
                    )
                )
    if issues:
        raise InputError(issues)
    raw = weights if weights is not None else [1.0] * len(scenarios)
    return [w / sum(raw) for w in raw]


BACKENDS = ("compiled", "pyomo")
"""How the robust LP reaches HiGHS: ``compiled`` (default) assembles it from the scenarios' compiled LPs
(:mod:`.robust_lp`); ``pyomo`` builds it as a Pyomo model of blocks (the reference the other is tested
against)."""


def robust(
    data: InputData,
    scenarios: list[Scenario],
    *,
    weights: list[float] | None = None,
    measure: str = "expected",
    alpha: float = 0.9,
    time_limit: float | None = None,
    backend: str = "compiled",
) -> RobustResult:
    """Solve the two-stage LP (a MILP under integer builds) and evaluate the shared portfolio under each
    scenario. The time limit (``time_limit``, else the first scenario's) bounds the robust solve and its
    tie-break together, then each evaluation (a quick LP with the builds fixed) on its own."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    weights = _check(scenarios, weights, measure, alpha)
    started = time.perf_counter()
    for scenario in scenarios:
        scenario.check_against(data)
    limit = time_limit if time_limit is not None else scenarios[0].time_limit_seconds
    deadline = Deadline(limit)
    evaluators = {scenario.name: Evaluator(data, scenario, time_limit=limit) for scenario in scenarios}
    if backend == "compiled":
        outcome, shares = _solve_stacked([evaluators[s.name] for s in scenarios], scenarios[0], weights, measure, alpha, deadline)
    else:
        outcome, shares = _solve_pyomo(data, scenarios, weights, measure, alpha, deadline)
    size = outcome.model_size
    if not outcome.optimal:
        message = f"the robust model ended {outcome.status}: {outcome.message}"
        return RobustResult(outcome.status, message, measure, alpha if measure == "cvar" else None, weights, None, None, model_size=size)
    value = outcome.objective
    for warning in outcome.warnings:
        logger.warning("robust: %s", warning)
    portfolio = Portfolio(name="robust", source=f"robust ({measure})", shares=chosen_builds(shares))
    evaluations = {name: evaluator(portfolio) for name, evaluator in evaluators.items()}
    failed = {name: result for name, result in evaluations.items() if not result.optimal}
    if failed:
        name, result = next(iter(failed.items()))
        message = f"the robust portfolio's evaluation under '{name}' ended {result.status}: {result.message}"
        return RobustResult(result.status, message, measure, alpha if measure == "cvar" else None, weights, value,
                            portfolio, evaluations, evaluators, model_size=size, seconds=time.perf_counter() - started)
    return RobustResult(
        status="optimal",
        message="HiGHS found an optimal robust portfolio.",
        measure=measure,
        alpha=alpha if measure == "cvar" else None,
        weights=weights,
        measure_value=value,
        portfolio=portfolio,
        evaluations=evaluations,
        evaluators=evaluators,
        model_size=size,
        seconds=time.perf_counter() - started,
    )


def _solve_stacked(
    evaluators: list[Evaluator], reference: Scenario, weights: list[float], measure: str, alpha: float, deadline: Deadline
) -> tuple[SolveOutcome, dict[tuple[str, int], float]]:
    """The robust LP assembled from the evaluators' compiled LPs, solved with its capex tie-break."""
    stacked = stack([(e.resolver.current_lp(), e.model) for e in evaluators], weights, measure, alpha)
    backend = StackedBackend(stacked, solver_log=logging.getLogger("optimiser").isEnabledFor(logging.INFO))
    outcome = solve_sequence(
        backend, integer_builds=False, tie_break=reference.tie_break, tolerance=reference.tie_break_tolerance,
        deadline=deadline, budget_dual=False,
    )
    return outcome, backend.build_values() if outcome.optimal else {}


def _solve_pyomo(
    data: InputData, scenarios: list[Scenario], weights: list[float], measure: str, alpha: float, deadline: Deadline
) -> tuple[SolveOutcome, dict[tuple[str, int], float]]:
    """The robust LP as a Pyomo model of blocks (the statement of the algebra), solved through Pyomo."""
    model = pyo.ConcreteModel(name="optimiser:robust")
    blocks = []
    for index, scenario in enumerate(scenarios):
        structure = build_structure(data, scenario)
        block = pyo.Block(concrete=True)
        model.add_component(f"scenario_{index}", block)
        populate(block, structure, mutable_values(data, scenario, structure))
        block.primary.deactivate()
        blocks.append((block, structure))
    reference = blocks[0][0]
    for block, structure in blocks[1:]:
        for p, tau in block.BUILD:
            block.build_upper[p, tau] = float(structure.projects[p].max_units)
        if hasattr(block, "budget_limit"):
            block.budget_limit.deactivate()
            block.yearly_budget_limit.deactivate()
        if hasattr(block, "unit_limit"):
            block.unit_limit.deactivate()
        block.shared_build = pyo.Constraint(
            block.BUILD, rule=lambda b, p, tau: b.build[p, tau] == reference.build[p, tau]
        )

    objectives = [block.primary_expression for block, _ in blocks]
    model.SCENARIOS = pyo.RangeSet(0, len(scenarios) - 1)
    if measure == "expected":
        model.measure = pyo.Expression(expr=sum(w * o for w, o in zip(weights, objectives)))
    elif measure == "worst":
        model.worst = pyo.Var(domain=pyo.NonNegativeReals)
        model.worst_definition = pyo.Constraint(model.SCENARIOS, rule=lambda m, s: objectives[s] <= m.worst)
        model.measure = pyo.Expression(expr=model.worst)
    else:
        model.var_level = pyo.Var(domain=pyo.Reals)
        model.excess = pyo.Var(model.SCENARIOS, domain=pyo.NonNegativeReals)
        model.excess_definition = pyo.Constraint(
            model.SCENARIOS, rule=lambda m, s: m.excess[s] >= objectives[s] - m.var_level
        )
        model.measure = pyo.Expression(
            expr=model.var_level + sum(weights[s] * model.excess[s] for s in model.SCENARIOS) / (1.0 - alpha)
        )
    # The names the shared solve sequence drives (PyomoBackend): the measure, then capex with it held.
    model.primary = pyo.Objective(expr=model.measure, sense=pyo.minimize)
    model.primary_bound = pyo.Param(mutable=True, initialize=0.0)
    model.tie_break_bound = pyo.Constraint(expr=model.measure <= model.primary_bound)
    model.tie_break = pyo.Objective(expr=reference.total_capex, sense=pyo.minimize)

    outcome = solve_sequence(
        PyomoBackend(make_solver(time_limit=deadline.remaining()), model, is_integer(model)),
        integer_builds=False,
        tie_break=scenarios[0].tie_break,
        tolerance=scenarios[0].tie_break_tolerance,
        deadline=deadline,
        budget_dual=False,
    )
    return outcome, build_values(reference) if outcome.optimal else {}


def measure_of(objectives: list[float], weights: list[float], measure: str, alpha: float | None) -> float:
    """The measure of a list of scenario objectives (used to score any portfolio the way the LP does)."""
    if measure == "expected":
        return sum(w * o for w, o in zip(weights, objectives))
    if measure == "worst":
        return max(objectives)
    pairs = sorted(zip(objectives, weights), reverse=True)
    tail = 1.0 - float(alpha)
    total, remaining = 0.0, tail
    for objective, weight in pairs:
        take = min(weight, remaining)
        total += take * objective
        remaining -= take
        if remaining <= 1e-12:
            break
    return total / tail
