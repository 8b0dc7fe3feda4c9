"""Sweep reports: which figures each kind of sweep gets, the numbers they show, failures, bad directories,
the CLI, and each report opened in headless Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimiser.cli import main
from optimiser.errors import InputError
from optimiser.report import report_kind, write_report
from optimiser.report import sweep_charts as charts
from optimiser.report import sweep_data as sd
from optimiser.report import sweep_figures as pngs
from optimiser.report.interactive import TRACE_TYPES
from optimiser.sweep import sweep

from .browser import Browser, find_chromium
from .conftest import DEFAULT_INPUTS, TINY
from .test_browser import blank

TINY_BASE = TINY / "scenarios" / "base.toml"
DEFAULT_BASE = DEFAULT_INPUTS / "scenarios" / "base.toml"
REPORT_LIMIT_BYTES = 5_000_000

SWEEPS: dict[str, tuple[Path, Path, str]] = {
    "frontier": (TINY, TINY_BASE, "[grid]\nbudget_busd = [0.0, 0.2, 0.4, 0.6, 0.8]\nlead_time_shift_years = [0, 1]"),
    "oat": (
        TINY, TINY_BASE,
        "[one_at_a_time]\nbudget_busd = { low = 0.2, high = 0.8 }\ncapex_multiplier = { low = 0.8, high = 1.5 }\n"
        "demand_multiplier = { low = 0.8, high = 1.2 }",
    ),
    "monte_carlo": (
        TINY, TINY_BASE,
        "[monte_carlo]\nsamples = 24\nseed = 3\n\n[monte_carlo.parameters]\n"
        'capex_multiplier = { distribution = "uniform", low = 0.8, high = 1.6 }\n'
        'demand_multiplier = { distribution = "normal", mean = 1.0, std = 0.1, min = 0.7, max = 1.3 }',
    ),
    "morris": (
        TINY, TINY_BASE,
        "[morris]\ntrajectories = 4\nlevels = 4\nseed = 1\noutputs = [\"objective\"]\n\n[morris.parameters]\n"
        "budget_busd = { low = 0.2, high = 0.8 }\ncapex_multiplier = { low = 0.8, high = 1.5 }",
    ),
    "embargo": (
        TINY, TINY_BASE,
        '[export_control]\nelements = ["Dy"]\n\n[grid]\nexport_control.fraction = [0.0, 0.5]\n'
        "export_control.start_year = [2026, 2027]\nexport_control.duration_years = [1, 2]\nbudget_busd = [0.3, 0.6]",
    ),
    "default_frontier": (DEFAULT_INPUTS, DEFAULT_BASE, "[grid]\nbudget_busd = [0.0, 13.0, 15.5, 18.0]\nlead_time_shift_years = [0, 2]"),
    "default_monte_carlo": (
        DEFAULT_INPUTS, DEFAULT_BASE,
        "[monte_carlo]\nsamples = 6\nseed = 5\n\n[monte_carlo.parameters]\n"
        'capex_multiplier = { distribution = "uniform", low = 0.9, high = 1.5 }',
    ),
    "default_oat": (DEFAULT_INPUTS, DEFAULT_BASE, "[one_at_a_time]\nbudget_busd = { low = 13.0, high = 18.0 }"),
}
"""name -> (inputs, base scenario, sweep body): every kind on the tiny instance, and the default data."""

FIGURES: dict[str, set[str]] = {
    "frontier": {"frontier", "heatmap"},
    "oat": {"tornado"},
    "monte_carlo": {"fan", "distribution"},
    "morris": {"morris"},
    "embargo": {"heatmap"},
    "default_frontier": {"frontier", "heatmap"},
    "default_monte_carlo": {"fan", "distribution"},
    "default_oat": {"tornado"},
}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    """name -> a finished sweep's results directory with its report written."""
    tmp = tmp_path_factory.mktemp("sweeps")
    directories = {}
    for name, (inputs, base, body) in SWEEPS.items():
        path = tmp / f"{name}.toml"
        path.write_text(f'name = "{name}"\n\n[base]\nscenario = "{base}"\n\n{body}\n', encoding="utf-8")
        out = tmp / "results" / name
        sweep(path, inputs=inputs, out=out, workers=1, progress=False)
        write_report(out)
        directories[name] = out
    return directories


