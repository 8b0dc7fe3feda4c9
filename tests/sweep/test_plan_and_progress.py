"""Scenario ids, ordering (neighbours close), chains, and progress reporting."""

from __future__ import annotations

import sys

import numpy as np

from optimiser.cli import main
from optimiser.sweep import load_spec
from optimiser.sweep.plan import build_tasks, chains, ordered_groups, scenario_id
from optimiser.sweep.progress import Progress, resolve_mode

from .conftest import TINY


def test_ids_hash_parameters_not_names(sweep_file, tiny_data):
    spec = load_spec(sweep_file("[grid]\nbudget_busd = [0.1, 0.2]"))
    tasks, _ = build_tasks(spec, tiny_data)
    renamed = tasks[0].scenario.with_overrides(name="other", description="other")
    assert scenario_id(renamed, tiny_data.inputs_sha256) == tasks[0].id
    assert scenario_id(renamed, "other inputs") != tasks[0].id
    assert tasks[0].id != tasks[1].id and len(tasks[0].id) == 16


def test_equal_points_are_solved_once(sweep_file, tiny_data):
    spec = load_spec(sweep_file("[one_at_a_time]\nlead_time_shift_years = { low = 0, high = 2 }\n"
                                "budget_busd = { low = 0.3, high = 0.8 }"))
    tasks, sample_ids = build_tasks(spec, tiny_data)
    assert len(sample_ids) == 5 and len(tasks) == 4, "lead-time low 0 is the base scenario"
    assert sample_ids[0] == sample_ids[1]


def test_grid_order_steps_one_parameter_one_level_at_a_time(sweep_file, tiny_data):
    spec = load_spec(sweep_file("[grid]\nlead_time_shift_years = [0, 1, 2]\ncapex_multiplier = [1.0, 1.5]\n"
                                "budget_busd = { start = 0.1, stop = 1.0, step = 0.1 }"))
    tasks, _ = build_tasks(spec, tiny_data)
    (group,) = ordered_groups(spec, tasks)
    levels = {name: sorted(set(values)) for name, values in spec.grid.items()}
    steps = []
    for before, after in zip(group, group[1:]):
        moved = [(name, abs(levels[name].index(after.values[name]) - levels[name].index(before.values[name])))
                 for name in levels if after.values[name] != before.values[name]]
        assert len(moved) == 1 and moved[0][1] == 1, (before.values, after.values)
        steps.append(moved[0][0])
    assert steps.count("budget_busd") == len(group) - 6, "the parameter with the most values varies fastest"


def test_sampled_points_are_chained_nearest_first_and_cut_per_worker(sweep_file, tiny_data):
    spec = load_spec(sweep_file("[monte_carlo]\nsamples = 60\nseed = 1\n[monte_carlo.parameters]\n"
                                "budget_busd = { distribution = 'uniform', low = 0.0, high = 1.0 }\n"
                                "capex_multiplier = { distribution = 'uniform', low = 1.0, high = 2.0 }"))
    tasks, _ = build_tasks(spec, tiny_data)
    (group,) = ordered_groups(spec, tasks)

    def path_length(order) -> float:
        points = np.array([[t.values["budget_busd"], t.values["capex_multiplier"] - 1.0] for t in order])
        return float(np.sqrt((np.diff(points, axis=0) ** 2).sum(axis=1)).sum())

    assert path_length(group) < 0.5 * path_length(tasks)
    pieces = chains(spec, tasks, 3)
    assert len(pieces) == 3 and [t.id for chain in pieces for t in chain] == [t.id for t in group]


def test_progress_bar_and_log_lines(capsys, caplog, monkeypatch):
    bar = Progress(10, 2, "demo", "bar")
    bar.update(3)
    bar.close()
    assert "5/10" in capsys.readouterr().err
    with caplog.at_level("INFO", logger="optimiser.sweep.progress"):
        lines = Progress(4, 0, "demo", "log")
        lines.update(4, not_optimal=1)
    assert any("demo: 4/4 scenarios (100%)" in message and "1 not optimal" in message and "ETA" in message
               for message in caplog.messages)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert resolve_mode(False) == "none" and resolve_mode(None) == "log" and resolve_mode(True) == "log"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert resolve_mode(None) == "bar"


def test_cli_quiet_prints_nothing(sweep_file, tmp_path, capsys):
    path = sweep_file("[grid]\nbudget_busd = [0.2, 0.4]")
    assert main(["sweep", str(path), "--inputs", str(TINY), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "progress" not in captured.err
    assert main(["sweep", str(path), "--inputs", str(TINY), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "sweep 'tiny' (grid): 2 scenarios, 2 optimal" in out and "results written to" in out
