"""The run report's figures as interactive plotly charts (hover for values, zoom, hide series).

Each ``*_chart`` function draws the same figure as its namesake in :mod:`optimiser.report.figures`, from the
same :mod:`optimiser.report.data` tables and :mod:`optimiser.report.style` colours, and returns a
``plotly.graph_objects.Figure`` (or ``None`` where the page states the result in words instead). Every name
from the inputs goes through :func:`optimiser.report.style.plotly_text` before plotly sees it (titles passed
to :func:`apply_layout` are escaped there).
"""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io
from plotly.subplots import make_subplots

from . import data as rd
from . import style

TEMPLATE = "simple_white"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif", "size": 13}
SIDE_LEGEND = {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"}
"""A legend beside the plot, for charts too short for one beneath their axis title."""

CONFIG: dict = {
    "displaylogo": False,
    "responsive": True,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}
"""Plotly's client options for every chart: no logo link, the camera button saves a PNG at 2x."""


TRACE_TYPES = ("bar", "heatmap", "histogram", "scatter")
"""The trace types the report charts draw (``go.Bar``, ``go.Heatmap``, ``go.Histogram``, ``go.Scatter``): the
template keeps its defaults for these only."""


@functools.lru_cache(maxsize=1)
def template() -> go.layout.Template:
    """:data:`TEMPLATE` as every chart gets it: its layout, and its trace defaults for :data:`TRACE_TYPES`.

    Made once per process. plotly's template holds defaults for 24 trace types, and each chart copied them
    all (by name, with a look-up: 27 ms a chart), loading the classes of every trace type on the first (0.17
    s); the defaults of types a chart does not draw have no effect in plotly.js, so the page looks the same."""
    full = plotly.io.templates[TEMPLATE]
    return go.layout.Template(layout=full.layout, data={kind: full.data[kind] for kind in TRACE_TYPES})


def apply_layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    """The look every report chart shares: template, font, title, height, margins, legend beneath.

    ``title`` is plain text (it often names a scenario, sweep or directory) and is escaped here."""
    figure.update_layout(
        template=template(),
        title={"text": style.plotly_text(title), "x": 0.01, "xanchor": "left"},
        font=FONT,
        height=height,
        margin={"l": 70, "r": 30, "t": 70, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "xanchor": "center", "x": 0.5},
        hoverlabel={"namelength": -1},
    )
    return figure


def year_axes(figure: go.Figure, years: list[int], **selector) -> None:
    """Year x axes (of the panels ``selector`` picks): half a year of margin, ticks every year or every 5."""
    span = [years[0] - 0.5, years[-1] + 0.5] if years else None
    figure.update_xaxes(title_text=style.YEAR_AXIS, range=span, dtick=5 if len(years) > 12 else 1, **selector)


def _shade_history(figure: go.Figure, report: rd.RunReport, columns: int) -> None:
    """Shade the history years (before the first decision year) in every panel of a one-row figure."""
    history = rd.history_span(report)
    if history is None:
        return
    for column in range(1, columns + 1):
        label = {"annotation_text": "history", "annotation_position": "top left"} if column == 1 else {}
        figure.add_vrect(
            x0=history[0] - 0.5, x1=history[1] + 0.5, fillcolor=style.HISTORY_COLOUR, opacity=0.8, line_width=0,
            layer="below", row=1, col=column, **label,  # no label at all in the other panels (plotly.js shows "new text")
        )


def _shade_export_caps(figure: go.Figure, report: rd.RunReport, columns: int) -> None:
    """Shade the years an export cap is in force, in every panel of a one-row figure."""
    for first, last, _text in rd.export_control_years(report):
        for column in range(1, columns + 1):
            label = {"annotation_text": "export cap", "annotation_position": "top left"} if column == 1 else {}
            figure.add_vrect(
                x0=first - 0.5, x1=last + 0.5, fillcolor=style.EXPORT_CAP_COLOUR, opacity=0.8, line_width=0,
                layer="below", row=1, col=column, **label,
            )


def dependence_chart(report: rd.RunReport) -> go.Figure | None:
    """China dependence over time per stage: no new builds (dashed) against the plan (solid)."""
    groups = rd.dependence_groups(report)
    if not groups:
        return None
    stages = report.stages
    titles = []
    for group in groups:
        title = style.GROUP_TITLES.get(group, group)
        if group == "restricted" and report.restricted:
            title += f" ({' '.join(report.restricted)})"
        titles.append(style.plotly_text(title))
    figure = make_subplots(rows=1, cols=len(groups), shared_yaxes=True, subplot_titles=titles, horizontal_spacing=0.05)
    traces, columns = [], []
    for column, group in enumerate(groups, start=1):
        lines = rd.dependence_trajectories(report, group)
        for stage in stages:
            colour = style.stage_colour(stage, stages)
            stage_text = style.plotly_text(stage)
            for case, label, dash, width in (
                (rd.PLAN, "with this plan", "solid", 2.5),
                (rd.BASELINE, "no new builds", style.BASELINE_DASH, 1.6),
            ):
                part = lines[(lines["stage"] == stage) & (lines["case"] == case)]
                if part.empty:
                    continue
                traces.append(
                    go.Scatter(
                        x=part["year"].tolist(),
                        y=part["percent"].round(2).tolist(),
                        mode="lines",
                        name=f"{stage_text}, {label}",
                        legendgroup=f"{stage_text}-{case}",
                        showlegend=column == 1,
                        line={"color": colour, "dash": dash, "width": width},
                        hovertemplate=f"{stage_text}, {label}<br>%{{x}}: %{{y:.1f}} %<extra></extra>",
                    )
                )
                columns.append(column)
    figure.add_traces(traces, rows=[1] * len(traces), cols=columns)
    _shade_history(figure, report, len(groups))
    _shade_export_caps(figure, report, len(groups))
    year_axes(figure, report.years)
    figure.update_yaxes(range=[0, 100], ticksuffix=" %", showgrid=True, gridcolor=style.GRID_COLOUR)
    figure.update_yaxes(title_text=style.PERCENT_AXIS, row=1, col=1)
    apply_layout(figure, f"China dependence by stage, scenario '{report.name}'", 520)
    figure.update_layout(legend={"y": -0.22})
    return figure


def heatmap_chart(report: rd.RunReport) -> go.Figure | None:
    """The plan's dependence per element and year, one panel per stage; restricted elements marked *."""
    if not report.has_plan:
        return None
    stages = report.stages
    elements = report.elements
    columns = 2 if len(stages) > 1 else 1
    rows = -(-len(stages) // columns)
    figure = make_subplots(
        rows=rows, cols=columns, subplot_titles=style.plotly_texts(stages), shared_xaxes=True, shared_yaxes=True,
        vertical_spacing=0.1, horizontal_spacing=0.04,
    )
    labels = [
        f"<b>{style.plotly_text(style.element_label(e, report.restricted))}</b>"
        if report.restricted and e in report.restricted
        else style.plotly_text(e)
        for e in elements
    ]
    for index, stage in enumerate(stages):
        matrix = rd.dependence_matrix(report, stage)
        values = [[None if v != v else round(float(v), 2) for v in row] for row in matrix.to_numpy()]
        figure.add_trace(
            go.Heatmap(
                z=values,
                x=report.years,
                y=labels,
                coloraxis="coloraxis",
                xgap=1,
                ygap=1,
                hovertemplate=f"{style.plotly_text(stage)}, %{{y}}, %{{x}}: %{{z:.1f}} %<extra></extra>",
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    figure.update_yaxes(autorange="reversed", showline=False, ticks="", type="category")
    figure.update_xaxes(showline=False, ticks="", dtick=5 if len(report.years) > 12 else 1)
    figure.update_xaxes(title_text=style.YEAR_AXIS, row=rows)
    note = "grey: no requirement at that stage"
    if report.restricted:
        note = f"{style.RESTRICTED_MARK} export-controlled; " + note
    apply_layout(figure, f"China dependence by element, with this plan ({note})", 220 + rows * (22 * len(elements) + 60))
    figure.update_layout(
        coloraxis={
            "colorscale": style.DEPENDENCE_SCALE,
            "cmin": 0,
            "cmax": 100,
            "colorbar": {"title": {"text": "China dependence (%)", "side": "right"}, "ticksuffix": " %"},
        },
        plot_bgcolor=style.NO_REQUIREMENT_COLOUR,
    )
    return figure


def bar_marker(category: str, stages: list[str]) -> dict:
    """A bar's fill, outline and (for a multi-stage project) hatch, from its stage category."""
    look = style.category_style(category, stages)
    marker: dict = {"color": look.fill, "line": {"color": style.EDGE_COLOUR, "width": 0.6}}
    if look.hatched:
        marker["pattern"] = {"shape": "/", "fgcolor": look.hatch_colour, "bgcolor": look.fill, "solidity": 0.35}
    return marker


def timeline_chart(report: rd.RunReport) -> go.Figure | None:
    """Each build as a bar from its construction start to its first output, coloured by stage, with capex."""
    timeline = rd.build_timeline(report)
    if timeline.empty:
        return None
    stages = report.stages
    figure = go.Figure()
    for category in style.category_order(list(timeline["stage"]), stages):
        part = timeline[timeline["stage"] == category]
        durations = [max(float(o - s), 0.15) for s, o in zip(part["start_year"], part["online_year"])]
        figure.add_trace(
            go.Bar(
                orientation="h",
                y=style.plotly_texts(part["label"]),
                x=durations,
                base=part["start_year"].tolist(),
                name=style.plotly_text(category),
                marker=bar_marker(category, stages),
                text=[style.musd(float(v)) for v in part["capex_musd"]],
                textposition="outside",
                cliponaxis=False,
                customdata=list(
                    zip(
                        style.plotly_texts(part["name"]), style.plotly_texts(part["country"]), part["start_year"],
                        part["online_year"], part["share"], part["capex_musd"].round(1),
                    )
                ),
                hovertemplate=(
                    "<b>%{customdata[0]}</b> (%{customdata[1]})<br>start %{customdata[2]} → online %{customdata[3]}"
                    "<br>units %{customdata[4]:.3f}, capex US$ %{customdata[5]:,.1f} million<extra>"
                    + style.plotly_text(category) + "</extra>"
                ),
            )
        )
    years = report.years
    figure.update_yaxes(
        type="category", categoryorder="array", categoryarray=style.plotly_texts(timeline["label"]), autorange="reversed",
        title_text=None,
    )
    figure.update_xaxes(
        title_text="Year (bar: construction start → first output; label: capex)",
        range=[years[0] - 0.5, years[-1] + 2.5] if years else None,
        dtick=5 if len(years) > 12 else 1,
        showgrid=True,
        gridcolor=style.GRID_COLOUR,
    )
    apply_layout(figure, f"Build timeline, scenario '{report.name}' ({len(timeline)} builds)", 160 + 26 * len(timeline))
    figure.update_layout(barmode="overlay", bargap=0.25, legend=SIDE_LEGEND | {"title": {"text": "stage"}})
    return figure


def capex_chart(report: rd.RunReport) -> go.Figure | None:
    """Capex drawn per year (over construction years, yearly cap dashed) and capex per country."""
    by_country = rd.capex_by_country(report)
    if by_country.empty:
        return None
    by_year = rd.capex_by_year(report)
    stages = report.stages
    categories = style.category_order(list(by_country.columns), stages)
    figure = make_subplots(
        rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.14,
        subplot_titles=["Capex drawn per year (over construction years)", "Capex per country"],
    )
    years = [int(y) for y in by_year.index]
    traces, columns = [], []
    countries = style.plotly_texts(by_country.index)
    for category in categories:
        marker = bar_marker(category, stages)
        values = by_year[category] if category in by_year else [0.0] * len(years)
        name = style.plotly_text(category)
        traces.append(
            go.Bar(
                x=years, y=[round(float(v), 2) for v in values], name=name, legendgroup=name, marker=marker,
                hovertemplate=f"{name}, %{{x}}: US$ %{{y:,.1f}} million<extra></extra>",
            )
        )
        columns.append(1)
        traces.append(
            go.Bar(
                orientation="h", y=countries, x=[round(float(v), 2) for v in by_country[category]],
                name=name, legendgroup=name, showlegend=False, marker=marker,
                hovertemplate=f"{name}, %{{y}}: US$ %{{x:,.1f}} million<extra></extra>",
            )
        )
        columns.append(2)
    figure.add_traces(traces, rows=[1] * len(traces), cols=columns)
    cap = report.yearly_cap_musd
    if cap is not None:
        figure.add_hline(
            y=cap, line={"color": "black", "dash": "dash", "width": 1.2}, row=1, col=1,
            annotation_text=f"yearly cap {style.musd(cap)}", annotation_position="top right",
        )
    totals = by_country.sum(axis=1)
    figure.add_trace(
        go.Scatter(
            x=totals.round(2).tolist(), y=countries, mode="text", text=[" " + style.musd(float(v)) for v in totals],
            textposition="middle right", showlegend=False, hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    year_axes(figure, years, row=1, col=1)
    figure.update_yaxes(title_text=style.CAPEX_AXIS, showgrid=True, gridcolor=style.GRID_COLOUR, row=1, col=1)
    figure.update_yaxes(autorange="reversed", type="category", row=1, col=2)
    figure.update_xaxes(title_text=style.CAPEX_AXIS, showgrid=True, gridcolor=style.GRID_COLOUR, range=[0, float(totals.max()) * 1.3], row=1, col=2)
    total = float(totals.sum())
    apply_layout(figure, f"Capex, scenario '{report.name}': {style.musd(total)} undiscounted", 500)
    figure.update_layout(barmode="stack", legend={"y": -0.2})
    return figure


def binding_chart(report: rd.RunReport) -> go.Figure | None:
    """The stage that limits ROW supply of each element in each year of the plan (docs/reports.md)."""
    binding = rd.binding_stages(report)
    if binding.empty:
        return None
    elements = report.elements
    years = report.years
    categories, colours, code = style.binding_categories(report.stages, rd.SELF_SUFFICIENT)
    lookup = {(row.element, row.year): row.binding for row in binding.itertuples(index=False)}
    z = [[code.get(lookup.get((e, y))) for y in years] for e in elements]
    text = [[style.plotly_text(lookup.get((e, y)) or "no flow") for y in years] for e in elements]
    count = len(categories)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / count, colour], [(i + 1) / count, colour]]
    labels = style.plotly_texts(style.element_label(e, report.restricted) for e in elements)
    figure = go.Figure(
        go.Heatmap(
            z=z, x=years, y=labels, text=text, colorscale=scale, zmin=-0.5, zmax=count - 0.5, showscale=False,
            xgap=2, ygap=2, hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
        )
    )
    for category, colour in zip(categories, colours):
        figure.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=style.plotly_text(category),
                marker={"symbol": "square", "size": 14, "color": colour, "line": {"color": style.EDGE_COLOUR, "width": 0.5}},
            )
        )
    figure.update_yaxes(autorange="reversed", showline=False, ticks="", type="category")
    figure.update_xaxes(showline=False, ticks="")
    year_axes(figure, years)
    mark = f" ({style.RESTRICTED_MARK} export-controlled)" if report.restricted else ""
    apply_layout(figure, f"Stage that limits ROW supply, with this plan{mark}", 200 + 30 * len(elements))
    figure.update_layout(legend=SIDE_LEGEND, plot_bgcolor="white")
    return figure


def shortfall_chart(report: rd.RunReport) -> go.Figure | None:
    """Unmet demand per stage and element (t REO-eq a year), export-cap years shaded; ``None`` when there is
    none (the page says so in words)."""
    short = rd.shortfall(report)
    if short.empty:
        return None
    stages = [s for s in report.stages if s in set(short["stage"])]
    elements = [e for e in report.elements if e in set(short["element"])]
    years = report.years
    figure = make_subplots(rows=1, cols=len(stages), subplot_titles=style.plotly_texts(stages), horizontal_spacing=0.07)
    traces, columns, shown = [], [], set()
    for column, stage in enumerate(stages, start=1):
        part = short[short["stage"] == stage].pivot_table(index="year", columns="element", values="shortfall", aggfunc="sum")
        part = part.reindex(index=years, fill_value=0.0).fillna(0.0)
        for element in elements:
            if element not in part:
                continue
            label = style.plotly_text(style.element_label(element, report.restricted))
            traces.append(
                go.Bar(
                    x=years, y=part[element].round(2).tolist(), name=label, legendgroup=style.plotly_text(element),
                    showlegend=element not in shown,
                    marker={"color": style.element_colour(element, report.elements), "line": {"color": style.EDGE_COLOUR, "width": 0.4}},
                    hovertemplate=f"{style.plotly_text(stage)}, {label}, %{{x}}: %{{y:,.0f}} t<extra></extra>",
                )
            )
            columns.append(column)
            shown.add(element)
    figure.add_traces(traces, rows=[1] * len(traces), cols=columns)
    _shade_export_caps(figure, report, len(stages))
    year_axes(figure, years)
    figure.update_yaxes(showgrid=True, gridcolor=style.GRID_COLOUR)
    figure.update_yaxes(title_text=f"Unmet demand ({style.FLOW_AXIS})", row=1, col=1)
    apply_layout(figure, f"Shortfall: demand left unmet, scenario '{report.name}'", 460)
    figure.update_layout(barmode="stack", legend={"y": -0.2})
    return figure
