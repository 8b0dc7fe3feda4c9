"""The workbench's solve service: settings from the browser, re-solved warm on a built model, returned as the
headline numbers and the run report's plotly charts.

A :class:`Workbench` keeps a few built models (the sweep's :class:`~optimiser.sweep.resolve.Resolver`, one
per structural key, least recently used dropped first). Each has its own lock: a HiGHS instance is not
thread-safe, and FastAPI runs the solve endpoint in its thread pool, so two tabs editing scenarios of one
structural group take turns on its model while other requests go on. "Without the plan" is the same scenario
at budget 0, solved on a second model of the group (so the plan's warm basis is never disturbed) and cached
by its settings: moving the budget alone never solves it again.

The charts are the report's own (:mod:`optimiser.report.interactive`), drawn from an in-memory
:class:`~optimiser.report.data.RunReport` built from the re-solve's outcome: builds, dependence (plan and
baseline) and, for the shortfall chart, the unmet tonnes of each cell (``unmet × requirement``, the
requirement read from the resolver's parameter vector for the scenario).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io

from ..errors import InputError, InputIssue
from ..inputs.data import InputData
from ..model.parameters import MUSD_PER_BUSD, TONNES_PER_KT
from ..report import data as rd
from ..report.html import RUN_FIGURES, FigureSpec
from ..results import BUILD_COLUMNS, DEPENDENCE_GROUPS
from ..scenario import Scenario
from ..solve_status import message_for
from ..store import finite_only
from ..sweep.resolve import Outcome, Resolver, structural_key

logger = logging.getLogger(__name__)

SOURCE = "<workbench>"
"""The file name the scenario's validation issues carry: its settings came from the browser."""

RESOLVER_CACHE_SIZE = 3
"""Built models kept (each with its baseline model): a structural change (objective, partners, horizon, an
instrument) builds a new one in a few seconds; going back to one of the last few is warm."""

BASELINE_CACHE_SIZE = 64
"""Baselines (budget-0 dependence) kept, keyed by every setting but the budget."""

DEFAULT_TIME_LIMIT_SECONDS = 30.0
"""A workbench solve stops here unless the scenario sets ``time_limit_seconds`` (then shown as a time limit,
never as a plan)."""

RESOLVER_THREADS: int | None = None
"""HiGHS threads of the workbench's models: HiGHS's own default, as the saves' full runs (``runner.solve``) in
the same process use. HiGHS keeps one thread scheduler per process, and a resolver asking for a different
count resets it on its first solve, which must not happen while a save is solving in another thread. The
simplex solves a re-solve makes are serial either way."""

HEADLINE_YEARS: tuple[int, ...] = (2030, 2035)
"""Years of the headline's dependence table, besides the horizon's last."""

CHART_KEYS: tuple[str, ...] = ("dependence", "timeline", "capex", "shortfall")
"""The run report's figures the workbench redraws on every change (report/html.py ``RUN_FIGURES``)."""


@dataclass
class _Group:
    """The built models of one structural key: the plan's and the baseline's, each behind its own lock."""

    plan: Resolver
    lock: threading.Lock = field(default_factory=threading.Lock)
    baseline: Resolver | None = None
    baseline_lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class _Baseline:
    """A cached budget-0 solve: its status and, when optimal, the dependence table."""

    status: str
    dependence: pd.DataFrame | None


