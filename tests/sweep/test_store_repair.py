"""A rerun verifies what it reuses: a truncated, emptied or missing file of a finished (or interrupted) sweep
is named in a warning, removed with its commit, and its scenarios are solved again; a store written before
checksums existed still resumes."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from optimiser.cli import main
from optimiser.errors import EXIT_OK, InputError
from optimiser.sweep import api, executors, read_detail, sweep
from optimiser.sweep.store import CHECKSUMS, SweepStore

from .conftest import TINY

GRID = "[grid]\nbudget_busd = [0.1, 0.2, 0.3, 0.4]"
KEY = ["scenario_id", "objective", "status"]


@pytest.fixture
def one_commit_per_scenario(monkeypatch):
    """Every scenario its own commit, so that damaging one part touches one scenario."""
    monkeypatch.setattr(executors, "CHUNK", 1)
    monkeypatch.setattr(api, "COMMIT_MAX_SCENARIOS", 1)


def _run(path, out) -> pd.DataFrame:
    return sweep(path, inputs=TINY, out=out, workers=1, progress=False)


def _truncate(path, how: str) -> None:
    if how == "emptied":
        path.write_bytes(b"")
    elif how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.unlink()


def _details(out) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The builds and dependence of every scenario, sorted, without the part that holds them."""
    builds = read_detail(out, "builds").sort_values(["scenario_id", "project", "start_year"]).reset_index(drop=True)
    dependence = read_detail(out, "dependence").sort_values(["scenario_id", "year", "element", "stage"])
    return builds, dependence.reset_index(drop=True)


def _check_whole(out, first: pd.DataFrame, first_details, runs: pd.DataFrame) -> None:
    """Every scenario once, with the first run's results and details."""
    assert len(runs) == len(first) and runs["scenario_id"].is_unique and (runs["status"] == "optimal").all()
    pd.testing.assert_frame_equal(runs[KEY], first[KEY])
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet")[KEY], first[KEY])
    for before, after in zip(first_details, _details(out)):
        pd.testing.assert_frame_equal(before.astype({"scenario_id": str}), after.astype({"scenario_id": str}),
                                      check_categorical=False)


@pytest.mark.parametrize("how", ["truncated", "emptied", "deleted"])
@pytest.mark.parametrize("folder", ["builds", "dependence"])
def test_damaged_detail_part_is_solved_again(sweep_file, tmp_path, one_commit_per_scenario, caplog, folder, how):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    first = _run(path, out)
    first_details = _details(out)
    parts = sorted((out / folder).glob("part-*.parquet"))
    assert len(parts) >= 2
    victim = parts[-1]
    owners = set(first.loc[first["part"] == victim.stem, "scenario_id"])
    assert len(owners) == 1
    _truncate(victim, how)
    with caplog.at_level(logging.WARNING, logger="optimiser.sweep.store"):
        again = _run(path, out)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(victim) in warnings[0], warnings
    assert again.attrs["repairs"] == warnings
    _check_whole(out, first, first_details, again)
    resolved = again.loc[again["part"] != first["part"], "scenario_id"]
    assert set(resolved) == owners, "only the damaged commit's scenario is solved again"
    assert not victim.exists()


@pytest.mark.parametrize("how", ["truncated", "emptied"])
def test_damaged_runs_parquet_is_solved_again(sweep_file, tmp_path, caplog, how):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    first = _run(path, out)
    first_details = _details(out)
    _truncate(out / "runs.parquet", how)
    with caplog.at_level(logging.WARNING, logger="optimiser.sweep.store"):
        again = _run(path, out)
    assert any(str(out / "runs.parquet") in record.getMessage() for record in caplog.records
               if record.levelno == logging.WARNING)
    _check_whole(out, first, first_details, again)
    assert not set(again["part"]) & set(first["part"]), "every scenario was solved again"


@pytest.mark.parametrize("how", ["truncated", "emptied"])
def test_damaged_records_part_of_an_interrupted_sweep_is_solved_again(sweep_file, tmp_path, monkeypatch,
                                                                     one_commit_per_scenario, caplog, how):
    path = sweep_file(GRID)
    out = tmp_path / "out"

    def interrupted(self, ids):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(SweepStore, "consolidate", interrupted)
        with pytest.raises(KeyboardInterrupt):
            _run(path, out)
    records = sorted((out / "records").glob("part-*.parquet"))
    assert len(records) == 4 and not (out / "runs.parquet").exists()
    kept = {part.stem for part in records[:-1]}
    _truncate(records[-1], how)
    with caplog.at_level(logging.WARNING, logger="optimiser.sweep.store"):
        runs = _run(path, out)
    assert any(str(records[-1]) in record.getMessage() for record in caplog.records if record.levelno == logging.WARNING)
    assert len(runs) == 4 and runs["scenario_id"].is_unique and (runs["status"] == "optimal").all()
    assert len(set(runs["part"]) & kept) == 3, "the undamaged commits are reused"
    dependence = read_detail(out, "dependence")
    assert set(dependence["scenario_id"]) == set(runs["scenario_id"])
    assert not dependence.duplicated(["scenario_id", "year", "element", "stage"]).any()


def _as_earlier_version(out) -> None:
    """Make ``out`` look like a store written before checksums: no checksums.jsonl, no kind in sweep.json."""
    (out / CHECKSUMS).unlink()
    record = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    del record["kind"], record["result_format"]
    (out / "sweep.json").write_text(json.dumps(record), encoding="utf-8")


def test_store_without_checksums_resumes_and_reuses_whole_parts(sweep_file, tmp_path, caplog):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    first = _run(path, out)
    _as_earlier_version(out)
    with caplog.at_level(logging.INFO, logger="optimiser.sweep.store"):
        again = _run(path, out)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert any("no recorded checksum" in record.getMessage() for record in caplog.records)
    pd.testing.assert_frame_equal(first, again)
    assert (out / CHECKSUMS).read_text().count("\n") == 3, "checksums are recorded from then on"


def test_store_without_checksums_still_finds_a_truncated_part(sweep_file, tmp_path, one_commit_per_scenario, caplog):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    first = _run(path, out)
    first_details = _details(out)
    _as_earlier_version(out)
    victim = sorted((out / "builds").glob("part-*.parquet"))[0]
    _truncate(victim, "truncated")
    with caplog.at_level(logging.WARNING, logger="optimiser.sweep.store"):
        again = _run(path, out)
    (warning,) = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert str(victim) in warning and "does not read as parquet" in warning
    _check_whole(out, first, first_details, again)


def test_cli_prints_what_it_repaired(sweep_file, tmp_path, capsys):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    arguments = ["sweep", str(path), "--inputs", str(TINY), "--out", str(out), "--workers", "1", "--no-report"]
    assert main(arguments) == EXIT_OK
    victim = next((out / "dependence").glob("part-*.parquet"))
    _truncate(victim, "emptied")
    capsys.readouterr()
    assert main(arguments) == EXIT_OK
    captured = capsys.readouterr()
    assert f"repaired: {victim} is damaged" in captured.out
    assert "Traceback" not in captured.err


def test_reading_a_damaged_detail_part_names_it(sweep_file, tmp_path):
    out = tmp_path / "out"
    _run(sweep_file(GRID), out)
    victim = next((out / "dependence").glob("part-*.parquet"))
    _truncate(victim, "truncated")
    with pytest.raises(InputError) as caught:
        read_detail(out, "dependence")
    assert str(victim) in str(caught.value) and "rerun the sweep" in str(caught.value)
