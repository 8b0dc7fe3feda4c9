"""One scenario end to end: build, solve, tie-break, extract, check, summarise.

``solve`` is the Python API's entry point; the CLI's ``run`` calls it and then writes the result with
:mod:`optimiser.store`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.common.tee import capture_output

from .inputs.data import InputData
from .model import build_model, build_structure
from .model.cofinance_data import summary_cofinance
from .model.constraints.project_risk import summary_project_risk
from .model.constraints.recycling_scrap import summary_recycling_scrap
from .model.constraints.stockpile import summary_stockpile
from .model.constraints.substitution import summary_substitution
from .model.parameters import MUSD_PER_BUSD, ModelStructure, unmet_weight_warnings
from .result_warnings import plan_warnings
from .result_format import RESULT_FORMAT as RESULT_FORMAT  # re-exported: named from here too
from .results import DEPENDENCE_GROUPS, ResultTables, check_invariants, extract_dependence, extract_tables
from .scenario import Scenario
from .solve import SLOPE_STEP_BUSD, Deadline, SolveOutcome, import_highspy, make_solver, solve_model
from .store import finite_only

logger = logging.getLogger(__name__)

OBJECTIVE_UNIT = "percentage points: weighted dependence (0-100) plus K times the weighted unmet share (above 100 only when demand goes unmet)"
"""What the objective counts: dependence is 0-100 points, and each unmet point weighs K times as much."""



@dataclass
class RunResult:
    """A solved scenario: its status, headline numbers, result tables and run record."""

    scenario: Scenario
    status: str
    message: str
    objective: float | None
    budget_used_musd: float | None
    budget_dual: float | None
    tables: ResultTables | None
    baseline_dependence: pd.DataFrame | None
    summary: dict = field(default_factory=dict)
    invariant_violations: list[str] = field(default_factory=list)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def has_plan(self) -> bool:
        """Whether the result carries a plan: the optimum, or the best plan of a MIP stopped by the time limit
        (status ``time_limit``, ``summary["incumbent"]``)."""
        return self.tables is not None

    @property
    def builds(self) -> pd.DataFrame | None:
        return None if self.tables is None else self.tables.builds

    @property
    def dependence(self) -> pd.DataFrame | None:
        return None if self.tables is None else self.tables.dependence

    @property
    def flows(self) -> pd.DataFrame | None:
        return None if self.tables is None else self.tables.flows


def versions() -> dict[str, str]:
    """Versions of everything that shapes a result (SolverUnavailableError without highspy)."""
    import numpy
    import pyomo

    from . import __version__

    highspy = import_highspy()
    with capture_output(capture_fd=True):
        highs = highspy.Highs()
    return {
        "optimiser": __version__,
        "python": platform.python_version(),
        "pyomo": pyomo.version.version,
        "highs": f"{highs.versionMajor()}.{highs.versionMinor()}.{highs.versionPatch()}",
        "pandas": pd.__version__,
        "numpy": numpy.__version__,
    }


def scenario_sha256(scenario: Scenario) -> str:
    return hashlib.sha256(json.dumps(scenario.to_dict(), sort_keys=True).encode()).hexdigest()


def _baseline(
    model: pyo.ConcreteModel, structure: ModelStructure, data: InputData, solver, deadline: Deadline
) -> pd.DataFrame | None:
    """Dependence with no new builds (budget 0), for the before/after comparison (no dual: none is reported,
    and an integer model has none)."""
    budget = pyo.value(model.budget)
    model.budget.set_value(0.0)
    try:
        outcome = solve_model(model, tie_break=False, solver=solver, deadline=deadline, budget_dual=False)
        if not outcome.optimal:
            return None
        return extract_dependence(model, structure, data)
    finally:
        model.budget.set_value(budget)


BACKENDS = ("compiled", "pyomo")
"""How a run hands its model to HiGHS: ``compiled`` (default) compiles the built model into arrays once
(``sweep.lp``) and runs every solve on them (``sweep.resolve.Resolver``), the solution written back into the
model's variables; ``pyomo`` goes through Pyomo's persistent HiGHS interface (the reference the compiled path
is tested against)."""


def solve(
    data: InputData,
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    baseline: bool = True,
    backend: str = "compiled",
) -> RunResult:
    """Solve ``scenario`` on ``data``: the build portfolio, its dependence trajectory and the run record.

    Never raises for a non-optimal solve: the status says what happened. Inputs are assumed validated
    (``load_inputs`` and ``Scenario.check_against``). The time limit (``time_limit``, else the scenario's)
    bounds every solve of the run together: baseline, primary, tie-break and budget-dual re-solves. Both
    ``backend`` values (:data:`BACKENDS`) run the same solve sequence on the same model.

    Python's cyclic garbage collector is paused for the run (Pyomo's ``PauseGC``, as its own writers do): a
    run makes about a million long-lived objects and little cyclic garbage, and the collector's repeated
    passes over the growing model were about 0.4 s of the default run's 2.6 s CPU, counted over consecutive
    runs so that the one pass it owes afterwards is included (docs/performance.md, "Runs").
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    with PauseGC():
        return _solve(data, scenario, time_limit, baseline, backend)


