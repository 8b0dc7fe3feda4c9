"""The figures of a comparison, stress-test or robust report as plotly charts, and what they share with their
PNGs.

Each figure has a ``*_chart`` function here (a ``plotly.graph_objects.Figure``, or None where the page says in
words why there is nothing to draw) and a ``*_figure`` function in :mod:`optimiser.report.portfolio_figures`
(a ``matplotlib.figure.Figure``, for slides, drawn only when PNGs are asked for), both drawn from a
:class:`~optimiser.report.portfolio_data.PortfolioSet` with the layout helpers here:

- ``timeline``: the portfolios side by side, one panel each sharing the project rows: each build from its
  construction start to its first output, coloured by stage, labelled with its capex;
- ``objective``: each portfolio's objective under each scenario (grouped bars);
- ``trajectories``: China dependence over time (all elements), one panel per stage and scenario, one line
  per portfolio;
- ``regret``: the regret matrix, with each portfolio's largest regret; the min-max-regret portfolio marked.

A portfolio has the same colour in every figure (:func:`optimiser.report.style.portfolio_colour`), a stage
the same as in the run report. Portfolio, scenario and project names reach plotly through
:func:`optimiser.report.style.plotly_text`: a result directory may be called anything.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import interactive, style
from .portfolio_data import PortfolioSet

REGRET_AXIS = "Regret (points worse than the scenario's best portfolio)"
REGRET_SCALE = style.OBJECTIVE_SCALE
"""Sequential, as for the objective: darker is a larger regret."""
MAX_REGRET = "max regret"
BEST_MARK = "★"
"""Marks the min-max-regret portfolio in the regret matrix."""
TRAJECTORY_GROUP = "all"
"""The trajectories show the dependence of all elements together (the objective's restricted group is in
each result's own report)."""
TIMELINE_TITLE = "Portfolios side by side: bar from construction start to first output, label capex"


def label_margin(years: list[int]) -> float:
    """Room (years) right of the last year for the capex labels of the latest bars."""
    return 1.0 + 0.1 * len(years)


def project_order(portfolio_set: PortfolioSet) -> list[str]:
    """The union of the portfolios' projects, by their earliest start (the timeline's shared rows)."""
    builds = portfolio_set.builds
    if builds.empty:
        return []
    return list(builds.sort_values(["start_year", "stage", "project"]).drop_duplicates("project")["project"])


def timeline_years(portfolio_set: PortfolioSet) -> list[int]:
    """The timeline's years: the portfolios' horizon, else from the first start to the last first output."""
    if portfolio_set.years:
        return portfolio_set.years
    builds = portfolio_set.builds
    return list(range(int(builds["start_year"].min()), int(builds["online_year"].max()) + 1))


def project_rows(portfolio_set: PortfolioSet) -> dict[str, tuple[float, float]]:
    """Each project's row on the timeline: (centre, span) in row units, top down; a project started in several
    years in some portfolio gets a taller row, so each start keeps a readable bar and label."""
    builds = portfolio_set.builds
    if builds.empty:
        return {}
    starts = builds.groupby(["project", "portfolio"]).size().groupby(level="project").max()
    rows, top = {}, 0.0
    for project in project_order(portfolio_set):
        span = max(1.0, 0.5 * float(starts[project]))
        rows[project] = (top + span / 2, span)
        top += span
    return rows


def slots(rows: pd.DataFrame, row: tuple[float, float]) -> list[tuple[float, float]]:
    """Where the k starts of one project in one portfolio go within its row: (centre, height) each."""
    centre, span = row
    height = 0.72 * span / max(len(rows), 1)
    return [(centre - 0.36 * span + height * (i + 0.5), height) for i in range(len(rows))]


def portfolio_title(portfolio_set: PortfolioSet, portfolio: str) -> str:
    """A timeline panel's title: the portfolio and its total capex."""
    return f"{portfolio}: {style.musd(portfolio_set.capex(portfolio))} capex"


def _coloured(text: str, colour: str) -> str:
    """Plain ``text`` as plotly rich text in a portfolio's colour (titles and tick labels)."""
    return f'<span style="color:{colour}"><b>{style.plotly_text(text)}</b></span>'


def timeline_chart(portfolio_set: PortfolioSet) -> go.Figure | None:
    """The portfolios side by side: each build from construction start to first output, by stage, with capex."""
    builds = portfolio_set.builds
    if builds.empty:
        return None
    layout = project_rows(portfolio_set)
    depth = sum(span for _, span in layout.values())
    stages = portfolio_set.stages
    years = timeline_years(portfolio_set)
    portfolios = portfolio_set.portfolios
    titles = [_coloured(portfolio_title(portfolio_set, p), portfolio_set.colours[p]) for p in portfolios]
    figure = make_subplots(rows=1, cols=len(portfolios), shared_yaxes=True, subplot_titles=titles, horizontal_spacing=0.03)
    shown: set[str] = set()
    for column, portfolio in enumerate(portfolios, start=1):
        part = builds[builds["portfolio"] == portfolio]
        portfolio_text = style.plotly_text(portfolio)
        for category in style.category_order(list(part["stage"]), stages):
            rows = part[part["stage"] == category]
            order, centres, heights = [], [], []
            for project, group in rows.groupby("project", sort=False):
                group = group.sort_values("start_year")
                for index, (centre, height) in zip(group.index, slots(group, layout[project])):
                    order.append(index)
                    centres.append(centre)
                    heights.append(height)
            ordered = rows.loc[order]
            figure.add_trace(
                go.Bar(
                    orientation="h",
                    y=centres,
                    x=[max(float(o - s), 0.15) for s, o in zip(ordered["start_year"], ordered["online_year"])],
                    base=ordered["start_year"].tolist(),
                    width=[h * 0.92 for h in heights],
                    name=style.plotly_text(category),
                    legendgroup=style.plotly_text(category),
                    showlegend=category not in shown,
                    marker=interactive.bar_marker(category, stages),
                    text=[style.musd(float(v)) for v in ordered["capex_musd"]],
                    textposition="outside",
                    constraintext="none",
                    cliponaxis=False,
                    customdata=list(
                        zip(style.plotly_texts(ordered["project"]), style.plotly_texts(ordered["country"]),
                            ordered["start_year"], ordered["online_year"], ordered["share"].round(3),
                            ordered["capex_musd"].round(1))
                    ),
                    hovertemplate=(
                        f"<b>{portfolio_text}</b>: %{{customdata[0]}} (%{{customdata[1]}})<br>start %{{customdata[2]}} → "
                        "online %{customdata[3]}<br>units %{customdata[4]}, capex US$ %{customdata[5]:,.1f} million<extra>"
                        + style.plotly_text(category) + "</extra>"
                    ),
                ),
                row=1,
                col=column,
            )
            shown.add(category)
    figure.update_yaxes(
        tickmode="array", tickvals=[centre for centre, _ in layout.values()], ticktext=style.plotly_texts(layout), range=[depth, 0],
        showgrid=False,
    )
    figure.update_xaxes(
        range=[years[0] - 0.5, years[-1] + label_margin(years)], dtick=5 if len(years) > 12 else 1, showgrid=True,
        gridcolor=style.GRID_COLOUR,
    )
    figure.update_xaxes(title_text=style.YEAR_AXIS)
    interactive.apply_layout(figure, TIMELINE_TITLE, int(200 + 26 * depth))
    figure.update_layout(barmode="overlay", legend=interactive.SIDE_LEGEND | {"title": {"text": "stage"}})
    return figure


def objective_bars(portfolio_set: PortfolioSet):
    """(portfolio, x positions, values) for the grouped objective bars; NaN where not evaluated."""
    count = len(portfolio_set.portfolios)
    width = 0.8 / max(count, 1)
    centres = np.arange(len(portfolio_set.scenarios))
    for index, portfolio in enumerate(portfolio_set.portfolios):
        values = portfolio_set.objective.loc[portfolio, portfolio_set.scenarios].to_numpy(dtype=float)
        yield portfolio, centres - 0.4 + width * (index + 0.5), values, width


def objective_chart(portfolio_set: PortfolioSet) -> go.Figure | None:
    """Each portfolio's objective under each scenario it was evaluated under (lower is better)."""
    if not portfolio_set.optimal:
        return None
    figure = go.Figure()
    for portfolio in portfolio_set.portfolios:
        values = portfolio_set.objective.loc[portfolio, portfolio_set.scenarios]
        figure.add_trace(
            go.Bar(
                x=style.plotly_texts(portfolio_set.scenarios),
                y=[None if math.isnan(v) else round(float(v), 4) for v in values],
                name=style.plotly_text(portfolio),
                marker={"color": portfolio_set.colours[portfolio], "line": {"color": style.EDGE_COLOUR, "width": 0.5}},
                text=[None if math.isnan(v) else f"{v:.2f}" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"<b>{style.plotly_text(portfolio)}</b> under %{{x}}: %{{y:.3f}} points<extra></extra>",
            )
        )
    figure.update_xaxes(title_text="Scenario", type="category")
    figure.update_yaxes(title_text=style.OBJECTIVE_AXIS, rangemode="tozero", showgrid=True, gridcolor=style.GRID_COLOUR)
    interactive.apply_layout(figure, "Objective under each scenario (lower is better)", 460)
    figure.update_layout(barmode="group", legend={"title": {"text": "portfolio"}, "y": -0.22})
    return figure


def trajectories(portfolio_set: PortfolioSet) -> pd.DataFrame:
    """The dependence lines the trajectories figure draws: all elements together, per portfolio and scenario."""
    lines = portfolio_set.dependence
    lines = lines[lines["group"] == TRAJECTORY_GROUP].copy()
    lines["percent"] = 100.0 * lines["dependence"].astype(float)
    return lines.sort_values("year")


def trajectory_stages(portfolio_set: PortfolioSet, lines: pd.DataFrame) -> list[str]:
    """The stages that have lines, in chain order: the trajectories' panel rows."""
    present = set(lines["stage"])
    return [s for s in portfolio_set.stages if s in present]


def trajectories_chart(portfolio_set: PortfolioSet) -> go.Figure | None:
    """China dependence over time, one panel per stage (rows) and scenario (columns), a line per portfolio."""
    lines = trajectories(portfolio_set)
    if lines.empty:
        return None
    stages = trajectory_stages(portfolio_set, lines)
    scenarios = [s for s in portfolio_set.scenarios if s in set(lines["scenario"])]
    titles = [style.plotly_text(f"scenario '{s}'") for s in scenarios] + [""] * (len(scenarios) * (len(stages) - 1))
    figure = make_subplots(
        rows=len(stages), cols=len(scenarios), shared_xaxes=True, shared_yaxes=True, subplot_titles=titles,
        vertical_spacing=0.05, horizontal_spacing=0.03,
    )
    shown: set[str] = set()
    for r, stage in enumerate(stages, start=1):
        for c, scenario in enumerate(scenarios, start=1):
            for portfolio in portfolio_set.portfolios:
                part = lines[(lines["stage"] == stage) & (lines["scenario"] == scenario) & (lines["portfolio"] == portfolio)]
                if part.empty:
                    continue
                figure.add_trace(
                    go.Scatter(
                        x=part["year"].tolist(),
                        y=part["percent"].round(2).tolist(),
                        mode="lines",
                        name=style.plotly_text(portfolio),
                        legendgroup=style.plotly_text(portfolio),
                        showlegend=portfolio not in shown,
                        line={"color": portfolio_set.colours[portfolio], "width": 2.2},
                        hovertemplate=(
                            f"<b>{style.plotly_text(portfolio)}</b>, {style.plotly_text(stage)}, "
                            f"scenario '{style.plotly_text(scenario)}'<br>%{{x}}: %{{y:.1f}} %<extra></extra>"
                        ),
                    ),
                    row=r,
                    col=c,
                )
                shown.add(portfolio)
        figure.update_yaxes(
            title_text=_coloured(f"{stage} (%)", style.stage_colour(stage, portfolio_set.stages)), row=r, col=1
        )
    years = portfolio_set.years
    figure.update_xaxes(range=[years[0] - 0.5, years[-1] + 0.5], dtick=5 if len(years) > 12 else 1, showgrid=False)
    figure.update_xaxes(title_text=style.YEAR_AXIS, row=len(stages))
    figure.update_yaxes(range=[0, 100], ticksuffix=" %", showgrid=True, gridcolor=style.GRID_COLOUR)
    interactive.apply_layout(figure, f"China dependence by stage under each scenario: {style.PERCENT_AXIS}, all elements", 160 + 210 * len(stages))
    figure.update_layout(legend=interactive.SIDE_LEGEND | {"title": {"text": "portfolio"}})
    return figure


def regret_matrix(portfolio_set: PortfolioSet) -> pd.DataFrame:
    """The regret matrix with a last column of each portfolio's largest regret (the figure's cells)."""
    regret = portfolio_set.regret.copy()
    regret[MAX_REGRET] = portfolio_set.max_regret()
    return regret


def regret_label(portfolio_set: PortfolioSet, portfolio: str) -> str:
    """A regret matrix row's label: the portfolio, marked when it is the min-max-regret one."""
    return f"{BEST_MARK} {portfolio}" if portfolio == portfolio_set.min_max_regret else portfolio


def cell_text(value: float) -> str:
    """A regret cell's text: two decimals, n/a where some evaluation was not optimal."""
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def regret_chart(portfolio_set: PortfolioSet) -> go.Figure | None:
    """The regret of each portfolio under each scenario, and its largest; the min-max-regret one marked."""
    if portfolio_set.regret is None:
        return None
    matrix = regret_matrix(portfolio_set)
    values = matrix.to_numpy(dtype=float)
    labels = [_coloured(regret_label(portfolio_set, p), portfolio_set.colours[p]) for p in matrix.index]
    columns = style.plotly_texts(matrix.columns)
    figure = go.Figure(
        go.Heatmap(
            z=[[None if math.isnan(v) else round(float(v), 4) for v in row] for row in values],
            x=columns,
            y=labels,
            text=[[cell_text(v) for v in row] for row in values],
            texttemplate="%{text}",
            colorscale=REGRET_SCALE,
            zmin=0,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "Regret (points)", "side": "right"}},
            hovertemplate="%{y}, %{x}: %{z:.3f} points<extra></extra>",
        )
    )
    if portfolio_set.min_max_regret in list(matrix.index):
        row = list(matrix.index).index(portfolio_set.min_max_regret)
        figure.add_shape(
            type="rect", x0=-0.5, x1=len(columns) - 0.5, y0=row - 0.5, y1=row + 0.5, line={"color": "black", "width": 2.5},
            xref="x", yref="y",
        )
    figure.update_yaxes(autorange="reversed", showline=False, ticks="", type="category")
    figure.update_xaxes(title_text=f"Scenario (last column: {MAX_REGRET})", showline=False, ticks="", type="category")
    mark = f"; {BEST_MARK} min-max regret: {portfolio_set.min_max_regret}" if portfolio_set.min_max_regret else ""
    interactive.apply_layout(figure, f"Regret: points worse than the scenario's best portfolio{mark}", 200 + 46 * len(matrix))
    return figure