@pytest.mark.parametrize("name", list(SWEEPS))
def test_each_kind_of_sweep_gets_its_figures(sweeps, name):
    directory = sweeps[name]
    assert report_kind(directory) == "sweep"
    assert {p.stem for p in (directory / "figures").glob("*.png")} == FIGURES[name]
    page = (directory / "report.html").read_text(encoding="utf-8")
    for key in FIGURES[name]:
        assert f'id="{key}"' in page and f'data-spec="spec-{key}"' in page
    assert (directory / "report.html").stat().st_size < REPORT_LIMIT_BYTES


@pytest.mark.parametrize("name", list(SWEEPS))
def test_every_figure_function_draws_what_the_sweep_has(sweeps, name):
    report = sd.load_sweep(sweeps[name])
    pairs = {
        "frontier": (pngs.frontier_figure, charts.frontier_chart),
        "tornado": (pngs.tornado_figure, charts.tornado_chart),
        "morris": (pngs.morris_figure, charts.morris_chart),
        "fan": (pngs.fan_figure, charts.fan_chart),
        "distribution": (pngs.distribution_figure, charts.distribution_chart),
        "heatmap": (pngs.heatmap_figure, charts.heatmap_chart),
    }
    for key, (png, interactive) in pairs.items():
        chart = interactive(report)
        if key in FIGURES[name]:
            assert chart is not None and len(chart.data) > 0, key
            assert {trace.type for trace in chart.data} <= set(TRACE_TYPES), key
            assert png(report).axes, key
        else:
            assert chart is None, key


def test_frontier_points_are_the_runs(sweeps):
    report = sd.load_sweep(sweeps["frontier"])
    frontier = sd.frontier(report)
    assert frontier.series == ["Lead-time shift (years) = 0", "Lead-time shift (years) = 1"]
    assert frontier.left_out == 0
    runs = report.runs.set_index(["lead_time_shift_years", "budget_busd"])
    for row in frontier.points.itertuples(index=False):
        shift = int(row.series.rsplit("= ", 1)[1])
        assert row.objective == pytest.approx(runs.loc[(shift, row.budget_busd), "objective"])
        assert row.budget_dual == pytest.approx(runs.loc[(shift, row.budget_busd), "budget_dual"])
    for _, points in frontier.points.groupby("series"):
        assert (np.diff(points["budget_busd"]) > 0).all()
        assert (np.diff(points["objective"]) <= 1e-6).all(), "more budget never raises dependence"


def test_the_dual_axis_stops_above_the_rest_when_the_first_dollars_dwarf_them():
    points = pd.DataFrame({"budget_busd": [0.0, 1.0, 2.0, 3.0], "budget_dual": [170.0, 4.0, 2.0, 1.0]})
    ceiling, note = charts.dual_ceiling(points)
    assert ceiling == pytest.approx(5.2)
    assert note == "off scale: dual 170 at US$0B"
    points["budget_dual"] = [5.0, 4.0, 2.0, 1.0]
    assert charts.dual_ceiling(points) == (None, "")


def test_heatmap_cells_are_the_runs_objectives(sweeps):
    report = sd.load_sweep(sweeps["embargo"])
    heatmap = sd.heatmap(report)
    assert (heatmap.x, heatmap.y) == ("export_control.fraction", "export_control.start_year")
    assert (heatmap.panel_rows, heatmap.panel_columns) == (2, 2)
    title, matrix = heatmap.panels[3]
    assert title == "Export cap: duration (years) = 2, Budget (US$ billion) = 0.6"
    runs = report.runs
    chosen = runs[
        (runs["export_control.fraction"] == 0.5) & (runs["export_control.start_year"] == 2027)
        & (runs["export_control.duration_years"] == 2) & (runs["budget_busd"] == 0.6)
    ]
    assert len(chosen) == 1
    assert matrix.loc[2027, 0.5] == pytest.approx(chosen["objective"].iloc[0])


