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
    # $10 slack: under peak the capex tie-break holds the weighted objective too, and HiGHS may leave builds
    # a feasibility tolerance below 0 (-2e-6 MUSD measured).
    assert summary["budget_used_musd"] == pytest.approx(0.0, abs=1e-5)


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


# Output safety: nothing the tool did not write is replaced ---------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_run_refuses_a_folder_it_did_not_write(tiny: Path, tmp_path: Path, capsys):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.pdf").write_bytes(b"%PDF my thesis")
    (folder / "data.csv").write_text("x\n1\n")
    before = _snapshot(folder)
    status = main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(folder)])
    assert status == 2
    err = capsys.readouterr().err
    assert "did not write" in err and "Traceback" not in err
    assert _snapshot(folder) == before


def test_run_into_the_inputs_folder_is_refused(tiny: Path, capsys):
    before = _snapshot(tiny)
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(tiny)]) == 2
    assert _snapshot(tiny) == before


def test_run_refuses_an_existing_file(tiny: Path, tmp_path: Path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("keep")
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(path)]) == 2
    assert path.read_text() == "keep"
    assert "existing file" in capsys.readouterr().err


def test_evaluate_and_robust_refuse_a_folder_they_did_not_write(tiny: Path, tmp_path: Path, capsys):
    scenario = str(tiny / "scenarios" / "base.toml")
    run_dir = tmp_path / "run"
    assert main(["run", "--inputs", str(tiny), "--scenario", scenario, "--out", str(run_dir), "--no-report"]) == 0
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    for argv in (
        ["evaluate", "--inputs", str(tiny), "--scenario", scenario, "--portfolio", str(run_dir), "--out", str(folder)],
        ["robust", "--inputs", str(tiny), "--scenarios", scenario, "--out", str(folder), "--no-report"],
        ["stress", "--inputs", str(tiny), "--portfolios", str(run_dir), "--scenarios", scenario, "--out", str(folder), "--no-report"],
        ["compare", str(run_dir), str(run_dir), "--out", str(folder), "--no-report"],
        ["alternatives", "--inputs", str(tiny), "--scenario", scenario, "--count", "1", "--out", str(folder)],
    ):
        assert main(argv) == 2, argv[0]
        assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"], argv[0]
    assert "Traceback" not in capsys.readouterr().err


def test_a_full_disk_exits_3_and_keeps_the_previous_result(tiny: Path, tmp_path: Path, monkeypatch, capsys):
    import errno

    from optimiser import store

    out = tmp_path / "r"
    argv = ["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out), "--no-report"]
    assert main(argv) == 0
    before = _snapshot(out)

    def full(frame, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "write_csv", full)
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "r"]


def test_report_names_a_truncated_table(tiny: Path, tmp_path: Path, capsys):
    out = tmp_path / "r"
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out), "--no-report"]) == 0
    path = out / "dependence.csv"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert "dependence.csv" in err and "Traceback" not in err
    assert not (out / "report.html").exists()


def test_report_refuses_a_result_with_only_its_summary(tiny: Path, tmp_path: Path, capsys):
    out = tmp_path / "r"
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out), "--no-report"]) == 0
    for name in ("builds.csv", "dependence.csv", "flows.csv", "baseline_dependence.csv"):
        (out / name).unlink()
    assert main(["report", str(out)]) == 2
    assert "is missing" in capsys.readouterr().err


def test_two_runs_into_one_directory_do_not_mix(tiny: Path, tmp_path: Path):
    out = tmp_path / "r"
    scenario = str(tiny / "scenarios" / "base.toml")
    command = [sys.executable, "-m", "optimiser", "run", "--inputs", str(tiny), "--scenario", scenario, "--out", str(out)]
    first = subprocess.Popen(command + ["--budget", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command + ["--budget", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outcomes = [process.communicate(timeout=300) for process in (first, second)]
    statuses = sorted([first.returncode, second.returncode])
    assert statuses in ([0, 0], [0, 2]), outcomes
    for _, err in outcomes:
        assert "Traceback" not in err
    summary = json.loads((out / "summary.json").read_text())
    from optimiser.store import check_complete

    check_complete(out)
    assert "budget" in (out / "report.html").read_text(encoding="utf-8").lower()
    report_budget = summary["budget_musd"]
    assert report_budget in (1000.0, 2000.0)


def test_report_waits_for_no_one_while_a_run_holds_the_directory(tiny: Path, tmp_path: Path, capsys):
    out = tmp_path / "r"
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out), "--no-report"]) == 0
    from optimiser.store import output_directory

    with output_directory(out, "run"):
        holder = subprocess.run([sys.executable, "-m", "optimiser", "report", str(out)], capture_output=True, text=True)
    assert holder.returncode == 2 and "another optimiser command" in holder.stderr
    assert not (out / "report.html").exists()


@pytest.mark.parametrize("command", ["run", "evaluate", "stress", "robust", "alternatives"])
def test_every_solving_command_takes_a_bounded_time_limit(tiny: Path, tmp_path: Path, capsys, command: str):
    scenario = str(tiny / "scenarios" / "base.toml")
    run_dir = tmp_path / "run"
    assert main(["run", "--inputs", str(tiny), "--scenario", scenario, "--out", str(run_dir), "--no-report"]) == 0
    argv = {
        "run": ["run", "--scenario", scenario, "--no-report"],
        "evaluate": ["evaluate", "--scenario", scenario, "--portfolio", str(run_dir)],
        "stress": ["stress", "--portfolios", str(run_dir), "--scenarios", scenario, "--no-report"],
        "robust": ["robust", "--scenarios", scenario, "--no-report", "--no-benchmark"],
        "alternatives": ["alternatives", "--scenario", scenario, "--count", "1"],
    }[command] + ["--inputs", str(tiny), "--out", str(tmp_path / "out")]
    assert main(argv + ["--time-limit", "-5"]) == 2
    err = capsys.readouterr().err
    assert "time_limit_seconds" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert main(argv + ["--time-limit", "60"]) == 0


def test_a_full_disk_while_a_sweep_or_a_report_writes_is_one_line_and_exit_3(tiny: Path, tmp_path: Path, monkeypatch, capsys):
    import errno

    import pyarrow.parquet as pq

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(
        f'name = "s"\n[base]\nscenario = "{tiny / "scenarios" / "base.toml"}"\n[grid]\nbudget_busd = [0.5, 1.0]\n', encoding="utf-8"
    )

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "part.parquet"))

    with monkeypatch.context() as patch:
        patch.setattr(pq, "write_table", full)
        status = main(["sweep", str(sweep_file), "--inputs", str(tiny), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet", "--no-report"])
    err = capsys.readouterr().err
    assert status == 3 and "No space left on device" in err and "Traceback" not in err

    run_dir = tmp_path / "run"
    assert main(["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(run_dir), "--no-report"]) == 0
    from optimiser.report import html

    with monkeypatch.context() as patch:
        patch.setattr(html, "_write_atomically", full)
        assert main(["report", str(run_dir)]) == 3
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert not (run_dir / "report.html").exists()


def test_ctrl_c_is_one_line_and_exit_130_with_the_previous_result_whole(tiny: Path, tmp_path: Path, monkeypatch, capsys):
    from optimiser import store

    out = tmp_path / "r"
    argv = ["run", "--inputs", str(tiny), "--scenario", str(tiny / "scenarios" / "base.toml"), "--out", str(out), "--no-report"]
    assert main(argv) == 0
    before = _snapshot(out)

    def interrupted(frame, path):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "write_csv", interrupted)
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "r"]
