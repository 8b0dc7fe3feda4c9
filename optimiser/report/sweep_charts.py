"""A sweep report's figures as plotly charts (``*_chart``), and what they share with their PNGs.

Each chart draws the same figure as its namesake ``*_figure`` in :mod:`optimiser.report.sweep_figures` (the
matplotlib PNG, drawn only when asked for), from the same :mod:`optimiser.report.sweep_data` table, with the
helpers here both use (:func:`dual_ceiling`, :func:`fan_panels`, :func:`value_range`) and colours and axis
labels from :mod:`optimiser.report.style`. A ``*_chart`` returns None where the sweep has nothing to draw (the
page then says why); the report only asks for a figure the sweep can have. Labels reach plotly through
:func:`optimiser.report.style.plotly_text`, so no name or label is read as markup.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import style
from . import sweep_data as sd
from .interactive import apply_layout, year_axes

BAND_LABEL = "US$13-18B (source report's estimate)"


def _rgba(colour: str, alpha: float) -> str:
    """A ``#RRGGBB`` colour as plotly's ``rgba(...)`` with ``alpha``."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


# Frontier -----------------------------------------------------------------------------------------------------

OFF_SCALE_RATIO = 3.0
"""The dual axis stops above the rest when the smallest budget's dual is this many times their largest: the
first dollars buy far more than later ones, and a full scale would flatten every other point to zero."""


def dual_ceiling(points) -> tuple[float | None, str]:
    """The dual axis' top and a note on the points above it, or (None, '') when everything fits."""
    duals = points["budget_dual"].astype(float)
    lowest = points["budget_busd"].min()
    rest = duals[points["budget_busd"] > lowest].dropna()
    if not len(rest) or rest.max() <= 0 or duals.max() <= OFF_SCALE_RATIO * rest.max():
        return None, ""
    ceiling = 1.3 * float(rest.max())
    above = points[duals > ceiling]
    values = ", ".join(sorted({f"{value:.3g}" for value in above["budget_dual"]}))
    budgets = ", ".join(sorted({sd.value_text(b) for b in above["budget_busd"]}))
    return ceiling, f"off scale: dual {values} at US${budgets}B"


def frontier_chart(report: sd.SweepReport) -> go.Figure | None:
    """Objective against budget (top) and the budget dual beneath it, with the $13-18B band shaded."""
    frontier = sd.frontier(report)
    if frontier is None:
        return None
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    for index, series in enumerate(frontier.series):
        points = frontier.points[frontier.points["series"] == series]
        colour = style.series_colour(index)
        name = style.plotly_text(series)
        figure.add_trace(
            go.Scatter(
                x=points["budget_busd"], y=points["objective"].round(4), mode="lines+markers", name=name,
                legendgroup=name, line={"color": colour, "width": 2.5}, marker={"size": 4},
                hovertemplate=f"{name}<br>US$%{{x}}B: objective %{{y:.3f}} points<extra></extra>",
            ),
            row=1, col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=points["budget_busd"], y=points["budget_dual"].round(4), mode="lines", name=name, legendgroup=name,
                showlegend=False, line={"color": colour, "width": 1.8, "shape": "hvh"},
                hovertemplate=f"{name}<br>US$%{{x}}B: %{{y:.3f}} points per extra US$1B<extra></extra>",
            ),
            row=2, col=1,
        )
    low, high = style.REFERENCE_BUDGET_BAND_BUSD
    for row in (1, 2):  # after the traces: plotly leaves shapes out of subplots that are still empty
        label = {"annotation_text": BAND_LABEL, "annotation_position": "top left"} if row == 1 else {}
        figure.add_vrect(
            x0=low, x1=high, fillcolor=style.EXPORT_CAP_COLOUR, opacity=0.8, line_width=0, layer="below", row=row, col=1,
            **label,
        )
    figure.update_yaxes(title_text="Objective (points)", rangemode="tozero", showgrid=True, gridcolor=style.GRID_COLOUR, row=1)
    figure.update_yaxes(title_text="Dual (points per US$1B)", rangemode="tozero", showgrid=True, gridcolor=style.GRID_COLOUR, row=2)
    ceiling, note = dual_ceiling(frontier.points)
    if ceiling is not None:
        figure.update_yaxes(range=[0, ceiling], row=2)
        figure.add_annotation(text=style.plotly_text(f"↑ {note}"), xref="x2 domain", yref="y2 domain", x=0.01, y=0.97,
                              showarrow=False, xanchor="left", yanchor="top")
    figure.update_xaxes(title_text=style.BUDGET_AXIS, row=2)
    apply_layout(figure, f"Dependence against budget, sweep '{report.name}'", 680)
    figure.update_layout(legend={"y": -0.12})
    return figure


