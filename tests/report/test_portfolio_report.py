"""Comparison, stress-test and robust reports: the numbers they read, every figure, the commands that write
them, errors naming the file, and each page opened in headless Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from matplotlib.figure import Figure

from optimiser.store import write_manifest
from optimiser.cli import main
from optimiser.report import report_kind, write_report
from optimiser.report.portfolio_charts import regret_matrix
from optimiser.report.portfolio_data import PortfolioSet, builds_matrix, load_portfolio_set
from optimiser.report.interactive import TRACE_TYPES
from optimiser.report.portfolio_html import PORTFOLIO_FIGURES

from .browser import Browser, find_chromium
from .conftest import DEFAULT_INPUTS, TINY
from .test_browser import blank

REPORT_BUDGET_BYTES = 5_000_000
KINDS = {"comparison": "comparison", "stress": "stress", "robust": "robust", "robust_alone": "robust"}


def _ok(arguments: list[str]) -> None:
    assert main([str(a) for a in arguments]) == 0, arguments


@pytest.fixture(scope="module")
def tiny_sets(tmp_path_factory) -> dict[str, Path]:
    """A comparison, a stress test, a robust run and a robust run without benchmark on the tiny instance, each
    written by its command (which writes the report and its PNGs too, except the last: --no-report)."""
    tmp = tmp_path_factory.mktemp("portfolio-reports")
    inputs = tmp / "inputs"
    shutil.copytree(TINY, inputs)
    scenarios = inputs / "scenarios"
    (scenarios / "rich.toml").write_text('name = "rich"\nbudget_busd = 1.0\n')
    (scenarios / "busy.toml").write_text('name = "busy"\nbudget_busd = 0.5\ndemand_multiplier = 1.5\n')
    for name in ("base", "rich"):
        _ok(["run", "--inputs", inputs, "--scenario", scenarios / f"{name}.toml", "--out", tmp / name, "--no-report"])
    sets = {
        "comparison": tmp / "comparison",
        "stress": tmp / "stress",
        "robust": tmp / "robust",
        "robust_alone": tmp / "robust_alone",
    }
    _ok(["compare", tmp / "base", tmp / "rich", "--out", sets["comparison"], "--png"])
    _ok(["stress", "--inputs", inputs, "--portfolios", tmp / "base", tmp / "rich",
         "--scenarios", scenarios / "base.toml", scenarios / "embargo.toml", "--out", sets["stress"], "--png"])
    robust_scenarios = [scenarios / "base.toml", scenarios / "busy.toml"]
    _ok(["robust", "--inputs", inputs, "--scenarios", *robust_scenarios, "--out", sets["robust"], "--png"])
    _ok(["robust", "--inputs", inputs, "--scenarios", *robust_scenarios, "--out", sets["robust_alone"], "--no-benchmark", "--no-report"])
    sets["runs"] = tmp
    return sets


@pytest.fixture(scope="module")
def default_stress(tmp_path_factory) -> Path:
    """Two default portfolios (the low- and base-budget optima) stressed under base and high: ~15 s."""
    tmp = tmp_path_factory.mktemp("portfolio-default")
    scenarios = DEFAULT_INPUTS / "scenarios"
    for name in ("low", "base"):
        _ok(["run", "--inputs", DEFAULT_INPUTS, "--scenario", scenarios / f"{name}.toml", "--out", tmp / name, "--no-report"])
    _ok(["stress", "--inputs", DEFAULT_INPUTS, "--portfolios", tmp / "low", tmp / "base",
         "--scenarios", scenarios / "base.toml", scenarios / "high.toml", "--out", tmp / "stress", "--no-report"])
    return tmp / "stress"


def _load(tiny_sets: dict[str, Path], name: str) -> PortfolioSet:
    return load_portfolio_set(tiny_sets[name], KINDS[name])


def _same_builds(loaded: pd.DataFrame, stored: Path) -> None:
    expected = pd.read_csv(stored / "builds.csv")
    columns = ["project", "stage", "start_year", "online_year", "share", "capex_musd"]
    pd.testing.assert_frame_equal(
        loaded[columns].reset_index(drop=True), expected[columns].reset_index(drop=True), check_dtype=False
    )


def _check_regret(portfolios: PortfolioSet) -> None:
    objective = portfolios.objective
    pd.testing.assert_frame_equal(portfolios.regret, objective - objective.min(axis=0), check_names=False)
    worst = portfolios.regret.max(axis=1)
    assert portfolios.min_max_regret == worst.idxmin()


def test_stress_set_reads_stress_csv_and_the_evaluations(tiny_sets):
    portfolios = _load(tiny_sets, "stress")
    table = pd.read_csv(tiny_sets["stress"] / "stress.csv")
    assert portfolios.portfolios == ["base", "rich"] and portfolios.scenarios == ["base", "embargo"]
    expected = table.pivot(index="portfolio", columns="scenario", values="objective")
    pd.testing.assert_frame_equal(portfolios.objective, expected.loc[portfolios.portfolios, portfolios.scenarios], check_names=False)
    stored_regret = table.pivot(index="portfolio", columns="scenario", values="regret")
    pd.testing.assert_frame_equal(portfolios.regret, stored_regret.loc[portfolios.portfolios, portfolios.scenarios], check_names=False)
    _check_regret(portfolios)
    for name in portfolios.portfolios:
        _same_builds(portfolios.builds[portfolios.builds["portfolio"] == name], tiny_sets["stress"] / "evaluations" / f"{name}__base")
    assert set(portfolios.dependence["group"]) == {"all", "restricted"}
    assert set(zip(portfolios.dependence["portfolio"], portfolios.dependence["scenario"])) == {
        (p, s) for p in portfolios.portfolios for s in portfolios.scenarios
    }
    assert portfolios.dependence["dependence"].between(0, 1).all()


def test_comparison_set_reads_each_compared_result(tiny_sets):
    record = json.loads((tiny_sets["comparison"] / "comparison.json").read_text())
    assert list(record["results"]) == ["base", "rich"] and record["years"]
    portfolios = _load(tiny_sets, "comparison")
    assert portfolios.regret is None and portfolios.min_max_regret is None
    assert portfolios.scenarios == ["base", "rich"]
    for name in ("base", "rich"):
        directory = tiny_sets["runs"] / name
        summary = json.loads((directory / "summary.json").read_text())
        assert portfolios.objective.loc[name, name] == pytest.approx(summary["objective"])
        _same_builds(portfolios.builds[portfolios.builds["portfolio"] == name], directory)
    assert portfolios.objective.isna().sum().sum() == 2
    assert any("optimiser stress" in note for note in portfolios.notes)


def test_robust_set_shows_the_benchmarks_beside_the_robust_portfolio(tiny_sets):
    directory = tiny_sets["robust"]
    portfolios = _load(tiny_sets, "robust")
    benchmark = pd.read_csv(directory / "benchmark.csv")
    assert portfolios.portfolios == list(benchmark["portfolio"]) == ["robust", "optimal for base", "optimal for busy"]
    pd.testing.assert_frame_equal(
        portfolios.objective, benchmark.set_index("portfolio")[portfolios.scenarios], check_names=False
    )
    _check_regret(portfolios)
    _same_builds(portfolios.builds[portfolios.builds["portfolio"] == "robust"], directory)
    for scenario in ("base", "busy"):
        stored = directory / "benchmark" / scenario
        _same_builds(portfolios.builds[portfolios.builds["portfolio"] == f"optimal for {scenario}"], stored)
        assert json.loads((stored / "summary.json").read_text())["scenario"]["name"] == scenario
    assert portfolios.robust["measure"] == "expected"
    assert portfolios.measures["robust"] <= min(portfolios.measures.values()) + 1e-6


def test_robust_without_benchmark_shows_the_robust_portfolio_alone(tiny_sets):
    portfolios = _load(tiny_sets, "robust_alone")
    assert portfolios.portfolios == ["robust"] and portfolios.regret is None
    assert not (tiny_sets["robust_alone"] / "report.html").exists()
    out = write_report(tiny_sets["robust_alone"])
    assert not (out.parent / "figures" / "regret.png").exists()
    assert "without a regret matrix" in out.read_text(encoding="utf-8")


def test_builds_matrix_names_each_start(tiny_sets):
    portfolios = _load(tiny_sets, "stress")
    matrix = builds_matrix(portfolios)
    assert set(matrix["project"]) == set(portfolios.builds["project"])
    row = portfolios.builds.iloc[0]
    cell = matrix.set_index("project").loc[row["project"], row["portfolio"]]
    assert f"{int(row['start_year'])}→{int(row['online_year'])}" in cell


def _draw_every_figure(portfolios: PortfolioSet) -> None:
    for spec in PORTFOLIO_FIGURES:
        if not spec.available(portfolios):
            continue
        assert isinstance(spec.png(portfolios), Figure), spec.key
        chart = spec.interactive(portfolios)
        assert isinstance(chart, go.Figure), spec.key
        assert {trace.type for trace in chart.data} <= set(TRACE_TYPES), spec.key
        chart.to_json()


@pytest.mark.parametrize("name", list(KINDS))
def test_every_figure_draws_on_the_tiny_sets(tiny_sets, name):
    _draw_every_figure(_load(tiny_sets, name))


@pytest.mark.slow
def test_every_figure_draws_on_the_default_inputs_and_the_report_fits(default_stress):
    portfolios = load_portfolio_set(default_stress, "stress")
    assert len(portfolios.builds) > 10
    _draw_every_figure(portfolios)
    out = write_report(default_stress)
    assert out.stat().st_size < REPORT_BUDGET_BYTES
    assert sorted(p.name for p in (default_stress / "figures").iterdir()) == ["objective.png", "regret.png", "timeline.png", "trajectories.png"]


def test_the_regret_figure_marks_the_min_max_regret_portfolio(tiny_sets):
    portfolios = _load(tiny_sets, "stress")
    matrix = regret_matrix(portfolios)
    assert list(matrix.columns) == [*portfolios.scenarios, "max regret"]
    labels = list(PORTFOLIO_FIGURES[-1].interactive(portfolios).data[0].y)
    assert any("★" in label and portfolios.min_max_regret in label for label in labels)


@pytest.mark.parametrize("name", ["comparison", "stress", "robust"])
def test_the_commands_write_the_report(tiny_sets, name):
    directory = tiny_sets[name]
    assert report_kind(directory) == KINDS[name]
    report = directory / "report.html"
    assert report.is_file() and report.stat().st_size < REPORT_BUDGET_BYTES
    assert {p.name for p in (directory / "figures").iterdir()} >= {"timeline.png", "objective.png", "trajectories.png"}
    text = report.read_text(encoding="utf-8")
    portfolios = _load(tiny_sets, name)
    for portfolio in portfolios.portfolios:
        assert portfolio in text
    if portfolios.min_max_regret:
        assert f"Min-max-regret portfolio: {portfolios.min_max_regret}" in text
    if name == "comparison":
        assert "optimiser stress --portfolios" in text and not (directory / "figures" / "regret.png").exists()


def test_compare_prints_where_the_report_is_and_report_regenerates_it(tiny_sets, tmp_path: Path, capsys):
    runs = tiny_sets["runs"]
    out = tmp_path / "cmp"
    assert main(["compare", str(runs / "base"), str(runs / "rich"), "--out", str(out)]) == 0
    assert f"report written to {out / 'report.html'}" in capsys.readouterr().out
    target = tmp_path / "elsewhere" / "page.html"
    assert main(["report", str(tiny_sets["stress"]), "--out", str(target), "--png"]) == 0
    assert "stress report written to" in capsys.readouterr().out
    assert target.is_file() and (target.parent / "figures" / "regret.png").is_file()


def test_a_missing_comparison_json_exits_2_naming_it(tiny_sets, tmp_path: Path, capsys):
    directory = tmp_path / "comparison"
    shutil.copytree(tiny_sets["comparison"], directory)
    (directory / "comparison.json").unlink()
    assert main(["report", str(directory)]) == 2
    err = capsys.readouterr().err
    assert str(directory / "comparison.json") in err and "missing" in err and "Traceback" not in err


def test_a_missing_compared_result_exits_2_naming_it(tiny_sets, tmp_path: Path, capsys):
    directory = tmp_path / "comparison"
    shutil.copytree(tiny_sets["comparison"], directory)
    gone = tmp_path / "gone"
    record = json.loads((directory / "comparison.json").read_text())
    record["results"]["rich"] = str(gone)
    record["absolute"]["rich"] = str(gone)
    (directory / "comparison.json").write_text(json.dumps(record))
    write_manifest(directory, "compare")  # whole, as if the compared result was removed after
    assert main(["report", str(directory)]) == 2
    assert str(gone) in capsys.readouterr().err


def test_a_missing_stress_evaluation_exits_2_naming_it(tiny_sets, tmp_path: Path, capsys):
    directory = tmp_path / "stress"
    shutil.copytree(tiny_sets["stress"], directory)
    shutil.rmtree(directory / "evaluations" / "rich__embargo")
    assert main(["report", str(directory)]) == 2
    assert "rich__embargo" in capsys.readouterr().err


CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
    with Browser(CHROMIUM) as opened:
        yield opened


@pytest.mark.parametrize("name", ["comparison", "stress", "robust"])
def test_portfolio_report_opens_cleanly_from_a_file(tiny_sets, browser, name):
    visit = browser.visit(tiny_sets[name] / "report.html")
    assert visit.console_errors == []
    assert visit.failed_requests == []
    assert visit.external_requests == []
    assert visit.charts == "ready"
    assert not blank(visit.screenshot), f"the screenshot of the {name} report is blank"
