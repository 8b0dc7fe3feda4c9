"""The figures of a comparison, stress-test or robust report: matplotlib PNGs and the same as plotly charts.

Each figure has a ``*new_figure`` function (a ``matplotlib.figure.Figure``, for slides) and a ``*_chart``
function (a ``plotly.graph_objects.Figure``, or None where the page says in words why there is nothing to
draw), both drawn from a :class:`~optimiser.report.portfolio_data.PortfolioSet`:

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

import matplotlib
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from plotly.subplots import make_subplots

from . import figures, interactive, style
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


def _label_margin(years: list[int]) -> float:
    """Room (years) right of the last year for the capex labels of the latest bars."""
    return 1.0 + 0.1 * len(years)


def project_order(portfolio_set: PortfolioSet) -> list[str]:
    """The union of the portfolios' projects, by their earliest start (the timeline's shared rows)."""
    builds = portfolio_set.builds
    if builds.empty:
        return []
    return list(builds.sort_values(["start_year", "stage", "project"]).drop_duplicates("project")["project"])


def _timeline_years(portfolio_set: PortfolioSet) -> list[int]:
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


def _slots(rows: pd.DataFrame, row: tuple[float, float]) -> list[tuple[float, float]]:
    """Where the k starts of one project in one portfolio go within its row: (centre, height) each."""
    centre, span = row
    height = 0.72 * span / max(len(rows), 1)
    return [(centre - 0.36 * span + height * (i + 0.5), height) for i in range(len(rows))]


def _portfolio_title(portfolio_set: PortfolioSet, portfolio: str) -> str:
    return f"{portfolio}: {style.musd(portfolio_set.capex(portfolio))} capex"


@figures.styled
def timeline_figure(portfolio_set: PortfolioSet) -> Figure:
    """The portfolios side by side: each build from construction start to first output, by stage, with capex."""
    builds = portfolio_set.builds
    if builds.empty:
        return figures.message_figure("No builds", "No portfolio funds a new project.")
    layout = project_rows(portfolio_set)
    depth = sum(span for _, span in layout.values())
    stages = portfolio_set.stages
    years = _timeline_years(portfolio_set)
    count = len(portfolio_set.portfolios)
    figure = figures.new_figure(min(2.4 + 4.2 * count, 26), 2.0 + 0.3 * depth)
    axes = figure.subplots(1, count, sharey=True, squeeze=False)[0]
    for ax, portfolio in zip(axes, portfolio_set.portfolios):
        part = builds[builds["portfolio"] == portfolio]
        for project, place in layout.items():
            rows = part[part["project"] == project].sort_values("start_year")
            for (centre, height), row in zip(_slots(rows, place), rows.itertuples(index=False)):
                look = style.category_style(row.stage, stages)
                width = max(float(row.online_year - row.start_year), 0.15)
                ax.barh(
                    centre, width, left=row.start_year, height=height * 0.92, color=look.fill, edgecolor=style.EDGE_COLOUR,
                    linewidth=0.6, hatch="///" if look.hatched else None, hatchcolor=look.hatch_colour or look.fill,
                )
                ax.text(row.start_year + width + 0.12, centre, style.musd(float(row.capex_musd)), va="center", fontsize=8)
        ax.set_title(_portfolio_title(portfolio_set, portfolio), color=portfolio_set.colours[portfolio], weight="bold")
        ax.set_xlim(years[0] - 0.5, years[-1] + _label_margin(years))
        ax.set_xlabel(style.YEAR_AXIS)
        ax.set_xticks(list(range(years[0], years[-1] + 1, 5 if len(years) > 12 else 1)))
        ax.grid(axis="x", color=style.GRID_COLOUR, linewidth=0.8)
        ax.set_axisbelow(True)
        if part.empty:
            ax.text(0.5, 0.5, "no builds", ha="center", va="center", color="#777777", transform=ax.transAxes)
    axes[0].set_yticks([centre for centre, _ in layout.values()], list(layout))
    axes[0].set_ylim(depth, 0)
    categories = style.category_order(list(builds["stage"]), stages)
    figure.legend(
        handles=[figures.category_patch(c, stages) for c in categories], loc="outside lower center", ncol=len(categories),
        frameon=False, title="stage",
    )
    figure.suptitle(TIMELINE_TITLE, weight="bold")
    return figure


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
    years = _timeline_years(portfolio_set)
    portfolios = portfolio_set.portfolios
    titles = [_coloured(_portfolio_title(portfolio_set, p), portfolio_set.colours[p]) for p in portfolios]
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
                for index, (centre, height) in zip(group.index, _slots(group, layout[project])):
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
        range=[years[0] - 0.5, years[-1] + _label_margin(years)], dtick=5 if len(years) > 12 else 1, showgrid=True,
        gridcolor=style.GRID_COLOUR,
    )
    figure.update_xaxes(title_text=style.YEAR_AXIS)
    interactive.apply_layout(figure, TIMELINE_TITLE, int(200 + 26 * depth))
    figure.update_layout(barmode="overlay", legend=interactive.SIDE_LEGEND | {"title": {"text": "stage"}})
    return figure


def _objective_bars(portfolio_set: PortfolioSet):
    """(portfolio, x positions, values) for the grouped objective bars; NaN where not evaluated."""
    count = len(portfolio_set.portfolios)
    width = 0.8 / max(count, 1)
    centres = np.arange(len(portfolio_set.scenarios))
    for index, portfolio in enumerate(portfolio_set.portfolios):
        values = portfolio_set.objective.loc[portfolio, portfolio_set.scenarios].to_numpy(dtype=float)
        yield portfolio, centres - 0.4 + width * (index + 0.5), values, width


@figures.styled
def objective_figure(portfolio_set: PortfolioSet) -> Figure:
    """Each portfolio's objective under each scenario it was evaluated under (lower is better)."""
    if not portfolio_set.optimal:
        return figures.message_figure("No objective to show", "No portfolio has an optimal evaluation.")
    scenarios = portfolio_set.scenarios
    figure = figures.new_figure(max(7.5, 1.6 + 0.7 * len(scenarios) * max(len(portfolio_set.portfolios), 2)), 4.6)
    ax = figure.add_subplot()
    handles = []
    for portfolio, positions, values, width in _objective_bars(portfolio_set):
        present = ~np.isnan(values)
        bars = ax.bar(
            positions[present], values[present], width=width * 0.95, color=portfolio_set.colours[portfolio],
            edgecolor=style.EDGE_COLOUR, linewidth=0.5, label=portfolio,
        )
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values[present]], fontsize=8, padding=2)
        handles.append(Patch(facecolor=portfolio_set.colours[portfolio], edgecolor=style.EDGE_COLOUR, linewidth=0.5, label=portfolio))
    ax.set_xticks(range(len(scenarios)), scenarios)
    ax.set_xlabel("Scenario")
    ax.set_ylabel(style.OBJECTIVE_AXIS)
    ax.set_ylim(0, float(np.nanmax(portfolio_set.objective.to_numpy(dtype=float))) * 1.15)
    ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    # explicit handles: matplotlib leaves out of an automatic legend any label starting with "_" (a directory may)
    figure.legend(handles=handles, loc="outside lower center", ncol=min(len(portfolio_set.portfolios), 4), frameon=False, title="portfolio")
    figure.suptitle("Objective under each scenario (lower is better)", weight="bold")
    return figure


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