# Tornado and Morris -------------------------------------------------------------------------------------------

LOW_COLOUR, HIGH_COLOUR = "#0072B2", "#D55E00"
"""Okabe-Ito blue and vermillion: a parameter at its low and at its high value."""


def tornado_chart(report: sd.SweepReport) -> go.Figure | None:
    """Each parameter alone at its low and its high: the objective's change from the base case."""
    table = sd.tornado(report)
    if table is None:
        return None
    base = float(table["objective_base"].iloc[0])
    figure = go.Figure()
    for value_column, level, colour, label in (
        ("objective_low", "low", LOW_COLOUR, "parameter at its low"),
        ("objective_high", "high", HIGH_COLOUR, "parameter at its high"),
    ):
        values = table[value_column].to_numpy(dtype=float)
        figure.add_trace(
            go.Bar(
                y=style.plotly_texts(table["label"]), x=(values - base).round(4), base=base, orientation="h", name=label,
                marker={"color": colour, "line": {"color": style.EDGE_COLOUR, "width": 0.5}}, opacity=0.85,
                customdata=np.column_stack([table[level], values]),
                hovertemplate=f"%{{y}}<br>at {level} %{{customdata[0]}}: objective %{{customdata[1]:.3f}}<extra></extra>",
            )
        )
    figure.add_vline(x=base, line_color="black", line_width=1)
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(title_text=f"{style.OBJECTIVE_AXIS}; base case {base:.2f}", showgrid=True, gridcolor=style.GRID_COLOUR)
    apply_layout(figure, f"Tornado: one parameter at a time, sweep '{report.name}'", 160 + 42 * len(table))
    figure.update_layout(barmode="overlay", margin={"l": 330})
    return figure


def morris_chart(report: sd.SweepReport) -> go.Figure | None:
    """Morris screening: mean absolute elementary effect (mu*) per input, with sigma, one panel per output."""
    table = sd.morris(report)
    if table is None:
        return None
    outputs = list(dict.fromkeys(table["output"]))
    figure = make_subplots(rows=len(outputs), cols=1, subplot_titles=style.plotly_texts(outputs), vertical_spacing=0.12)
    for row, output in enumerate(outputs, start=1):
        rows = table[table["output"] == output]
        figure.add_trace(
            go.Bar(
                y=style.plotly_texts(rows["label"]), x=rows["mu_star"], orientation="h", name="mu* (mean |effect|)", legendgroup="mu",
                showlegend=row == 1, marker={"color": LOW_COLOUR},
                error_x={"type": "data", "array": rows["mu_star_conf"].tolist(), "color": "black", "thickness": 1},
                hovertemplate="%{y}: mu* %{x:.4g}<extra></extra>",
            ),
            row=row, col=1,
        )
        figure.add_trace(
            go.Scatter(
                y=style.plotly_texts(rows["label"]), x=rows["sigma"], mode="markers", name="sigma (interaction, non-linearity)",
                legendgroup="sigma", showlegend=row == 1, marker={"color": HIGH_COLOUR, "symbol": "diamond", "size": 9},
                hovertemplate="%{y}: sigma %{x:.4g}<extra></extra>",
            ),
            row=row, col=1,
        )
        figure.update_yaxes(autorange="reversed", type="category", row=row, col=1)
    figure.update_xaxes(title_text="Effect on the output over the input's range (output units)", showgrid=True, gridcolor=style.GRID_COLOUR)
    apply_layout(figure, f"Morris screening, sweep '{report.name}'", 160 + 40 * len(table))
    figure.update_layout(margin={"l": 290})
    return figure


