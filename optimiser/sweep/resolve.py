"""The fast re-solver: build one model per structural group, then re-solve it warm for each scenario.

A :class:`Resolver` builds the Pyomo model of a group's first scenario once, compiles it (:mod:`.lp`) and
loads it into its own HiGHS instance. For each scenario it computes the mutable parameter values with
``model.parameters.mutable_values`` (the function ``build_model`` uses, so a re-solve and a fresh build
agree), applies only the LP numbers that changed, and re-solves from the previous basis. The solves are
``solve.solve_sequence``, the one a single run makes (primary solve, budget dual, capex tie-break, the
integer budget dual's re-solves), with the resolver as its back end: the tie-break runs primal simplex from
the primary basis, which is then restored for the next scenario. All of a scenario's solves share one
deadline of its ``time_limit_seconds``. ``highspy`` is imported when a resolver is made, so a machine
without it gets ``SolverUnavailableError``, not an import failure. It reads back
only what a sweep reports: the objective, the budget rows' duals and the solution vector, from which builds, dependence
and shortfall are computed with precomputed linear maps.

``mutable_values`` costs more than a warm re-solve of the default model (about 13 ms against 5-10 ms), so
values are cached per scenario with the *shortcut fields* set aside: budget, yearly cap fraction and ``K``
each set exactly one scalar parameter to the field's value. That is checked by probing ``mutable_values``
when a resolver is built; a field that fails the probe is not shortcut. A budget sweep then computes
``mutable_values`` once per distinct value of the other fields.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.tee import capture_output

from ..errors import InputError
from ..inputs.data import InputData
from ..model import build_model, build_structure
from ..model.instrument_data import instrument_structure_key
from ..model.parameters import MUSD_PER_BUSD, TONNES_PER_KT, ModelStructure, mutable_values
from ..results import DEPENDENCE_GROUPS, build_rows, dependence_cells
from ..scenario import RESULT_FIELDS, STRUCTURAL_FIELDS, Scenario
from ..solve import BUDGET_ABSENT, BUDGET_ACTIVE, Deadline, SolveOutcome, import_highspy, snap_integers, solve_sequence
from ..solve_status import NOT_STARTED, from_highs
from .lp import (
    COEFFICIENT,
    COL_LOWER,
    COL_UPPER,
    COST,
    COST_OFFSET,
    INF,
    ROW_LOWER,
    ROW_UPPER,
    SECONDARY_COST,
    SECONDARY_OFFSET,
    TIE_COST,
    TIE_OFFSET,
    CompiledLP,
    LPArrays,
    compile_model,
)

if TYPE_CHECKING:
    import highspy

logger = logging.getLogger(__name__)

SHORTCUT_FIELDS: dict[str, str] = {
    "budget_busd": "budget",
    "yearly_cap_fraction": "yearly_cap_fraction",
    "unmet_weight": "unmet_weight",
}
"""Scenario fields expected to set exactly one scalar mutable parameter to their value (probed, not assumed)."""

PRIMAL_SIMPLEX = 4
"""HiGHS ``simplex_strategy`` value for primal simplex."""

FEASIBLE = 2
"""HiGHS's ``primal_solution_status`` of a feasible point (0 none, 1 infeasible)."""

FULL_EVALUATION_SHARE = 0.25
"""Above this share of targets touched by a change, every target is evaluated (one vectorised pass)."""

VALUE_CACHE_SIZE = 8
"""Parameter vectors kept per resolver, keyed by the scenario's non-shortcut fields."""

SWEEP_TIMINGS = {"solve_primary": "solve", "solve_tie_break": "tie_break", "solve_secondary": "secondary"}
"""The solve sequence's timings as the runs table names them (``time_solve_s``, ``time_tie_break_s``)."""


def structural_key(scenario: Scenario) -> tuple:
    """The values of the structural fields, and of the settings the scenario's instruments build into the
    structure: scenarios with equal keys share one built model."""
    return tuple(getattr(scenario, name) for name in STRUCTURAL_FIELDS) + instrument_structure_key(scenario)


@dataclass
class DependenceRows:
    """The dependence table of one scenario as arrays: element and stage as codes into the label lists."""

    year: np.ndarray
    element: np.ndarray
    stage: np.ndarray
    dependence: np.ndarray
    unmet: np.ndarray
    element_labels: list[str]
    stage_labels: list[str]


