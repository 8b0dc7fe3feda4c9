"""The figures of a comparison, stress-test or robust report as matplotlib PNGs (``*_figure``), for slides:
drawn only when PNGs are asked for (``optimiser report DIR --png``), so this is the only portfolio report
module that imports matplotlib.

Each draws the same figure as its namesake ``*_chart`` in :mod:`optimiser.report.portfolio_charts`, from the
same :class:`~optimiser.report.portfolio_data.PortfolioSet` and the layout helpers there (the timeline's
shared project rows, the objective bars, the trajectories, the regret matrix).
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import figures, style
from .portfolio_charts import (
    BEST_MARK,
    REGRET_SCALE,
    TIMELINE_TITLE,
    cell_text,
    label_margin,
    objective_bars,
    portfolio_title,
    project_rows,
    regret_label,
    regret_matrix,
    slots,
    timeline_years,
    trajectories,
    trajectory_stages,
)
from .portfolio_data import PortfolioSet


@figures.styled
def timeline_figure(portfolio_set: PortfolioSet) -> Figure:
    """The portfolios side by side: each build from construction start to first output, by stage, with capex."""
    builds = portfolio_set.builds
    if builds.empty:
        return figures.message_figure("No builds", "No portfolio funds a new project.")
    layout = project_rows(portfolio_set)
    depth = sum(span for _, span in layout.values())
    stages = portfolio_set.stages
    years = timeline_years(portfolio_set)
    count = len(portfolio_set.portfolios)
    figure = figures.new_figure(min(2.4 + 4.2 * count, 26), 2.0 + 0.3 * depth)
    axes = figure.subplots(1, count, sharey=True, squeeze=False)[0]
    for ax, portfolio in zip(axes, portfolio_set.portfolios):
        part = builds[builds["portfolio"] == portfolio]
        for project, place in layout.items():
            rows = part[part["project"] == project].sort_values("start_year")
            for (centre, height), row in zip(slots(rows, place), rows.itertuples(index=False)):
                look = style.category_style(row.stage, stages)
                width = max(float(row.online_year - row.start_year), 0.15)
                ax.barh(
                    centre, width, left=row.start_year, height=height * 0.92, color=look.fill, edgecolor=style.EDGE_COLOUR,
                    linewidth=0.6, hatch="///" if look.hatched else None, hatchcolor=look.hatch_colour or look.fill,
                )
                ax.text(row.start_year + width + 0.12, centre, style.musd(float(row.capex_musd)), va="center", fontsize=8)
        ax.set_title(portfolio_title(portfolio_set, portfolio), color=portfolio_set.colours[portfolio], weight="bold")
        ax.set_xlim(years[0] - 0.5, years[-1] + label_margin(years))
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



@figures.styled
def objective_figure(portfolio_set: PortfolioSet) -> Figure:
    """Each portfolio's objective under each scenario it was evaluated under (lower is better)."""
    if not portfolio_set.optimal:
        return figures.message_figure("No objective to show", "No portfolio has an optimal evaluation.")
    scenarios = portfolio_set.scenarios
    figure = figures.new_figure(max(7.5, 1.6 + 0.7 * len(scenarios) * max(len(portfolio_set.portfolios), 2)), 4.6)
    ax = figure.add_subplot()
    handles = []
    for portfolio, positions, values, width in objective_bars(portfolio_set):
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



@figures.styled
def trajectories_figure(portfolio_set: PortfolioSet) -> Figure:
    """China dependence over time, one panel per stage (rows) and scenario (columns), a line per portfolio."""
    lines = trajectories(portfolio_set)
    if lines.empty:
        return figures.message_figure("No dependence to show", "No evaluation stored its dependence over time.")
    stages = trajectory_stages(portfolio_set, lines)
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
    ax.set_yticks(range(rows), [regret_label(portfolio_set, p) for p in matrix.index])
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

