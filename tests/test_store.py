"""Result directories are replaced whole or not at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimiser import store
from optimiser.results import ResultTables
from optimiser.runner import RunResult
from optimiser.scenario import Scenario


def _result(value: float) -> RunResult:
    frame = pd.DataFrame({"year": [2025], "value": [value]})
    return RunResult(
        scenario=Scenario(),
        status="optimal",
        message="",
        objective=value,
        budget_used_musd=0.0,
        budget_dual=0.0,
        tables=ResultTables(builds=frame, dependence=frame, flows=frame),
        baseline_dependence=None,
        summary={"status": "optimal", "objective": value},
    )


def test_write_then_replace(tmp_path: Path):
    target = tmp_path / "base"
    store.write_result(_result(1.0), target)
    store.write_result(_result(2.0), target)
    assert pd.read_csv(target / "flows.csv")["value"].tolist() == [2.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]


def test_a_crash_mid_write_keeps_the_previous_result(tmp_path: Path, monkeypatch):
    target = tmp_path / "base"
    store.write_result(_result(1.0), target)
    calls = {"n": 0}
    real = store.write_csv

    def failing(frame, path):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real(frame, path)

    monkeypatch.setattr(store, "write_csv", failing)
    with pytest.raises(store.OutputError, match="disk full"):
        store.write_result(_result(2.0), target)
    assert pd.read_csv(target / "flows.csv")["value"].tolist() == [1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]


def test_tiny_values_are_written_as_zero(tmp_path: Path):
    path = tmp_path / "x.csv"
    store.write_csv(pd.DataFrame({"a": [1e-12, -3e-11, 0.5]}), path)
    assert path.read_text() == "a\n0\n0\n0.5\n"


# Only ever replace what this tool wrote ------------------------------------------------------------------


def test_a_folder_this_tool_did_not_write_is_refused_and_left_alone(tmp_path: Path):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("my thesis")
    (folder / "data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(store.InputError, match="did not write"):
        store.write_result(_result(1.0), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["chapter1.tex", "data.csv"]
    assert (folder / "chapter1.tex").read_text() == "my thesis"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


def test_an_existing_file_is_refused_and_left_alone(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("keep me")
    with pytest.raises(store.InputError, match="existing file"):
        store.write_result(_result(1.0), path)
    assert path.read_text() == "keep me"


def test_an_empty_folder_is_used(tmp_path: Path):
    folder = tmp_path / "empty"
    folder.mkdir()
    store.write_result(_result(1.0), folder)
    assert (folder / "manifest.json").is_file()


def test_a_result_with_a_file_added_by_the_user_is_refused(tmp_path: Path):
    target = tmp_path / "base"
    store.write_result(_result(1.0), target)
    (target / "my-notes.md").write_text("notes")
    with pytest.raises(store.InputError, match="my-notes.md"):
        store.write_result(_result(2.0), target)
    assert (target / "my-notes.md").read_text() == "notes"
    assert pd.read_csv(target / "flows.csv")["value"].tolist() == [1.0]


def test_a_report_beside_the_result_does_not_make_it_foreign(tmp_path: Path):
    target = tmp_path / "base"
    store.write_result(_result(1.0), target)
    (target / "report.html").write_text("<html></html>")
    (target / "figures").mkdir()
    (target / "figures" / "a.png").write_bytes(b"png")
    store.write_result(_result(2.0), target)
    assert not (target / "report.html").exists()


def test_a_result_of_another_command_is_not_replaced(tmp_path: Path):
    target = tmp_path / "r"
    store.write_result(_result(1.0), target, "evaluate")
    with pytest.raises(store.InputError, match="optimiser evaluate"):
        store.write_result(_result(2.0), target, "run")


@pytest.mark.parametrize("name", [".", "..", "sub/.."])
def test_the_working_directory_and_its_parents_are_refused(tmp_path: Path, monkeypatch, name: str):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(store.InputError, match="working directory"):
        store.write_result(_result(1.0), Path(name))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]


def test_a_symbolic_link_is_refused(tmp_path: Path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(store.InputError, match="symbolic link"):
        store.write_result(_result(1.0), tmp_path / "link")


def test_a_result_from_before_manifests_is_replaced(tmp_path: Path):
    target = tmp_path / "base"
    target.mkdir()
    (target / "summary.json").write_text(json.dumps({"result_format": 1, "versions": {"optimiser": "0.1.0"}}))
    (target / "builds.csv").write_text("project\n")
    store.write_result(_result(2.0), target)
    assert (target / "manifest.json").is_file()


# Strict JSON, safe CSV text -------------------------------------------------------------------------------


def test_summary_json_stays_strict(tmp_path: Path):
    result = _result(1.0)
    result.summary = {"budget_musd": float("inf"), "dual": float("nan"), "nested": [float("-inf"), 1.0]}
    store.write_result(result, tmp_path / "r")
    text = (tmp_path / "r" / "summary.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"budget_musd": None, "dual": None, "nested": [None, 1.0]}


def test_spreadsheet_formulas_in_text_cells_are_neutralised_and_read_back(tmp_path: Path):
    frame = pd.DataFrame({"project": ["=HYPERLINK(\"x\")", "+1", "-sum", "@cmd", "'=quoted", "plain"], "value": [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    path = tmp_path / "x.csv"
    store.write_csv(frame, path)
    cells = [line.split(",")[0] for line in path.read_text().splitlines()[1:]]
    assert [c for c in cells if c.lstrip('"')[:1] in "=+-@"] == []
    assert path.read_text().splitlines()[1].endswith(",-1")
    back = store.read_result_csv(path)
    assert back["project"].tolist() == frame["project"].tolist()
    assert back["value"].tolist() == frame["value"].tolist()


# Completeness ----------------------------------------------------------------------------------------------


def test_a_complete_result_passes_the_check(tmp_path: Path):
    store.write_result(_result(1.0), tmp_path / "r")
    store.check_complete(tmp_path / "r")


@pytest.mark.parametrize("damage", ["delete", "truncate", "empty", "drop_row"])
def test_a_damaged_or_half_written_result_is_named(tmp_path: Path, damage: str):
    target = tmp_path / "r"
    result = _result(1.0)
    result.tables = ResultTables(*(pd.DataFrame({"year": [2025, 2026], "value": [1.0, 2.0]}),) * 3)
    store.write_result(result, target)
    path = target / "builds.csv"
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:7])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_text("year,value\n2025,1\n2026,3\n")
    with pytest.raises(store.InputError, match="builds.csv"):
        store.check_complete(target)


def test_a_directory_without_manifest_is_incomplete(tmp_path: Path):
    target = tmp_path / "r"
    target.mkdir()
    (target / "summary.json").write_text("{}")
    with pytest.raises(store.InputError, match="manifest.json is missing"):
        store.check_complete(target)


# Locks -------------------------------------------------------------------------------------------------------


def test_a_second_writer_is_refused_while_the_first_holds_the_directory(tmp_path: Path):
    target = tmp_path / "r"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(store.InputError, match="another optimiser command"):
            store.write_result(_result(1.0), target)
        assert not target.exists()
    finally:
        holder.kill()
        holder.wait()
    store.write_result(_result(1.0), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


HOLD_LOCK = """
import sys, time
from pathlib import Path
from optimiser import store
with store.output_directory(Path(sys.argv[1]), "run"):
    print("locked", flush=True)
    time.sleep(60)
