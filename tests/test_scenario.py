"""Scenario: defaults, validation (file, line, key of every issue), TOML round trip, overrides, data checks."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from optimiser.errors import InputError
from optimiser.inputs import load_inputs
from optimiser.scenario import RULES, ExportControl, Scenario

TINY = Path(__file__).resolve().parent / "data" / "tiny"


@pytest.fixture(scope="module")
def data():
    return load_inputs(TINY)


@pytest.fixture
def embargo() -> Scenario:
    return Scenario.from_toml(TINY / "scenarios" / "embargo.toml")


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def issues_of(path: Path) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path)
    return [(issue.file, issue.line, issue.column) for issue in raised.value.issues]


def only_issue(path: Path):
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path)
    (issue,) = raised.value.issues
    return issue


# Reading ---------------------------------------------------------------------------------------------------


def test_every_field_has_a_rule():
    settings = [f.name for f in dataclasses.fields(Scenario) if f.compare]
    assert settings == list(RULES)


def test_defaults():
    scenario = Scenario()
    assert (scenario.name, scenario.budget_busd, scenario.yearly_cap_fraction) == ("base", 15.5, 0.25)
    assert scenario.objective == "weighted" and scenario.unmet_weight == 10.0
    assert scenario.export_controls == () and dict(scenario.element_weights) == {}


def test_tiny_scenarios_read(embargo):
    base = Scenario.from_toml(TINY / "scenarios" / "base.toml")
    assert base.name == "base" and base.budget_busd == 0.5
    assert embargo.partner_countries == ("Australia", "ROW")
    assert embargo.element_weights == {"Dy": 3.0}
    assert embargo.export_controls == (ExportControl(("Dy",), 2027, 2030, 0.5),)


def test_name_defaults_to_file_stem(tmp_path):
    assert Scenario.from_toml(write(tmp_path, "budget_busd = 13\n", "low.toml")).name == "low"


def test_int_accepted_where_float_expected(tmp_path):
    scenario = Scenario.from_toml(write(tmp_path, "budget_busd = 13\n"))
    assert scenario.budget_busd == 13.0 and isinstance(scenario.budget_busd, float)


def test_unknown_key_with_hint(tmp_path):
    path = write(tmp_path, 'name = "x"\nbudget = 13.0\n')
    issue = only_issue(path)
    assert (issue.file, issue.line, issue.column) == (str(path), 2, "budget")
    assert "did you mean 'budget_busd'" in issue.message


def test_malformed_toml_gives_its_line(tmp_path):
    path = write(tmp_path, 'name = "x"\nbudget_busd = = 13\n')
    issue = only_issue(path)
    assert (issue.file, issue.line, issue.column) == (str(path), 2, None)
    assert "malformed TOML" in issue.message


def test_missing_file(tmp_path):
    assert issues_of(tmp_path / "absent.toml") == [(str(tmp_path / "absent.toml"), None, None)]


def test_wrong_type(tmp_path):
    path = write(tmp_path, 'name = "x"\n\nbudget_busd = "lots"\n')
    issue = only_issue(path)
    assert (issue.line, issue.column) == (3, "budget_busd")
    assert "expected a number" in issue.message


def test_bool_is_not_a_number(tmp_path):
    path = write(tmp_path, "unmet_weight = true\n")
    assert issues_of(path) == [(str(path), 1, "unmet_weight")]


def test_float_is_not_an_int(tmp_path):
    path = write(tmp_path, "lead_time_shift_years = 1.5\n")
    assert issues_of(path) == [(str(path), 1, "lead_time_shift_years")]


def test_out_of_range(tmp_path):
    path = write(tmp_path, "yearly_cap_fraction = 0\nbudget_busd = -1\n")
    assert issues_of(path) == [(str(path), 2, "budget_busd"), (str(path), 1, "yearly_cap_fraction")]


def test_unknown_objective(tmp_path):
    path = write(tmp_path, 'objective = "peek"\n')
    issue = only_issue(path)
    assert issue.column == "objective" and "did you mean 'peak'" in issue.message


def test_name_must_be_a_directory_name(tmp_path):
    path = write(tmp_path, 'name = "../elsewhere"\n')
    assert issues_of(path) == [(str(path), 1, "name")]


def test_unknown_key_in_export_controls_with_hint(tmp_path):
    path = write(
        tmp_path,
        '[[export_controls]]\nelements = ["Dy"]\nstart_year = 2026\nend_year = 2027\nfraction = 0.5\n\n'
        '[[export_controls]]\nelements = ["Dy"]\nstart_year = 2028\nend_year = 2029\nfractoin = 0.5\n',
    )
    issues = issues_of(path)
    assert issues == [
        (str(path), 11, "export_controls[1].fractoin"),
        (str(path), 7, "export_controls[1].fraction"),
    ]
    with pytest.raises(InputError) as raised:
        Scenario.from_toml(path)
    assert "did you mean 'fraction'" in raised.value.issues[0].message


def test_export_control_values_checked(tmp_path):
    path = write(
        tmp_path,
        '[[export_controls]]\nelements = []\nstart_year = 2028\nend_year = 2027\nfraction = 1.5\n',
    )
    assert issues_of(path) == [
        (str(path), 2, "export_controls[0].elements"),
        (str(path), 5, "export_controls[0].fraction"),
    ]


def test_export_control_years_in_order(tmp_path):
    path = write(tmp_path, '[[export_controls]]\nelements = ["Dy"]\nstart_year = 2028\nend_year = 2027\nfraction = 0\n')
    assert issues_of(path) == [(str(path), 4, "export_controls[0].end_year")]


def test_unknown_stage_weight(tmp_path):
    path = write(tmp_path, "[stage_weights]\nmining = 1\nrefining = 2\n")
    assert issues_of(path) == [(str(path), 3, "stage_weights.refining")]


def test_negative_element_weight(tmp_path):
    path = write(tmp_path, "element_weights = { Dy = -1 }\n")
    assert issues_of(path) == [(str(path), 1, "element_weights.Dy")]


def test_horizon_in_order(tmp_path):
    path = write(tmp_path, "horizon_start = 2030\nhorizon_end = 2028\n")
    assert issues_of(path) == [(str(path), 2, "horizon_end")]


def test_direct_construction_is_validated():
    with pytest.raises(InputError) as raised:
        Scenario(budget_busd=-1.0, stage_weights={"refining": 1.0})
    assert [issue.column for issue in raised.value.issues] == ["budget_busd", "stage_weights.refining"]
    with pytest.raises(InputError):
        ExportControl(("Dy",), 2028, 2027, 0.5)
    assert ExportControl(["Dy"], 2027, 2028, 1).elements == ("Dy",)  # type: ignore[arg-type]


def test_from_dict_reports_every_issue_with_its_source():
    with pytest.raises(InputError) as raised:
        Scenario.from_dict({"budget_busd": -1, "colour": "red", "integer_builds": "yes"}, source="cli")
    assert [(i.file, i.column) for i in raised.value.issues] == [
        ("cli", "colour"),
        ("cli", "budget_busd"),
        ("cli", "integer_builds"),
    ]


# Frozen, round trip, overrides -----------------------------------------------------------------------------


def test_frozen(embargo):
    with pytest.raises(dataclasses.FrozenInstanceError):
        embargo.budget_busd = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        embargo.element_weights["Dy"] = 1.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        embargo.export_controls[0].fraction = 0.0  # type: ignore[misc]


def test_hashable_and_picklable(embargo):
    assert pickle.loads(pickle.dumps(embargo)) == embargo
    assert len({embargo, pickle.loads(pickle.dumps(embargo))}) == 1


def test_toml_round_trip(tmp_path, embargo):
    for scenario in (Scenario(), embargo, _everything_set()):
        path = write(tmp_path, scenario.to_toml(), "round.toml")
        assert Scenario.from_toml(path) == scenario


def test_to_dict_is_plain_and_omits_none(embargo):
    settings = embargo.to_dict()
    assert "horizon_start" not in settings and "time_limit_seconds" not in settings
    assert settings["export_controls"] == [{"elements": ["Dy"], "start_year": 2027, "end_year": 2030, "fraction": 0.5}]
    assert settings["element_weights"] == {"Dy": 3.0} and type(settings["element_weights"]) is dict
    assert Scenario.from_dict(settings) == embargo


def test_with_overrides(embargo):
    changed = embargo.with_overrides(budget_busd=2, horizon_end=2029)
    assert (changed.budget_busd, changed.horizon_end) == (2.0, 2029)
    assert changed.export_controls == embargo.export_controls
    assert embargo.budget_busd == 0.5


def test_overrides_validated_and_named(embargo):
    with pytest.raises(InputError) as raised:
        embargo.with_overrides(budget_bsud=2)
    (issue,) = raised.value.issues
    assert (issue.file, issue.column) == ("<overrides>", "budget_bsud") and "budget_busd" in issue.message
    with pytest.raises(InputError) as raised:
        embargo.with_overrides(capex_multiplier=0)
    assert [(i.file, i.column) for i in raised.value.issues] == [("<overrides>", "capex_multiplier")]


# Against the data ------------------------------------------------------------------------------------------


def test_tiny_scenarios_fit_the_tiny_data(data, embargo):
    embargo.check_against(data)
    Scenario.from_toml(TINY / "scenarios" / "base.toml").check_against(data)
    assert embargo.horizon(data) == (2025, 2030)
    assert embargo.with_overrides(horizon_start=2026).horizon(data) == (2026, 2030)


def check_issues(scenario: Scenario, data) -> list[tuple[str, str | None]]:
    with pytest.raises(InputError) as raised:
        scenario.check_against(data)
    return [(issue.file, issue.column) for issue in raised.value.issues]


def test_export_control_year_outside_horizon(tmp_path, data):
    path = write(tmp_path, '[[export_controls]]\nelements = ["Dy"]\nstart_year = 2027\nend_year = 2035\nfraction = 0\n')
    assert check_issues(Scenario.from_toml(path), data) == [(str(path), "export_controls[0].end_year")]


def test_unknown_element_in_export_controls(tmp_path, data):
    """A name that is no rare earth ("Fe") is an error; a rare earth the data lacks (Tb in the tiny set) is
    skipped with a warning since issue 12 (tests/test_export_control_elements.py)."""
    text = '[[export_controls]]\nelements = ["Dy", "Tb", "Fe"]\nstart_year = 2027\nend_year = 2028\nfraction = 0\n'
    path = write(tmp_path, text)
    assert check_issues(Scenario.from_toml(path), data) == [(str(path), "export_controls[0].elements")]


def test_unknown_element_weight_and_partner(data):
    scenario = Scenario.from_dict({"element_weights": {"Tb": 2}, "partner_countries": ["Australia", "Japan"]}, "s")
    assert check_issues(scenario, data) == [("s", "element_weights.Tb"), ("s", "partner_countries")]


def test_horizon_outside_the_data(data, embargo):
    assert check_issues(embargo.with_overrides(horizon_end=2031), data) == [("<overrides>", "horizon_end")]
    assert check_issues(embargo.with_overrides(horizon_start=2024), data) == [("<overrides>", "horizon_start")]


def test_horizon_shorter_than_an_export_control(data, embargo):
    narrowed = embargo.with_overrides(horizon_end=2029)
    assert check_issues(narrowed, data) == [(str(TINY / "scenarios" / "embargo.toml"), "export_controls[0].end_year")]


def _everything_set() -> Scenario:
    return Scenario(
        name="all.set",
        description='quotes " and \\ and\nnewline',
        budget_busd=13,
        yearly_cap_fraction=1,
        horizon_start=2026,
        horizon_end=2029,
        lead_time_shift_years=-1,
        capex_multiplier=1.3,
        demand_multiplier=0.8,
        demand_growth_shift=-0.02,
        row_demand_share=0.35,
        objective="final_year",
        unmet_weight=5,
        discount_rate=0.07,
        partner_countries=("Australia",),
        integer_builds=True,
        tie_break=False,
        tie_break_tolerance=1e-9,
        time_limit_seconds=60,
        element_weights={"Dy": 2.5, "Nd": 0},
        stage_weights={"magnet": 3},
        export_controls=(ExportControl(("Dy", "Nd"), 2027, 2028, 0.25), ExportControl(("La",), 2029, 2029, 0)),
    )
