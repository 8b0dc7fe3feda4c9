"""Separation takes whole concentrate by source (MODEL.md constraint 5): hand-worked instances.

All yields are 1 and only the separation stage is weighed, so the objective is the weighted mean of
separation dependence; requirement equals demand.
"""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve

from .conftest import make_data, mine, plant


def _flow(result, element, stage, column, year=2025):
    flows = result.flows
    row = flows[(flows["year"] == year) & (flows["element"] == element) & (flows["stage"] == stage)]
    return float(row[column].iloc[0])


SEPARATION_ONLY = {"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0}


def test_products_keep_the_ore_proportions_and_capacity_binds_on_content():
    """A 5,000 t mine of 60 % Nd, 20 % Pr, 20 % La (Nd:Pr 3:1), a 2,000 t separator of Nd and Pr only.

    Demand 3,000 t Nd and 1,000 t Pr; Pr weighs 3, Nd 1. The separator takes 2,000 t of concentrate (its
    capacity binds on the whole content, La included) and makes 1,200 t Nd and 400 t Pr (3:1); 400 t La
    leaves as by-product, unsold with the other 600 t La. dep(Nd) = 1,800 / 3,000 = 0.6, dep(Pr) =
    600 / 1,000 = 0.6: objective 100 · (1 · 0.6 + 3 · 0.6) / 4 = 60. Picking elements (the old rule) would
    have separated all 1,000 t Pr and 1,000 t Nd for an objective of 100 · (2/3) / 4 = 16.7.
    """
    data = make_data(
        elements={"La": (False, 1.0), "Pr": (False, 3.0), "Nd": (False, 1.0)},
        stage_weight=SEPARATION_ONLY,
        projects=[mine("mine", 5000.0), plant("sep", "separation", 2000.0, "Pr Nd")],
        grades={("mine", 0): {"Nd": 0.6, "Pr": 0.2, "La": 0.2}},
        demand={("Nd", "separation"): 3000.0, ("Pr", "separation"): 1000.0},
        years=(2025, 2025),
    )
    result = solve(data, Scenario(name="ratio", budget_busd=0.0), baseline=False)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(60.0, abs=1e-6)
    assert _flow(result, "Nd", "separation", "row_output") == pytest.approx(1200.0)
    assert _flow(result, "Pr", "separation", "row_output") == pytest.approx(400.0)
    assert _flow(result, "La", "separation", "row_output") == pytest.approx(0.0, abs=1e-6)
    assert _flow(result, "Nd", "mining", "surplus") == pytest.approx(1800.0)
    assert _flow(result, "Pr", "mining", "surplus") == pytest.approx(600.0)
    assert _flow(result, "La", "mining", "surplus") == pytest.approx(1000.0)


def test_a_light_separators_heavy_by_product_feeds_a_heavy_separator():
    """A 1,000 t mine of 50 % La, 30 % Nd, 20 % Dy; a light separator (La Nd, 1,000 t) and a Dy-only one (100 t).

    Demand 300 t Nd and 200 t Dy (weight 2). The light plant takes the whole 1,000 t: 500 t La, 300 t Nd,
    and 200 t of Dy by-product. The heavy plant's 100 t of capacity is best spent on that pure-Dy by-product
    (100 t Dy) rather than on raw ore (20 t Dy per 100 t): dep(Nd) = 0, dep(Dy) = 100 / 200 = 0.5,
    objective 100 · 2 · 0.5 / 3 = 33.3; the other 100 t Dy leaves ROW unsold.
    """
    data = make_data(
        elements={"La": (False, 1.0), "Nd": (False, 1.0), "Dy": (True, 2.0)},
        stage_weight=SEPARATION_ONLY,
        projects=[
            mine("mine", 1000.0),
            plant("light", "separation", 1000.0, "La Nd"),
            plant("heavy", "separation", 100.0, "Dy"),
        ],
        grades={("mine", 0): {"La": 0.5, "Nd": 0.3, "Dy": 0.2}},
        demand={("Nd", "separation"): 300.0, ("Dy", "separation"): 200.0},
        years=(2025, 2025),
    )
    result = solve(data, Scenario(name="byproduct", budget_busd=0.0), baseline=False)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(100.0 * 2 * 0.5 / 3, abs=1e-6)
    assert _flow(result, "Nd", "separation", "row_output") == pytest.approx(300.0)
    assert _flow(result, "Dy", "separation", "row_output") == pytest.approx(100.0)
    assert _flow(result, "Dy", "mining", "surplus") == pytest.approx(100.0)


def test_capacity_is_stated_in_separated_oxide():
    """Yield 0.9: a 900 t separator processes 1,000 t of content and makes 900 t of oxide.

    A 2,000 t all-Nd mine, 2,000 t of Nd demand: ROW makes 900 t, imports 1,100 t, dep = 0.55, objective 55.
    """
    data = make_data(
        elements={"Nd": (False, 1.0)},
        stage_yield={"mining": 1.0, "separation": 0.9, "metal": 1.0, "magnet": 1.0},
        stage_weight=SEPARATION_ONLY,
        projects=[mine("mine", 2000.0), plant("sep", "separation", 900.0, "Nd")],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 2000.0},
        years=(2025, 2025),
    )
    result = solve(data, Scenario(name="yield", budget_busd=0.0), baseline=False)
    assert result.objective == pytest.approx(55.0, abs=1e-6)
    assert _flow(result, "Nd", "separation", "row_output") == pytest.approx(900.0)
    assert _flow(result, "Nd", "mining", "surplus") == pytest.approx(1000.0)
