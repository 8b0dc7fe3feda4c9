"""The run report's figures as matplotlib PNGs, for slides, and what every kind's PNGs share (:func:`styled`,
:func:`new_figure`, :func:`save_png`).

Each ``*_figure`` function draws one figure from :mod:`optimiser.report.data` tables and returns a
``matplotlib.figure.Figure`` (the object API, no pyplot: no global state, safe in a library). The same
figures are drawn interactively by :mod:`optimiser.report.interactive`; colours come from
:mod:`optimiser.report.style`. This module, :mod:`~optimiser.report.sweep_figures` and
:mod:`~optimiser.report.portfolio_figures` are imported only when PNGs are drawn (``--png``): matplotlib
takes half a second to import.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import data as rd
from . import style
from .marks import PNG_MARK

logger = logging.getLogger(__name__)

DPI = 150
"""Sharp on a projected slide, small enough for a report directory (about 100 kB a figure). PNGs are written
with zlib level 1: a third faster than the default for files about 15 % larger."""

RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    **style.MATPLOTLIB_PLAIN_TEXT,
}
"""Fonts and spines of every report figure, and plain text: no name from the inputs is read as mathtext."""


def styled(draw: Callable[[rd.RunReport], Figure]) -> Callable[[rd.RunReport], Figure]:
    """Draw under :data:`RC` (fonts and spines are fixed when artists are made), leaving global state alone."""

    @functools.wraps(draw)
    def wrapper(report: rd.RunReport) -> Figure:
        with matplotlib.rc_context(RC):
            return draw(report)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A white figure of ``width`` x ``height`` inches with constrained layout (shared by every report kind)."""
    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


def years_axis(ax, years: list[int]) -> None:
    """A year x axis: half a year of margin, a tick every year (every 5 beyond 12 years), labelled."""
    if years:
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        step = 5 if len(years) > 12 else 1
        ax.set_xticks([y for y in years if (y - years[0]) % step == 0])
    ax.set_xlabel(style.YEAR_AXIS)


def message_figure(title: str, message: str) -> Figure:
    """A panel that states a result in words where there is nothing to plot (e.g. no shortfall)."""
    figure = new_figure(9, 2.4)
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.62, title, ha="center", va="center", fontsize=15, weight="bold", transform=ax.transAxes)
    ax.text(0.5, 0.3, message, ha="center", va="center", fontsize=10.5, wrap=True, transform=ax.transAxes)
    return figure


@styled
def dependence_figure(report: rd.RunReport) -> Figure:
    """China dependence over time per stage, without new builds (dashed) against the plan (solid)."""
    groups = rd.dependence_groups(report)
    if not groups:
        return message_figure("No dependence to show", report.status_words)
    figure = new_figure(5.6 * len(groups), 4.6)
    axes = figure.subplots(1, len(groups), sharey=True, squeeze=False)[0]
    stages = report.stages
    controls = rd.export_control_years(report)
    history = rd.history_span(report)
    for ax, group in zip(axes, groups):
        if history is not None:
            ax.axvspan(history[0] - 0.5, history[1] + 0.5, color=style.HISTORY_COLOUR, zorder=0)
        for first, last, _ in controls:
            ax.axvspan(first - 0.5, last + 0.5, color=style.EXPORT_CAP_COLOUR, zorder=0)
        lines = rd.dependence_trajectories(report, group)
        for stage in stages:
            colour = style.stage_colour(stage, stages)
            for case, dash in ((rd.BASELINE, style.BASELINE_LINESTYLE), (rd.PLAN, "solid")):
                part = lines[(lines["stage"] == stage) & (lines["case"] == case)]
                if len(part):
                    ax.plot(part["year"], part["percent"], color=colour, linestyle=dash, linewidth=2 if case == rd.PLAN else 1.4)
        title = style.GROUP_TITLES.get(group, group)
        if group == "restricted" and report.restricted:
            title += f" ({' '.join(report.restricted)})"
        ax.set_title(title)
        ax.set_ylim(0, 100)
        ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
        years_axis(ax, report.years)
    axes[0].set_ylabel(style.PERCENT_AXIS)
    handles = [Line2D([], [], color=style.stage_colour(s, stages), linewidth=2, label=s) for s in stages]
    handles += [
        Line2D([], [], color="#555555", linestyle="solid", linewidth=2, label="with this plan"),
        Line2D([], [], color="#555555", linestyle=style.BASELINE_LINESTYLE, linewidth=1.4, label="no new builds"),
    ]
    if controls:
        handles.append(Patch(facecolor=style.EXPORT_CAP_COLOUR, label="export cap in force"))
    if history is not None:
        handles.append(Patch(facecolor=style.HISTORY_COLOUR, label="history (no decisions)"))
    figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    figure.suptitle(f"China dependence by stage, scenario '{report.name}'", weight="bold")
    return figure