"""


# Kills at every step of the swap ----------------------------------------------------------------------------

KILL_AT = """
import os, shutil, sys
from pathlib import Path
import pandas as pd
from optimiser import store
from optimiser.results import ResultTables
from optimiser.runner import RunResult
from optimiser.scenario import Scenario

target, step, value = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
frame = pd.DataFrame({"year": [2025], "value": [value]})
result = RunResult(Scenario(), "optimal", "", value, 0.0, 0.0, ResultTables(frame, frame, frame), None, {"objective": value})
real_replace, real_rmtree, real_manifest = os.replace, shutil.rmtree, store.write_manifest

def replace(source, destination):
    if step == "before_moving_the_old_result" and ".old-" in str(destination):
        os._exit(9)
    if step == "before_moving_the_new_result" and ".staging-" in str(source) and Path(destination) == target:
        os._exit(9)
    real_replace(source, destination)

def rmtree(path, *args, **kwargs):
    if step == "before_cleanup" and ".old-" in str(path):
        os._exit(9)
    real_rmtree(path, *args, **kwargs)

def manifest(directory, command):
    if step == "before_manifest":
        os._exit(9)
    real_manifest(directory, command)

store.os.replace = replace
store.shutil.rmtree = rmtree
store.write_manifest = manifest
store.write_result(result, target)
"""


@pytest.mark.parametrize("step", ["before_manifest", "before_moving_the_old_result", "before_moving_the_new_result", "before_cleanup"])
def test_a_kill_at_any_step_of_the_swap_leaves_one_whole_result(tmp_path: Path, step: str):
    target = tmp_path / "base"
    store.write_result(_result(1.0), target)
    killed = subprocess.run([sys.executable, "-c", KILL_AT, str(target), step, "2.0"], capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr
    store.finish_interrupted_write(target)
    store.check_complete(target)
    value = pd.read_csv(target / "flows.csv")["value"].tolist()
    assert value in ([1.0], [2.0])
    if step in ("before_moving_the_new_result", "before_cleanup"):
        assert value == [2.0], "a finished result must not be lost"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]
    store.write_result(_result(3.0), target)
    assert pd.read_csv(target / "flows.csv")["value"].tolist() == [3.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]


def test_leftovers_of_others_beside_the_target_are_not_touched(tmp_path: Path):
    target = tmp_path / "base"
    foreign = tmp_path / ".base.old-123"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("user data")
    store.write_result(_result(1.0), target)
    assert (foreign / "mine.txt").read_text() == "user data"


def test_an_output_inside_another_result_is_refused(tmp_path: Path):
    store.write_result(_result(1.0), tmp_path / "base")
    with pytest.raises(store.InputError, match="inside the result directory"):
        store.write_result(_result(2.0), tmp_path / "base" / "sub")
    assert not (tmp_path / "base" / "sub").exists()
    store.write_result(_result(3.0), tmp_path / "base")


def test_a_file_named_like_our_lock_that_is_not_ours_is_neither_used_nor_removed(tmp_path: Path):
    stranger = tmp_path / ".base.lock"
    stranger.write_text("my notes")
    with pytest.raises(store.InputError, match="not a lock this tool made"):
        store.write_result(_result(1.0), tmp_path / "base")
    assert stranger.read_text() == "my notes"
    assert not (tmp_path / "base").exists()


def test_a_stale_lock_of_ours_left_by_a_kill_is_reused_and_removed(tmp_path: Path):
    (tmp_path / ".base.lock").write_bytes(store.LOCK_MARK)
    store.write_result(_result(1.0), tmp_path / "base")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]
