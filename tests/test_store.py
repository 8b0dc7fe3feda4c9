"""Result directories are replaced whole or not at all."""

from __future__ import annotations

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
    with pytest.raises(OSError):
        store.write_result(_result(2.0), target)
    assert pd.read_csv(target / "flows.csv")["value"].tolist() == [1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]


def test_tiny_values_are_written_as_zero(tmp_path: Path):
    path = tmp_path / "x.csv"
    store.write_csv(pd.DataFrame({"a": [1e-12, -3e-11, 0.5]}), path)
    assert path.read_text() == "a\n0\n0\n0.5\n"