def test_fan_percentiles_are_those_of_the_samples(sweeps):
    report = sd.load_sweep(sweeps["monte_carlo"])
    fan = sd.fan(report)
    detail = report.dependence()
    assert set(fan["group"]) <= set(sd.GROUPS)
    row = fan.iloc[len(fan) // 2]
    values = detail[(detail["element"] == row["group"]) & (detail["stage"] == row["stage"]) & (detail["year"] == row["year"])]["dependence"]
    assert row["samples"] == len(values) == 24
    for percentile in sd.PERCENTILES:
        assert row[f"p{percentile}"] == pytest.approx(100 * np.percentile(values, percentile))
    assert (fan["p5"] <= fan["p25"] + 1e-9).all() and (fan["p75"] <= fan["p95"] + 1e-9).all()
    assert fan["p5"].min() >= 0 and fan["p95"].max() <= 100 + 1e-9
    summary = {row["quantity"]: row for row in sd.distribution_summary(report)}
    objective = report.runs["objective"]
    assert summary["Objective (points)"]["p50"] == pytest.approx(objective.median())
    assert summary["Objective (points)"]["mean"] == pytest.approx(objective.mean())


def test_tornado_is_ranked_by_swing_and_labelled_with_its_range(sweeps):
    table = sd.tornado(sd.load_sweep(sweeps["oat"]))
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    labels = dict(zip(table["parameter"], table["label"]))
    assert labels["budget_busd"] == "Budget (US$ billion): 0.2 to 0.8"
    assert labels["capex_multiplier"] == "Capex multiplier: 0.8 to 1.5"


def test_scenarios_that_are_not_optimal_are_listed_and_left_out(sweeps, tmp_path):
    directory = tmp_path / "broken"
    shutil.copytree(sweeps["frontier"], directory)
    runs = pd.read_parquet(directory / "runs.parquet")
    failed = runs.index[(runs["budget_busd"] == 0.4) & (runs["lead_time_shift_years"] == 1)][0]
    runs.loc[failed, ["status", "error"]] = ["time_limit", "stopped at its 1 s limit"]
    runs.to_parquet(directory / "runs.parquet")
    report = sd.load_sweep(directory)
    assert len(report.optimal) == len(runs) - 1
    assert 0.4 not in set(sd.frontier(report).points.query("series.str.endswith('1')", engine="python")["budget_busd"])
    assert np.isnan(sd.heatmap(report).panels[0][1].loc[1, 0.4])
    page = write_report(directory).read_text(encoding="utf-8")
    assert "Scenarios not solved to optimality" in page
    assert "stopped at its 1 s limit" in page
    assert f"{len(runs) - 1} of {len(runs)} scenarios solved to optimality" in page


def test_report_of_an_unfinished_or_broken_sweep_is_refused_with_the_file_named(tmp_path, capsys):
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "sweep.json").write_text(json.dumps({"sweep": {"name": "x", "kind": "grid"}}))
    with pytest.raises(InputError, match="no runs table"):
        sd.load_sweep(unfinished)
    assert main(["report", str(unfinished)]) == 2
    assert str(unfinished) in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "sweep.json").write_text("{not json")
    assert main(["report", str(broken)]) == 2
    assert "sweep.json" in capsys.readouterr().err


def test_sweep_command_writes_the_report_unless_told_not_to(tmp_path, capsys):
    path = tmp_path / "cli.toml"
    path.write_text(f'name = "cli"\n\n[base]\nscenario = "{TINY_BASE}"\n\n[grid]\nbudget_busd = [0.1, 0.3, 0.5, 0.7]\n')
    out = tmp_path / "cli"
    assert main(["sweep", str(path), "--inputs", str(TINY), "--out", str(out), "--workers", "1", "--png"]) == 0
    assert f"report written to {out / 'report.html'}" in capsys.readouterr().out
    assert {p.stem for p in (out / "figures").glob("*.png")} == {"frontier"}
    quiet = tmp_path / "quiet"
    assert main(["sweep", str(path), "--inputs", str(TINY), "--out", str(quiet), "--workers", "1", "--no-report"]) == 0
    assert not (quiet / "report.html").exists()
    assert main(["report", str(quiet)]) == 0
    assert (quiet / "report.html").is_file() and not (quiet / "figures").exists()


CHROMIUM = find_chromium()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
def test_sweep_reports_open_cleanly_in_chromium(sweeps):
    with Browser(CHROMIUM) as browser:
        for name in ("frontier", "oat", "monte_carlo", "morris", "embargo"):
            visit = browser.visit(sweeps[name] / "report.html")
            assert visit.console_errors == [], name
            assert visit.failed_requests == [], name
            assert visit.external_requests == [], name
            assert visit.charts == "ready", name
            assert not blank(visit.screenshot), f"the screenshot of the {name} sweep's report is blank"
