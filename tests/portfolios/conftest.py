"""A two-project instance where each of two scenarios prefers a different project (worked in the tests)."""

from __future__ import annotations

import pytest

from optimiser import Scenario

from ..model.conftest import make_data, mine, plant


def two_plant_data():
    """Nd (weight 1) and Dy (weight 2); mines of 1,000 t Nd and 100 t Dy; demand for both as oxide.

    Candidate A separates Nd only (1,000 t), candidate B Dy only (100 t); each costs $100M, lead 1 year,
    and the budget buys one of them: started in 2025, it is online in 2026. Separators take whole
    concentrate (MODEL.md constraint 5), so the Nd and Dy come from two single-element mines (one mixed mine
    would let A leave a Dy by-product for a part-built B): each plant can use only its own mine, as when
    separators picked elements from one mixed mine, and every figure worked in the tests holds.
    """
    return make_data(
        elements={"Nd": (False, 1.0), "Dy": (True, 2.0)},
        projects=[
            mine("nd_mine", 1000.0),
            mine("dy_mine", 100.0),
            plant("A", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=1, earliest_start=2025),
            plant("B", "separation", 100.0, "Dy", status="candidate", capex_musd=100.0, lead_time_years=1, earliest_start=2025),
        ],
        grades={("nd_mine", 0): {"Nd": 1.0}, ("dy_mine", 0): {"Dy": 1.0}},
        demand={("Nd", "separation"): 1000.0, ("Dy", "separation"): 100.0},
        years=(2025, 2026),
    )


@pytest.fixture
def data():
    return two_plant_data()


@pytest.fixture
def dy_heavy():
    """Weights as in the data: Dy counts double, so B (the Dy separator) is worth more."""
    return Scenario(name="dy_heavy", budget_busd=0.1, yearly_cap_fraction=1.0)


@pytest.fixture
def dy_light():
    """Dy weighted 0.5: A (the Nd separator) is worth more."""
    return Scenario(name="dy_light", budget_busd=0.1, yearly_cap_fraction=1.0, element_weights={"Dy": 0.5})
