"""The sweep file: its kinds, its errors (file and key, never a traceback) and seeded sampling."""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.cli import main
from optimiser.errors import EXIT_BAD_INPUT, InputError
from optimiser.sweep import load_spec
from optimiser.sweep.plan import build_tasks, scenario_for
from optimiser.sweep.samplers import points, unit_samples

from .conftest import SHIPPED


def _issues(path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_spec(path)
    return [str(issue) for issue in caught.value.issues]


def test_grid_range_and_lists(sweep_file):
    spec = load_spec(sweep_file("[grid]\nbudget_busd = { start = 0.0, stop = 25.0, step = 0.5 }\nlead_time_shift_years = [0, 1, 2]"))
    assert spec.kind == "grid" and spec.name == "tiny"
    assert len(spec.grid["budget_busd"]) == 51 and spec.grid["budget_busd"][3] == 1.5
    assert len(points(spec)) == 153


@pytest.mark.parametrize(
    "body, key, words",
    [
        ("[grid]\nbudgt_busd = [1.0]", "grid.budgt_busd", "did you mean 'budget_busd'"),
        ("nmae = 'x'\n[grid]\nbudget_busd = [1.0]", "nmae", "unknown key"),
        ("[grid]\nbudget_busd = [1.0, -2.0]", "grid.budget_busd[1]", "-2.0"),
        ("[grid]\nbudget_busd = [1.0, 1.0]", "grid.budget_busd[1]", "listed twice"),
        ("[grid]\nbudget_busd = [1.0]\n[morris.parameters]\nbudget_busd = { low = 1, high = 2 }", "morris", "exactly one"),
        ("[monte_carlo]\nseed = 1\n[monte_carlo.parameters]\ncapex_multiplier = { distribution = 'uniform', low = 1, high = 2 }",
         "monte_carlo.samples", "missing"),
        ("[monte_carlo]\nsamples = 5\n[monte_carlo.parameters]\ncapex_multiplier = { distribution = 'gaussian', mean = 1 }",
         "monte_carlo.parameters.capex_multiplier.distribution", "one of uniform"),
        ("[latin_hypercube]\nsamples = 5\n[latin_hypercube.parameters]\ncapex_multiplier = { distribution = 'normal', mean = 1, sd = 1 }",
         "latin_hypercube.parameters.capex_multiplier.sd", "unknown key"),
        ("[monte_carlo]\nsamples = 5\n[monte_carlo.parameters]\nobjective = { distribution = 'uniform', low = 1, high = 2 }",
         "monte_carlo.parameters.objective", "not a number"),
        ("[one_at_a_time]\ncapex_multiplier = { low = 2.0, high = 1.0 }", "one_at_a_time.capex_multiplier", "below high"),
        ("[grid]\nexport_control.fraction = [0.5]", "grid.export_control.fraction", "needs an [export_control] table"),
        ("[morris]\nlevels = 4\n[morris.parameters]\nlead_time_shift_years = { low = 0, high = 2 }",
         "morris.parameters.lead_time_shift_years", "multiple of levels - 1"),
    ],
)
def test_bad_sweep_files_name_file_and_key(sweep_file, body, key, words):
    path = sweep_file(body)
    issues = _issues(path)
    assert any(str(path) in issue and f"key '{key}'" in issue and words in issue for issue in issues), issues


def test_issues_carry_the_line(sweep_file):
    path = sweep_file("[grid]\nbudget_busd = [1.0]\nlead_time = [1]")
    (issue,) = _issues(path)
    assert "line 8" in issue and "lead_time_shift_years" in issue


def test_cli_bad_sweep_file_exits_2_naming_the_key(sweep_file, capsys):
    path = sweep_file("[grid]\nbudget_busd = [1.0]\nbudget_bsd = [2.0]")
    assert main(["sweep", str(path), "--inputs", "tests/data/tiny"]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "key 'grid.budget_bsd'" in captured.err and str(path) in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_points_that_make_invalid_scenarios_name_the_parameter(sweep_file, tiny_data):
    path = sweep_file("[export_control]\nelements = ['Dy']\nfraction = 0.5\nduration_years = 3\n"
                      "[grid]\nexport_control.start_year = [2026, 2029]")
    with pytest.raises(InputError) as caught:
        build_tasks(load_spec(path), tiny_data)
    (issue,) = caught.value.issues
    assert "grid.export_control.start_year" in str(issue) and "2031 is outside the horizon" in str(issue)


@pytest.mark.parametrize("kind", ["monte_carlo", "latin_hypercube"])
def test_same_seed_same_samples_different_seed_different(sweep_file, kind):
    def spec(seed: int):
        return load_spec(sweep_file(
            f"[{kind}]\nsamples = 40\nseed = {seed}\n[{kind}.parameters]\n"
            "capex_multiplier = { distribution = 'lognormal', median = 1.1, sigma = 0.2, min = 0.8, max = 1.6 }\n"
            "lead_time_shift_years = { distribution = 'triangular', low = -1.0, mode = 1.0, high = 3.0 }\n"
            "demand_growth_shift = { distribution = 'normal', mean = 0.0, std = 0.01 }\n"
            "budget_busd = { distribution = 'discrete', values = [0.3, 0.6], probabilities = [1, 3] }\n"
            "yearly_cap_fraction = { distribution = 'uniform', low = 0.2, high = 0.5 }", name=f"s{seed}"))

    first, again, other = points(spec(1)), points(spec(1)), points(spec(2))
    assert [p.values for p in first] == [p.values for p in again]
    assert [p.values for p in first] != [p.values for p in other]
    capex = np.array([p.values["capex_multiplier"] for p in first])
    assert capex.min() >= 0.8 and capex.max() <= 1.6
    assert all(isinstance(p.values["lead_time_shift_years"], int) for p in first)
    assert {p.values["lead_time_shift_years"] for p in first} <= {-1, 0, 1, 2, 3}
    assert {p.values["budget_busd"] for p in first} == {0.3, 0.6}


def test_latin_hypercube_fills_every_stratum(sweep_file):
    spec = load_spec(sweep_file("[latin_hypercube]\nsamples = 25\nseed = 3\n[latin_hypercube.parameters]\n"
                                "capex_multiplier = { distribution = 'uniform', low = 1.0, high = 2.0 }\n"
                                "demand_multiplier = { distribution = 'uniform', low = 0.5, high = 1.5 }"))
    u = unit_samples(spec)
    for column in u.T:
        assert sorted((column * 25).astype(int)) == list(range(25))


def test_morris_samples_follow_the_seed(sweep_file):
    def body(seed: int) -> str:
        return (f"[morris]\ntrajectories = 4\nlevels = 4\nseed = {seed}\n[morris.parameters]\n"
                "budget_busd = { low = 0.2, high = 0.8 }\nlead_time_shift_years = { low = 0, high = 3 }")

    first = points(load_spec(sweep_file(body(5), name="a")))
    assert [p.values for p in first] == [p.values for p in points(load_spec(sweep_file(body(5), name="b")))]
    assert [p.values for p in first] != [p.values for p in points(load_spec(sweep_file(body(6), name="c")))]
    assert len(first) == 4 * 3 and {p.values["lead_time_shift_years"] for p in first} <= {0, 1, 2, 3}


def test_export_control_fields_build_one_control(sweep_file):
    spec = load_spec(sweep_file("[export_control]\nelements = ['Dy']\nstart_year = 2027\nduration_years = 2\n"
                                "[grid]\nexport_control.fraction = [0.0, 0.5]"))
    scenario = scenario_for(spec, {"export_control.fraction": 0.5}, "x")
    (control,) = scenario.export_controls
    assert (control.elements, control.start_year, control.end_year, control.fraction) == (("Dy",), 2027, 2028, 0.5)


def test_shipped_sweeps_parse_with_their_promised_sizes():
    sizes = {path.stem: len(points(load_spec(path))) for path in SHIPPED.glob("*.toml")}
    assert sizes["budget_frontier"] == 153
    assert sizes["monte_carlo"] >= 500
    assert {"tornado", "embargo_stress"} <= set(sizes)
    frontier = load_spec(SHIPPED / "budget_frontier.toml")
    assert frontier.grid["budget_busd"][0] == 0.0 and frontier.grid["budget_busd"][-1] == 25.0
    assert frontier.grid["lead_time_shift_years"] == (0, 1, 2)


@pytest.mark.parametrize(
    "base, content, words",
    [
        ("missing.toml", None, "does not exist"),
        ("tiny.toml", None, "this sweep file itself"),
        ("bad_base.toml", 'budget_busd = "lots"\n', "is not a valid scenario"),
        (".", None, "is a directory"),
    ],
)
@pytest.mark.parametrize("kind_table", ["[grid]\nbudget_busd = [0.1]", "[one_at_a_time]\nbudget_busd = { low = 0.1, high = 0.2 }"])
def test_unusable_base_scenario_exits_2_naming_the_sweep_key_and_the_base_file(tmp_path, capsys, base, content, words,
                                                                               kind_table):
    if content is not None:
        (tmp_path / base).write_text(content, encoding="utf-8")
    path = tmp_path / "tiny.toml"
    path.write_text(f'name = "tiny"\n[base]\nscenario = "{base}"\n{kind_table}\n', encoding="utf-8")
    assert main(["sweep", str(path), "--inputs", "tests/data/tiny", "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    first = captured.err.splitlines()[0]
    assert str(path) in first and "line 3" in first and "key 'base.scenario'" in first and words in first
    assert str((tmp_path / base)) in first or str((tmp_path / base).resolve()) in first
    if content is not None:
        assert f"{tmp_path / base}, line 1, key 'budget_busd'" in captured.err
    assert not (tmp_path / "out").exists()
