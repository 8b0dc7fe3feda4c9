"""The portfolio commands end to end on the tiny input set: files written, numbers consistent, errors exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from optimiser.cli import main
from optimiser.store import write_manifest
from optimiser.portfolios import compare

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "inputs"
    shutil.copytree(TINY, target)
    (target / "scenarios" / "rich.toml").write_text('name = "rich"\nbudget_busd = 1.0\n')
    (target / "scenarios" / "late.toml").write_text('name = "late"\nbudget_busd = 0.5\nlead_time_shift_years = 1\n')
    (target / "scenarios" / "busy.toml").write_text('name = "busy"\nbudget_busd = 0.5\ndemand_multiplier = 1.5\n')
    return target


def _run(tiny: Path, scenario: str, out: Path) -> Path:
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / f"{scenario}.toml"), "--out", str(out)]) == 0
    return out


def test_evaluating_a_run_under_its_own_scenario_gives_its_objective(tiny: Path, tmp_path: Path, capsys):
    run = _run(tiny, "base", tmp_path / "base")
    out = tmp_path / "eval"
    status = main(
        ["evaluate", "--inputs", str(tiny), "--portfolio", str(run), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out)]
    )
    assert status == 0
    original = json.loads((run / "summary.json").read_text())
    evaluated = json.loads((out / "summary.json").read_text())
    assert evaluated["objective"] == pytest.approx(original["objective"], abs=1e-5)
    assert evaluated["portfolio_capex_musd"] == pytest.approx(original["budget_used_musd"], rel=1e-5)
    assert "dependence" in capsys.readouterr().out


def test_a_delay_never_lowers_a_fixed_portfolio_s_dependence(tiny: Path, tmp_path: Path):
    run = _run(tiny, "base", tmp_path / "base")
    scenario_dir = tiny / "scenarios"
    for name in ("base", "late"):
        assert main(["evaluate", "--inputs", str(tiny), "--portfolio", str(run), "--scenario", str(scenario_dir / f"{name}.toml"), "--out", str(tmp_path / "evaluations" / name)]) == 0
    on_time = json.loads((tmp_path / "evaluations" / "base" / "summary.json").read_text())["objective"]
    late = json.loads((tmp_path / "evaluations" / "late" / "summary.json").read_text())
    assert late["objective"] >= on_time - 1e-9
    builds = pd.read_csv(tmp_path / "evaluations" / "late" / "builds.csv")
    assert (builds["online_year"] - builds["start_year"]).min() >= 3


@pytest.mark.parametrize(
    ("csv", "where"),
    [
        ("project,start_year,share\nnowhere,2026,1\n", "line 2, column 'project'"),
        ("project,start_year,share\nop_mine,2026,1\n", "line 2, column 'project'"),
        ("project,start_year,share\ncand_mine,2026,-1\n", "line 2, column 'share'"),
        ("project,start_year,share\ncand_mine,1990,1\n", "line 2, column 'start_year'"),
        ("project,start_year,share\ncand_mine,2026,1\ncand_mine,2027,0.5\n", "line 3, column 'share'"),
        ("project,share\ncand_mine,1\n", "line 1, column 'start_year'"),
        ("project,start_year,share\ncand_sep,2025,1\ncand_mine,2026,1\ngen_magnet,2025,1\n", "more than the budget"),
    ],
)
def test_bad_hand_written_portfolio_exits_2_naming_the_place(tiny: Path, tmp_path: Path, capsys, csv: str, where: str):
    portfolio = tmp_path / "mine.csv"
    portfolio.write_text(csv)
    status = main(["evaluate", "--inputs", str(tiny), "--portfolio", str(portfolio), "--scenario", str(tiny / "scenarios" / "base.toml")])
    err = capsys.readouterr().err
    assert status == 2
    assert "mine.csv" in err and where in err
    assert "Traceback" not in err


def test_a_portfolio_starting_before_the_first_decision_year_is_refused(tiny: Path, tmp_path: Path, capsys):
    """A build started in 2026 is history under a scenario whose decisions start in 2027."""
    (tiny / "scenarios" / "decide_2027.toml").write_text('name = "decide_2027"\nbudget_busd = 0.5\nfirst_decision_year = 2027\n')
    portfolio = tmp_path / "mine.csv"
    portfolio.write_text("project,start_year,share\ncand_mine,2026,1\n")
    status = main(["evaluate", "--inputs", str(tiny), "--portfolio", str(portfolio), "--scenario", str(tiny / "scenarios" / "decide_2027.toml")])
    err = capsys.readouterr().err
    assert status == 2
    assert "line 2, column 'start_year'" in err and "can start in 2027-2030" in err


def test_compare_lists_differences_capex_and_dependence(tiny: Path, tmp_path: Path, capsys):
    base = _run(tiny, "base", tmp_path / "base")
    rich = _run(tiny, "rich", tmp_path / "rich")
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(rich), "--out", str(out), "--years", "2028", "2030"]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["section"]) >= {"summary", "builds", "differences", "capex_by_stage", "capex_by_country", "dependence"}
    comparison = compare([base, rich], years=[2030])
    for name, directory in (("base", base), ("rich", rich)):
        builds = pd.read_csv(directory / "builds.csv")
        by_stage = comparison.section("capex_by_stage")
        assert by_stage[by_stage["result"] == name]["value"].astype(float).sum() == pytest.approx(builds["capex_musd"].sum())
    printed = capsys.readouterr().out
    assert "capex by stage" in printed and "China dependence" in printed


def test_compare_refuses_results_from_other_inputs(tiny: Path, tmp_path: Path, capsys):
    base = _run(tiny, "base", tmp_path / "base")
    other = _run(tiny, "rich", tmp_path / "rich")
    summary = json.loads((other / "summary.json").read_text())
    summary["inputs_sha256"] = "0" * 64
    (other / "summary.json").write_text(json.dumps(summary))
    write_manifest(other, "run")  # a whole result, as if solved on other inputs
    assert main(["compare", str(base), str(other)]) == 2
    err = capsys.readouterr().err
    assert str(other / "summary.json") in err and "another input set" in err


def test_evaluate_refuses_a_result_of_an_older_format(tiny: Path, tmp_path: Path, capsys):
    base = _run(tiny, "base", tmp_path / "base")
    summary = json.loads((base / "summary.json").read_text())
    del summary["result_format"]
    (base / "summary.json").write_text(json.dumps(summary))
    assert main(["evaluate", "--inputs", str(tiny), "--portfolio", str(base), "--scenario", str(tiny / "scenarios" / "base.toml")]) == 2
    assert "another version" in capsys.readouterr().err


def test_stress_robust_and_alternatives_commands_write_results(tiny: Path, tmp_path: Path, capsys):
    base = _run(tiny, "base", tmp_path / "base")
    rich = _run(tiny, "rich", tmp_path / "rich")
    scenarios = [str(tiny / "scenarios" / "base.toml"), str(tiny / "scenarios" / "busy.toml")]
    assert main(["stress", "--inputs", str(tiny), "--portfolios", str(base), str(rich), "--scenarios", *scenarios, "--out", str(tmp_path / "stress")]) == 0
    matrix = pd.read_csv(tmp_path / "stress" / "regret_matrix.csv")
    assert matrix.drop(columns="portfolio").min().min() == pytest.approx(0.0, abs=1e-9)
    assert "min-max-regret portfolio" in capsys.readouterr().out

    assert main(["robust", "--inputs", str(tiny), "--scenarios", *scenarios, "--measure", "worst", "--out", str(tmp_path / "robust")]) == 0
    summary = json.loads((tmp_path / "robust" / "summary.json").read_text())
    assert summary["kind"] == "robust" and summary["robust"]["measure"] == "worst"
    benchmark = pd.read_csv(tmp_path / "robust" / "benchmark.csv")
    assert benchmark["fits_reference_budget"].all()
    assert benchmark.loc[0, "measure"] <= benchmark["measure"].min() + 1e-6
    for name in ("base", "busy"):
        assert (tmp_path / "robust" / "scenarios" / name / "dependence.csv").exists()

    out = tmp_path / "alts"
    assert main(["alternatives", "--inputs", str(tiny), "--scenario", scenarios[0], "--slack", "0.05", "--count", "2", "--out", str(out)]) == 0
    optimum = json.loads((out / "optimum" / "summary.json").read_text())["objective"]
    for directory in sorted(out.glob("alt-*")):
        assert json.loads((directory / "summary.json").read_text())["objective"] <= optimum * 1.05 + 1e-6
    assert main(["compare", str(out / "optimum"), *map(str, sorted(out.glob("alt-*"))), "--out", str(tmp_path / "c")]) == 0


def test_a_portfolio_naming_a_project_that_cannot_start_in_the_horizon_is_refused(tiny: Path, tmp_path: Path, capsys):
    """cand_mine can start from 2026 only: a horizon ending in 2025 offers it no start year at all."""
    (tiny / "scenarios" / "short.toml").write_text('name = "short"\nbudget_busd = 0.5\nhorizon_end = 2025\n')
    portfolio = tmp_path / "mine.csv"
    portfolio.write_text("project,start_year,share\ncand_mine,2026,1\n")
    status = main(["evaluate", "--inputs", str(tiny), "--portfolio", str(portfolio), "--scenario", str(tiny / "scenarios" / "short.toml")])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "cand_mine cannot start at all in this scenario" in err and "Traceback" not in err
