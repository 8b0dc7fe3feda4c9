"""The report of a comparison, stress test or robust run: ``report.html`` and, when asked for,
``figures/*.png`` (drawn by :mod:`optimiser.report.portfolio_figures`, imported only then).

One page for the three kinds (``templates/portfolios.html.j2``): the portfolios side by side, their objective
under each scenario, their China dependence over time, and, where every portfolio met every scenario (stress
tests, benchmarked robust runs), the regret matrix. What each figure shows and which files it reads are in
``docs/reports.md``.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from . import portfolio_charts as charts
from . import portfolio_data
from .html import REPORT_NAME, FigureSpec, lazy_png, render_report

logger = logging.getLogger(__name__)

PORTFOLIO_FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "timeline",
        "Portfolios side by side",
        "Which projects each portfolio funds, and when: one panel per portfolio (title in its colour, with its total "
        "capex), the same project rows in every panel. Each bar runs from the construction start (the decision) to "
        "the first output, coloured by stage (hatched: a project with two stages), labelled with its capex "
        "(US$, undiscounted); a project started in several years has one thin bar per start.",
        lazy_png("portfolio_figures", "timeline_figure"),
        charts.timeline_chart,
        lambda portfolios: "No portfolio funds a new project.",
        available=lambda portfolios: True,
    ),
    FigureSpec(
        "objective",
        "Dependence under each scenario",
        "The objective (weighted China dependence, points 0-100, lower is better) of each portfolio under each "
        "scenario it was evaluated under, one colour per portfolio.",
        lazy_png("portfolio_figures", "objective_figure"),
        charts.objective_chart,
        lambda portfolios: "No portfolio has an optimal evaluation under any scenario.",
        available=lambda portfolios: True,
    ),
    FigureSpec(
        "trajectories",
        "Dependence over time",
        "Share of ROW's requirement at each stage (rows) that is Chinese content, all elements together, under each "
        "scenario (columns); one line per portfolio in its colour.",
        lazy_png("portfolio_figures", "trajectories_figure"),
        charts.trajectories_chart,
        lambda portfolios: "No evaluation stored its dependence over time.",
        available=lambda portfolios: True,
    ),
    FigureSpec(
        "regret",
        "Regret matrix",
        "How many points worse each portfolio does under each scenario than the best of the portfolios listed had "
        "that scenario come true; the last column is its largest regret. The min-max-regret portfolio (★, outlined) "
        "is the one whose largest regret is smallest. n/a: a scenario where some evaluation did not end optimal.",
        lazy_png("portfolio_figures", "regret_figure"),
        charts.regret_chart,
        lambda portfolios: "No regret matrix.",
        available=lambda portfolios: portfolios.regret is not None,
    ),
)
"""The figures of a comparison, stress-test or robust report, in page order (the regret matrix only where
every portfolio was evaluated under every scenario)."""


def _card(label: str, value: str, unit: str) -> dict:
    return {"label": label, "value": value, "unit": unit}


def _headline(portfolios: portfolio_data.PortfolioSet) -> list[dict]:
    """The cards at the top: what was compared, and the pick (min-max regret, the robust measure)."""
    cards = [
        _card("Portfolios", str(len(portfolios.portfolios)), ", ".join(portfolios.portfolios)),
        _card("Scenarios", str(len(portfolios.scenarios)), ", ".join(portfolios.scenarios)),
    ]
    info = portfolios.robust
    if info is not None:
        alpha = "" if info.get("alpha") is None else f", alpha {info['alpha']}"
        value = info.get("measure_value")
        cards.append(
            _card(
                f"Robust measure: {info.get('measure')}{alpha}",
                "n/a" if value is None else f"{float(value):.3f}",
                portfolio_data.MEASURE_WORDS.get(str(info.get("measure")), "") + ", points",
            )
        )
    if portfolios.min_max_regret is not None:
        worst = portfolios.max_regret()
        cards.append(
            _card("Min-max regret", portfolios.min_max_regret, f"largest regret {float(worst[portfolios.min_max_regret]):.3f} points")
        )
    elif portfolios.optimal and portfolios.kind == "comparison":
        values = portfolios.objective.stack().dropna()
        (portfolio, scenario), best = values.idxmin(), float(values.min())
        cards.append(_card("Lowest objective", portfolio, f"{best:.3f} points under scenario '{scenario}'"))
    return cards


def _objective_rows(portfolios: portfolio_data.PortfolioSet) -> list[dict]:
    """One row per portfolio: its colour, capex, a cell per scenario (value or status), its measure."""
    rows = []
    for portfolio in portfolios.portfolios:
        cells = []
        for scenario in portfolios.scenarios:
            value = float(portfolios.objective.loc[portfolio, scenario])
            status = str(portfolios.status.loc[portfolio, scenario])
            cells.append(f"{value:.3f}" if not math.isnan(value) else (status.replace("_", " ") or "not evaluated"))
        rows.append(
            {
                "portfolio": portfolio,
                "colour": portfolios.colours[portfolio],
                "capex": portfolios.capex(portfolio),
                "cells": cells,
                "measure": portfolios.measures.get(portfolio),
                "best": portfolio == portfolios.min_max_regret,
            }
        )
    return rows


def _regret_rows(portfolios: portfolio_data.PortfolioSet) -> list[dict]:
    if portfolios.regret is None:
        return []
    matrix = charts.regret_matrix(portfolios)
    return [
        {
            "portfolio": portfolio,
            "colour": portfolios.colours[portfolio],
            "cells": [charts.cell_text(float(v)) for v in matrix.loc[portfolio]],
            "best": portfolio == portfolios.min_max_regret,
        }
        for portfolio in matrix.index
    ]


def _relative(path: Path, directory: Path) -> str:
    try:
        return path.relative_to(directory).as_posix()
    except ValueError:
        return str(path)


def render_portfolios(
    portfolios: portfolio_data.PortfolioSet, out: Path, figures_dir: Path | None = None, png: bool = True
) -> Path:
    """Write the report of ``portfolios`` to ``out`` (atomically) and, with ``png``, its PNGs to
    ``figures_dir``."""
    return render_report(
        portfolios,
        PORTFOLIO_FIGURES,
        "portfolios.html.j2",
        out,
        figures_dir,
        png,
        cards=_headline(portfolios),
        objective_rows=_objective_rows(portfolios),
        regret_rows=_regret_rows(portfolios),
        regret_columns=[*portfolios.scenarios, charts.MAX_REGRET],
        builds=portfolio_data.builds_matrix(portfolios),
        sources=[{"what": s.what, "path": _relative(s.path, portfolios.directory)} for s in portfolios.sources],
        measure_words=portfolio_data.MEASURE_WORDS,
        best_mark=charts.BEST_MARK,
    )


def write_portfolio_report(directory: str | Path, out: str | Path | None, kind: str, png: bool = True) -> Path:
    """Read a comparison, stress-test or robust directory (``kind``) and write its report (default
    ``<directory>/report.html``) and, with ``png``, its PNGs (``figures/`` beside the report)."""
    portfolios = portfolio_data.load_portfolio_set(directory, kind)
    target = Path(out) if out is not None else portfolios.directory / REPORT_NAME
    return render_portfolios(portfolios, target, png=png)
