"""HiGHS through Pyomo's persistent HiGHS interface: statuses, the tie-break solve and the budget dual.

Only an optimal termination counts as success. Every other termination is mapped to a status
(``time_limit``, ``infeasible``, ``error``) with a sentence saying what happened, never an exception.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from .errors import SolveError

logger = logging.getLogger(__name__)

STATUSES = ("optimal", "time_limit", "infeasible", "error")
TIE_BREAK_ABSOLUTE_TOLERANCE = 1e-9
"""Points added to the held optimum in the tie-break solve, beside the relative tolerance."""

_STATUS_OF = {
    TerminationCondition.convergenceCriteriaSatisfied: "optimal",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.provenInfeasible: "infeasible",
    TerminationCondition.locallyInfeasible: "infeasible",
    TerminationCondition.infeasibleOrUnbounded: "infeasible",
}

_MESSAGE_OF = {
    "optimal": "HiGHS found an optimal plan.",
    "time_limit": "HiGHS stopped at the time limit before proving a plan optimal; no result is reported as optimal.",
    "infeasible": (
        "HiGHS proved that no plan satisfies every constraint. With shortfall allowed up to demand this points "
        "to contradictory inputs, e.g. a negative budget or an export cap below what existing capacity forces."
    ),
}


@dataclass
class SolveOutcome:
    """What a solve produced: status, objective values, the budget dual, model size and timings."""

    status: str
    termination_condition: str
    message: str
    objective: float | None = None
    tie_break_capex_busd: float | None = None
    budget_dual: float | None = None
    budget_dual_method: str | None = None
    model_size: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    solver_version: str = ""

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def make_solver(time_limit: float | None = None, threads: int | None = None) -> Highs:
    """A persistent HiGHS solver configured to report, not raise, on non-optimal terminations."""
    solver = Highs()
    if not solver.available():
        raise SolveError("HiGHS is not available: install the 'highspy' package")
    solver.config.load_solutions = False
    solver.config.raise_exception_on_nonoptimal_result = False
    solver.config.time_limit = time_limit
    solver.config.threads = threads
    solver.config.solver_options["output_flag"] = False
    return solver


def solver_version(solver: Highs) -> str:
    return ".".join(str(part) for part in solver.version())


def _run(solver: Highs, model: pyo.ConcreteModel) -> tuple[str, str, float | None, object]:
    results = solver.solve(model)
    condition = results.termination_condition
    status = _STATUS_OF.get(condition, "error")
    if status == "optimal":
        results.solution_loader.load_vars()
    return status, condition.name, results.incumbent_objective, results


def model_size(solver: Highs) -> dict[str, int]:
    """Rows, columns and non-zeros of the LP as HiGHS holds it."""
    highs = getattr(solver, "_solver_model", None)
    if highs is None:
        return {}
    return {"rows": int(highs.getNumRow()), "columns": int(highs.getNumCol()), "nonzeros": int(highs.getNumNz())}


def _set_primary(model: pyo.ConcreteModel) -> None:
    model.tie_break.deactivate()
    model.tie_break_bound.deactivate()
    model.primary.activate()


def _set_tie_break(model: pyo.ConcreteModel, optimum: float, tolerance: float) -> None:
    model.primary_bound.set_value(optimum * (1.0 + tolerance) + TIE_BREAK_ABSOLUTE_TOLERANCE)
    model.primary.deactivate()
    model.tie_break_bound.activate()
    model.tie_break.activate()


def _lp_budget_dual(results: object, model: pyo.ConcreteModel) -> float | None:
    """−(λ_budget + cap_frac · Σ_y λ_year[y]): points of dependence bought by one more $1B (None when the
    budget rows are dropped, as when a fixed portfolio is evaluated).

    The yearly cap scales with B, so both rows' right-hand sides move with it (MODEL.md).
    """
    if not hasattr(model, "budget_limit"):
        return 0.0
    if not model.budget_limit.active:
        return None
    rows = [model.budget_limit] + [model.yearly_budget_limit[y] for y in model.yearly_budget_limit]
    duals = results.solution_loader.get_duals(rows)
    budget_row = duals.get(model.budget_limit, 0.0)
    yearly = sum(duals.get(model.yearly_budget_limit[y], 0.0) for y in model.yearly_budget_limit)
    return -(budget_row + pyo.value(model.yearly_cap_fraction) * yearly)


def _finite_difference_dual(solver: Highs, model: pyo.ConcreteModel, budget: float) -> tuple[float | None, list[str]]:
    """For a MILP: (obj(B⁻) − obj(B + 1)) / (B + 1 − B⁻) from re-solves, with B⁻ = max(B − 1, 0)."""
    values: dict[float, float] = {}
    warnings: list[str] = []
    for shifted in (max(budget - 1.0, 0.0), budget + 1.0):
        model.budget.set_value(shifted)
        status, _, objective, _ = _run(solver, model)
        if status != "optimal" or objective is None:
            warnings.append(f"budget dual: the re-solve at B = {shifted:g} $B ended {status}")
            continue
        values[shifted] = objective
    model.budget.set_value(budget)
    if len(values) < 2:
        return None, warnings
    (low, low_value), (high, high_value) = sorted(values.items())
    return (low_value - high_value) / (high - low), warnings


def solve_model(
    model: pyo.ConcreteModel,
    *,
    integer_builds: bool = False,
    tie_break: bool = True,
    tie_break_tolerance: float = 1e-8,
    time_limit: float | None = None,
    solver: Highs | None = None,
) -> SolveOutcome:
    """Solve ``model`` for minimum dependence, then break ties by capex; values are left loaded."""
    solver = solver or make_solver(time_limit=time_limit)
    timings: dict[str, float] = {}
    warnings: list[str] = []
    _set_primary(model)

    budget_dual, dual_method = None, None
    if integer_builds:
        started = time.perf_counter()
        budget_dual, fd_warnings = _finite_difference_dual(solver, model, pyo.value(model.budget))
        warnings += fd_warnings
        dual_method = "finite_difference"
        timings["budget_dual_resolves"] = time.perf_counter() - started

    started = time.perf_counter()
    status, condition, objective, results = _run(solver, model)
    timings["solve_primary"] = time.perf_counter() - started
    outcome = SolveOutcome(
        status=status,
        termination_condition=condition,
        message=_MESSAGE_OF.get(status, f"HiGHS ended with termination condition '{condition}'."),
        model_size=model_size(solver),
        timings=timings,
        warnings=warnings,
        solver_version=solver_version(solver),
    )
    if status != "optimal":
        logger.warning("solve ended %s (%s)", status, condition)
        return outcome
    outcome.objective = float(objective)
    if not integer_builds:
        budget_dual, dual_method = _lp_budget_dual(results, model), "lp_dual"
    outcome.budget_dual, outcome.budget_dual_method = budget_dual, dual_method

    if tie_break:
        saved = [(var, var.value) for var in model.component_data_objects(pyo.Var, active=True)]
        _set_tie_break(model, outcome.objective, tie_break_tolerance)
        started = time.perf_counter()
        tb_status, tb_condition, tb_objective, _ = _run(solver, model)
        timings["solve_tie_break"] = time.perf_counter() - started
        if tb_status == "optimal":
            outcome.tie_break_capex_busd = float(tb_objective)
        else:
            for var, value in saved:
                var.set_value(value, skip_validation=True)
            outcome.warnings.append(
                f"the capex tie-break solve ended {tb_status} ({tb_condition}); the first solve's plan is reported"
            )
        _set_primary(model)
    return outcome