@styled
def heatmap_figure(report: rd.RunReport) -> Figure:
    """The plan's dependence per element and year, one panel per stage; restricted elements marked *."""
    stages = report.stages
    elements = report.elements
    columns = 2 if len(stages) > 1 else 1
    rows = -(-len(stages) // columns)
    figure = new_figure(12, 1.0 + rows * (0.22 * len(elements) + 0.9))
    axes = figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True).ravel()
    cmap = matplotlib.colormaps[style.DEPENDENCE_SCALE].with_extremes(bad=style.NO_REQUIREMENT_COLOUR)
    years = report.years
    image = None
    for ax, stage in zip(axes, stages):
        matrix = rd.dependence_matrix(report, stage)
        image = ax.imshow(
            np.ma.masked_invalid(matrix.to_numpy(dtype=float)),
            cmap=cmap,
            vmin=0,
            vmax=100,
            aspect="auto",
            interpolation="nearest",
            extent=(years[0] - 0.5, years[-1] + 0.5, len(elements) - 0.5, -0.5),
        )
        ax.set_title(stage, color="black")
        ax.set_yticks(range(len(elements)), [style.element_label(e, report.restricted) for e in elements])
        for label, element in zip(ax.get_yticklabels(), elements):
            if report.restricted and element in report.restricted:
                label.set_fontweight("bold")
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.tick_params(length=0)
        years_axis(ax, years)
    for ax in axes[: len(stages) - columns]:
        ax.set_xlabel("")
    for ax in axes[len(stages):]:
        ax.set_axis_off()
    if image is not None:
        bar = figure.colorbar(image, ax=list(axes[: len(stages)]), shrink=0.8, pad=0.01)
        bar.set_label(style.PERCENT_AXIS)
    note = "grey: no requirement at that stage"
    if report.restricted:
        note = f"{style.RESTRICTED_MARK} export-controlled element; " + note
    figure.suptitle(f"China dependence by element, with this plan ({note})", weight="bold")
    return figure


def category_patch(category: str, stages: list[str]) -> Patch:
    """The legend patch of a build's stage category (hatched for a multi-stage project)."""
    look = style.category_style(category, stages)
    return Patch(
        facecolor=look.fill,
        edgecolor=style.EDGE_COLOUR,
        hatch="///" if look.hatched else None,
        hatchcolor=look.hatch_colour or look.fill,
        linewidth=0.6,
        label=category,
    )


