"""The results store: a sweep killed with SIGKILL and rerun ends with every scenario exactly once, reruns
skip finished scenarios, failures are recorded and retried, and a torn commit is cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest

from optimiser.cli import main
from optimiser.errors import EXIT_NOT_OPTIMAL, InputError
from optimiser.sweep import read_detail, sweep
from optimiser.sweep import resolve as resolve_module
from optimiser.sweep.store import SweepStore

from .conftest import ROOT, TINY

BIG_GRID = "[grid]\nbudget_busd = { start = 0.0, stop = 1.19, step = 0.01 }\nlead_time_shift_years = [0, 1, 2]\n" \
           "capex_multiplier = [1.0, 1.3]"
"""720 tiny scenarios: a few seconds, long enough to be killed part-way."""


def _command(path, out, *extra) -> list[str]:
    return [sys.executable, "-m", "optimiser", "sweep", str(path), "--inputs", str(TINY), "--out", str(out), *extra]


def _assert_each_scenario_once(out, expected: int) -> pd.DataFrame:
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == expected and runs["scenario_id"].is_unique
    assert (runs["status"] == "optimal").all()
    csv = pd.read_csv(out / "runs.csv")
    assert len(csv) == expected and csv["scenario_id"].is_unique
    dependence = read_detail(out, "dependence")
    assert set(dependence["scenario_id"]) == set(runs["scenario_id"])
    assert not dependence.duplicated(["scenario_id", "year", "element", "stage"]).any()
    builds = read_detail(out, "builds")
    assert set(builds["scenario_id"]) <= set(runs["scenario_id"])
    assert not builds.duplicated(["scenario_id", "project", "start_year"]).any()
    for folder in ("records", "builds", "dependence"):
        for part in (out / folder).glob("*.parquet"):
            pq.read_metadata(part)
    return runs


@pytest.mark.slow
def test_sigkill_part_way_then_rerun_gives_every_scenario_once(sweep_file, tmp_path):
    path = sweep_file(BIG_GRID)
    out = tmp_path / "out"
    process = subprocess.Popen(
        _command(path, out, "--workers", "2", "--quiet"), cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while not list((out / "records").glob("part-*.parquet")):
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no results committed in time"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    committed = pd.concat(pd.read_parquet(part) for part in (out / "records").glob("part-*.parquet"))
    assert 0 < committed["scenario_id"].nunique() < 720

    rerun = subprocess.run(_command(path, out, "--workers", "1"), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "INFO optimiser.sweep.progress: tiny: 720/720 scenarios (100%)" in rerun.stderr
    assert f"{committed['scenario_id'].nunique()} already done" in rerun.stderr
    runs = _assert_each_scenario_once(out, 720)
    kept = runs.set_index("scenario_id").loc[committed["scenario_id"].unique(), "part"]
    assert set(kept) <= set(committed["part"]), "finished scenarios were not solved again"
    assert not list((out / "records").glob("*.parquet")), "consolidation folded every record part in"


def test_rerun_skips_finished_and_cleans_a_torn_commit(sweep_file, tmp_path):
    path = sweep_file("[grid]\nbudget_busd = [0.1, 0.2, 0.3]")
    out = tmp_path / "out"
    first = sweep(path, inputs=TINY, out=out, workers=1, progress=False)
    (out / "builds" / "part-99999999999999999999-1-000001.parquet").write_bytes(b"half a commit")
    (out / "records" / ".part-x.parquet.tmp-1").write_bytes(b"torn")
    (out / ".runs.parquet.tmp-1").write_bytes(b"torn")
    again = sweep(path, inputs=TINY, out=out, workers=1, progress=False)
    pd.testing.assert_frame_equal(first, again)
    assert not (out / "builds" / "part-99999999999999999999-1-000001.parquet").exists()
    assert not list(out.rglob(".*.tmp-*"))
    _assert_each_scenario_once(out, 3)


def test_failed_scenarios_are_recorded_and_retried(sweep_file, tmp_path, monkeypatch):
    path = sweep_file("[grid]\nbudget_busd = [0.1, 0.2, 0.3, 0.4]")
    out = tmp_path / "out"
    solve = resolve_module.Resolver.solve

    def fail_at_0_2(self, scenario):
        if scenario.budget_busd == 0.2:
            raise RuntimeError("injected failure")
        return solve(self, scenario)

    monkeypatch.setattr(resolve_module.Resolver, "solve", fail_at_0_2)
    runs = sweep(path, inputs=TINY, out=out, workers=1, progress=False)
    failed = runs[runs["status"] == "failed"]
    assert list(failed["budget_busd"]) == [0.2] and "RuntimeError: injected failure" in failed["error"].iloc[0]
    assert (runs.loc[runs["budget_busd"] != 0.2, "status"] == "optimal").all()

    again = sweep(path, inputs=TINY, out=out, workers=1, progress=False)
    assert list(again["status"]) == list(runs["status"]), "failed scenarios are skipped without --retry-failed"

    monkeypatch.setattr(resolve_module.Resolver, "solve", solve)
    retried = sweep(path, inputs=TINY, out=out, workers=1, progress=False, retry_failed=True)
    assert (retried["status"] == "optimal").all() and retried["scenario_id"].is_unique and len(retried) == 4
    assert list(retried["finished_at"][retried["budget_busd"] != 0.2]) == list(runs["finished_at"][runs["budget_busd"] != 0.2])


def test_non_optimal_scenarios_exit_3_and_are_written(sweep_file, tmp_path):
    path = sweep_file("[grid]\nbudget_busd = [0.3]\ntime_limit_seconds = [1e-9, 60.0]")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--inputs", str(TINY), "--out", str(out), "--workers", "1", "--quiet"]) == EXIT_NOT_OPTIMAL
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["status"]) == ["optimal", "time_limit"]


def test_one_directory_one_writer(sweep_file, tmp_path):
    store = SweepStore(tmp_path / "out")
    with store.lock():
        with pytest.raises(InputError, match="another sweep is writing"):
            sweep(sweep_file("[grid]\nbudget_busd = [0.1]"), inputs=TINY, out=tmp_path / "out", workers=1, progress=False)