def _solve(
    data: InputData, scenario: Scenario, time_limit: float | None, baseline: bool, backend: str
) -> RunResult:
    """:func:`solve`'s work, with the collector paused."""
    scenario.check_against(data)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    structure = build_structure(data, scenario)
    model, structure = build_model(data, scenario, structure)
    timings["build"] = time.perf_counter() - t0
    warnings = unmet_weight_warnings(data, scenario, structure)
    for warning in warnings:
        logger.warning(warning)

    limit = time_limit if time_limit is not None else scenario.time_limit_seconds
    deadline = Deadline(limit)
    if backend == "compiled":
        outcome, baseline_dependence = _solve_compiled(data, scenario, model, structure, deadline, baseline, timings)
        return finish(data, scenario, model, structure, outcome, timings, warnings, started, baseline_dependence)

    solver = make_solver(time_limit=limit)
    baseline_dependence = None
    if baseline:
        t0 = time.perf_counter()
        baseline_dependence = _baseline(model, structure, data, solver, deadline)
        timings["solve_baseline"] = time.perf_counter() - t0

    outcome = solve_scenario_model(model, scenario, solver, deadline)
    return finish(data, scenario, model, structure, outcome, timings, warnings, started, baseline_dependence)


def _solve_compiled(
    data: InputData,
    scenario: Scenario,
    model: pyo.ConcreteModel,
    structure: ModelStructure,
    deadline: Deadline,
    baseline: bool,
    timings: dict[str, float],
) -> tuple[SolveOutcome, pd.DataFrame | None]:
    """The run's solves on the compiled arrays: the no-build baseline (budget 0) first, whose basis starts
    the primary solve warm (and whose plan, building nothing, is a MIP's start: a time limit then always
    leaves a plan), then the solve sequence; the plan it ends with is written into ``model``."""
    from .sweep.resolve import Resolver

    t0 = time.perf_counter()
    resolver = Resolver(
        data, scenario, threads=None, built=(model, structure),
        solver_log=logging.getLogger("optimiser").isEnabledFor(logging.INFO),
    )
    timings["compile"] = time.perf_counter() - t0
    baseline_dependence = None
    if baseline:
        t0 = time.perf_counter()
        baseline_dependence = _compiled_baseline(resolver, model, structure, data, deadline)
        timings["solve_baseline"] = time.perf_counter() - t0
        resolver.offer_start()
    outcome = resolver.solve_sequence(scenario, deadline)
    outcome.solver_version = resolver.solver_version()
    if outcome.has_plan:
        t0 = time.perf_counter()
        resolver.load_solution()
        timings["load_solution"] = time.perf_counter() - t0
    if not outcome.optimal:
        logger.warning("solve ended %s (%s)", outcome.status, outcome.termination_condition)
    return outcome, baseline_dependence


def _compiled_baseline(
    resolver, model: pyo.ConcreteModel, structure: ModelStructure, data: InputData, deadline: Deadline
) -> pd.DataFrame | None:
    """:func:`_baseline` on the compiled arrays: the primary solve at budget 0, read back through the model."""
    budget = resolver.budget()
    resolver.set_budget(0.0)
    try:
        resolver.set_primary()
        status, _, _ = resolver.run(deadline)
        if status != "optimal":
            return None
        resolver.load_solution()
        return extract_dependence(model, structure, data)
    finally:
        resolver.set_budget(budget)


def solve_scenario_model(
    model: pyo.ConcreteModel, scenario: Scenario, solver, deadline: Deadline | None = None
) -> SolveOutcome:
    """Solve a built model the way ``scenario`` asks: integer builds, tie-break and its tolerance, within
    ``deadline`` (default: the scenario's time limit from now)."""
    return solve_model(
        model,
        integer_builds=scenario.integer_builds,
        tie_break=scenario.tie_break,
        tie_break_tolerance=scenario.tie_break_tolerance,
        solver=solver,
        deadline=deadline or Deadline(scenario.time_limit_seconds),
    )


def finish(
    data: InputData,
    scenario: Scenario,
    model: pyo.ConcreteModel,
    structure: ModelStructure,
    outcome: SolveOutcome,
    timings: dict[str, float],
    warnings: list[str],
    started: float,
    baseline_dependence: pd.DataFrame | None = None,
    extra_summary: dict | None = None,
) -> RunResult:
    """Turn a solved (or failed) model into a RunResult: tables, invariant checks, the run record."""
    timings = {**timings, **outcome.timings}
    result = RunResult(
        scenario=scenario,
        status=outcome.status,
        message=outcome.message,
        objective=outcome.objective,
        budget_used_musd=None,
        budget_dual=outcome.budget_dual,
        tables=None,
        baseline_dependence=baseline_dependence,
    )
    if outcome.has_plan:
        t0 = time.perf_counter()
        tables = extract_tables(model, structure, data, scenario.capex_multiplier, scenario.lead_time_shift_years)
        violations = check_invariants(model, structure, tables)
        timings["extract"] = time.perf_counter() - t0
        result.tables = tables
        result.budget_used_musd = pyo.value(model.total_capex) * MUSD_PER_BUSD
        result.invariant_violations = violations
        if violations:
            result.status = "error"
            result.message = "the solution breaks an invariant (a bug, please report it): " + "; ".join(violations[:3])
            logger.error(result.message)
    timings["total"] = time.perf_counter() - started
    plan = plan_warnings(data, scenario, structure, result.tables)
    summary = _summary(data, scenario, structure, outcome, result, timings, warnings + outcome.warnings + plan)
    summary["stockpile"] = summary_stockpile(model, structure) if result.tables is not None else None
    summary["substitution"] = summary_substitution(model, structure) if result.tables is not None else None
    summary["recycling_scrap"] = summary_recycling_scrap(model, structure) if result.tables is not None else None
    if extra_summary:
        summary.update(extra_summary)
    replaced: list[str] = []
    result.summary = finite_only(summary, replaced)
    for warning in replaced:
        logger.warning(warning)
    result.summary["warnings"] += replaced
    return result