@styled
def timeline_figure(report: rd.RunReport) -> Figure:
    """Each build as a bar from its construction start to its first output, coloured by stage, with capex."""
    timeline = rd.build_timeline(report)
    if timeline.empty:
        return message_figure("No builds", "This plan funds no new project." if report.has_plan else report.status_words)
    stages = report.stages
    figure = new_figure(11, 1.6 + 0.3 * len(timeline))
    ax = figure.add_subplot()
    positions = np.arange(len(timeline))
    for y, row in zip(positions, timeline.itertuples(index=False)):
        look = style.category_style(row.stage, stages)
        width = max(float(row.online_year - row.start_year), 0.15)
        ax.barh(
            y,
            width,
            left=row.start_year,
            height=0.7,
            color=look.fill,
            edgecolor=style.EDGE_COLOUR,
            linewidth=0.6,
            hatch="///" if look.hatched else None,
            hatchcolor=look.hatch_colour or look.fill,
        )
        ax.text(row.start_year + width + 0.15, y, style.musd(float(row.capex_musd)), va="center", fontsize=8.5)
    ax.set_yticks(positions, list(timeline["label"]))
    ax.invert_yaxis()
    years = report.years
    if years:
        ax.set_xlim(years[0] - 0.5, years[-1] + 2.5)
        ax.set_xticks(list(range(years[0], years[-1] + 1, 5 if len(years) > 12 else 1)))
    ax.set_xlabel("Year (bar: construction start → first output; label: capex)")
    ax.grid(axis="x", color=style.GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    categories = style.category_order(list(timeline["stage"]), stages)
    ax.legend(handles=[category_patch(c, stages) for c in categories], loc="lower right", frameon=True, title="stage")
    figure.suptitle(f"Build timeline, scenario '{report.name}' ({len(timeline)} builds)", weight="bold")
    return figure


@styled
def capex_figure(report: rd.RunReport) -> Figure:
    """Capex drawn per year (spread over construction years, yearly cap dashed) and capex per country."""
    by_year = rd.capex_by_year(report)
    by_country = rd.capex_by_country(report)
    if by_country.empty:
        return message_figure("No capex", "This plan funds no new project." if report.has_plan else report.status_words)
    stages = report.stages
    categories = style.category_order(list(by_country.columns), stages)
    figure = new_figure(12, 4.8)
    year_ax, country_ax = figure.subplots(1, 2, width_ratios=[1.5, 1])
    bottom = np.zeros(len(by_year))
    for category in categories:
        values = by_year[category].to_numpy(dtype=float) if category in by_year else np.zeros(len(by_year))
        look = style.category_style(category, stages)
        year_ax.bar(
            by_year.index, values, bottom=bottom, color=look.fill, edgecolor=style.EDGE_COLOUR, linewidth=0.4,
            hatch="///" if look.hatched else None, hatchcolor=look.hatch_colour or look.fill, label=category,
        )
        bottom += values
    cap = report.yearly_cap_musd
    if cap is not None:
        year_ax.axhline(cap, color="black", linestyle=style.BASELINE_LINESTYLE, linewidth=1.2)
        year_ax.annotate(
            f"yearly cap {style.musd(cap)}", (by_year.index[-1], cap), xytext=(0, 3), textcoords="offset points",
            ha="right", va="bottom", fontsize=8.5,
        )
    year_ax.set_ylabel(style.CAPEX_AXIS)
    year_ax.set_title("Capex drawn per year (over construction years)")
    years_axis(year_ax, [int(y) for y in by_year.index])
    year_ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
    year_ax.set_axisbelow(True)
    left = np.zeros(len(by_country))
    positions = np.arange(len(by_country))
    for category in categories:
        values = by_country[category].to_numpy(dtype=float)
        look = style.category_style(category, stages)
        country_ax.barh(
            positions, values, left=left, color=look.fill, edgecolor=style.EDGE_COLOUR, linewidth=0.4,
            hatch="///" if look.hatched else None, hatchcolor=look.hatch_colour or look.fill,
        )
        left += values
    for y, total in zip(positions, left):
        country_ax.text(total, y, " " + style.musd(float(total)), va="center", fontsize=8.5)
    country_ax.set_yticks(positions, list(by_country.index))
    country_ax.invert_yaxis()
    country_ax.set_xlim(0, float(left.max()) * 1.25 if len(left) else 1)
    country_ax.set_xlabel(style.CAPEX_AXIS)
    country_ax.set_title("Capex per country")
    country_ax.grid(axis="x", color=style.GRID_COLOUR, linewidth=0.8)
    country_ax.set_axisbelow(True)
    figure.legend(
        handles=[category_patch(c, stages) for c in categories], loc="outside lower center", ncol=len(categories), frameon=False
    )
    total = float(by_country.to_numpy().sum())
    figure.suptitle(f"Capex, scenario '{report.name}': {style.musd(total)} undiscounted", weight="bold")
    return figure


@styled
def binding_figure(report: rd.RunReport) -> Figure:
    """The stage that limits ROW supply of each element in each year of the plan (docs/reports.md)."""
    binding = rd.binding_stages(report)
    if binding.empty:
        return message_figure("No binding stages", report.status_words)
    elements = report.elements
    years = report.years
    categories, colours, code = style.binding_categories(report.stages, rd.SELF_SUFFICIENT)
    matrix = np.full((len(elements), len(years)), np.nan)
    row_of = {e: i for i, e in enumerate(elements)}
    column_of = {y: j for j, y in enumerate(years)}
    for row in binding.itertuples(index=False):
        if row.binding is not None and row.element in row_of and row.year in column_of:
            matrix[row_of[row.element], column_of[row.year]] = code[row.binding]
    figure = new_figure(11, 1.9 + 0.32 * len(elements))
    ax = figure.add_subplot()
    cmap = ListedColormap(colours).with_extremes(bad="#FFFFFF")
    norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
    ax.imshow(
        np.ma.masked_invalid(matrix), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest",
        extent=(years[0] - 0.5, years[-1] + 0.5, len(elements) - 0.5, -0.5),
    )
    ax.set_xticks(np.arange(years[0] - 0.5, years[-1] + 0.5), minor=True)
    ax.set_yticks(np.arange(-0.5, len(elements) - 0.5), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="both", length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set_yticks(range(len(elements)), [style.element_label(e, report.restricted) for e in elements])
    years_axis(ax, years)
    handles = [Patch(facecolor=c, edgecolor=style.EDGE_COLOUR, linewidth=0.5, label=label) for label, c in zip(categories, colours)]
    figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    mark = f" ({style.RESTRICTED_MARK} export-controlled)" if report.restricted else ""
    figure.suptitle(f"Stage that limits ROW supply, with this plan{mark}", weight="bold")
    return figure


@styled
def shortfall_figure(report: rd.RunReport) -> Figure:
    """Unmet demand per stage and element (t REO-eq a year), export-cap years shaded; a 'no shortfall'
    panel when every tonne of demand is met."""
    short = rd.shortfall(report)
    controls = rd.export_control_years(report)
    if not report.has_plan:
        return message_figure("No shortfall to show", report.status_words)
    if short.empty:
        caps = "; ".join(f"{text} in {a}-{b}" for a, b, text in controls) or "none"
        return message_figure(
            "No shortfall", f"Every tonne of ROW demand is met at every stage in every year.\nExport caps in this scenario: {caps}."
        )
    stages = [s for s in report.stages if s in set(short["stage"])]
    elements = [e for e in report.elements if e in set(short["element"])]
    figure = new_figure(4.2 * len(stages) + 1.5, 4.4)
    axes = figure.subplots(1, len(stages), squeeze=False)[0]
    years = report.years
    for ax, stage in zip(axes, stages):
        part = short[short["stage"] == stage].pivot_table(index="year", columns="element", values="shortfall", aggfunc="sum")
        part = part.reindex(index=years, fill_value=0.0).fillna(0.0)
        bottom = np.zeros(len(years))
        for first, last, _ in controls:
            ax.axvspan(first - 0.5, last + 0.5, color=style.EXPORT_CAP_COLOUR, zorder=0)
        for element in elements:
            if element not in part:
                continue
            values = part[element].to_numpy(dtype=float)
            ax.bar(years, values, bottom=bottom, color=style.element_colour(element, report.elements), edgecolor=style.EDGE_COLOUR, linewidth=0.4)
            bottom += values
        ax.set_title(stage)
        years_axis(ax, years)
        ax.grid(axis="y", color=style.GRID_COLOUR, linewidth=0.8)
        ax.set_axisbelow(True)
    axes[0].set_ylabel(f"Unmet demand ({style.FLOW_AXIS})")
    handles = [
        Patch(facecolor=style.element_colour(e, report.elements), edgecolor=style.EDGE_COLOUR, linewidth=0.5,
              label=style.element_label(e, report.restricted))
        for e in elements
    ]
    if controls:
        handles.append(Patch(facecolor=style.EXPORT_CAP_COLOUR, label="export cap in force"))
    figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 12), frameon=False)
    figure.suptitle(f"Shortfall: demand left unmet, scenario '{report.name}'", weight="bold")
    return figure


def save_png(figure: Figure, path: Path) -> Path:
    """Write ``figure`` as a PNG at :data:`DPI` (no timestamp in the file, so reruns give the same bytes).

    Saved under :data:`RC`: tick labels matplotlib makes while drawing must be plain text too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(RC):
        figure.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": PNG_MARK.decode()}, pil_kwargs={"compress_level": 1})
    logger.debug("wrote %s", path)
    return path
