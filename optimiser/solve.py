"""HiGHS through Pyomo's persistent HiGHS interface: statuses, the tie-break solve and the budget dual.

Only an optimal termination counts as success. Every other termination is mapped to a status
(``time_limit``, ``infeasible``, ``error``) with a sentence saying what happened and what to try, never an
exception. Every solve of one run (baseline, primary, tie-break, the integer budget dual's re-solves) draws on
one :class:`Deadline`, so a time limit bounds the whole run, not each solve.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from .errors import SolverUnavailableError

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
    "infeasible": (
        "HiGHS proved that no plan satisfies every constraint. With shortfall allowed up to demand this points "
        "to contradictory inputs, e.g. a negative budget or an export cap below what existing capacity forces."
    ),
}

_NUMERICAL_ADVICE = (
    "This usually means numerical trouble from extreme scenario values (very large or very small budgets, "
    "multipliers, weights or growth): try values nearer the defaults (docs/model.md, 'Scenario settings'), "
    "and report it with the scenario file if it persists."
)

_ERROR_MESSAGE_OF = {
    TerminationCondition.unbounded.name: (
        "HiGHS found the problem unbounded, which the model's bounds should rule out. " + _NUMERICAL_ADVICE
    ),
    TerminationCondition.iterationLimit.name: (
        "HiGHS stopped at its iteration limit before proving a plan optimal. " + _NUMERICAL_ADVICE
    ),
    TerminationCondition.objectiveLimit.name: (
        "HiGHS stopped at an objective limit before proving a plan optimal. " + _NUMERICAL_ADVICE
    ),
    TerminationCondition.interrupted.name: "the solve was interrupted before HiGHS proved a plan optimal.",
    TerminationCondition.emptyModel.name: (
        "HiGHS was given an empty model: the horizon and the data leave nothing to decide or measure."
    ),
}


def message_for(status: str, condition: str, time_limit: float | None = None, incumbent: float | None = None) -> str:
    """What a solve's status and HiGHS termination condition mean for the user, and what to try.

    For a time limit, ``time_limit`` (seconds, shared by every solve of the run) and ``incumbent`` (the best
    objective found by then, if any) are named too.
    """
    if status == "time_limit":
        limit = "" if time_limit is None else f" of {time_limit:g} s (shared by every solve of the run)"
        found = "" if incumbent is None else f" The best plan found by then scores {incumbent:.4f} points."
        return (
            f"HiGHS stopped at the time limit{limit} before proving a plan optimal; no result is reported as "
            f"optimal.{found} Raise --time-limit (time_limit_seconds in the scenario); with integer_builds = "
            "true, also try the continuous model, which solves in seconds."
        )
    if status in _MESSAGE_OF:
        return _MESSAGE_OF[status]
    return _ERROR_MESSAGE_OF.get(
        condition,
        f"HiGHS could not finish the solve (termination condition '{condition}'). " + _NUMERICAL_ADVICE,
    )


class Deadline:
    """One time limit shared by every solve of a run: each solve gets only the seconds left.

    ``seconds`` ``None`` means no limit. The clock starts when the deadline is made.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._end = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        """Seconds left (never negative), or ``None`` without a limit."""
        if self._end is None:
            return None
        return max(0.0, self._end - time.monotonic())

    @property
    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0.0


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
        raise SolverUnavailableError("HiGHS is not available: install the 'highspy' package")
    solver.config.load_solutions = False
    solver.config.raise_exception_on_nonoptimal_result = False
    solver.config.time_limit = time_limit
    solver.config.threads = threads
    solver.config.solver_options["output_flag"] = False
    return solver


def solver_version(solver: Highs) -> str:
    return ".".join(str(part) for part in solver.version())


def run_within(
    solver: Highs, model: pyo.ConcreteModel, deadline: Deadline, load: bool = True, integer: bool = False
) -> tuple[str, str, float | None, object]:
    """One HiGHS solve within what is left of ``deadline``: (status, condition, objective, results).

    An optimal solution is loaded into the model when ``load`` (integer values snapped when ``integer``);
    with no time left HiGHS is not called.
    """
    if deadline.expired:
        return "time_limit", TerminationCondition.maxTimeLimit.name, None, None
    solver.config.time_limit = deadline.remaining()
    results = solver.solve(model)
    condition = results.termination_condition
    status = _STATUS_OF.get(condition, "error")
    if status == "optimal" and load:
        results.solution_loader.load_vars()
        if integer:
            snap_integers(model)
    return status, condition.name, results.incumbent_objective, results