# Monte Carlo --------------------------------------------------------------------------------------------------


def fan_panels(table) -> tuple[list[str], list[str]]:
    """The fan chart's panel rows (dependence groups) and columns (stages), in the table's order."""
    return list(dict.fromkeys(table["group"])), list(dict.fromkeys(table["stage"]))


def fan_chart(report: sd.SweepReport) -> go.Figure | None:
    """Dependence over time across the samples: median, 25-75 % and 5-95 % bands, per stage and group."""
    table = sd.fan(report)
    if table is None:
        return None
    groups, stages = fan_panels(table)
    titles = [style.plotly_text(f"{style.GROUP_TITLES.get(g, g)}: {s}") for g in groups for s in stages]
    figure = make_subplots(
        rows=len(groups), cols=len(stages), shared_xaxes=True, shared_yaxes=True, subplot_titles=titles,
        horizontal_spacing=0.03, vertical_spacing=0.12,
    )
    outer, inner = style.FAN_ALPHAS
    for row, group in enumerate(groups, start=1):
        for column, stage in enumerate(stages, start=1):
            rows = table[(table["group"] == group) & (table["stage"] == stage)]
            colour = style.stage_colour(stage, stages)
            stage_text = style.plotly_text(stage)
            years = rows["year"].tolist()
            first = row == 1 and column == 1
            for low, high, alpha, label in (("p5", "p95", outer, "5-95 % of samples"), ("p25", "p75", inner, "25-75 % of samples")):
                figure.add_trace(
                    go.Scatter(x=years, y=rows[low].round(3), mode="lines", line={"width": 0}, showlegend=False,
                               hoverinfo="skip", legendgroup=label),
                    row=row, col=column,
                )
                figure.add_trace(
                    go.Scatter(
                        x=years, y=rows[high].round(3), mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor=_rgba(colour, alpha), name=label, legendgroup=label, showlegend=first,
                        customdata=rows[low].round(2), hovertemplate=f"{stage_text}, %{{x}}: {label} %{{customdata}}-%{{y:.2f}} %<extra></extra>",
                    ),
                    row=row, col=column,
                )
            figure.add_trace(
                go.Scatter(
                    x=years, y=rows["p50"].round(3), mode="lines", line={"color": colour, "width": 2.5}, name="median",
                    legendgroup="median", showlegend=first, hovertemplate=f"{stage_text}, %{{x}}: median %{{y:.2f}} %<extra></extra>",
                ),
                row=row, col=column,
            )
    years = sorted(set(table["year"]))
    year_axes(figure, years)
    figure.update_xaxes(title_text=None, row=1)
    figure.update_yaxes(range=[0, 100], ticksuffix=" %", showgrid=True, gridcolor=style.GRID_COLOUR)
    for row in range(1, len(groups) + 1):
        figure.update_yaxes(title_text="China dependence (%)", row=row, col=1)
    samples = int(table["samples"].max())
    apply_layout(figure, f"China dependence over {samples} samples, sweep '{report.name}'", 260 + 260 * len(groups))
    return figure


