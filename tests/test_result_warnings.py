"""Warnings a planner must not miss, in all three places they are told: the CLI output of ``optimiser run``,
``summary.json``'s ``warnings`` and a warnings box at the top of the run report.

* an objective that weighs no cell (weights that pass validation, yet every cell with a positive weight has
  no requirement): every plan scores 0;
* demand left unmet while dependence reads 0 %: dependence counts Chinese content only.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

import optimiser
from optimiser.cli import main
from optimiser.model import build_structure
from optimiser.result_warnings import UNMET_SHARE, plan_warnings, unmet_demand_warnings

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny"

SCENARIOS: dict[str, str] = {
    "normal": 'name = "normal"\nbudget_busd = 0.5\n',
    "no_cell": (
        'name = "no_cell"\nbudget_busd = 0.5\n\n[element_weights]\nNd = 0.0\nDy = 0.0\nLa = 1.0\n\n'
        "[stage_weights]\nmining = 0.0\nseparation = 0.0\nmetal = 0.0\nmagnet = 1.0\n"
    ),
    "cut_off": (
        'name = "cut_off"\nbudget_busd = 0.5\n\n[[export_controls]]\nelements = ["Nd", "Dy", "La"]\n'
        "start_year = 2025\nend_year = 2030\nfraction = 0.0\n"
    ),
}
"""The tiny data's base case; weights on La at the magnet stage only (La is in no magnet); China cut off."""

NO_CELL = "weighs no cell"
UNMET = "unmet while their China dependence reads 0 %"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[int, str, Path]]:
    """name -> (exit status, CLI output, result directory) of ``optimiser run`` on each scenario."""
    tmp = tmp_path_factory.mktemp("warnings")
    done = {}
    for name, text in SCENARIOS.items():
        scenario = tmp / f"{name}.toml"
        scenario.write_text(text, encoding="utf-8")
        out = tmp / name
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = main(["run", "--inputs", str(TINY), "--scenario", str(scenario), "--out", str(out)])
        done[name] = (status, printed.getvalue(), out)
    return done


def _places(run: tuple[int, str, Path]) -> tuple[list[str], list[str], str]:
    """The warnings as the CLI printed them, as summary.json lists them, and the report's warnings box."""
    status, printed, out = run
    assert status == 0
    cli = [line for line in printed.splitlines() if line.startswith("warning: ")]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["warnings"]
    html = (out / "report.html").read_text(encoding="utf-8")
    box = html.split('<section id="warnings"', 1)[1].split("</section>", 1)[0] if '<section id="warnings"' in html else ""
    return cli, summary, box


@pytest.mark.parametrize(("name", "phrase"), [("no_cell", NO_CELL), ("cut_off", UNMET)])
def test_the_warning_is_in_the_cli_the_summary_and_the_report(runs, name, phrase):
    cli, summary, box = _places(runs[name])
    assert any(phrase in line for line in cli), cli
    assert any(phrase in warning for warning in summary), summary
    assert phrase in box and 'role="alert"' in box


def test_a_normal_run_has_neither_warning_and_no_box(runs):
    cli, summary, box = _places(runs["normal"])
    assert not [w for w in cli + summary if NO_CELL in w or UNMET in w]
    assert box == ""


def test_the_unmet_warning_names_the_worst_cell_and_counts_them():
    data = optimiser.load_inputs(TINY)
    scenario = optimiser.Scenario.from_dict(
        {"name": "cut", "budget_busd": 0.0,
         "export_controls": [{"elements": ["Dy"], "start_year": 2027, "end_year": 2027, "fraction": 0.0}]},
        source="test",
    )
    result = optimiser.solve(data, scenario, baseline=False)
    warnings = unmet_demand_warnings(result.tables)
    assert len(warnings) == 1
    dependence = result.dependence
    flagged = dependence[
        ~dependence["element"].isin(["all", "restricted"]) & (dependence["unmet"] > UNMET_SHARE) & (dependence["dependence"] < 0.0005)
    ]
    assert len(flagged) and "Dy" in set(flagged["element"]) and set(flagged["year"]) == {2027}
    worst = flagged.loc[flagged["unmet"].idxmax()]
    assert f"{len(flagged)} element-stage-year" in warnings[0]
    assert f"{worst['element']} {worst['stage']} {int(worst['year'])}, {100 * worst['unmet']:.0f} % unmet" in warnings[0]


def test_small_unmet_demand_and_no_tables_give_no_warning():
    assert unmet_demand_warnings(None) == []
    data = optimiser.load_inputs(TINY)
    scenario = optimiser.Scenario.from_toml(TINY / "scenarios" / "base.toml")
    result = optimiser.solve(data, scenario, baseline=False)
    assert plan_warnings(data, scenario, build_structure(data, scenario), result.tables) == []
