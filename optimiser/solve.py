"""HiGHS through Pyomo's persistent HiGHS interface, and the one solve sequence every back end runs.

The sequence (:func:`solve_sequence`): the primary solve for minimum dependence, the budget dual (the LP's
row duals, or for integer builds re-solves at ``max(B - 1, 0)`` and ``B + 1``), and the capex tie-break
with the primary optimum held within a tolerance, the primary plan kept when the tie-break fails. It runs
over a :class:`SolveBackend`: :class:`PyomoBackend` here for runs and portfolio commands, the sweep's
``Resolver`` over compiled HiGHS arrays. Every solve of one run (baseline, primary, tie-break, the integer
budget dual's re-solves) draws on one :class:`Deadline`, so a time limit bounds the whole run, not each solve.
Statuses and their words come from :mod:`.solve_status`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from .errors import SolverUnavailableError
from .solve_status import NOT_STARTED, from_pyomo, message_for
from .solve_status import STATUSES as STATUSES  # re-exported: callers name the statuses from here too

logger = logging.getLogger(__name__)

TIE_BREAK_ABSOLUTE_TOLERANCE = 1e-9
"""Points added to the held optimum in the tie-break solve, beside the relative tolerance."""

HIGHS_UNAVAILABLE = "HiGHS is not available: install the 'highspy' package"

BUDGET_ABSENT, BUDGET_DROPPED, BUDGET_ACTIVE = "absent", "dropped", "active"
"""A model's budget rows: none (no budget dual to speak of: 0), dropped (as when a fixed portfolio is
evaluated: no dual reported), or in force."""


def import_highspy() -> ModuleType:
    """The ``highspy`` module, or :class:`SolverUnavailableError` (exit 4) when it is not installed."""
    try:
        import highspy
    except ImportError as error:
        raise SolverUnavailableError(HIGHS_UNAVAILABLE) from error
    return highspy


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


class SolveBackend(Protocol):
    """A loaded model that :func:`solve_sequence` can switch between objectives, re-budget and run."""

    def set_primary(self) -> None:
        """Minimise the primary (dependence) objective, the tie-break bound free."""

    def set_tie_break(self, held_optimum: float) -> None:
        """Minimise capex with the primary objective (offset included) at most ``held_optimum``."""

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        """Solve within what is left of ``deadline``: (status, condition name, objective). An optimal
        solution becomes the current plan when ``load``; with no time left the solver is not called."""

    def budget_rows(self) -> str:
        """:data:`BUDGET_ABSENT`, :data:`BUDGET_DROPPED` or :data:`BUDGET_ACTIVE`."""

    def lp_budget_dual(self) -> float:
        """−(λ_budget + cap_frac · Σ_y λ_year[y]) from the last loaded LP solution's row duals."""

    def budget(self) -> float:
        """The budget B ($B) the model holds."""

    def set_budget(self, value: float) -> None:
        """Hold budget ``value`` ($B), with every row that scales with it."""

    def save(self) -> object:
        """The current plan, for :meth:`restore`."""

    def restore(self, saved: object) -> None:
        """Make a plan from :meth:`save` the current one again."""

    def model_size(self) -> dict[str, int]:
        """Rows, columns and non-zeros of the LP as the solver holds it."""


def held_optimum(optimum: float, tolerance: float) -> float:
    """The bound on the primary objective in the tie-break solve: the optimum within ``tolerance``."""
    return optimum * (1.0 + tolerance) + TIE_BREAK_ABSOLUTE_TOLERANCE


def solve_sequence(
    backend: SolveBackend,
    *,
    integer_builds: bool,
    tie_break: bool,
    tolerance: float,
    deadline: Deadline,
    budget_dual: bool = True,
) -> SolveOutcome:
    """Solve for minimum dependence, take the budget dual, then break ties by capex; the plan is left current.

    The budget dual comes from the LP's row duals, or with ``integer_builds`` (a MIP has no duals) from
    re-solves at ``max(B - 1, 0)`` and ``B + 1`` after the tie-break. Every solve draws on ``deadline``.
    Timings: ``solve_primary``, ``solve_tie_break``, ``budget_dual_resolves``.
    """
    timings: dict[str, float] = {}
    backend.set_primary()
    started = time.perf_counter()
    status, condition, objective = backend.run(deadline)
    timings["solve_primary"] = time.perf_counter() - started
    outcome = SolveOutcome(
        status=status,
        termination_condition=condition,
        message=message_for(status, condition, deadline.seconds, objective),
        model_size=backend.model_size(),
        timings=timings,
    )
    if status != "optimal":
        return outcome
    outcome.objective = float(objective)
    rows = backend.budget_rows()
    if budget_dual and not integer_builds:
        outcome.budget_dual_method = "lp_dual"
        if rows == BUDGET_ACTIVE:
            outcome.budget_dual = backend.lp_budget_dual()
        elif rows == BUDGET_ABSENT:
            outcome.budget_dual = 0.0

    if tie_break:
        saved = backend.save()
        started = time.perf_counter()
        try:
            backend.set_tie_break(held_optimum(outcome.objective, tolerance))
            tb_status, tb_condition, tb_objective = backend.run(deadline)
        finally:
            backend.set_primary()
        timings["solve_tie_break"] = time.perf_counter() - started
        if tb_status == "optimal":
            outcome.tie_break_capex_busd = float(tb_objective)
        else:
            backend.restore(saved)
            outcome.warnings.append(
                f"the capex tie-break solve ended {tb_status} ({tb_condition}); the first solve's plan is reported"
            )

    if budget_dual and integer_builds:
        outcome.budget_dual_method = "finite_difference"
        if rows == BUDGET_ABSENT:
            outcome.budget_dual = 0.0
        elif rows == BUDGET_ACTIVE:
            started = time.perf_counter()
            outcome.budget_dual = _finite_difference_dual(backend, deadline, outcome.warnings)
            timings["budget_dual_resolves"] = time.perf_counter() - started
    return outcome


