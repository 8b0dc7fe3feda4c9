"""HiGHS through Pyomo's persistent HiGHS interface, and the one solve sequence every back end runs.

The sequence (:func:`solve_sequence`): the primary solve for minimum dependence; under a named objective
other than ``weighted`` a secondary solve minimising ``weighted`` over every cell with the primary optimum
held; the capex tie-break with every earlier optimum held within a tolerance (the previous plan kept when a
later solve fails); then the budget dual: for an LP the row duals checked against one-sided slopes from
warm re-solves at ``B ± δ`` (:data:`SLOPE_STEP_BUSD`), the right-hand slope reported where the LP dual is
not the unique marginal value, and for integer builds re-solves at ``max(B - 1, 0)`` and ``B + 1``. It runs
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
from collections.abc import Callable, Iterable
from typing import Protocol

import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from .errors import SolverUnavailableError
from .solve_status import NOT_STARTED, from_pyomo, incumbent_message, message_for, relative_gap
from .solve_status import STATUSES as STATUSES  # re-exported: callers name the statuses from here too

logger = logging.getLogger(__name__)

TIE_BREAK_ABSOLUTE_TOLERANCE = 1e-9
"""Points added to the held optimum in the tie-break solve, beside the relative tolerance."""

SLOPE_STEP_BUSD = 1e-3
"""δ ($B) of the one-sided budget slopes: (obj(B) − obj(B + δ)) / δ and (obj(B − δ) − obj(B)) / δ."""

SLOPE_AGREEMENT_TOLERANCE = 1e-3
"""The LP dual counts as the unique marginal value when it is within this much of both one-sided slopes,
relative to max(1, |dual|): a slope over δ carries HiGHS's objective error (about 1e-7 points) times 1/δ."""

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
    secondary_objective: float | None = None
    budget_dual: float | None = None
    budget_dual_method: str | None = None
    budget_dual_lp: float | None = None
    budget_dual_left: float | None = None
    budget_dual_right: float | None = None
    objective_bound: float | None = None
    incumbent: bool = False
    """The plan is the best one HiGHS found before the time limit stopped the primary MIP: feasible, not
    proven optimal (``status`` stays ``time_limit``; ``mip_gap`` says how far from proven it may be)."""
    model_size: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    solver_version: str = ""

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def has_plan(self) -> bool:
        """Whether a plan is current: the optimum, or a time-limited MIP's best plan (:attr:`incumbent`)."""
        return self.optimal or self.incumbent

    @property
    def mip_gap(self) -> float | None:
        """The primary solve's proven relative gap, |objective − bound| / |objective|, for a MIP (0 where
        both are 0); None for an LP."""
        if self.objective is None or self.objective_bound is None:
            return None
        return relative_gap(self.objective, self.objective_bound)


class SolveBackend(Protocol):
    """A loaded model that :func:`solve_sequence` can switch between objectives, re-budget and run."""

    def set_primary(self) -> None:
        """Minimise the primary (dependence) objective, the tie-break bound free."""

    def has_secondary(self) -> bool:
        """Whether the model has a secondary objective (``weighted`` over every cell under another primary)."""

    def set_secondary(self, held_optimum: float) -> None:
        """Minimise the secondary objective with the primary objective (offset included) at most
        ``held_optimum``."""

    def set_tie_break(self, held_optimum: float, held_secondary: float | None = None) -> None:
        """Minimise capex with the primary objective (offset included) at most ``held_optimum`` and, when
        given, the secondary objective at most ``held_secondary``."""

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        """Solve within what is left of ``deadline``: (status, condition name, objective). An optimal
        solution becomes the current plan when ``load``, and so does the best plan of a MIP stopped by the
        time limit (status ``time_limit`` with its objective; no objective when it found none); with no time
        left the solver is not called."""

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

    def objective_bound(self) -> float | None:
        """For a MIP, the best bound on the objective the last solve proved (its dual bound); else None."""


def held_optimum(optimum: float, tolerance: float) -> float:
    """The bound on an objective in the later solves: its optimum within ``tolerance``."""
    return optimum * (1.0 + tolerance) + TIE_BREAK_ABSOLUTE_TOLERANCE


