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
from ..solve import Deadline, make_solver, solve_model
from .portfolio import Portfolio


def fix_portfolio(model: pyo.ConcreteModel, portfolio: Portfolio) -> None:
    """Fix every build variable to the portfolio's share (0 where it builds nothing).

    The budget, unit-limit and minimum-scale rows are dropped: they constrain choices, and here nothing is chosen (the
    portfolio was checked when read; a rounded share must not make a row of constants infeasible). For the
    same reason the builds are continuous even under ``integer_builds``: a fractional portfolio (from a
    continuous run) is evaluated as it is, not declared infeasible.
    """
    for p, tau in model.BUILD:
        model.build[p, tau].domain = pyo.NonNegativeReals
        model.build[p, tau].set_value(portfolio.shares.get((p, tau), 0.0), skip_validation=True)
        model.build[p, tau].fix()
    for name in ("budget_limit", "yearly_budget_limit", "unit_limit", "minimum_scale_lower", "minimum_scale_upper"):
        if hasattr(model, name):
            getattr(model, name).deactivate()
    if hasattr(model, "built"):
        model.built.fix(0)


class Evaluator:
    """One scenario's model, built once, that evaluates any number of portfolios by re-fixing the builds.

    The persistent solver sees only the changed fixed values between evaluations, so scoring many
    portfolios under one scenario (``stress``, the robust benchmark) does not rebuild the model each time.
    Each evaluation gets the time limit (``time_limit``, else the scenario's) for its one solve.
    """

    def __init__(
        self,
        data: InputData,
        scenario: Scenario,
        structure: ModelStructure | None = None,
        time_limit: float | None = None,
    ):
        scenario.check_against(data)
        self.data, self.scenario = data, scenario
        started = time.perf_counter()
        self.model, self.structure = build_model(data, scenario, structure or build_structure(data, scenario))
        fix_portfolio(self.model, Portfolio(name="", source="", shares={}))
        self.build_seconds = time.perf_counter() - started
        self.time_limit = time_limit if time_limit is not None else scenario.time_limit_seconds
        self.solver = make_solver(time_limit=self.time_limit)
        self.warnings = unmet_weight_warnings(data, scenario, self.structure)

    def __call__(self, portfolio: Portfolio) -> RunResult:
        started = time.perf_counter()
        fix_portfolio(self.model, portfolio)
        outcome = solve_model(self.model, tie_break=False, solver=self.solver, deadline=Deadline(self.time_limit))
        outcome.budget_dual, outcome.budget_dual_method = None, None
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