def _finite_difference_dual(backend: SolveBackend, deadline: Deadline, warnings: list[str]) -> float | None:
    """For a MILP: (obj(B⁻) − obj(B + 1)) / (B + 1 − B⁻) from re-solves, with B⁻ = max(B − 1, 0).

    The re-solves leave the current plan alone (it is the reported one) and the budget is restored after.
    """
    budget = backend.budget()
    values: dict[float, float] = {}
    try:
        for shifted in (max(budget - 1.0, 0.0), budget + 1.0):
            backend.set_budget(shifted)
            status, _, objective = backend.run(deadline, load=False)
            if status != "optimal" or objective is None:
                warnings.append(f"budget dual: the re-solve at B = {shifted:g} $B ended {status}; no dual reported")
                continue
            values[shifted] = objective
    finally:
        backend.set_budget(budget)
    if len(values) < 2:
        return None
    (low, low_value), (high, high_value) = sorted(values.items())
    return (low_value - high_value) / (high - low)


def make_solver(time_limit: float | None = None, threads: int | None = None) -> Highs:
    """A persistent HiGHS solver configured to report, not raise, on non-optimal terminations."""
    solver = Highs()
    if not solver.available():
        raise SolverUnavailableError(HIGHS_UNAVAILABLE)
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
        return NOT_STARTED.status, NOT_STARTED.condition, None, None
    solver.config.time_limit = deadline.remaining()
    results = solver.solve(model)
    status, condition = from_pyomo(results.termination_condition)
    if status == "optimal" and load:
        results.solution_loader.load_vars()
        if integer:
            snap_integers(model)
    return status, condition, results.incumbent_objective, results


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


class PyomoBackend:
    """The solve sequence over a built model in Pyomo's persistent HiGHS interface: values are loaded into
    the model (integers snapped when ``integer``)."""

    def __init__(self, solver: Highs, model: pyo.ConcreteModel, integer: bool) -> None:
        self.solver = solver
        self.model = model
        self.integer = integer
        self._results: object = None

    def set_primary(self) -> None:
        model = self.model
        model.tie_break.deactivate()
        model.tie_break_bound.deactivate()
        model.primary.activate()

    def set_tie_break(self, held_optimum: float) -> None:
        model = self.model
        model.primary_bound.set_value(held_optimum)
        model.primary.deactivate()
        model.tie_break_bound.activate()
        model.tie_break.activate()

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        status, condition, objective, results = run_within(self.solver, self.model, deadline, load, self.integer)
        if load:
            self._results = results
        return status, condition, objective

    def budget_rows(self) -> str:
        if not hasattr(self.model, "budget_limit"):
            return BUDGET_ABSENT
        return BUDGET_ACTIVE if self.model.budget_limit.active else BUDGET_DROPPED

    def lp_budget_dual(self) -> float:
        """The yearly cap scales with B, so both rows' right-hand sides move with it (MODEL.md)."""
        model = self.model
        rows = [model.budget_limit] + [model.yearly_budget_limit[y] for y in model.yearly_budget_limit]
        duals = self._results.solution_loader.get_duals(rows)
        budget_row = duals.get(model.budget_limit, 0.0)
        yearly = sum(duals.get(model.yearly_budget_limit[y], 0.0) for y in model.yearly_budget_limit)
        return -(budget_row + pyo.value(model.yearly_cap_fraction) * yearly)

    def budget(self) -> float:
        return pyo.value(self.model.budget)

    def set_budget(self, value: float) -> None:
        self.model.budget.set_value(value)

    def save(self) -> list[tuple[object, float | None]]:
        return [(var, var.value) for var in self.model.component_data_objects(pyo.Var, active=True)]

    def restore(self, saved: list[tuple[object, float | None]]) -> None:
        for var, value in saved:
            var.set_value(value, skip_validation=True)

    def model_size(self) -> dict[str, int]:
        return model_size(self.solver)


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
    """:func:`solve_sequence` on ``model`` through Pyomo; values are left loaded.

    The model counts as integer when it has integer variables, whatever ``integer_builds`` says. Every solve
    draws on ``deadline`` (default: a new one of ``time_limit`` seconds).
    """
    solver = solver or make_solver(time_limit=time_limit)
    integer = integer_builds or is_integer(model)
    outcome = solve_sequence(
        PyomoBackend(solver, model, integer),
        integer_builds=integer,
        tie_break=tie_break,
        tolerance=tie_break_tolerance,
        deadline=deadline or Deadline(time_limit),
        budget_dual=budget_dual,
    )
    outcome.solver_version = solver_version(solver)
    if not outcome.optimal:
        logger.warning("solve ended %s (%s)", outcome.status, outcome.termination_condition)
    return outcome