def _headline(result: RunResult, structure: ModelStructure) -> dict:
    """Final-year dependence by stage for all and restricted elements, before (no builds) and after."""
    final = structure.last_year

    def pick(frame: pd.DataFrame | None) -> dict[str, dict[str, float]]:
        if frame is None:
            return {}
        rows = frame[(frame["year"] == final) & frame["element"].isin(DEPENDENCE_GROUPS)]
        return {
            group: {row.stage: float(row.dependence) for row in part.itertuples(index=False)}
            for group, part in rows.groupby("element")
        }

    return {"year": final, "baseline": pick(result.baseline_dependence), "plan": pick(result.dependence)}


CHINA_SHARE_YEARS: tuple[int, ...] = (2030, 2035)
"""Years China's world share is reported for in summary.json, besides the first and last planning years."""


def _china_world_share(result: RunResult, structure: ModelStructure) -> dict:
    """China's share of world output per stage, for all and for the restricted elements, in the first year,
    2030, 2035 and the last year (those in the horizon): with the plan and without new builds."""
    years = sorted({structure.first_year, *CHINA_SHARE_YEARS, structure.last_year} & set(structure.years))

    def pick(frame: pd.DataFrame | None) -> dict[str, dict[str, dict[str, float | None]]]:
        if frame is None:
            return {}
        rows = frame[frame["year"].isin(years) & frame["element"].isin(DEPENDENCE_GROUPS)]
        shares: dict[str, dict[str, dict[str, float | None]]] = {}
        for row in rows.itertuples(index=False):
            value = None if pd.isna(row.china_world_share) else float(row.china_world_share)
            shares.setdefault(str(row.year), {}).setdefault(row.element, {})[row.stage] = value
        return shares

    return {"years": years, "plan": pick(result.dependence), "baseline": pick(result.baseline_dependence)}


def _summary(
    data: InputData,
    scenario: Scenario,
    structure: ModelStructure,
    outcome: SolveOutcome,
    result: RunResult,
    timings: dict[str, float],
    warnings: list[str],
) -> dict:
    """The run record: scenario, status, headline numbers, versions, inputs hash, model size, timings."""
    return {
        "result_format": RESULT_FORMAT,
        "kind": "run",
        "scenario": scenario.to_dict(),
        "status": result.status,
        "termination_condition": outcome.termination_condition,
        "message": result.message,
        "objective": result.objective,
        "objective_name": scenario.objective,
        "objective_unit": OBJECTIVE_UNIT,
        "budget_musd": scenario.budget_busd * MUSD_PER_BUSD,
        "budget_used_musd": result.budget_used_musd,
        "budget_dual": result.budget_dual,
        "budget_dual_unit": "dependence points per extra US$1B",
        "budget_dual_method": outcome.budget_dual_method,
        "budget_dual_lp": outcome.budget_dual_lp,
        "budget_dual_left": outcome.budget_dual_left,
        "budget_dual_right": outcome.budget_dual_right,
        "budget_dual_step_busd": SLOPE_STEP_BUSD if outcome.budget_dual_right is not None else None,
        "secondary_objective": outcome.secondary_objective,
        "objective_bound": outcome.objective_bound,
        "mip_gap": outcome.mip_gap,
        "incumbent": outcome.incumbent,
        "headline": _headline(result, structure),
        "horizon": [structure.first_year, structure.last_year],
        "first_decision_year": structure.first_decision_year,
        "history_years": structure.history_years,
        "demand_case": scenario.demand_case_in(data),
        "china_world_share": _china_world_share(result, structure),
        "projects_in_model": len(structure.projects),
        "projects_left_out": structure.excluded_projects,
        "model_size": outcome.model_size,
        "versions": versions(),
        "inputs_sha256": data.inputs_sha256,
        "scenario_sha256": scenario_sha256(scenario),
        "timings": {name: round(seconds, 4) for name, seconds in timings.items()},
        "warnings": warnings,
        "project_risk": summary_project_risk(structure, scenario.failed_projects, result.tables and result.tables.builds),
        "cofinance": summary_cofinance(structure, result.builds),
        "invariant_violations": result.invariant_violations,
    }
