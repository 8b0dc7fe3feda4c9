"""A sweep report's figures as matplotlib PNGs (``*_figure``), for slides: drawn only when PNGs are asked for
(``optimiser report DIR --png``), so this is the only sweep report module that imports matplotlib.

Each draws the same figure as its namesake ``*_chart`` in :mod:`optimiser.report.sweep_charts`, from the same
:mod:`optimiser.report.sweep_data` table and the shared helpers there (the dual axis' ceiling, the fan's
panels, the heatmap's value range), with colours and axis labels from :mod:`optimiser.report.style`. The
report asks only for the figures a sweep can have.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import style
from . import sweep_data as sd
from .figures import new_figure, styled, years_axis
from .sweep_charts import BAND_LABEL, HIGH_COLOUR, LOW_COLOUR, dual_ceiling, fan_panels, value_range


@styled
def frontier_figure(report: sd.SweepReport) -> Figure:
    """Objective against budget (top) and the budget dual beneath it, with the $13-18B band shaded."""
    frontier = sd.frontier(report)
    figure = new_figure(10, 7)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    low, high = style.REFERENCE_BUDGET_BAND_BUSD
    for ax in (top, bottom):
        ax.axvspan(low, high, color=style.EXPORT_CAP_COLOUR, zorder=0)
        ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
    for index, series in enumerate(frontier.series):
        points = frontier.points[frontier.points["series"] == series]
        colour = style.series_colour(index)
        top.plot(points["budget_busd"], points["objective"], color=colour, linewidth=2, marker="o", markersize=3, label=series)
        bottom.step(points["budget_busd"], points["budget_dual"], where="mid", color=colour, linewidth=1.6)
    top.set_ylabel(style.OBJECTIVE_AXIS)
    top.set_ylim(bottom=0)
    bottom.set_ylabel(style.DUAL_AXIS)
    ceiling, note = dual_ceiling(frontier.points)
    bottom.set_ylim(0, ceiling)
    if note:
        bottom.annotate(f"↑ {note}", (0.01, 0.97), xycoords="axes fraction", ha="left", va="top", fontsize=9)
    bottom.set_xlabel(style.BUDGET_AXIS)
    handles = [Line2D([], [], color=style.series_colour(i), linewidth=2, label=s) for i, s in enumerate(frontier.series)]
    handles.append(Patch(facecolor=style.EXPORT_CAP_COLOUR, label=BAND_LABEL))
    figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3), frameon=False)
    figure.suptitle(f"Dependence against budget, sweep '{report.name}'", weight="bold")
    return figure



@styled
def tornado_figure(report: sd.SweepReport) -> Figure:
    """Each parameter alone at its low and its high: the objective's change from the base case."""
    table = sd.tornado(report)
    base = float(table["objective_base"].iloc[0])
    figure = new_figure(10, 1.4 + 0.45 * len(table))
    ax = figure.add_subplot()
    positions = np.arange(len(table))[::-1]
    for value_column, colour, label in (("objective_low", LOW_COLOUR, "parameter at its low"), ("objective_high", HIGH_COLOUR, "parameter at its high")):
        change = table[value_column].to_numpy(dtype=float) - base
        ax.barh(positions, change, left=base, height=0.6, color=colour, alpha=0.85, label=label, edgecolor=style.EDGE_COLOUR, linewidth=0.4)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(positions, table["label"])
    ax.set_xlabel(f"{style.OBJECTIVE_AXIS}; base case {base:.2f}")
    ax.grid(axis="x", color=style.GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    figure.legend(loc="outside lower center", ncol=2, frameon=False)
    figure.suptitle(f"Tornado: one parameter at a time, sweep '{report.name}'", weight="bold")
    return figure



@styled
def morris_figure(report: sd.SweepReport) -> Figure:
    """Morris screening: mean absolute elementary effect (mu*) per input, with sigma, one panel per output."""
    table = sd.morris(report)
    outputs = list(dict.fromkeys(table["output"]))
    figure = new_figure(10, 1.2 + 0.42 * len(table))
    axes = figure.subplots(len(outputs), 1, squeeze=False).ravel()
    for ax, output in zip(axes, outputs):
        rows = table[table["output"] == output]
        positions = np.arange(len(rows))[::-1]
        ax.barh(positions, rows["mu_star"], height=0.6, color=LOW_COLOUR, label="mu* (mean |effect|)")
        ax.errorbar(rows["mu_star"], positions, xerr=rows["mu_star_conf"], fmt="none", ecolor="black", linewidth=0.8)
        ax.plot(rows["sigma"], positions, "D", color=HIGH_COLOUR, markersize=5, label="sigma (interaction, non-linearity)")
        ax.set_yticks(positions, rows["label"])
        ax.set_title(output)
        ax.set_xlabel("Effect on the output over the input's range (output units)")
        ax.grid(axis="x", color=style.GRID_COLOUR, linewidth=0.8)
        ax.set_axisbelow(True)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    figure.suptitle(f"Morris screening, sweep '{report.name}'", weight="bold")
    return figure



@styled
def fan_figure(report: sd.SweepReport) -> Figure:
    """Dependence over time across the samples: median, 25-75 % and 5-95 % bands, per stage and group."""
    table = sd.fan(report)
    groups, stages = fan_panels(table)
    figure = new_figure(12, 1.2 + 2.6 * len(groups))
    axes = figure.subplots(len(groups), len(stages), squeeze=False, sharex=True, sharey=True)
    outer, inner = style.FAN_ALPHAS
    for row, group in enumerate(groups):
        for column, stage in enumerate(stages):
            ax = axes[row, column]
            rows = table[(table["group"] == group) & (table["stage"] == stage)]
            colour = style.stage_colour(stage, stages)
            years = rows["year"].tolist()
            ax.fill_between(years, rows["p5"], rows["p95"], color=colour, alpha=outer, linewidth=0)
            ax.fill_between(years, rows["p25"], rows["p75"], color=colour, alpha=inner, linewidth=0)
            ax.plot(years, rows["p50"], color=colour, linewidth=2)
            ax.set_ylim(0, 100)
            ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
            ax.set_title(f"{style.GROUP_TITLES.get(group, group)}: {stage}", fontsize=10)
            years_axis(ax, sorted(set(years)))
            if row < len(groups) - 1:
                ax.set_xlabel("")
        axes[row, 0].set_ylabel("China dependence (%)")
    handles = [
        Line2D([], [], color="#555555", linewidth=2, label="median"),
        Patch(facecolor="#555555", alpha=inner, label="25-75 % of samples"),
        Patch(facecolor="#555555", alpha=outer, label="5-95 % of samples"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    samples = int(table["samples"].max())
    figure.suptitle(f"China dependence over {samples} samples, sweep '{report.name}'", weight="bold")
    return figure



@styled
def distribution_figure(report: sd.SweepReport) -> Figure:
    """Histogram of the objective over the samples, with its median and 5th and 95th percentiles marked."""
    values = sd.objective_distribution(report)
    figure = new_figure(9, 4)
    ax = figure.add_subplot()
    ax.hist(values, bins="auto", color=style.series_colour(0), edgecolor="white", linewidth=0.5)
    for percentile, dash in ((5, ":"), (50, "-"), (95, ":")):
        value = float(np.percentile(values, percentile))
        ax.axvline(value, color="black", linestyle=dash, linewidth=1)
        ax.annotate(f"P{percentile} {value:.1f}", (value, 1), xycoords=("data", "axes fraction"), ha="left", va="top", fontsize=9, xytext=(3, -2), textcoords="offset points")
    ax.set_xlabel(style.OBJECTIVE_AXIS)
    ax.set_ylabel("Samples")
    ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    figure.suptitle(f"Distribution of the objective over {len(values)} samples, sweep '{report.name}'", weight="bold")
    return figure



@styled
def heatmap_figure(report: sd.SweepReport) -> Figure:
    """The objective over the grid's first two axes, a panel per combination of the third and fourth."""
    heatmap = sd.heatmap(report)
    rows, columns = heatmap.panel_rows, heatmap.panel_columns
    width = min(14.0, 3.0 + columns * max(3.5, 0.16 * len(heatmap.x_values)))
    figure = new_figure(width, 1.6 + rows * (0.9 + 0.32 * len(heatmap.y_values)))
    axes = figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    cmap = matplotlib.colormaps[style.OBJECTIVE_SCALE].with_extremes(bad=style.NO_REQUIREMENT_COLOUR)
    low, high = value_range(heatmap)
    annotate = len(heatmap.x_values) * len(heatmap.y_values) <= 60
    image = None
    for ax, (title, matrix) in zip(axes.ravel(), heatmap.panels):
        values = matrix.to_numpy(dtype=float)
        image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=low, vmax=high, aspect="auto", interpolation="nearest")
        if annotate:
            for (i, j), value in np.ndenumerate(values):
                if np.isfinite(value):
                    shade = (value - low) / (high - low) if high > low else 0
                    ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=8, color="white" if shade > 0.6 else "black")
        step = max(1, len(heatmap.x_values) // 12)
        ax.set_xticks(range(0, len(heatmap.x_values), step), [sd.value_text(v) for v in heatmap.x_values[::step]])
        ax.set_yticks(range(len(heatmap.y_values)), [sd.value_text(v) for v in heatmap.y_values])
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.tick_params(length=0)
        if title:
            ax.set_title(title, fontsize=9)
    for ax in axes[-1, :]:
        ax.set_xlabel(sd.parameter_label(heatmap.x))
    for ax in axes[:, 0]:
        ax.set_ylabel(sd.parameter_label(heatmap.y))
    bar = figure.colorbar(image, ax=list(axes.ravel()), shrink=0.8, pad=0.01)
    bar.set_label(style.OBJECTIVE_AXIS)
    figure.suptitle(f"Objective over the grid, sweep '{report.name}' (grey: no optimal plan)", weight="bold")
    return figure