def snap_integers(model: pyo.ConcreteModel) -> None:
    """Round the loaded value of every free integer variable to its integer: HiGHS returns them within its
    feasibility tolerance (0.9999995 for 1), and a portfolio of whole units should read as whole units."""
    for var in model.component_data_objects(pyo.Var, active=True):
        if var.is_integer() and not var.fixed and var.value is not None:
            var.set_value(float(round(var.value)), skip_validation=True)


def is_integer(model: pyo.ConcreteModel) -> bool:
    """Whether any active variable of ``model`` is integer (HiGHS then solves a MIP, which has no duals)."""
    return any(var.is_integer() for var in model.component_data_objects(pyo.Var, active=True) if not var.fixed)


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


def _finite_difference_dual(
    solver: Highs, model: pyo.ConcreteModel, budget: float, deadline: Deadline
) -> tuple[float | None, list[str]]:
    """For a MILP: (obj(B⁻) − obj(B + 1)) / (B + 1 − B⁻) from re-solves, with B⁻ = max(B − 1, 0).

    The re-solves leave the model's loaded values alone (they are the reported plan's).
    """
    values: dict[float, float] = {}
    warnings: list[str] = []
    try:
        for shifted in (max(budget - 1.0, 0.0), budget + 1.0):
            model.budget.set_value(shifted)
            status, _, objective, _ = run_within(solver, model, deadline, load=False)
            if status != "optimal" or objective is None:
                warnings.append(f"budget dual: the re-solve at B = {shifted:g} $B ended {status}; no dual reported")
                continue
            values[shifted] = objective
    finally:
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
    deadline: Deadline | None = None,
    budget_dual: bool = True,
) -> SolveOutcome:
    """Solve ``model`` for minimum dependence, then break ties by capex; values are left loaded.

    The budget dual comes from the LP's row duals, or, when the model has integer variables (whatever
    ``integer_builds`` says), from re-solves at B ± 1 after the tie-break. Every solve draws on ``deadline``
    (default: a new one of ``time_limit`` seconds).
    """
    solver = solver or make_solver(time_limit=time_limit)
    deadline = deadline or Deadline(time_limit)
    integer = integer_builds or is_integer(model)
    timings: dict[str, float] = {}
    warnings: list[str] = []
    _set_primary(model)

    started = time.perf_counter()
    status, condition, objective, results = run_within(solver, model, deadline, integer=integer)
    timings["solve_primary"] = time.perf_counter() - started
    outcome = SolveOutcome(
        status=status,
        termination_condition=condition,
        message=message_for(status, condition, deadline.seconds, objective),
        model_size=model_size(solver),
        timings=timings,
        warnings=warnings,
        solver_version=solver_version(solver),
    )
    if status != "optimal":
        logger.warning("solve ended %s (%s)", status, condition)
        return outcome
    outcome.objective = float(objective)
    if budget_dual and not integer:
        outcome.budget_dual, outcome.budget_dual_method = _lp_budget_dual(results, model), "lp_dual"

    if tie_break:
        saved = [(var, var.value) for var in model.component_data_objects(pyo.Var, active=True)]
        _set_tie_break(model, outcome.objective, tie_break_tolerance)
        started = time.perf_counter()
        tb_status, tb_condition, tb_objective, _ = run_within(solver, model, deadline, integer=integer)
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

    if budget_dual and integer:
        outcome.budget_dual_method = "finite_difference"
        if not hasattr(model, "budget_limit"):
            outcome.budget_dual = 0.0
        elif model.budget_limit.active:
            started = time.perf_counter()
            outcome.budget_dual, fd_warnings = _finite_difference_dual(
                solver, model, pyo.value(model.budget), deadline
            )
            outcome.warnings += fd_warnings
            timings["budget_dual_resolves"] = time.perf_counter() - started
    return outcome
