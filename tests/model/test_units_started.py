"""The cumulative unit count of integer builds (``constraints/units_started.py``), on an instance worked by hand.

One Nd mine (3,000 t ore, all Nd), 3,000 t/yr of separated-Nd demand over 2025-2027, and a generic
separation module of 1,000 t/yr at $100M, lead 1 (capex drawn in its start year), at most 3 units. Only
separation is weighed, so the objective is 100/3 · Σ_t (1 − avail[t] / 3): a unit started in 2025 produces
in 2026 and 2027, one started in 2026 in 2027 only; a 2027 start would produce after the horizon and is not
offered. Budget $0.3B with a yearly cap of 50 % ($0.15B a year):

* continuous: 1.5 units in 2025 and 1.5 in 2026 ($0.3B): 100/3 · (1 + 0.5 + 0) = 50;
* whole units: one a year ($0.2B; a second in either year breaks the $0.15B cap): 100/3 · (1 + 2/3 + 1/3)
  = 200/3, with ``units_started`` 1 by 2025 and 2 by 2026.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from optimiser import Scenario, solve
from optimiser.model import build_model

from .conftest import make_data, mine, plant


def _data():
    return make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 3000.0),
            plant(
                "gen", "separation", 1000.0, "Nd", status="generic", capex_musd=100.0, lead_time_years=1,
                max_units=3, earliest_start=2025,
            ),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 3000.0},
        years=(2025, 2027),
    )


def _scenario(integer: bool) -> Scenario:
    return Scenario(name="units", budget_busd=0.3, yearly_cap_fraction=0.5, integer_builds=integer)


def _units(result) -> dict[int, float]:
    return {int(row.start_year): float(row.share) for row in result.builds.itertuples(index=False)}


def test_whole_units_are_counted_by_start_year():
    data = _data()
    model, _ = build_model(data, _scenario(integer=True))
    assert list(model.UNITS_STARTED) == [("gen", 2025), ("gen", 2026), ("gen", 2027)]
    assert all(var.is_integer() and var.ub == 3 for var in model.units_started.values())

    result = solve(data, _scenario(integer=True), baseline=False)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(200.0 / 3.0, abs=1e-6)
    assert _units(result) == {2025: 1.0, 2026: 1.0}

    Highs().solve(model)
    assert pyo.value(model.primary) == pytest.approx(200.0 / 3.0, abs=1e-6)
    started = {tau: round(model.units_started["gen", tau].value) for _, tau in model.UNITS_STARTED}
    assert started == {2025: 1, 2026: 2, 2027: 2}


def test_the_count_leaves_the_relaxation_alone():
    """The integer model relaxed has the continuous optimum: the count is a sum of builds, nothing more."""
    data = _data()
    continuous = solve(data, _scenario(integer=False), baseline=False)
    assert continuous.objective == pytest.approx(50.0, abs=1e-6)
    assert _units(continuous) == pytest.approx({2025: 1.5, 2026: 1.5})

    model, _ = build_model(data, _scenario(integer=True))
    for var in model.component_data_objects(pyo.Var):
        if var.is_integer():
            var.domain = pyo.NonNegativeReals
    Highs().solve(model)
    assert pyo.value(model.primary) == pytest.approx(continuous.objective, abs=1e-6)


def test_continuous_models_and_single_units_have_no_count():
    data = _data()
    model, _ = build_model(data, _scenario(integer=False))
    assert model.component("units_started") is None and model.component("units_started_count") is None
    single = make_data(
        elements={"Nd": (False, 1.0)},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=1),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
    )
    model, _ = build_model(single, _scenario(integer=True))
    assert model.component("units_started") is None
