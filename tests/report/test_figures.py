"""Every figure function, PNG and interactive, on the default run, the tiny instance (with and without an
export cap) and a solve with no plan."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io
import pytest
from matplotlib.figure import Figure

from optimiser.report import data as rd
from optimiser.report import interactive, style
from optimiser.report.html import RUN_FIGURES

RESULTS = ["default", "tiny", "tiny_embargo", "failed"]


@pytest.fixture(scope="module")
def loaded(results) -> dict[str, rd.RunReport]:
    return {name: rd.load_run(stored.directory, stored.inputs) for name, stored in results.items()}


@pytest.mark.parametrize("spec", RUN_FIGURES, ids=lambda spec: spec.key)
@pytest.mark.parametrize("name", RESULTS)
def test_figure_functions_draw_every_result(loaded, name, spec):
    report = loaded[name]
    figure = spec.png(report)
    assert isinstance(figure, Figure)
    assert figure.axes, "a figure always has something to show, if only a message"
    chart = spec.interactive(report)
    assert chart is None or isinstance(chart, go.Figure)
    if spec.available(report) and chart is None:
        assert spec.empty(report), "a missing chart is explained in words"
    if chart is not None:
        assert chart.layout.title.text, "every chart has a title"
        assert {trace.type for trace in chart.data} <= set(interactive.TRACE_TYPES), "the template has its defaults"


def test_the_charts_template_is_plotlys_for_the_trace_types_drawn():
    full = plotly.io.templates[interactive.TEMPLATE].to_plotly_json()
    trimmed = interactive.template().to_plotly_json()
    assert trimmed["layout"] == full["layout"]
    assert trimmed["data"] == {kind: full["data"][kind] for kind in interactive.TRACE_TYPES}


UNITS = {
    "dependence": ["% of ROW requirement", "Year"],
    "heatmap": ["China dependence (%)", "Year"],
    "timeline": ["construction start", "capex"],
    "capex": ["US$ million", "Year"],
    "binding": ["Year"],
    "shortfall": ["t REO-eq per year", "Year"],
}


@pytest.mark.parametrize("spec", RUN_FIGURES, ids=lambda spec: spec.key)
def test_axes_name_their_units(loaded, spec):
    chart = spec.interactive(loaded["tiny_embargo"])
    text = chart.to_json()
    for unit in UNITS[spec.key]:
        assert unit in text, f"{spec.key}: {unit!r} missing"


def test_plan_figures_are_available_only_with_a_plan(loaded):
    assert all(spec.available(loaded["default"]) for spec in RUN_FIGURES)
    assert not any(spec.available(loaded["failed"]) for spec in RUN_FIGURES)


def test_no_shortfall_is_stated_and_a_cap_shows_one(loaded):
    shortfall = {spec.key: spec for spec in RUN_FIGURES}["shortfall"]
    assert shortfall.interactive(loaded["default"]) is None
    assert shortfall.empty(loaded["default"]).startswith("No shortfall")
    chart = shortfall.interactive(loaded["tiny_embargo"])
    assert chart is not None and any(trace.type == "bar" for trace in chart.data)


def test_stages_keep_one_colour_across_figures(loaded):
    report = loaded["default"]
    stages = report.stages
    dependence = {spec.key: spec for spec in RUN_FIGURES}["dependence"].interactive(report)
    for trace in dependence.data:
        stage = trace.name.split(",")[0]
        assert trace.line.color == style.stage_colour(stage, stages)
    timeline = {spec.key: spec for spec in RUN_FIGURES}["timeline"].interactive(report)
    for trace in timeline.data:
        assert trace.marker.color == style.category_style(trace.name, stages).fill
    binding = {spec.key: spec for spec in RUN_FIGURES}["binding"].interactive(report)
    legend = {trace.name: trace.marker.color for trace in binding.data if trace.type == "scatter"}
    assert all(legend[s] == style.stage_colour(s, stages) for s in stages)


def test_elements_keep_one_colour_and_restricted_are_marked(loaded):
    report = loaded["tiny_embargo"]
    chart = {spec.key: spec for spec in RUN_FIGURES}["shortfall"].interactive(report)
    for trace in chart.data:
        element = trace.legendgroup
        assert trace.marker.color == style.element_colour(element, report.elements)
    assert "Dy" in report.restricted
    assert style.element_label("Dy", report.restricted) == "Dy*"
    heatmap = {spec.key: spec for spec in RUN_FIGURES}["heatmap"].interactive(report)
    assert "<b>Dy*</b>" in heatmap.data[0].y


def test_palettes_are_distinct():
    assert len(set(style.STAGE_COLOURS.values())) == len(style.STAGE_COLOURS)
    assert len(set(style.ELEMENT_COLOURS.values())) == len(style.ELEMENT_COLOURS)
    assert style.element_colour("Ho", ["La", "Ho", "Er"]) != style.element_colour("Er", ["La", "Ho", "Er"])