def distribution_chart(report: sd.SweepReport) -> go.Figure | None:
    """Histogram of the objective over the samples, with its median and 5th and 95th percentiles marked."""
    values = sd.objective_distribution(report)
    if values is None:
        return None
    figure = go.Figure(
        go.Histogram(
            x=values.round(4), marker={"color": style.series_colour(0), "line": {"color": "white", "width": 0.5}},
            name="samples", hovertemplate="objective %{x}: %{y} samples<extra></extra>",
        )
    )
    for percentile, dash in ((5, "dot"), (50, "solid"), (95, "dot")):
        value = float(np.percentile(values, percentile))
        figure.add_vline(x=value, line_dash=dash, line_color="black", line_width=1,
                         annotation_text=f"P{percentile} {value:.1f}", annotation_position="top right")
    figure.update_xaxes(title_text=style.OBJECTIVE_AXIS)
    figure.update_yaxes(title_text="Samples", showgrid=True, gridcolor=style.GRID_COLOUR)
    apply_layout(figure, f"Distribution of the objective over {len(values)} samples, sweep '{report.name}'", 420)
    figure.update_layout(showlegend=False)
    return figure


# Heatmap ------------------------------------------------------------------------------------------------------


def value_range(heatmap: sd.Heatmap) -> tuple[float, float]:
    """The objective's lowest and highest finite value over every panel: one colour scale for all."""
    values = np.concatenate([matrix.to_numpy(dtype=float).ravel() for _, matrix in heatmap.panels])
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)


def heatmap_chart(report: sd.SweepReport) -> go.Figure | None:
    """The objective over the grid's first two axes, a panel per combination of the third and fourth."""
    heatmap = sd.heatmap(report)
    if heatmap is None:
        return None
    rows, columns = heatmap.panel_rows, heatmap.panel_columns
    titles = [style.plotly_text(title) for title, _ in heatmap.short_panels()] if rows * columns > 1 else None
    figure = make_subplots(
        rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True, subplot_titles=titles,
        horizontal_spacing=0.04, vertical_spacing=0.5 / max(rows, 1) if rows > 1 else 0.1,
    )
    low, high = value_range(heatmap)
    annotate = len(heatmap.x_values) * len(heatmap.y_values) <= 60
    x_labels = style.plotly_texts(sd.value_text(v) for v in heatmap.x_values)
    y_labels = style.plotly_texts(sd.value_text(v) for v in heatmap.y_values)
    x_name, y_name = style.plotly_text(sd.parameter_label(heatmap.x)), style.plotly_text(sd.parameter_label(heatmap.y))
    for index, (title, matrix) in enumerate(heatmap.panels):
        values = [[None if not np.isfinite(v) else round(float(v), 3) for v in row] for row in matrix.to_numpy(dtype=float)]
        figure.add_trace(
            go.Heatmap(
                z=values, x=x_labels, y=y_labels, coloraxis="coloraxis", xgap=1, ygap=1,
                text=[[("" if v is None else f"{v:.1f}") for v in row] for row in values] if annotate else None,
                texttemplate="%{text}" if annotate else None,
                hovertemplate=f"{style.plotly_text(title) + '<br>' if title else ''}{x_name} %{{x}}, {y_name} %{{y}}: objective %{{z:.3f}}<extra></extra>",
            ),
            row=index // columns + 1, col=index % columns + 1,
        )
    figure.update_xaxes(type="category", showline=False, ticks="")
    figure.update_yaxes(type="category", showline=False, ticks="", autorange="reversed")
    figure.update_xaxes(title_text=x_name, row=rows)
    figure.update_yaxes(title_text=y_name, row=(rows + 1) // 2, col=1)
    figure.update_annotations(font={"size": 12})
    apply_layout(figure, f"Objective over the grid, sweep '{report.name}' (grey: no optimal plan)", 200 + rows * (60 + 26 * len(y_labels)))
    figure.update_layout(
        coloraxis={"colorscale": style.OBJECTIVE_SCALE, "cmin": low, "cmax": high,
                   "colorbar": {"title": {"text": "Objective (points)", "side": "right"}}},
        plot_bgcolor=style.NO_REQUIREMENT_COLOUR,
    )
    return figure
