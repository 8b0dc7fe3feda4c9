"""The default data carry all sixteen rare earths with mined supply (issue 12): Eu, Ho, Er, Tm and Yb have
elements, grades, demand and China's output; Pm (no mined supply) has none; `restricted` stays the April 2025
list, so the October 2025 list is capped through its scenario, not skipped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
OCTOBER_2025 = ["Eu", "Ho", "Er", "Tm", "Yb"]
APRIL_2025 = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]


@pytest.fixture(scope="module")
def data():
    return load_inputs(INPUTS)


def test_sixteen_elements_and_no_promethium(data):
    elements = set(data.elements["element"])
    assert len(elements) == 16
    assert set(OCTOBER_2025) <= elements
    assert "Pm" not in elements


def test_restricted_means_the_april_2025_list(data):
    elements = data.elements.set_index("element")
    assert sorted(elements.index[elements["restricted"].astype(bool)]) == sorted(APRIL_2025)
    for element in OCTOBER_2025:
        assert elements.loc[element, "weight"] == 2
        assert "No. 70" in elements.loc[element, "source"]


def test_the_five_have_row_demand_china_output_and_mined_grades(data):
    demand = data.demand[(data.demand["year"] == 2025) & (data.demand["case"] == data.default_demand_case)]
    demand = demand.groupby("element")["demand_t"].sum()
    china_2025 = data.china_production[data.china_production["year"] == 2025]
    china = china_2025.set_index(["stage", "element"])["production_t"]
    grades = data.grades[data.grades["element"].isin(OCTOBER_2025)]
    for element in OCTOBER_2025:
        assert demand[element] > 0, element
        assert china[("separation", element)] > 0, element
        assert (grades["element"] == element).sum() >= 10, element
    assert grades["source"].str.startswith("ASSUMPTION (deposit type").all()


def test_china_separation_per_element_sums_to_its_total(data):
    """With every mined rare earth modelled, the per-element rows add up to the ALL row (rounding to 0.1 t)."""
    production = data.china_production
    separation = production[(production["stage"] == "separation") & (production["year"] == 2025)].set_index("element")
    per_element = separation.drop(index="ALL")["production_t"].sum()
    assert per_element == pytest.approx(separation.loc["ALL", "production_t"], abs=1.0)


def test_the_october_2025_scenario_caps_every_element_it_names(data, caplog):
    scenario = Scenario.from_toml(INPUTS / "scenarios" / "october_2025_controls.toml")
    with caplog.at_level(logging.WARNING, logger="optimiser.scenario"):
        scenario.check_against(data)
    assert "skipped" not in caplog.text