@dataclass
class Outcome:
    """What a re-solve reports for one scenario (the numbers a single run's summary and tables hold)."""

    status: str
    objective: float | None = None
    tie_break_capex_busd: float | None = None
    secondary_objective: float | None = None
    budget_dual: float | None = None
    budget_dual_method: str | None = None
    budget_dual_lp: float | None = None
    budget_dual_left: float | None = None
    budget_dual_right: float | None = None
    budget_used_musd: float | None = None
    total_shortfall_t: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    builds: list[tuple] = field(default_factory=list)
    dependence: DependenceRows | None = None
    iterations: int = 0
    warm: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


@dataclass
class CurrentLP(LPArrays):
    """A model's LP as held by a resolver: its arrays, the costs of the primary and tie-break objectives,
    integer columns, and the maps from Pyomo objects' ids to columns and rows."""

    cost: np.ndarray
    cost_offset: float
    tie_cost: np.ndarray
    tie_offset: float
    integer_columns: np.ndarray
    column_of: dict[int, int]
    row_of: dict[int, int]


def _new_highs(threads: int | None) -> highspy.Highs:
    highspy = import_highspy()
    with capture_output(capture_fd=True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    if threads is not None:
        highs.setOptionValue("threads", threads)
    return highs


def _probe_value(value: float) -> float:
    """A value different from ``value`` within the range of every shortcut field."""
    probe = 0.5 * value + 0.2
    return probe if probe != value else 0.5 * value + 0.3


class Resolver:
    """One built, compiled and loaded model of a structural group, re-solved for each scenario of it.

    It is also the solve sequence's back end over the compiled arrays (``solve.SolveBackend``): the
    methods from :meth:`set_primary` to :meth:`model_size`.
    """

    def __init__(
        self,
        data: InputData,
        scenario: Scenario,
        threads: int | None = 1,
        *,
        built: tuple[pyo.ConcreteModel, ModelStructure] | None = None,
        solver_log: bool = False,
    ) -> None:
        """Build (or take ``built``: a model and its structure, as a single run has them), compile and load.

        With ``built`` the resolver serves that one model: the model is kept, so :meth:`load_solution` can
        write a solution back into its variables, and the sweep's report maps and shortcut probes are skipped.
        ``solver_log`` shows HiGHS's own log (a run with ``-v``). Python's cyclic collector is paused
        meanwhile, as for a build (``model.build.build_model``): compiling walks the whole model.
        """
        with PauseGC():
            self._set_up(data, scenario, threads, built, solver_log)

    def _set_up(
        self,
        data: InputData,
        scenario: Scenario,
        threads: int | None,
        built: tuple[pyo.ConcreteModel, ModelStructure] | None,
        solver_log: bool,
    ) -> None:
        started = time.perf_counter()
        self._highspy = import_highspy()
        scenario.check_against(data)
        self.data = data
        self.key = structural_key(scenario)
        self.integer = scenario.integer_builds
        if built is None:
            self.structure = build_structure(data, scenario)
            model, _ = build_model(data, scenario, self.structure)
        else:
            model, self.structure = built
        self.model = None if built is None else model
        self._held: tuple | None = None
        self.holding = False
        self.lp: CompiledLP = compile_model(model)
        self.integer = self.integer or bool(len(self.lp.integer_columns))
        parameters = self.lp.parameters.current(model)
        self._budget_maps(model)
        if built is None:
            self._report_maps(model)
            self.lp.forget_model()
        self._threads = threads
        self._solver_log = solver_log
        self._targets = self.lp.evaluate(parameters)
        self._col_lower = self.lp.col_lower.copy()
        self._col_upper = self.lp.col_upper.copy()
        self._row_lower = self.lp.row_lower.copy()
        self._row_upper = self.lp.row_upper.copy()
        self._cost = self.lp.cost.copy()
        self._tie_cost = self.lp.tie_cost.copy()
        self._secondary_cost = None if self.lp.secondary_cost is None else self.lp.secondary_cost.copy()
        self._offsets = {
            COST_OFFSET: self.lp.cost_offset, TIE_OFFSET: self.lp.tie_offset, SECONDARY_OFFSET: self.lp.secondary_offset
        }
        self._store_targets(np.arange(len(self._targets)), self._targets)
        self._parameters = parameters
        self._highs = self._load()
        self._time_limit: float | None = None
        self._start_offered = False
        self._solution: highspy.HighsSolution | None = None
        self._iterations = 0
        self._values: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.shortcuts = self._verified_shortcuts(scenario, parameters) if built is None else {}
        self.solves = 0
        self.build_seconds = time.perf_counter() - started
        if built is None:
            logger.info(
                "built and compiled the model of group %s in %.2f s: %d rows, %d columns, shortcut fields %s",
                self.key, self.build_seconds, self.lp.num_row, self.lp.num_col, ", ".join(self.shortcuts) or "none",
            )
        else:
            logger.info("compiled the model for HiGHS in %.2f s: %d rows, %d columns",
                        self.build_seconds, self.lp.num_row, self.lp.num_col)

    # Building -----------------------------------------------------------------------------------------------

    def _report_maps(self, model) -> None:
        """Columns and linear maps for what a sweep reports: builds, China content, shortfall."""
        structure = self.structure
        lp = self.lp
        self._build_pairs = list(model.BUILD)
        self._build_cols = np.array([lp.column_of[id(model.build[p, tau])] for p, tau in self._build_pairs], dtype=np.int64)
        cells = [(e, s, t) for e in structure.elements for s in structure.stages for t in structure.years]
        self._shape = (len(structure.elements), len(structure.stages), len(structure.years))
        self._china = lp.linear_map(model.dependent[cell].expr for cell in cells)
        self._shortfall = lp.linear_map(model.shortfall[cell].expr for cell in cells)
        requirement = lp.parameters.slices["requirement"]
        position = {key: requirement.start + i for i, key in enumerate(lp.parameters.keys["requirement"])}
        self._requirement_positions = np.array([position[cell] for cell in cells], dtype=np.int64)

    def _budget_maps(self, model) -> None:
        """Rows of the budget limits and positions of the budget parameters (the budget dual, B ± δ)."""
        lp = self.lp
        if hasattr(model, "budget_limit"):
            self._budget_row = lp.row_of[id(model.budget_limit)]
            self._yearly_rows = np.array(
                [lp.row_of[id(model.yearly_budget_limit[y])] for y in model.yearly_budget_limit], dtype=np.int64
            )
        else:
            self._budget_row = None
            self._yearly_rows = np.array([], dtype=np.int64)
        self._budget_position = lp.parameters.slices["budget"].start
        self._cap_position = lp.parameters.slices["yearly_cap_fraction"].start

    def _load(self) -> highspy.Highs:
        """A HiGHS instance holding the LP, the row that holds the primary objective (primary costs, free),
        the row that holds the secondary one where the model has it (secondary costs, free) and the primary
        costs."""
        lp = self.lp
        highs = _new_highs(self._threads)
        if self._solver_log:
            highs.setOptionValue("output_flag", True)
        highs.addVars(lp.num_col, self._col_lower, self._col_upper)
        highs.changeColsCost(lp.num_col, np.arange(lp.num_col, dtype=np.int32), self._cost)
        highs.addRows(
            lp.num_row, self._row_lower, self._row_upper, len(lp.row_value), lp.row_start, lp.row_index, lp.row_value
        )
        columns = lp.objective_columns[self._cost[lp.objective_columns] != 0]
        highs.addRow(-INF, INF, len(columns), columns.astype(np.int32), self._cost[columns])
        self._tie_row = lp.num_row
        self._secondary_row = None
        if self._secondary_cost is not None:
            columns = lp.objective_columns[self._secondary_cost[lp.objective_columns] != 0]
            highs.addRow(-INF, INF, len(columns), columns.astype(np.int32), self._secondary_cost[columns])
            self._secondary_row = lp.num_row + 1
        if len(lp.integer_columns):
            highs.changeColsIntegrality(
                len(lp.integer_columns),
                lp.integer_columns,
                np.full(len(lp.integer_columns), self._highspy.HighsVarType.kInteger),
            )
        highs.changeObjectiveOffset(self._offsets[COST_OFFSET])
        self._tie_mode = False
        self._primary_basis = None
        self._secondary_basis = None
        self._simplex_strategy = highs.getOptionValue("simplex_strategy")[1]
        self._scheduler_checked = self._threads is None
        return highs

    def _verified_shortcuts(self, scenario: Scenario, parameters: np.ndarray) -> dict[str, int]:
        """Shortcut fields whose probe shows they set only their own scalar parameter, to its value."""
        verified: dict[str, int] = {}
        slices = self.lp.parameters.slices
        for name, parameter in SHORTCUT_FIELDS.items():
            position = slices[parameter].start
            probe = _probe_value(float(getattr(scenario, name)))
            try:
                probed = scenario.with_overrides(**{name: probe})
            except InputError:
                continue
            values = self.lp.parameters.vector(mutable_values(self.data, probed, self.structure))
            expected = parameters.copy()
            expected[position] = probe
            if np.array_equal(values, expected):
                verified[name] = position
            else:
                logger.info("scenario field %s sets more than parameter %s: no shortcut", name, parameter)
        return verified

    # Applying changes ---------------------------------------------------------------------------------------

    def parameter_vector(self, scenario: Scenario) -> np.ndarray:
        """Every mutable parameter value of ``scenario``, from ``mutable_values`` (cached, see the module)."""
        key = tuple(getattr(scenario, name) for name in RESULT_FIELDS if name not in self.shortcuts)
        cached = self._values.get(key)
        if cached is None:
            cached = self.lp.parameters.vector(mutable_values(self.data, scenario, self.structure))
            self._values[key] = cached
            if len(self._values) > VALUE_CACHE_SIZE:
                self._values.popitem(last=False)
        else:
            self._values.move_to_end(key)
        vector = cached.copy()
        for name, position in self.shortcuts.items():
            vector[position] = float(getattr(scenario, name))
        return vector

    def _store_targets(self, indices: np.ndarray, values: np.ndarray) -> dict[int, np.ndarray]:
        """Write target values into the held LP arrays; the changed rows and columns per kind."""
        lp = self.lp
        kinds = lp.target_kind[indices]
        touched: dict[int, np.ndarray] = {}
        for kind in (ROW_LOWER, ROW_UPPER, COL_LOWER, COL_UPPER, COST, TIE_COST, SECONDARY_COST):
            mask = kinds == kind
            if not mask.any():
                continue
            chosen = indices[mask]
            new = values[mask]
            if kind == ROW_LOWER:
                self._row_lower[lp.target_row[chosen]] = new
                touched[kind] = lp.target_row[chosen]
            elif kind == ROW_UPPER:
                self._row_upper[lp.target_row[chosen]] = new
                touched[kind] = lp.target_row[chosen]
            elif kind == COL_LOWER:
                self._col_lower[lp.target_col[chosen]] = np.maximum(new, lp.target_clamp[chosen])
                touched[kind] = lp.target_col[chosen]
            elif kind == COL_UPPER:
                self._col_upper[lp.target_col[chosen]] = np.minimum(new, lp.target_clamp[chosen])
                touched[kind] = lp.target_col[chosen]
            elif kind == COST:
                self._cost[lp.target_col[chosen]] = new
                touched[kind] = lp.target_col[chosen]
            elif kind == SECONDARY_COST:
                self._secondary_cost[lp.target_col[chosen]] = new
                touched[kind] = lp.target_col[chosen]
            else:
                self._tie_cost[lp.target_col[chosen]] = new
        for kind in (COST_OFFSET, TIE_OFFSET, SECONDARY_OFFSET):
            mask = kinds == kind
            if mask.any():
                self._offsets[kind] = float(values[mask][-1])
        return touched

    def _apply(self, parameters: np.ndarray) -> int:
        """Load a new parameter vector: only the LP numbers whose value changed go to HiGHS. Returns their
        count."""
        changed_parameters = np.flatnonzero(parameters != self._parameters)
        if not len(changed_parameters):
            return 0
        lp = self.lp
        affected = lp.affected(changed_parameters)
        if len(affected) > FULL_EVALUATION_SHARE * len(self._targets):
            values = lp.evaluate(parameters)
            changed = np.flatnonzero(values != self._targets)
            new = values[changed]
        else:
            values = lp.evaluate_targets(parameters, affected)
            differs = values != self._targets[affected]
            changed, new = affected[differs], values[differs]
        highs = self._highs
        coefficients = lp.target_kind[changed] == COEFFICIENT
        for t, value in zip(changed[coefficients], new[coefficients]):
            highs.changeCoeff(int(lp.target_row[t]), int(lp.target_col[t]), float(value))
        touched = self._store_targets(changed, new)
        rows = np.unique(np.concatenate([touched.get(ROW_LOWER, []), touched.get(ROW_UPPER, [])])).astype(np.int32)
        if len(rows):
            highs.changeRowsBounds(len(rows), rows, self._row_lower[rows], self._row_upper[rows])
        cols = np.unique(np.concatenate([touched.get(COL_LOWER, []), touched.get(COL_UPPER, [])])).astype(np.int32)
        if len(cols):
            highs.changeColsBounds(len(cols), cols, self._col_lower[cols], self._col_upper[cols])
        cost_cols = touched.get(COST)
        if cost_cols is not None:
            cost_cols = cost_cols.astype(np.int32)
            highs.changeColsCost(len(cost_cols), cost_cols, self._cost[cost_cols])
            for j in cost_cols:
                highs.changeCoeff(self._tie_row, int(j), float(self._cost[j]))
        secondary_cols = touched.get(SECONDARY_COST)
        if secondary_cols is not None:
            for j in secondary_cols:
                highs.changeCoeff(self._secondary_row, int(j), float(self._secondary_cost[j]))
        highs.changeObjectiveOffset(self._offsets[COST_OFFSET])
        self._targets[changed] = new
        self._parameters = parameters.copy()
        return len(changed)

    def _set_time_limit(self, seconds: float | None) -> None:
        if seconds != self._time_limit:
            self._highs.setOptionValue("time_limit", INF if seconds is None else float(seconds))
            self._time_limit = seconds

    # Solving ------------------------------------------------------------------------------------------------

    def solve(self, scenario: Scenario) -> Outcome:
        """Solve ``scenario`` (of this resolver's group) with ``solve.solve_sequence``, from the last basis.

        A sweep records optimal plans only: a MIP stopped by the time limit reports its status and message
        here, not its best plan (a single run reports that plan: ``runner.solve``)."""
        if structural_key(scenario) != self.key:
            raise ValueError(f"scenario {scenario.name} is not of this resolver's structural group {self.key}")
        started = time.perf_counter()
        timings: dict[str, float] = {}
        warm = self.solves > 0
        self.solves += 1
        self.set_primary()
        self._secondary_basis = None
        parameters = self.parameter_vector(scenario)
        timings["values"] = time.perf_counter() - started
        t0 = time.perf_counter()
        self._apply(parameters)
        deadline = Deadline(scenario.time_limit_seconds)
        timings["update"] = time.perf_counter() - t0

        self._iterations = 0
        solved = self.solve_sequence(scenario, deadline)
        for name, seconds in solved.timings.items():
            timings[SWEEP_TIMINGS.get(name, name)] = seconds
        outcome = Outcome(
            status=solved.status,
            objective=solved.objective if solved.optimal else None,
            tie_break_capex_busd=solved.tie_break_capex_busd,
            secondary_objective=solved.secondary_objective,
            budget_dual=solved.budget_dual,
            budget_dual_method=solved.budget_dual_method,
            budget_dual_lp=solved.budget_dual_lp,
            budget_dual_left=solved.budget_dual_left,
            budget_dual_right=solved.budget_dual_right,
            iterations=self._iterations,
            warm=warm,
            timings=timings,
            warnings=solved.warnings,
        )
        if not solved.optimal:
            outcome.warnings.append(solved.message)
            timings["total"] = time.perf_counter() - started
            return outcome
        t0 = time.perf_counter()
        self._report(outcome, scenario, np.asarray(self._solution.col_value), parameters)
        timings["extract"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - started
        return outcome

    def solve_sequence(self, scenario: Scenario, deadline: Deadline) -> SolveOutcome:
        """``solve.solve_sequence`` on this resolver the way ``scenario`` asks (integer builds, tie-break and
        its tolerance), from the parameters held now."""
        return solve_sequence(
            self,
            integer_builds=self.integer,
            tie_break=scenario.tie_break,
            tolerance=scenario.tie_break_tolerance,
            deadline=deadline,
        )

    def set_primary(self) -> None:
        """Primary costs, free holding rows and the primary solve's basis (the state between scenarios).

        Leaving the secondary solve, its basis is kept to start the capex tie-break from: the secondary
        optimum is primal feasible there, the primary one need not be (it may break the secondary's row).
        """
        if not self._tie_mode:
            return
        highs = self._highs
        if self._tie_mode == "secondary" and not self.integer:
            self._secondary_basis = highs.getBasis()
        columns = self.lp.objective_columns
        if self._tie_mode == "goal":
            columns = np.arange(self.lp.num_col, dtype=np.int32)
        highs.changeColsCost(len(columns), columns, self._cost[columns])
        highs.changeObjectiveOffset(self._offsets[COST_OFFSET])
        highs.changeRowBounds(self._tie_row, -INF, INF)
        if self._secondary_row is not None:
            highs.changeRowBounds(self._secondary_row, -INF, INF)
        highs.setOptionValue("simplex_strategy", self._simplex_strategy)
        if self._primary_basis is not None:
            highs.setBasis(self._primary_basis)
            self._primary_basis = None
        self._tie_mode = False

    def has_secondary(self) -> bool:
        return self._secondary_row is not None

    def _hold_primary(self, held_optimum: float, mode: str) -> None:
        """Keep the primary basis, switch to primal simplex and bound the primary row by ``held_optimum``.

        The previous optimum is primal feasible for the next LP but not dual feasible: primal simplex takes
        a few iterations where dual simplex takes thousands (measured on the default model), and the primary
        basis is kept to restart the next scenario's primary solve from it.
        """
        highs = self._highs
        self._tie_mode = mode
        if not self.integer:
            self._primary_basis = highs.getBasis()
            highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        highs.changeRowBounds(self._tie_row, -INF, held_optimum - self._offsets[COST_OFFSET])

    def set_secondary(self, held_optimum: float) -> None:
        """Secondary costs, with the primary objective held at most ``held_optimum``."""
        self._hold_primary(held_optimum, "secondary")
        columns = self.lp.objective_columns
        self._highs.changeColsCost(len(columns), columns, self._secondary_cost[columns])
        self._highs.changeObjectiveOffset(self._offsets[SECONDARY_OFFSET])

    def set_tie_break(self, held_optimum: float, held_secondary: float | None = None) -> None:
        """Capex costs, with the primary objective held at most ``held_optimum`` by its row and, when given,
        the secondary one at most ``held_secondary`` (started from the secondary solve's basis)."""
        highs = self._highs
        self._hold_primary(held_optimum, "tie_break")
        if held_secondary is not None:
            highs.changeRowBounds(self._secondary_row, -INF, held_secondary - self._offsets[SECONDARY_OFFSET])
            if self._secondary_basis is not None:
                highs.setBasis(self._secondary_basis)
        self._secondary_basis = None
        columns = self.lp.objective_columns
        highs.changeColsCost(len(columns), columns, self._tie_cost[columns])
        highs.changeObjectiveOffset(self._offsets[TIE_OFFSET])

    def set_goal(self, costs: Mapping[tuple[str, int], float], held_optimum: float) -> None:
        """Minimise ``Σ costs[p, τ] · build[p, τ]`` with the primary objective held at most ``held_optimum``
        (near-optimal alternatives), solved afresh by HiGHS's default method: on the default model a goal
        took 7-32 s by primal or dual simplex from the plan before it (its costs are far from the previous
        objective's) and 3.0-3.4 s from no basis (presolve included). :meth:`set_primary` undoes it. Needs
        ``built``."""
        model = self.model
        if model is None:
            raise ValueError("set_goal needs the resolver of a single model (built=...)")
        highs = self._highs
        if self._tie_mode != "goal":
            self._hold_primary(held_optimum, "goal")
            self._primary_basis = None
        else:
            highs.changeRowBounds(self._tie_row, -INF, held_optimum - self._offsets[COST_OFFSET])
        highs.setOptionValue("simplex_strategy", self._simplex_strategy)
        highs.clearSolver()
        vector = np.zeros(self.lp.num_col)
        for pair, cost in costs.items():
            vector[self.lp.column_of[id(model.build[pair])]] = cost
        highs.changeColsCost(self.lp.num_col, np.arange(self.lp.num_col, dtype=np.int32), vector)
        highs.changeObjectiveOffset(0.0)

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        """Run HiGHS within what is left of ``deadline``: (status, condition, objective); simplex iterations
        are counted. An optimal solution becomes the current one when ``load``, and so does the best plan of a
        MIP stopped by the time limit (its objective returned; none when it found no plan, or for an LP).

        With integer columns, a held stage (the capex tie-break, the secondary solve) starts from the plan
        before it as a MIP start: that plan is feasible there (its optimum is what is held), and on the
        default data the tie-break took 46 s from it against 118 s without (``benchmarks/integer_builds.py``).
        The budget dual's re-solves at B ± 1 get no start: at B - 1 the plan is over budget, and at B + 1 the
        start measured no faster. A primary solve gets the current plan as its start only when offered
        (:meth:`offer_start`): a run offers the no-build baseline's, so a time limit that stops the primary
        MIP always leaves a plan to report (at worst, build nothing).

        With no time left HiGHS is not called. HiGHS keeps one thread scheduler per process: a first run
        with ``threads = 1`` in a process where another instance started it with more threads fails, and is
        retried once after a reset.
        """
        if deadline.expired:
            return NOT_STARTED.status, NOT_STARTED.condition, None
        self._set_time_limit(deadline.remaining())
        highs = self._highs
        highspy = self._highspy
        offered, self._start_offered = self._start_offered, False
        if self.integer and (offered or self._tie_mode in ("tie_break", "secondary")) and self._solution is not None:
            highs.setSolution(self._solution)
        result = highs.run()
        if not self._scheduler_checked:
            self._scheduler_checked = True
            if result == highspy.HighsStatus.kError and highs.getModelStatus() == highspy.HighsModelStatus.kNotset:
                logger.info("HiGHS thread scheduler reset to run with threads = %s", self._threads)
                highspy.Highs.resetGlobalScheduler(True)
                highs.run()
        status, condition = from_highs(highs.getModelStatus())
        info = highs.getInfo()
        stopped_with_plan = self.integer and status == "time_limit" and info.primal_solution_status == FEASIBLE
        objective = float(info.objective_function_value) if status == "optimal" or stopped_with_plan else None
        self._iterations += max(0, int(info.simplex_iteration_count))
        if load and (status == "optimal" or stopped_with_plan):
            self._solution = highs.getSolution()
        return status, condition, objective

    def offer_start(self) -> None:
        """Give the current plan to the next solve of a MIP as its start (HiGHS checks it and ignores a plan
        that is not feasible there)."""
        self._start_offered = True

    def budget_rows(self) -> str:
        """Absent when the model has no budget rows, else active (a sweep never drops them)."""
        return BUDGET_ABSENT if self._budget_row is None else BUDGET_ACTIVE

    def lp_budget_dual(self) -> float:
        """``-(λ_budget + cap_frac · Σ_y λ_year[y])`` from the current solution's row duals."""
        duals = self._solution.row_dual
        yearly = sum(duals[int(row)] for row in self._yearly_rows)
        return -(duals[self._budget_row] + self._parameters[self._cap_position] * yearly)

    def budget(self) -> float:
        return float(self._parameters[self._budget_position])

    def set_budget(self, value: float) -> None:
        """Apply the held parameter vector with the budget changed (the budget rows' bounds move with it)."""
        changed = self._parameters.copy()
        changed[self._budget_position] = value
        self._apply(changed)

    def save(self) -> highspy.HighsSolution | None:
        return self._solution

    def restore(self, saved: highspy.HighsSolution | None) -> None:
        self._solution = saved

    def model_size(self) -> dict[str, int]:
        """Rows, columns and non-zeros of the model's LP as HiGHS holds it (the rows that hold objectives
        in the tie-break and secondary solves left out, as a single run through Pyomo reports it)."""
        highs = self._highs
        holding = [row for row in (self._tie_row, self._secondary_row) if row is not None]
        held_nonzeros = int(highs.getRows(len(holding), np.array(holding, dtype=np.int32))[4])
        return {
            "rows": int(highs.getNumRow()) - len(holding),
            "columns": int(highs.getNumCol()),
            "nonzeros": int(highs.getNumNz()) - held_nonzeros,
        }

    def objective_bound(self) -> float | None:
        """HiGHS's MIP dual bound after the last solve of a MIP (None for an LP)."""
        if not self.integer or self.holding:
            return None
        return float(self._highs.getInfo().mip_dual_bound)

    def solver_version(self) -> str:
        highs = self._highs
        return f"{highs.versionMajor()}.{highs.versionMinor()}.{highs.versionPatch()}"

    def current_lp(self) -> CurrentLP:
        """The model's LP with the parameter values held (no holding rows, no fixed portfolio): copies, for
        assembling a larger LP from it (``portfolios.robust``). Needs ``built``: column and row maps."""
        if self.model is None:
            raise ValueError("current_lp needs the resolver of a single model (built=...)")
        lp = self.lp
        return CurrentLP(
            col_lower=self._col_lower.copy(), col_upper=self._col_upper.copy(),
            row_lower=self._row_lower.copy(), row_upper=self._row_upper.copy(),
            row_start=lp.row_start.astype(np.int64), row_index=lp.row_index.astype(np.int64),
            row_value=lp.row_value.copy(), cost=self._cost.copy(), cost_offset=float(self._offsets[COST_OFFSET]),
            tie_cost=self._tie_cost.copy(), tie_offset=float(self._offsets[TIE_OFFSET]),
            integer_columns=lp.integer_columns.astype(np.int64),
            column_of=lp.column_of, row_of=lp.row_of,
        )

    # Fixed portfolios (``portfolios.evaluate``) ---------------------------------------------------------

    def hold_builds(
        self, shares: Mapping[tuple[str, int], float], free_rows: Iterable[str], zero_columns: Iterable[str] = ()
    ) -> None:
        """Fix every build column at its share (0 where the portfolio builds nothing) and the columns of the
        variables named ``zero_columns`` at 0, make every column continuous, and free the rows of the
        components named ``free_rows``: the LP of a given portfolio's operations (``fix_portfolio`` on the
        model says why). Needs ``built``."""
        model = self.model
        if model is None:
            raise ValueError("hold_builds needs the resolver of a single model (built=...)")
        highspy = self._highspy
        if self._held is None:
            lp = self.lp
            pairs = list(model.BUILD)
            build_columns = np.array([lp.column_of[id(model.build[pair])] for pair in pairs], dtype=np.int32)
            others = np.array(
                [lp.column_of[id(var)] for name in zero_columns if hasattr(model, name) for var in getattr(model, name).values()],
                dtype=np.int32,
            )
            rows = [lp.row_of[id(row)] for name in free_rows if hasattr(model, name) for row in getattr(model, name).values()]
            self._held = (pairs, build_columns, others, np.array(sorted(rows), dtype=np.int32))
        pairs, build_columns, others, rows = self._held
        highs = self._highs
        shares_array = np.array([float(shares.get(pair, 0.0)) for pair in pairs])
        highs.changeColsBounds(len(build_columns), build_columns, shares_array, shares_array)
        if len(others):
            zeros = np.zeros(len(others))
            highs.changeColsBounds(len(others), others, zeros, zeros)
        if len(self.lp.integer_columns):
            continuous = np.full(len(self.lp.integer_columns), highspy.HighsVarType.kContinuous)
            highs.changeColsIntegrality(len(self.lp.integer_columns), self.lp.integer_columns, continuous)
        if len(rows):
            highs.changeRowsBounds(len(rows), rows, np.full(len(rows), -INF), np.full(len(rows), INF))
        self.holding = True

    def release_builds(self) -> None:
        """Undo :meth:`hold_builds`: the builds free again within their bounds, integer where they were, and
        the freed rows back in force."""
        if not self.holding:
            return
        _, build_columns, others, rows = self._held
        highs = self._highs
        columns = np.concatenate([build_columns, others]).astype(np.int32)
        highs.changeColsBounds(len(columns), columns, self._col_lower[columns], self._col_upper[columns])
        if len(self.lp.integer_columns):
            integer = np.full(len(self.lp.integer_columns), self._highspy.HighsVarType.kInteger)
            highs.changeColsIntegrality(len(self.lp.integer_columns), self.lp.integer_columns, integer)
        if len(rows):
            highs.changeRowsBounds(len(rows), rows, self._row_lower[rows], self._row_upper[rows])
        self.holding = False

    def load_solution(self) -> None:
        """Write the current solution into the variables of the model this resolver was given (``built``),
        integer values snapped, so that everything that reads a solved model reads this one."""
        if self.model is None:
            raise ValueError("load_solution needs the resolver of a single model (built=...)")
        for var, value in zip(self.lp.columns, self._solution.col_value, strict=True):
            var.set_value(value, skip_validation=True)
        if self.integer:
            snap_integers(self.model)

    # Reporting ----------------------------------------------------------------------------------------------

    def _report(self, outcome: Outcome, scenario: Scenario, x: np.ndarray, parameters: np.ndarray) -> None:
        """Builds, the dependence table, the headline metrics, budget used and shortfall from a solution."""
        structure = self.structure
        outcome.budget_used_musd = float(self._tie_cost @ x + self._offsets[TIE_OFFSET]) * MUSD_PER_BUSD
        shares = dict(zip(self._build_pairs, x[self._build_cols].tolist()))
        outcome.builds = build_rows(structure, shares, scenario.capex_multiplier, scenario.lead_time_shift_years)

        size = int(np.prod(self._shape))
        outputs, cols, coefficients = self._china
        china = np.bincount(outputs, weights=coefficients * x[cols], minlength=size).reshape(self._shape)
        outputs, cols, coefficients = self._shortfall
        short = np.bincount(outputs, weights=coefficients * x[cols], minlength=size).reshape(self._shape)
        requirement = parameters[self._requirement_positions].reshape(self._shape)
        cells = dependence_cells(structure, china, short, requirement)
        year_values = np.array(structure.years)
        outcome.dependence = DependenceRows(
            year=year_values[cells.year].astype(np.int32),
            element=cells.element.astype(np.int16),
            stage=cells.stage.astype(np.int16),
            dependence=cells.dependence,
            unmet=cells.unmet,
            element_labels=list(structure.elements) + list(DEPENDENCE_GROUPS),
            stage_labels=list(structure.stages),
        )

        n_elements = len(structure.elements)
        group_china = cells.china[:, :, n_elements:]
        group_req = cells.requirement[:, :, n_elements:]
        group_defined = group_req > 0
        group_dependence = np.divide(group_china, group_req, out=np.full(group_req.shape, np.nan), where=group_defined)
        counts = group_defined.sum(axis=0)
        sums = np.where(group_defined, group_dependence, 0.0).sum(axis=0)
        means = np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
        metrics: dict[str, float] = {}
        for g, group in enumerate(DEPENDENCE_GROUPS):
            for s, stage in enumerate(structure.stages):
                metrics[f"dependence_{group}_mean_{stage}"] = float(means[s, g])
                metrics[f"dependence_{group}_final_{stage}"] = float(group_dependence[-1, s, g])
        outcome.metrics = metrics
        outcome.total_shortfall_t = float(short.sum()) * TONNES_PER_KT
