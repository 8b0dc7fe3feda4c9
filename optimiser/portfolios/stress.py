"""Regret matrix: every portfolio evaluated under every scenario.

For scenario j, the regret of portfolio i is ``objective[i, j] − min_k objective[k, j]``: how much worse it
does than the best of the candidate portfolios had that scenario come true. The min-max-regret portfolio is
the one whose largest regret is smallest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..inputs.data import InputData
from ..model.parameters import MUSD_PER_BUSD
from ..runner import RunResult
from ..scenario import Scenario
from .evaluate import Evaluator
from .portfolio import Portfolio, read_portfolio

COLUMNS = ["portfolio", "scenario", "status", "objective", "regret", "portfolio_capex_musd"]


@dataclass
class StressResult:
    """The long table (one row per portfolio and scenario), the evaluations, and the min-max-regret pick."""

    table: pd.DataFrame
    evaluations: dict[tuple[str, str], RunResult]
    min_max_regret: str | None

    def matrix(self, column: str = "objective") -> pd.DataFrame:
        return self.table.pivot(index="portfolio", columns="scenario", values=column)

    def max_regret(self) -> pd.Series:
        return self.matrix("regret").max(axis=1)


def regret_table(table: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Add regrets to a (portfolio, scenario, objective) table; name the min-max-regret portfolio.

    A scenario where some evaluation is not optimal gets no regret (NaN) for any portfolio: its best is
    unknown. Ties go to the first portfolio listed.
    """
    table = table.copy()
    table["regret"] = float("nan")
    for _scenario, rows in table.groupby("scenario", sort=False):
        if rows["objective"].isna().any():
            continue
        table.loc[rows.index, "regret"] = rows["objective"] - rows["objective"].min()
    worst = table.groupby("portfolio", sort=False)["regret"].max()
    worst = worst.dropna()
    return table, (str(worst.idxmin()) if len(worst) else None)


def _check_distinct(what: str, named: list[tuple[str, str]], remedy: str) -> None:
    """Refuse two portfolios or scenarios of one name (before any solve): the matrix is labelled by name."""
    seen: dict[str, str] = {}
    for name, source in named:
        if name in seen:
            raise UsageError(f"{what} {seen[name]} and {source} are both named '{name}', which labels the stress matrix: {remedy}")
        seen[name] = source


def stress(
    data: InputData,
    portfolios: list[str | Path | Portfolio],
    scenarios: list[Scenario],
) -> StressResult:
    """Evaluate every portfolio under every scenario and compute regrets."""
    rows = []
    evaluations: dict[tuple[str, str], RunResult] = {}
    _check_distinct("scenarios", [(s.name, s.source) for s in scenarios], "give one of them another 'name' key")
    for scenario in scenarios:
        evaluator = Evaluator(data, scenario)
        read = [
            item if isinstance(item, Portfolio) else read_portfolio(item, data, evaluator.structure, scenario.budget_busd * MUSD_PER_BUSD)
            for item in portfolios
        ]
        _check_distinct("portfolios", [(p.name, p.source) for p in read], "rename one directory or file")
        for portfolio in read:
            result = evaluator(portfolio)
            evaluations[portfolio.name, scenario.name] = result
            rows.append(
                {
                    "portfolio": portfolio.name,
                    "scenario": scenario.name,
                    "status": result.status,
                    "objective": result.objective if result.optimal else float("nan"),
                    "portfolio_capex_musd": result.summary["portfolio_capex_musd"],
                }
            )
    table, best = regret_table(pd.DataFrame(rows))
    return StressResult(table=table[COLUMNS], evaluations=evaluations, min_max_regret=best)
