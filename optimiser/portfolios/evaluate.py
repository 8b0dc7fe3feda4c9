"""Stress-test a fixed portfolio: its builds held, only operations re-optimised under a scenario.

The scenario may cap exports, raise capex (the portfolio then costs more: reported, not constrained),
delay every build by its lead-time shift, or change demand. The budget rows are dropped, since the
portfolio is given; the dependence objective is re-minimised over operations alone.
"""

from __future__ import annotations

import time

import pandas as pd
import pyomo.environ as pyo

from ..inputs.data import InputData
from ..model import build_model, build_structure
from ..model.parameters import MUSD_PER_BUSD, ModelStructure, unmet_weight_warnings
from ..runner import RunResult, finish
from ..scenario import Scenario
from ..solve import Deadline, SolveOutcome, solve_sequence
from .portfolio import Portfolio


DROPPED_ROWS = (
    "budget_limit", "yearly_budget_limit", "unit_limit", "minimum_scale_lower", "minimum_scale_upper",
    "units_started_count",
)
"""Rows that constrain the choice of builds (or only count it, as ``units_started_count``, whose bound of
``max_units`` a rounded portfolio could break): dropped while a given portfolio is evaluated."""
ZEROED_VARIABLES = ("built",)
"""Choice variables other than ``build`` held at 0 while a given portfolio is evaluated."""


def fix_portfolio(model: pyo.ConcreteModel, portfolio: Portfolio) -> None:
    """Fix every build variable to the portfolio's share (0 where it builds nothing).

    The budget, unit-limit and minimum-scale rows (:data:`DROPPED_ROWS`) are dropped: they constrain choices,
    and here nothing is chosen (the portfolio was checked when read; a rounded share must not make a row of
    constants infeasible). For the same reason the builds are continuous even under ``integer_builds``: a
    fractional portfolio (from a continuous run) is evaluated as it is, not declared infeasible.
    """
    for p, tau in model.BUILD:
        model.build[p, tau].domain = pyo.NonNegativeReals
        model.build[p, tau].set_value(portfolio.shares.get((p, tau), 0.0), skip_validation=True)
        model.build[p, tau].fix()
    if hasattr(model, "units_started"):  # the builds' running count, its rows dropped: free and continuous
        for var in model.units_started.values():
            var.domain = pyo.NonNegativeReals
    for name in DROPPED_ROWS:
        if hasattr(model, name):
            getattr(model, name).deactivate()
    for name in ZEROED_VARIABLES:
        if hasattr(model, name):
            getattr(model, name).fix(0)


def release_portfolio(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """Undo :func:`fix_portfolio`: builds free in their domain, the dropped rows back in force."""
    domain = pyo.NonNegativeIntegers if structure.integer_builds else pyo.NonNegativeReals
    for p, tau in model.BUILD:
        model.build[p, tau].unfix()
        model.build[p, tau].domain = domain
    if hasattr(model, "units_started"):
        for var in model.units_started.values():
            var.domain = pyo.NonNegativeIntegers
    for name in DROPPED_ROWS:
        if hasattr(model, name):
            getattr(model, name).activate()
    for name in ZEROED_VARIABLES:
        if hasattr(model, name):
            getattr(model, name).unfix()


class Evaluator:
    """One scenario's model, built and compiled once, that evaluates any number of portfolios.

    Each evaluation fixes the build columns of the compiled LP at the portfolio's shares and re-solves from
    the last basis (only operations change), so scoring many portfolios under one scenario (``stress``,
    ``robust``'s benchmark, ``alternatives``) costs a warm re-solve each, not a build. :meth:`optimise`
    solves the scenario's own optimum on the same model. Each evaluation gets the time limit
    (``time_limit``, else the scenario's) for its one solve.
    """

    def __init__(
        self,
        data: InputData,
        scenario: Scenario,
        structure: ModelStructure | None = None,
        time_limit: float | None = None,
    ):
        from ..sweep.resolve import Resolver

        scenario.check_against(data)
        self.data, self.scenario = data, scenario
        started = time.perf_counter()
        self.model, self.structure = build_model(data, scenario, structure or build_structure(data, scenario))
        self.resolver = Resolver(data, scenario, threads=None, built=(self.model, self.structure))
        self.build_seconds = time.perf_counter() - started
        self.time_limit = time_limit if time_limit is not None else scenario.time_limit_seconds
        self.warnings = unmet_weight_warnings(data, scenario, self.structure)

    def _solve_held(self, portfolio: Portfolio) -> SolveOutcome:
        self.resolver.hold_builds(portfolio.shares, DROPPED_ROWS, ZEROED_VARIABLES)
        outcome = solve_sequence(
            self.resolver, integer_builds=False, tie_break=False, tolerance=0.0,
            deadline=Deadline(self.time_limit), budget_dual=False,
        )
        outcome.solver_version = self.resolver.solver_version()
        return outcome

    def objective(self, portfolio: Portfolio) -> float | None:
        """The scenario's dependence objective under ``portfolio`` (``None`` when the solve is not optimal),
        without the result tables: what a cross-evaluation needs."""
        outcome = self._solve_held(portfolio)
        return outcome.objective if outcome.optimal else None

    def __call__(self, portfolio: Portfolio) -> RunResult:
        started = time.perf_counter()
        outcome = self._solve_held(portfolio)
        fix_portfolio(self.model, portfolio)
        if outcome.optimal:
            self.resolver.load_solution()
        cost = portfolio.capex_musd(self.structure, self.scenario.capex_multiplier)
        public = float(pyo.value(self.model.total_capex, exception=False) or 0.0) * MUSD_PER_BUSD
        extra = {
            "kind": "evaluate",
            "portfolio": portfolio.source,
            "portfolio_capex_musd": cost,
            "portfolio_public_spend_musd": public,
            "over_budget": public > self.scenario.budget_busd * MUSD_PER_BUSD * (1 + 1e-9),
        }
        timings = {"build": self.build_seconds}
        return finish(
            self.data, self.scenario, self.model, self.structure, outcome, timings, list(self.warnings), started, extra_summary=extra
        )

    def release(self) -> None:
        """The builds free again (the model as built): for :meth:`optimise` and the alternatives' goals."""
        self.resolver.release_builds()
        release_portfolio(self.model, self.structure)

    def optimise(self, deadline: Deadline | None = None) -> RunResult:
        """The scenario's own optimum (as ``optimiser.solve`` without the baseline) on this model, warm,
        within ``deadline`` (default: the time limit from now)."""
        started = time.perf_counter()
        scenario = self.scenario
        self.release()
        outcome = self.resolver.solve_sequence(scenario, deadline or Deadline(self.time_limit))
        outcome.solver_version = self.resolver.solver_version()
        if outcome.optimal:
            self.resolver.load_solution()
        timings = {"build": self.build_seconds}
        return finish(self.data, self.scenario, self.model, self.structure, outcome, timings, list(self.warnings), started)


def evaluate(
    data: InputData,
    scenario: Scenario,
    portfolio: Portfolio,
    *,
    structure: ModelStructure | None = None,
    time_limit: float | None = None,
) -> RunResult:
    """The dependence, shortfall and cost of ``portfolio`` under ``scenario``."""
    return Evaluator(data, scenario, structure, time_limit)(portfolio)


def shortfall_by_element_year(result: RunResult) -> pd.DataFrame:
    """Unmet demand summed over stages, t per element and year, where any is unmet."""
    flows = result.flows
    totals = flows.groupby(["year", "element"], as_index=False)["shortfall"].sum()
    return totals[totals["shortfall"] > 1e-6].reset_index(drop=True)