def _trajectories(portfolio_set: PortfolioSet) -> pd.DataFrame:
    lines = portfolio_set.dependence
    lines = lines[lines["group"] == TRAJECTORY_GROUP].copy()
    lines["percent"] = 100.0 * lines["dependence"].astype(float)
    return lines.sort_values("year")


def _trajectory_stages(portfolio_set: PortfolioSet, lines: pd.DataFrame) -> list[str]:
    present = set(lines["stage"])
    return [s for s in portfolio_set.stages if s in present]


@figures.styled
def trajectories_figure(portfolio_set: PortfolioSet) -> Figure:
    """China dependence over time, one panel per stage (rows) and scenario (columns), a line per portfolio."""
    lines = _trajectories(portfolio_set)
    if lines.empty:
        return figures.message_figure("No dependence to show", "No evaluation stored its dependence over time.")
    stages = _trajectory_stages(portfolio_set, lines)
    scenarios = [s for s in portfolio_set.scenarios if s in set(lines["scenario"])]
    figure = figures.new_figure(1.8 + 3.6 * len(scenarios), 1.6 + 2.1 * len(stages))
    axes = figure.subplots(len(stages), len(scenarios), sharex=True, sharey=True, squeeze=False)
    years = portfolio_set.years
    for r, stage in enumerate(stages):
        for c, scenario in enumerate(scenarios):
            ax = axes[r][c]
            for portfolio in portfolio_set.portfolios:
                part = lines[(lines["stage"] == stage) & (lines["scenario"] == scenario) & (lines["portfolio"] == portfolio)]
                if len(part):
                    ax.plot(part["year"], part["percent"], color=portfolio_set.colours[portfolio], linewidth=2)
            ax.set_ylim(0, 100)
            ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
            if r == 0:
                ax.set_title(f"scenario '{scenario}'")
            if c == 0:
                ax.set_ylabel(f"{stage} (%)", color="black")
                ax.yaxis.label.set_color(style.stage_colour(stage, portfolio_set.stages))
                ax.yaxis.label.set_fontweight("bold")
            if r == len(stages) - 1:
                figures.years_axis(ax, years)
    figure.supylabel(style.PERCENT_AXIS, fontsize=10)
    handles = [Line2D([], [], color=portfolio_set.colours[p], linewidth=2, label=p) for p in portfolio_set.portfolios]
    figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4), frameon=False, title="portfolio")
    figure.suptitle("China dependence by stage under each scenario (all elements)", weight="bold")
    return figure


