"""The sweep report: ``report.html`` and, when asked for, ``figures/*.png`` of a sweep's results directory.

The figures a sweep gets follow from its kind and what it varied (:mod:`optimiser.report.sweep_data`);
those it cannot have are left out of the page and their stale PNGs removed. The PNGs are drawn by
:mod:`optimiser.report.sweep_figures`, imported only when they are.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import style
from . import sweep_charts as charts
from . import sweep_data as sd
from .html import REPORT_NAME, FigureSpec, lazy_png, render_report

logger = logging.getLogger(__name__)

SHOWN_FAILURES = 50
"""Scenarios that did not end optimal listed on the page at most (runs.csv has them all)."""


def _frontier_caption(report: sd.SweepReport) -> str:
    frontier = sd.frontier(report)
    more = f" {frontier.left_out} more combinations of the other axes are in runs.csv." if frontier and frontier.left_out else ""
    return (
        "Top: the optimal objective (weighted China dependence, points, lower is better) at each budget. Beneath: "
        "the budget dual, the points one more US$1B would buy at that budget (the frontier's local slope; LP dual, "
        "or a finite difference for integer builds). Shaded: the source report's US$13-18B estimate for new "
        "processing capacity outside China." + more
    )


SWEEP_FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "frontier",
        "Dependence against budget",
        "",
        lazy_png("sweep_figures", "frontier_figure"),
        charts.frontier_chart,
        lambda report: "No frontier: the sweep does not vary the budget on a grid.",
        available=lambda report: sd.frontier(report) is not None,
    ),
    FigureSpec(
        "tornado",
        "Tornado: one parameter at a time",
        "The objective with each parameter alone at its low (blue) and its high (vermillion) value, everything else "
        "at the base case (black line); largest swing first. Ranges are in the sweep file.",
        lazy_png("sweep_figures", "tornado_figure"),
        charts.tornado_chart,
        lambda report: "No tornado: tornado.csv is missing (a one-at-a-time scenario did not end optimal).",
        available=lambda report: sd.tornado(report) is not None,
    ),
    FigureSpec(
        "morris",
        "Morris screening",
        "Mean absolute elementary effect (mu*, bars, with its bootstrap confidence) of each input over its range, "
        "per output; sigma (diamonds) large beside mu* means the input acts non-linearly or with others.",
        lazy_png("sweep_figures", "morris_figure"),
        charts.morris_chart,
        lambda report: "No Morris ranking: morris.csv is missing (a Morris sample did not end optimal).",
        available=lambda report: sd.morris(report) is not None,
    ),
    FigureSpec(
        "fan",
        "China dependence across the samples",
        "Dependence over time at each stage, for all elements and for the restricted (export-controlled) ones, over "
        "the optimal samples: the median line, the 25-75 % band (darker) and the 5-95 % band (lighter).",
        lazy_png("sweep_figures", "fan_figure"),
        charts.fan_chart,
        lambda report: "No fan chart: the samples stored no dependence detail.",
        available=lambda report: sd.fan(report) is not None,
    ),
    FigureSpec(
        "distribution",
        "Distribution of the objective",
        "The optimal objective of every sample, with its 5th, 50th and 95th percentiles.",
        lazy_png("sweep_figures", "distribution_figure"),
        charts.distribution_chart,
        lambda report: "No distribution: no sample ended optimal.",
        available=lambda report: sd.objective_distribution(report) is not None,
    ),
    FigureSpec(
        "heatmap",
        "Objective over the grid",
        "The optimal objective (points) over the grid's first two axes; with a third and fourth axis, one panel per "
        "combination of their values. Grey: the scenario has no optimal plan.",
        lazy_png("sweep_figures", "heatmap_figure"),
        charts.heatmap_chart,
        lambda report: "No heatmap: the grid has fewer than two axes, or too many panels.",
        available=lambda report: sd.heatmap(report) is not None,
    ),
)
"""The sweep report's figures, in page order; each appears only for the sweeps that can have it."""


def _specs(report: sd.SweepReport) -> tuple[FigureSpec, ...]:
    """The figure specs with captions that depend on the sweep filled in."""
    return tuple(
        FigureSpec(s.key, s.title, _frontier_caption(report), s.png, s.interactive, s.empty, s.available)
        if s.key == "frontier"
        else s
        for s in SWEEP_FIGURES
    )


def _headline(report: sd.SweepReport) -> list[dict]:
    """The cards at the top: scenario counts and the objective's spread over the optimal ones."""
    cards = [{"label": "Scenarios", "value": f"{len(report.runs):,}", "unit": ", ".join(f"{n:,} {s}" for s, n in report.status_counts.items())}]
    optimal = report.optimal
    if len(optimal):
        objective = optimal["objective"].astype(float)
        cards.append({"label": "Objective, best", "value": f"{objective.min():.3f}", "unit": "points (weighted dependence)"})
        cards.append({"label": "Objective, median", "value": f"{objective.median():.3f}", "unit": "points"})
        cards.append({"label": "Objective, worst", "value": f"{objective.max():.3f}", "unit": "points"})
    return cards


def render_sweep(report: sd.SweepReport, out: Path, figures_dir: Path | None = None, png: bool = True) -> Path:
    """Write the sweep report of ``report`` to ``out`` (atomically) and, with ``png``, its PNGs to
    ``figures_dir``."""
    failures = report.not_optimal.head(SHOWN_FAILURES)
    return render_report(
        report,
        _specs(report),
        "sweep.html.j2",
        out,
        figures_dir,
        png,
        cards=_headline(report),
        parameters=sd.parameter_rows(report),
        tornado=sd.tornado(report),
        morris=sd.morris(report),
        distribution=sd.distribution_summary(report),
        failures=failures,
        failures_left_out=len(report.not_optimal) - len(failures),
        band=style.REFERENCE_BUDGET_BAND_BUSD,
    )


def write_sweep_report(directory: str | Path, out: str | Path | None = None, png: bool = True) -> Path:
    """Read a sweep's results directory and write its report (default ``<directory>/report.html``) and, with
    ``png``, its PNGs (``figures/`` beside the report)."""
    report = sd.load_sweep(directory)
    target = Path(out) if out is not None else report.directory / REPORT_NAME
    return render_sweep(report, target, png=png)
