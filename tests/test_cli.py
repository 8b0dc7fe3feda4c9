"""The command line: exit statuses, files written, messages instead of tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimiser.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "inputs"
    shutil.copytree(TINY, target)
    return target


def test_run_writes_every_result_file(tiny: Path, tmp_path: Path, capsys):
    out = tmp_path / "result"
    status = main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out)])
    assert status == 0
    for name in ("builds.csv", "dependence.csv", "flows.csv", "summary.json"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    for key in ("scenario", "status", "objective", "budget_musd", "budget_used_musd", "budget_dual", "versions", "inputs_sha256", "timings"):
        assert key in summary
    assert summary["status"] == "optimal"
    assert list(pd.read_csv(out / "builds.csv").columns) == ["project", "stage", "country", "start_year", "online_year", "share", "capex_musd"]
    assert list(pd.read_csv(out / "dependence.csv").columns) == ["year", "element", "stage", "dependence", "unmet", "china_world_share"]
    assert list(pd.read_csv(out / "flows.csv").columns) == ["year", "element", "stage", "row_output", "china_imports", "shortfall", "surplus"]
    printed = capsys.readouterr().out
    assert "budget dual" in printed and "builds" in printed


def test_identical_inputs_give_byte_identical_files(tiny: Path, tmp_path: Path):
    scenario = str(tiny / "scenarios" / "base.toml")
    for name in ("first", "second"):
        assert main(["run", "--inputs", str(tiny), "--scenario", scenario, "--out", str(tmp_path / name)]) == 0
    for name in ("builds.csv", "dependence.csv", "flows.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_budget_and_objective_flags_override_the_scenario(tiny: Path, tmp_path: Path):
    out = tmp_path / "r"
    args = ["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out)]
    assert main(args + ["--budget", "0", "--objective", "peak"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["budget_musd"] == 0
    assert summary["objective_name"] == "peak"
    assert summary["budget_used_musd"] == pytest.approx(0.0, abs=1e-9)


def test_validate_builds_without_solving(tiny: Path, capsys):
    assert main(["validate", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml")]) == 0
    assert "valid" in capsys.readouterr().out


def test_bad_input_exits_2_with_file_line_and_column(tiny: Path, capsys):
    projects = pd.read_csv(tiny / "projects.csv", dtype=str, keep_default_na=False)
    projects.loc[0, "capacity"] = "-5"
    projects.to_csv(tiny / "projects.csv", index=False)
    status = main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml")])
    err = capsys.readouterr().err
    assert status == 2
    assert "projects.csv, line 2, column 'capacity'" in err
    assert "Traceback" not in err


def test_negative_budget_flag_is_bad_input(tiny: Path, capsys):
    status = main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--budget", "-1"])
    assert status == 2
    assert "budget_busd" in capsys.readouterr().err


def test_time_limit_reached_exits_3_and_says_so(tiny: Path, tmp_path: Path):
    out = tmp_path / "r"
    status = main(
        ["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out), "--time-limit", "1e-9"]
    )
    summary = json.loads((out / "summary.json").read_text())
    assert status == 3
    assert summary["status"] == "time_limit"
    assert not (out / "builds.csv").exists()


def test_python_m_optimiser_is_the_same_cli(tiny: Path):
    completed = subprocess.run(
        [sys.executable, "-m", "optimiser", "validate", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    assert "valid" in completed.stdout