def trajectories_chart(portfolio_set: PortfolioSet) -> go.Figure | None:
    """China dependence over time, one panel per stage (rows) and scenario (columns), a line per portfolio."""
    lines = _trajectories(portfolio_set)
    if lines.empty:
        return None
    stages = _trajectory_stages(portfolio_set, lines)
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


def _regret_label(portfolio_set: PortfolioSet, portfolio: str) -> str:
    return f"{BEST_MARK} {portfolio}" if portfolio == portfolio_set.min_max_regret else portfolio


def cell_text(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


@figures.styled
def regret_figure(portfolio_set: PortfolioSet) -> Figure:
    """The regret of each portfolio under each scenario, and its largest; the min-max-regret one marked."""
    matrix = regret_matrix(portfolio_set)
    values = matrix.to_numpy(dtype=float)
    rows, columns = values.shape
    figure = figures.new_figure(max(7.5, 2.8 + 1.3 * columns), 1.9 + 0.5 * rows)
    ax = figure.add_subplot()
    cmap = matplotlib.colormaps[REGRET_SCALE].with_extremes(bad=style.NO_REQUIREMENT_COLOUR)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    top = top if top > 0 else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=top, aspect="auto", interpolation="nearest")
    for i in range(rows):
        for j in range(columns):
            value = values[i, j]
            dark = not math.isnan(value) and value / top > 0.6
            ax.text(j, i, cell_text(value), ha="center", va="center", fontsize=9, color="white" if dark else "black")
    ax.axvline(columns - 1.5, color="white", linewidth=4)
    ax.set_xticks(range(columns), list(matrix.columns))
    ax.set_yticks(range(rows), [_regret_label(portfolio_set, p) for p in matrix.index])
    for label, portfolio in zip(ax.get_yticklabels(), matrix.index):
        label.set_color(portfolio_set.colours[portfolio])
        label.set_fontweight("bold")
    if portfolio_set.min_max_regret in list(matrix.index):
        row = list(matrix.index).index(portfolio_set.min_max_regret)
        ax.add_patch(Rectangle((-0.5, row - 0.5), columns, 1, fill=False, edgecolor="black", linewidth=2))
    ax.tick_params(length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set_xlabel("Scenario")
    bar = figure.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.set_label("Regret (points)")
    mark = f"\n{BEST_MARK} min-max regret: {portfolio_set.min_max_regret}" if portfolio_set.min_max_regret else ""
    figure.suptitle(f"Regret: points worse than the scenario's best portfolio{mark}", weight="bold")
    if np.isnan(values).any():
        figure.legend(
            handles=[Patch(facecolor=style.NO_REQUIREMENT_COLOUR, label="n/a: some evaluation under the scenario not optimal")],
            loc="outside lower center", frameon=False,
        )
    return figure


def regret_chart(portfolio_set: PortfolioSet) -> go.Figure | None:
    """The regret of each portfolio under each scenario, and its largest; the min-max-regret one marked."""
    if portfolio_set.regret is None:
        return None
    matrix = regret_matrix(portfolio_set)
    values = matrix.to_numpy(dtype=float)
    labels = [_coloured(_regret_label(portfolio_set, p), portfolio_set.colours[p]) for p in matrix.index]
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