class Workbench:
    """Validates settings and re-solves them warm; safe to call from many threads at once.

    No scenario state is shared between calls: every call brings its whole settings, and the cached models
    hold only what a scenario of their structural key sets again before each solve.
    """

    def __init__(self, data: InputData, *, cache_size: int = RESOLVER_CACHE_SIZE,
                 time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS) -> None:
        self.data = data
        self.cache_size = cache_size
        self.time_limit_seconds = time_limit_seconds
        self._groups: OrderedDict[tuple, _Group] = OrderedDict()
        self._building: dict[tuple, threading.Lock] = {}
        self._groups_lock = threading.Lock()
        self._baselines: OrderedDict[str, _Baseline] = OrderedDict()
        self._baselines_lock = threading.Lock()
        self._specs: dict[str, FigureSpec] = {spec.key: spec for spec in RUN_FIGURES if spec.key in CHART_KEYS}

    # Settings ---------------------------------------------------------------------------------------------

    def scenario(self, settings: Mapping[str, object]) -> Scenario:
        """The scenario of ``settings`` (scenario keys as in a TOML file), checked as the CLI checks a file
        and against the data; InputError with every issue (``column``: the dotted key) otherwise."""
        if not isinstance(settings, Mapping):
            raise InputError(InputIssue(SOURCE, "the settings must be a table of scenario keys"))
        scenario = Scenario.from_dict(settings, source=SOURCE)
        scenario.check_against(self.data)
        return scenario

    # Models -----------------------------------------------------------------------------------------------

    def _group(self, scenario: Scenario) -> tuple[_Group, float]:
        """The built models of ``scenario``'s structural key (built now if needed: the seconds it took)."""
        key = structural_key(scenario)
        with self._groups_lock:
            group = self._groups.get(key)
            if group is not None:
                self._groups.move_to_end(key)
                return group, 0.0
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one thread builds a key; others wanting it wait here, not on the whole cache
            with self._groups_lock:
                group = self._groups.get(key)
                if group is not None:
                    return group, 0.0
            started = time.perf_counter()
            group = _Group(plan=Resolver(self.data, scenario, threads=RESOLVER_THREADS))
            with self._groups_lock:
                self._groups[key] = group
                self._building.pop(key, None)
                while len(self._groups) > self.cache_size:
                    dropped, _ = self._groups.popitem(last=False)
                    logger.info("dropped the built model of structural key %s (least recently used)", dropped)
            return group, time.perf_counter() - started

    def _timed(self, scenario: Scenario) -> Scenario:
        """``scenario`` with the workbench's time limit when it sets none."""
        if scenario.time_limit_seconds is not None:
            return scenario
        return scenario.with_overrides(time_limit_seconds=self.time_limit_seconds)

    def _baseline(self, group: _Group, scenario: Scenario) -> _Baseline:
        """The dependence of ``scenario`` at budget 0 (no new builds), cached by its other settings."""
        zero = scenario.with_overrides(budget_busd=0.0, tie_break=False, name="baseline", description="")
        key = json.dumps(zero.to_dict(), sort_keys=True, default=str)
        with self._baselines_lock:
            cached = self._baselines.get(key)
            if cached is not None:
                self._baselines.move_to_end(key)
                return cached
        with group.baseline_lock:
            if group.baseline is None:
                group.baseline = Resolver(self.data, zero, threads=RESOLVER_THREADS)
            outcome = group.baseline.solve(zero)
        frame = _dependence_frame(outcome) if outcome.optimal else None
        baseline = _Baseline(outcome.status, frame)
        with self._baselines_lock:
            self._baselines[key] = baseline
            while len(self._baselines) > BASELINE_CACHE_SIZE:
                self._baselines.popitem(last=False)
        return baseline

    def prepare(self, settings: Mapping[str, object]) -> None:
        """Build (and solve once) the models of ``settings``, so the first page load finds them warm."""
        self.solve(settings)

    # Solving ----------------------------------------------------------------------------------------------

    def solve(self, settings: Mapping[str, object]) -> dict:
        """Solve ``settings`` warm; the page's payload (plain JSON, every number finite or None): status in
        words, headline, charts, timings.

        Raises InputError for settings the CLI would refuse. A solve that is not optimal is returned with its
        status and the solver's words, and no headline or chart (never a plan).
        """
        started = time.perf_counter()
        scenario = self.scenario(settings)
        timed = self._timed(scenario)
        group, build_seconds = self._group(timed)
        with group.lock:
            t0 = time.perf_counter()
            outcome = group.plan.solve(timed)
            solve_seconds = time.perf_counter() - t0
            requirement = _requirement_t(group.plan, timed) if outcome.optimal else {}
        payload: dict = {
            "name": scenario.name,
            "status": outcome.status,
            "message": _status_message(outcome),
            "status_words": rd.STATUS_WORDS.get(outcome.status, f"No plan: the solve ended with status '{outcome.status}'."),
            "warnings": list(outcome.warnings),
            "timings": {
                "solve_seconds": solve_seconds,
                "build_seconds": build_seconds,
                "resolver": {name: round(value, 6) for name, value in outcome.timings.items()},
                "iterations": outcome.iterations,
                "warm": outcome.warm,
            },
            "headline": None,
            "charts": {},
        }
        if not outcome.optimal:
            payload["timings"]["total_seconds"] = time.perf_counter() - started
            return payload
        t0 = time.perf_counter()
        baseline = self._baseline(group, timed)
        payload["timings"]["baseline_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = self._report(scenario, group.plan, outcome, baseline, requirement)
        payload["headline"] = finite_only(_headline(report, outcome, baseline))
        payload["charts"] = self._charts(report)
        payload["timings"]["charts_seconds"] = time.perf_counter() - t0
        payload["timings"]["total_seconds"] = time.perf_counter() - started
        return payload

    def _report(self, scenario: Scenario, resolver: Resolver, outcome: Outcome, baseline: _Baseline,
                requirement: dict[tuple[str, str, int], float]) -> rd.RunReport:
        """An in-memory RunReport of the outcome, with the summary keys the chart functions read."""
        structure = resolver.structure
        dependence = _dependence_frame(outcome)
        summary = {
            "scenario": scenario.to_dict(),
            "status": outcome.status,
            "objective": outcome.objective,
            "objective_name": scenario.objective,
            "budget_musd": scenario.budget_busd * MUSD_PER_BUSD,
            "budget_used_musd": outcome.budget_used_musd,
            "budget_dual": outcome.budget_dual,
            "budget_dual_method": outcome.budget_dual_method,
            "horizon": [structure.first_year, structure.last_year],
            "first_decision_year": structure.first_decision_year,
            "history_years": list(structure.history_years),
        }
        return rd.RunReport(
            directory=Path(SOURCE),
            summary=summary,
            builds=pd.DataFrame(outcome.builds, columns=BUILD_COLUMNS),
            dependence=dependence,
            baseline=baseline.dependence,
            flows=_shortfall_flows(dependence, requirement, structure.elements),
            inputs=self.data,
            structure=structure,
        )

    def _charts(self, report: rd.RunReport) -> dict[str, dict]:
        """Each chart as plotly JSON (or, where the report states the result in words, that message)."""
        charts = {}
        for key in CHART_KEYS:
            spec = self._specs[key]
            figure = spec.interactive(report) if spec.available(report) else None
            charts[key] = {
                "title": spec.title,
                "caption": spec.caption,
                "figure": None if figure is None else json.loads(plotly.io.to_json(figure, validate=False)),
                "message": spec.empty(report) if figure is None else None,
            }
        return charts


def _status_message(outcome: Outcome) -> str:
    """The solver's words for a status (the last warning of a failed solve is its message)."""
    if not outcome.optimal and outcome.warnings:
        return outcome.warnings[-1]
    return message_for(outcome.status, outcome.status)


def _dependence_frame(outcome: Outcome) -> pd.DataFrame:
    """A re-solve's dependence rows as dependence.csv's columns (without China's world share)."""
    rows = outcome.dependence
    return pd.DataFrame({
        "year": rows.year.astype(int),
        "element": np.asarray(rows.element_labels, dtype=object)[rows.element],
        "stage": np.asarray(rows.stage_labels, dtype=object)[rows.stage],
        "dependence": rows.dependence,
        "unmet": rows.unmet,
    })


def _requirement_t(resolver: Resolver, scenario: Scenario) -> dict[tuple[str, str, int], float]:
    """ROW's requirement (t REO-eq) per element, stage and year for ``scenario``: the mutable parameter
    ``requirement`` of the resolver's parameter vector (cached by the resolver; called right after its solve)."""
    parameters = resolver.lp.parameters
    values = resolver.parameter_vector(scenario)[parameters.slices["requirement"]] * TONNES_PER_KT
    return dict(zip(parameters.keys["requirement"], values.tolist()))


def _shortfall_flows(dependence: pd.DataFrame, requirement: dict[tuple[str, str, int], float],
                     elements: list[str]) -> pd.DataFrame:
    """The part of flows.csv the shortfall chart reads: per element cell, ``shortfall`` = unmet share ×
    requirement (t), and ``row_output`` = requirement − shortfall with ``china_imports`` 0, so that their sum
    is the requirement the report's significance test compares the shortfall with. The workbench computes
    no other flow (the binding-stage chart is not drawn; it is in the saved result's report)."""
    columns = ["year", "element", "stage", "row_output", "china_imports", "shortfall", "surplus"]
    unmet = dependence[(dependence["unmet"] > 0) & dependence["element"].isin(elements)]
    rows = []
    for row in unmet.itertuples(index=False):
        required = requirement.get((row.element, row.stage, int(row.year)), 0.0)
        short = float(row.unmet) * required
        rows.append((int(row.year), row.element, row.stage, required - short, 0.0, short, 0.0))
    return pd.DataFrame(rows, columns=columns)


def _headline(report: rd.RunReport, outcome: Outcome, baseline: _Baseline) -> dict:
    """Objective, budget used, the budget's marginal value, and dependence by stage for all and the restricted
    elements in 2030, 2035 and the last year, with the plan and without new builds."""
    last = report.years[-1]
    years = sorted({year for year in HEADLINE_YEARS if year in report.years} | {last})
    plan = _pick(report.dependence, years)
    base = _pick(baseline.dependence, years)
    rows = []
    for group in DEPENDENCE_GROUPS:
        for stage in report.stages:
            if not any((group, stage, year) in plan for year in years):
                continue
            rows.append({
                "group": group,
                "stage": stage,
                "plan": [plan.get((group, stage, year)) for year in years],
                "baseline": [base.get((group, stage, year)) for year in years],
            })
    summary = report.summary
    return {
        "objective": outcome.objective,
        "objective_name": summary["objective_name"],
        "budget_busd": summary["budget_musd"] / MUSD_PER_BUSD,
        "budget_used_busd": None if outcome.budget_used_musd is None else outcome.budget_used_musd / MUSD_PER_BUSD,
        "budget_dual": outcome.budget_dual,
        "budget_dual_method": outcome.budget_dual_method,
        "budget_dual_words": rd.DUAL_METHOD_WORDS.get(outcome.budget_dual_method or "", outcome.budget_dual_method),
        "builds": len(outcome.builds),
        "total_shortfall_t": outcome.total_shortfall_t,
        "baseline_status": baseline.status,
        "years": years,
        "restricted": report.restricted or [],
        "rows": rows,
    }


def _pick(frame: pd.DataFrame | None, years: list[int]) -> dict[tuple[str, str, int], float]:
    """Dependence (0-1) of the aggregates in ``years``: (group, stage, year) → value."""
    if frame is None:
        return {}
    rows = frame[frame["year"].isin(years) & frame["element"].isin(DEPENDENCE_GROUPS)]
    return {(row.element, row.stage, int(row.year)): float(row.dependence) for row in rows.itertuples(index=False)}