def solve_sequence(
    backend: SolveBackend,
    *,
    integer_builds: bool,
    tie_break: bool,
    tolerance: float,
    deadline: Deadline,
    budget_dual: bool = True,
    budget_slopes: bool = True,
) -> SolveOutcome:
    """Solve for minimum dependence, break ties, then take the budget dual; the last optimal plan is current.

    Ties (with ``tie_break``): a secondary solve when the back end has one (``weighted`` over every cell with
    the primary optimum held), then capex with every earlier optimum held; a failed later solve keeps the
    plan before it and says so. The budget dual of an LP is the row duals' value where it equals both
    one-sided slopes from warm re-solves at ``B ± δ`` (``budget_slopes``; :func:`_budget_slopes`), else the
    right-hand slope; with ``integer_builds`` (a MIP has no duals) re-solves at ``max(B - 1, 0)`` and
    ``B + 1``. Every solve draws on ``deadline``. Timings: ``solve_primary``, ``solve_secondary``,
    ``solve_tie_break``, ``budget_dual_resolves``.

    With ``integer_builds``, a time limit that stops the primary solve after HiGHS found a plan leaves that
    plan current: the outcome keeps ``status = time_limit`` and carries the plan's objective, HiGHS's bound
    and :attr:`SolveOutcome.incumbent` (nothing after the primary runs: the time is spent). A later stage
    stopped so keeps its own best plan (it is feasible there, every earlier optimum held, and no worse than
    the plan it started from) and says so in a warning.
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
    if integer_builds and status == "time_limit" and objective is not None:
        outcome.objective = float(objective)
        outcome.objective_bound = backend.objective_bound()
        outcome.incumbent = True
        outcome.message = incumbent_message(deadline.seconds, outcome.objective, outcome.objective_bound)
        return outcome
    if status != "optimal":
        return outcome
    outcome.objective = float(objective)
    if integer_builds:
        outcome.objective_bound = backend.objective_bound()
    rows = backend.budget_rows()
    if budget_dual and not integer_builds and rows == BUDGET_ACTIVE:
        outcome.budget_dual_lp = backend.lp_budget_dual()

    if tie_break:
        _break_ties(backend, outcome, tolerance, deadline, integer_builds)

    if budget_dual:
        outcome.budget_dual_method = "finite_difference" if integer_builds else "lp_dual"
        if rows == BUDGET_ABSENT:
            outcome.budget_dual = 0.0
        elif rows == BUDGET_ACTIVE and integer_builds:
            started = time.perf_counter()
            outcome.budget_dual = _finite_difference_dual(backend, deadline, outcome.warnings)
            timings["budget_dual_resolves"] = time.perf_counter() - started
        elif rows == BUDGET_ACTIVE:
            outcome.budget_dual = outcome.budget_dual_lp
            if budget_slopes:
                started = time.perf_counter()
                _budget_slopes(backend, outcome, deadline)
                timings["budget_dual_resolves"] = time.perf_counter() - started
    for name in ("budget_dual", "budget_dual_lp", "budget_dual_left", "budget_dual_right"):
        value = getattr(outcome, name)
        if value is not None:
            setattr(outcome, name, value + 0.0)  # -0.0 (a negated zero dual) reads as 0
    return outcome


def _held_stage(
    backend: SolveBackend,
    deadline: Deadline,
    outcome: SolveOutcome,
    timing: str,
    set_stage: Callable[[], None],
    integer: bool,
) -> tuple[str, str, float | None, float | None]:
    """One lexicographic stage: set it up (``set_stage``), solve, return to the primary set-up:
    (status, condition, objective, bound). An optimum, or the best plan of a MIP stopped by the time limit
    (``bound`` then HiGHS's), stays current; on anything else the plan of the stage before is restored."""
    saved = backend.save()
    started = time.perf_counter()
    bound = None
    try:
        set_stage()
        status, condition, objective = backend.run(deadline)
        if _stopped_with_plan(status, objective, integer):
            bound = backend.objective_bound()
    finally:
        backend.set_primary()
    outcome.timings[timing] = time.perf_counter() - started
    if status != "optimal" and not _stopped_with_plan(status, objective, integer):
        backend.restore(saved)
    return status, condition, objective, bound


def _stopped_with_plan(status: str, objective: float | None, integer: bool) -> bool:
    """Whether a MIP solve stopped by the time limit left its best plan current (see ``SolveBackend.run``)."""
    return integer and status == "time_limit" and objective is not None


def _gap_words(objective: float, bound: float | None) -> str:
    if bound is None:
        return "no bound known"
    return f"proven within {100 * relative_gap(objective, bound):.3g} % of the best possible ({bound:.6g})"


def _break_ties(
    backend: SolveBackend, outcome: SolveOutcome, tolerance: float, deadline: Deadline, integer: bool = False
) -> None:
    """The secondary solve (when the back end has one), then capex, each with the earlier optima held."""
    held_primary = held_optimum(outcome.objective, tolerance)
    held_secondary = None
    if backend.has_secondary():
        status, condition, objective, bound = _held_stage(
            backend, deadline, outcome, "solve_secondary", lambda: backend.set_secondary(held_primary), integer
        )
        if _stopped_with_plan(status, objective, integer):
            outcome.warnings.append(
                "the secondary solve (the weighted objective over every cell) stopped at the time limit; its best "
                f"plan is reported, weighted objective {objective:.6g}, {_gap_words(objective, bound)}"
            )
        elif status != "optimal":
            outcome.warnings.append(
                f"the secondary solve (the weighted objective over every cell) ended {status} ({condition}); "
                "the first solve's plan is reported"
            )
            return
        outcome.secondary_objective = float(objective)
        held_secondary = held_optimum(outcome.secondary_objective, tolerance)

    status, condition, objective, bound = _held_stage(
        backend, deadline, outcome, "solve_tie_break", lambda: backend.set_tie_break(held_primary, held_secondary),
        integer,
    )
    if status == "optimal" or _stopped_with_plan(status, objective, integer):
        outcome.tie_break_capex_busd = float(objective)
    if _stopped_with_plan(status, objective, integer):
        outcome.warnings.append(
            f"the capex tie-break stopped at the time limit; its best plan is reported, capex ${objective:.4f}B, "
            f"{_gap_words(objective, bound)} at this dependence"
        )
    elif status != "optimal":
        before = "the secondary solve's" if held_secondary is not None else "the first solve's"
        outcome.warnings.append(f"the capex tie-break solve ended {status} ({condition}); {before} plan is reported")


def _budget_slopes(backend: SolveBackend, outcome: SolveOutcome, deadline: Deadline) -> None:
    """One-sided slopes of the primary optimum in B from warm re-solves at ``B + δ`` and, where ``B > 0``,
    ``B − δ`` (the plan left alone, the budget restored), and the dual the outcome reports.

    At a degenerate optimum the LP's row duals are one of many valid values; what the next dollar buys is the
    right-hand slope. The LP dual is kept (``lp_dual``) where it equals every slope taken within
    :data:`SLOPE_AGREEMENT_TOLERANCE`; else the right-hand slope is reported (``right_slope``).
    """
    budget = backend.budget()
    shifts = {"right": budget + SLOPE_STEP_BUSD}
    if budget > 0:
        shifts["left"] = max(budget - SLOPE_STEP_BUSD, 0.0)
    values = _resolve_at(backend, deadline, shifts.values(), outcome.warnings, "budget slope", "the LP dual is reported")
    base = outcome.objective
    if shifts["right"] in values:
        outcome.budget_dual_right = (base - values[shifts["right"]]) / (shifts["right"] - budget)
    if "left" in shifts and shifts["left"] in values:
        outcome.budget_dual_left = (values[shifts["left"]] - base) / (budget - shifts["left"])
    slopes = [slope for slope in (outcome.budget_dual_left, outcome.budget_dual_right) if slope is not None]
    if outcome.budget_dual_right is None or len(slopes) < len(shifts):
        return
    lp = outcome.budget_dual_lp
    tolerance = SLOPE_AGREEMENT_TOLERANCE * max(1.0, abs(lp))
    if any(abs(slope - lp) > tolerance for slope in slopes):
        outcome.budget_dual = outcome.budget_dual_right
        outcome.budget_dual_method = "right_slope"


def _resolve_at(
    backend: SolveBackend,
    deadline: Deadline,
    budgets: Iterable[float],
    warnings: list[str],
    purpose: str,
    consequence: str = "no dual reported",
) -> dict[float, float]:
    """The primary optimum at each budget in ``budgets`` (re-solves that load nothing; B restored after)."""
    budget = backend.budget()
    values: dict[float, float] = {}
    try:
        for shifted in budgets:
            backend.set_budget(shifted)
            status, _, objective = backend.run(deadline, load=False)
            if status != "optimal" or objective is None:
                warnings.append(f"{purpose}: the re-solve at B = {shifted:g} $B ended {status}; {consequence}")
                continue
            values[shifted] = objective
    finally:
        backend.set_budget(budget)
    return values


def _finite_difference_dual(backend: SolveBackend, deadline: Deadline, warnings: list[str]) -> float | None:
    """For a MILP: (obj(B⁻) − obj(B + 1)) / (B + 1 − B⁻) from re-solves, with B⁻ = max(B − 1, 0).

    The re-solves leave the current plan alone (it is the reported one) and the budget is restored after.
    """
    budget = backend.budget()
    values = _resolve_at(backend, deadline, (max(budget - 1.0, 0.0), budget + 1.0), warnings, "budget dual")
    if len(values) < 2:
        return None
    (low, low_value), (high, high_value) = sorted(values.items())
    return (low_value - high_value) / (high - low)


def make_solver(time_limit: float | None = None, threads: int | None = None) -> Highs:
    """A persistent HiGHS solver configured to report, not raise, on non-optimal terminations; HiGHS's own log
    (presolve, simplex or branch-and-bound progress, the MIP gap) is shown when the command runs with ``-v``."""
    solver = Highs()
    if not solver.available():
        raise SolverUnavailableError(HIGHS_UNAVAILABLE)
    solver.config.load_solutions = False
    solver.config.raise_exception_on_nonoptimal_result = False
    solver.config.time_limit = time_limit
    solver.config.threads = threads
    show_log = logging.getLogger("optimiser").isEnabledFor(logging.INFO)
    solver.config.tee = show_log
    solver.config.solver_options["output_flag"] = show_log
    return solver


def solver_version(solver: Highs) -> str:
    return ".".join(str(part) for part in solver.version())


def run_within(
    solver: Highs, model: pyo.ConcreteModel, deadline: Deadline, load: bool = True, integer: bool = False
) -> tuple[str, str, float | None, object]:
    """One HiGHS solve within what is left of ``deadline``: (status, condition, objective, results).

    An optimal solution is loaded into the model when ``load`` (integer values snapped when ``integer``), and
    so is a MIP's best plan when the time limit stopped it (its objective returned; an LP's stopped solve
    returns none); with no time left HiGHS is not called.
    """
    if deadline.expired:
        return NOT_STARTED.status, NOT_STARTED.condition, None, None
    solver.config.time_limit = deadline.remaining()
    results = solver.solve(model)
    status, condition = from_pyomo(results.termination_condition)
    objective = results.incumbent_objective
    if status != "optimal" and not integer:
        objective = None
    if load and (status == "optimal" or (integer and status == "time_limit" and objective is not None)):
        results.solution_loader.load_vars()
        if integer:
            snap_integers(model)
    return status, condition, objective, results


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


SIMPLEX_DUAL, SIMPLEX_PRIMAL = 1, 4
"""HiGHS ``simplex_strategy`` values: the primary solve by dual simplex (HiGHS's default); a solve that only
changes the objective and adds a row the current plan satisfies starts primal feasible from the optimal
basis, so primal simplex finishes it in a few iterations where dual simplex starts over."""


class PyomoBackend:
    """The solve sequence over a built model in Pyomo's persistent HiGHS interface: values are loaded into
    the model (integers snapped when ``integer``).

    The primary solve's basis is kept when a held stage (secondary, tie-break) starts and handed back to
    HiGHS before the next primary solve (the budget slopes' re-solves at B ± δ): from it a change of budget is
    a few dual simplex iterations, where from the tie-break's basis (optimal for capex) it is a solve anew.
    """

    def __init__(self, solver: Highs, model: pyo.ConcreteModel, integer: bool) -> None:
        self.solver = solver
        self.model = model
        self.integer = integer
        self._results: object = None
        self._primary_basis: object = None
        self._basis_to_restore: object = None

    def _keep_primary_basis(self) -> None:
        """Called as a held stage is set up: keep the primary optimum's basis (once), and start the stage from
        the basis HiGHS holds (the previous stage's optimum, primal feasible for this one)."""
        self._basis_to_restore = None
        highs = getattr(self.solver, "_solver_model", None)
        if self._primary_basis is None and not self.integer and highs is not None:
            self._primary_basis = highs.getBasis()

    def set_primary(self) -> None:
        self.solver.config.solver_options["simplex_strategy"] = SIMPLEX_DUAL
        self._basis_to_restore = self._primary_basis
        model = self.model
        model.tie_break.deactivate()
        model.tie_break_bound.deactivate()
        if self.has_secondary():
            model.secondary.deactivate()
            model.secondary_hold.deactivate()
        model.primary.activate()

    def has_secondary(self) -> bool:
        return hasattr(self.model, "secondary")

    def set_secondary(self, held_optimum: float) -> None:
        self._keep_primary_basis()
        self.solver.config.solver_options["simplex_strategy"] = SIMPLEX_PRIMAL
        model = self.model
        model.primary_bound.set_value(held_optimum)
        model.primary.deactivate()
        model.tie_break_bound.activate()
        model.secondary.activate()

    def set_tie_break(self, held_optimum: float, held_secondary: float | None = None) -> None:
        self._keep_primary_basis()
        self.solver.config.solver_options["simplex_strategy"] = SIMPLEX_PRIMAL
        model = self.model
        model.primary_bound.set_value(held_optimum)
        model.primary.deactivate()
        model.tie_break_bound.activate()
        if held_secondary is not None:
            model.secondary_bound.set_value(held_secondary)
            model.secondary_hold.activate()
        model.tie_break.activate()

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        if self._basis_to_restore is not None:
            # Pyomo hands changes to HiGHS when it solves: apply them first (the held rows go, the model has
            # the primary basis's rows again), then restore the basis; the solve's own update finds nothing.
            self.solver.update()
            self.solver._solver_model.setBasis(self._basis_to_restore)
            self._basis_to_restore = None
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

    def objective_bound(self) -> float | None:
        bound = getattr(self._results, "objective_bound", None) if self.integer else None
        return None if bound is None else float(bound)


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
