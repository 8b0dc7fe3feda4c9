"""Partner bloc and supplier risk (issue 13): supply from outside the bloc counts in dependence at its
country's risk weight; scenarios move countries in and out of the bloc."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from optimiser import Scenario, solve
from optimiser.errors import InputError

from .conftest import make_data, mine, plant


def _instance(farland_weight: float = 0.4):
    """One Nd mine in Testland (bloc): 900 t ore, all Nd. One operating separator in Farland (outside the
    bloc, risk weight 0.4), 1,000 t/yr, yield 1 (the fixture's). 1,000 t/yr of separated-Nd demand in
    2025-27; only separation weighs in the objective; no budget."""
    data = make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 900.0),
            plant("sep", "separation", 1000.0, "Nd", country="Farland"),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
    )
    data.countries = pd.DataFrame({
        "country": ["Testland", "Farland"], "partner": [True, False], "risk_weight": [math.nan, farland_weight],
        "source": ["test", "test"], "line": [2, 3],
    })
    return data


def _objective(data, **settings) -> float:
    result = solve(data, Scenario(name="risk", budget_busd=0.0, **settings), baseline=False)
    assert result.status == "optimal"
    assert result.invariant_violations == []
    return result


def test_supply_from_outside_the_bloc_counts_at_its_risk_weight():
    """Farland separates the mine's 900 t at weight 0.4 and China supplies the other 100 t
    at weight 1: dependence (100 + 0.4 x 900) / 1,000 = 0.46 in each year, so the objective is 46 points.
    Before issue 13 Farland's plant was dropped from the model and the objective was 100."""
    result = _objective(_instance())
    assert result.objective == pytest.approx(46.0, abs=1e-6)
    dependence = result.dependence.set_index(["year", "element", "stage"])
    assert dependence.loc[(2026, "Nd", "separation"), "dependence"] == pytest.approx(0.46)


def test_supply_by_country_splits_the_dependence():
    """supply_by_country.csv: Farland 900 t (share 0.9, weighted 0.36), China 100 t (0.1, weighted 0.1):
    the weighted shares sum to the stage's dependence, 0.46."""
    result = _objective(_instance())
    table = result.tables.supply_by_country
    row = table[(table["year"] == 2025) & (table["stage"] == "separation")].set_index("country")
    assert row.loc["Farland", "supply_t"] == pytest.approx(900.0)
    assert row.loc["Farland", "weighted_share"] == pytest.approx(0.36)
    assert not row.loc["Farland", "in_bloc"]
    assert row.loc["China", "supply_t"] == pytest.approx(100.0)
    assert row["weighted_share"].sum() == pytest.approx(0.46)


def test_adding_the_country_to_the_bloc_makes_its_supply_safe():
    """With Farland in the bloc only China's 100 t count: 10 points."""
    assert _objective(_instance(), bloc_add=("Farland",)).objective == pytest.approx(10.0, abs=1e-6)


def test_the_scenario_risk_weight_overrides_the_data():
    """Weight 0.9 from the scenario: (100 + 0.9 x 900) / 1,000 = 0.91 -> 91 points."""
    assert _objective(_instance(), risk_weights={"Farland": 0.9}).objective == pytest.approx(91.0, abs=1e-6)


def test_removing_the_home_country_weighs_its_supply():
    """Testland leaves the bloc (no weight in the data: counted as China, 1): its mine still supplies ore,
    but at mining, which weighs nothing here; separation is still Farland's 900 t at 0.4 plus China's 100 t."""
    data = _instance()
    result = _objective(data, bloc_remove=("Testland",))
    assert result.objective == pytest.approx(46.0, abs=1e-6)
    table = result.tables.supply_by_country
    mining = table[(table["year"] == 2025) & (table["stage"] == "mining")].set_index("country")
    assert mining.loc["Testland", "risk_weight"] == 1.0 and not mining.loc["Testland", "in_bloc"]


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"bloc_add": ("Narnia",)}, "bloc_add"),
        ({"bloc_remove": ("Farlnd",)}, "bloc_remove"),
        ({"risk_weights": {"Narnia": 0.5}}, "risk_weights.Narnia"),
        ({"bloc_add": ("Farland",), "bloc_remove": ("Farland",)}, "bloc_remove"),
    ],
)
def test_unknown_or_contradicting_countries_are_refused(settings, key):
    with pytest.raises(InputError) as raised:
        Scenario(**settings).check_against(_instance())
    assert [issue.column for issue in raised.value.issues] == [key]


@pytest.mark.parametrize("weight", [-0.1, 1.5])
def test_a_risk_weight_outside_0_to_1_is_refused(weight):
    with pytest.raises(InputError):
        Scenario(risk_weights={"Farland": weight})
