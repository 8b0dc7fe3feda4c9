"""``equipment_delay``: years added to the lead time of the builds at named stages or of named projects
(export controls on processing and magnet equipment, MOFCOM announcements 2025)."""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve
from optimiser.errors import InputError
from optimiser.model.parameters import build_structure

from .conftest import make_data, mine, plant


def _instance():
    """One Nd mine (1,000 t ore, all Nd, operating), 1,000 t/yr of separated-Nd demand over 2025-27, one
    candidate separator (lead 2 years, US$100M) and one candidate metal plant (lead 1) with no demand."""
    return make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=2,
                  earliest_start=2025),
            plant("met", "metal", 500.0, "Nd", status="candidate", capex_musd=50.0, lead_time_years=1),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2027),
    )


def test_the_delay_lengthens_the_lead_of_the_named_stages_only():
    structure = build_structure(_instance(), Scenario(equipment_delay={"years": 2, "stages": ["separation"]}))
    assert structure.projects["sep"].lead_time_years == 4
    assert structure.projects["met"].lead_time_years == 1
    assert structure.projects["mine"].lead_time_years == 0


def test_a_named_project_is_delayed_whatever_its_stage():
    structure = build_structure(_instance(), Scenario(equipment_delay={"years": 1, "projects": ["met"]}))
    assert structure.projects["met"].lead_time_years == 2
    assert structure.projects["sep"].lead_time_years == 2


@pytest.mark.parametrize(
    ("delay", "objective"),
    [(None, 200.0 / 3.0), ({"years": 1, "stages": ["metal"]}, 200.0 / 3.0),
     ({"years": 1, "stages": ["separation"]}, 100.0), ({"years": 1, "projects": ["sep"]}, 100.0)],
    ids=["none", "other_stage", "separation", "named_project"],
)
def test_a_delayed_separator_misses_the_horizon(delay, objective):
    """Undelayed: start 2025 + lead 2 → output 2027, dependence 1, 1, 0 → 100·2/3. A year's delay on the
    separator (by stage or by name) puts its output in 2028, after the horizon: no start is offered and
    dependence is 1 every year → 100. A delay on the metal stage leaves the separator alone."""
    result = solve(_instance(), Scenario(name="delay", budget_busd=1.0, equipment_delay=delay), baseline=False)
    assert result.objective == pytest.approx(objective, abs=1e-6)


def test_round_trip_through_toml(tmp_path):
    scenario = Scenario(name="eq", equipment_delay={"years": 2, "stages": ["magnet"], "projects": ["sep"]})
    path = tmp_path / "eq.toml"
    path.write_text(scenario.to_toml())
    assert Scenario.from_toml(path) == scenario


@pytest.mark.parametrize(
    ("delay", "column", "words"),
    [
        ({"years": 2, "stages": ["seperation"]}, "equipment_delay.stages[0]", "did you mean 'separation'"),
        ({"years": 21, "stages": ["magnet"]}, "equipment_delay.years", "out of range"),
        ({"years": 2}, "equipment_delay", "needs stages or projects"),
        ({"stages": ["magnet"]}, "equipment_delay.years", "missing"),
        ({"years": 2, "stages": ["magnet"], "plants": ["x"]}, "equipment_delay.plants", "unknown"),
    ],
)
def test_bad_equipment_delay_is_named(delay, column, words):
    with pytest.raises(InputError) as raised:
        Scenario(equipment_delay=delay)
    (issue,) = raised.value.issues
    assert issue.column == column and words in issue.message


def test_unknown_and_existing_projects_are_named_against_the_data():
    scenario = Scenario(equipment_delay={"years": 1, "projects": ["sepp", "mine"]})
    with pytest.raises(InputError) as raised:
        scenario.check_against(_instance())
    first, second = raised.value.issues
    assert first.column == "equipment_delay.projects[0]" and "did you mean 'sep'" in first.message
    assert second.column == "equipment_delay.projects[1]" and "not a build decision" in second.message
