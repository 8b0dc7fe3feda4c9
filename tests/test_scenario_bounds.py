"""Every numeric scenario setting is bounded to the range the model is built for, and a scenario file without
a ``name`` key is named after its file, never silently ``base``.

Out-of-range values are refused when the file is read (exit 2, naming the file, the line, the key and the
allowed range); values at the ends of each range solve on the tiny data; nothing non-finite reaches
``summary.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import optimiser
from optimiser.cli import main
from optimiser.errors import InputError
from optimiser.store import finite_only
from optimiser.scenario import RULES, Scenario

TINY = Path(__file__).resolve().parent / "data" / "tiny"

OUT_OF_RANGE = [
    ("budget_busd", "1e308"),
    ("budget_busd", "1e20"),
    ("budget_busd", "-1"),
    ("yearly_cap_fraction", "1e-300"),
    ("yearly_cap_fraction", "1.5"),
    ("horizon_start", "1"),
    ("horizon_end", "10000"),
    ("lead_time_shift_years", "1000000"),
    ("lead_time_shift_years", "-1000000"),
    ("capex_multiplier", "0"),
    ("capex_multiplier", "1e300"),
    ("demand_multiplier", "0"),
    ("demand_multiplier", "1e300"),
    ("demand_growth_shift", "-1"),
    ("demand_growth_shift", "100"),
    ("row_demand_share", "1e-300"),
    ("unmet_weight", "1e-300"),
    ("unmet_weight", "1e300"),
    ("discount_rate", "1e6"),
    ("discount_rate", "-1"),
    ("tie_break_tolerance", "1e300"),
    ("tie_break_tolerance", "0"),
    ("time_limit_seconds", "0"),
    ("time_limit_seconds", "-5"),
    ("time_limit_seconds", "1e300"),
]


@pytest.mark.parametrize(("key", "value"), OUT_OF_RANGE, ids=[f"{k}={v}" for k, v in OUT_OF_RANGE])
def test_out_of_range_setting_is_refused_with_file_line_key_and_range(tmp_path, key, value):
    path = tmp_path / "extreme.toml"
    path.write_text(f'name = "extreme"\ndescription = "x"\n{key} = {value}\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path)
    (issue,) = raised.value.issues
    assert (issue.file, issue.line, issue.column) == (str(path), 3, key)
    assert "out of range: allowed" in issue.message
    rule = RULES[key]
    assert f"{rule.maximum:g}" in issue.message


@pytest.mark.parametrize(
    ("table", "value"),
    [("element_weights", "Nd = 1e300"), ("stage_weights", "magnet = 1e300"), ("stage_weights", "magnet = -1")],
)
def test_out_of_range_weight_is_refused(tmp_path, table, value):
    path = tmp_path / "weights.toml"
    path.write_text(f'name = "weights"\n\n[{table}]\n{value}\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path)
    (issue,) = raised.value.issues
    assert issue.line == 4 and issue.column == f"{table}.{value.split()[0]}"
    assert "from 0 to 1000" in issue.message


@pytest.mark.parametrize(
    ("field", "value"), [("start_year", "1"), ("end_year", "10000"), ("fraction", "1.5"), ("fraction", "-0.1")]
)
def test_out_of_range_export_control_is_refused(tmp_path, field, value):
    control = {"start_year": "2027", "end_year": "2028", "fraction": "0.5", field: value}
    path = tmp_path / "cap.toml"
    path.write_text(
        'name = "cap"\n\n[[export_controls]]\nelements = ["Dy"]\n'
        + "".join(f"{key} = {text}\n" for key, text in control.items()),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path)
    columns = {issue.column for issue in raised.value.issues}
    assert f"export_controls[0].{field}" in columns
    assert all("out of range: allowed" in issue.message or "before" in issue.message for issue in raised.value.issues)


def test_the_cli_refuses_an_extreme_budget_with_exit_2(tmp_path, capsys):
    path = tmp_path / "rich.toml"
    path.write_text('name = "rich"\nbudget_busd = 1e308\n', encoding="utf-8")
    out = tmp_path / "rich"
    assert main(["run", "--inputs", str(TINY), "--scenario", str(path), "--out", str(out), "--no-report"]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and "line 2" in error and "budget_busd" in error and "from 0 to 1000" in error
    assert "Traceback" not in error
    assert not out.exists()


def test_the_cli_refuses_an_extreme_time_limit_override_with_exit_2(tmp_path, capsys):
    out = tmp_path / "base"
    status = main(["run", "--inputs", str(TINY), "--scenario", str(TINY / "scenarios" / "base.toml"),
                   "--time-limit", "1e300", "--out", str(out), "--no-report"])
    assert status == 2
    assert "time_limit_seconds" in capsys.readouterr().err


EDGES = [
    {"budget_busd": 1000.0},
    {"yearly_cap_fraction": 0.01},
    {"lead_time_shift_years": -10},
    {"lead_time_shift_years": 20},
    {"capex_multiplier": 0.01, "demand_multiplier": 100.0, "demand_growth_shift": 0.25, "budget_busd": 1000.0},
    {"capex_multiplier": 100.0, "demand_multiplier": 0.01, "demand_growth_shift": -0.25, "discount_rate": 0.5},
    {"unmet_weight": 0.1, "row_demand_share": 0.01},
    {"unmet_weight": 1000.0, "tie_break_tolerance": 0.01},
    {"element_weights": {"Nd": 1000.0}, "stage_weights": {"magnet": 1000.0, "mining": 0.0}},
    {"horizon_start": 2030, "integer_builds": True},
]


@pytest.mark.parametrize("changes", EDGES, ids=[",".join(change) for change in EDGES])
def test_values_at_the_ends_of_the_ranges_solve(changes):
    data = optimiser.load_inputs(TINY)
    scenario = Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(**changes)
    result = optimiser.solve(data, scenario)
    assert result.status == "optimal", result.message
    json.dumps(result.summary, allow_nan=False)


def test_nothing_non_finite_reaches_the_summary():
    warnings: list[str] = []
    cleaned = finite_only({"a": 1.0, "b": {"c": math.inf, "d": [1.0, math.nan]}, "e": "text"}, warnings)
    assert cleaned == {"a": 1.0, "b": {"c": None, "d": [1.0, None]}, "e": "text"}
    assert len(warnings) == 2 and "b.c" in warnings[0] and "b.d[1]" in warnings[1]
    json.dumps(cleaned, allow_nan=False)


# Names -----------------------------------------------------------------------------------------------------


def _run(scenario: Path, out: Path) -> int:
    return main(["run", "--inputs", str(TINY), "--scenario", str(scenario), "--out", str(out), "--no-report"])


def test_a_file_without_a_name_is_named_after_the_file_not_base(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "My Low Budget!.toml"
    scenario.write_text("budget_busd = 0.2\n", encoding="utf-8")
    assert main(["run", "--inputs", str(TINY), "--scenario", str(scenario), "--no-report"]) == 0
    assert "scenario 'my_low_budget'" in capsys.readouterr().out
    assert (tmp_path / "results" / "my_low_budget" / "summary.json").exists()
    assert not (tmp_path / "results" / "base").exists()
    summary = json.loads((tmp_path / "results" / "my_low_budget" / "summary.json").read_text())
    assert summary["scenario"]["name"] == "my_low_budget"


def test_a_file_name_with_nothing_valid_in_it_is_refused(tmp_path, capsys):
    scenario = tmp_path / "§§ ++.toml"
    scenario.write_text("budget_busd = 0.2\n", encoding="utf-8")
    assert _run(scenario, tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert str(scenario) in error and "'name'" in error
    assert not (tmp_path / "out").exists()


def test_a_valid_stem_is_kept_as_it_is(tmp_path):
    path = tmp_path / "Low-2.toml"
    path.write_text("budget_busd = 0.2\n", encoding="utf-8")
    assert Scenario.from_toml(path).name == "Low-2"


def test_data_checks_give_the_line_of_the_key(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text('name = "late"\nbudget_busd = 0.2\nhorizon_end = 2100\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path).check_against(optimiser.load_inputs(TINY))
    (issue,) = raised.value.issues
    assert (issue.file, issue.line, issue.column) == (str(path), 3, "horizon_end")


def test_all_weights_zero_is_refused(tmp_path):
    path = tmp_path / "blind.toml"
    path.write_text('name = "blind"\n\n[stage_weights]\nmining = 0\nseparation = 0\nmetal = 0\nmagnet = 0\n')
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path).check_against(optimiser.load_inputs(TINY))
    (issue,) = raised.value.issues
    assert issue.column == "stage_weights" and issue.line == 3 and "weight 0" in issue.message
