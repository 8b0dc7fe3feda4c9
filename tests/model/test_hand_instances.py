"""Tiny instances whose optimum is worked out by hand (the working is in each docstring).

All yields are 1 unless stated, so φ = 1 and requirement equals demand at and upstream of a stage.
"""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve
from optimiser.scenario import ExportControl

from .conftest import make_data, mine, plant


def _flow(result, year, element, stage, column):
    flows = result.flows
    row = flows[(flows["year"] == year) & (flows["element"] == element) & (flows["stage"] == stage)]
    assert len(row) == 1
    return float(row[column].iloc[0])


def _separation_instance(lead_time_years: int, years: tuple[int, int], capex_musd: float = 100.0):
    """One Nd mine (1,000 t ore, all Nd), 1,000 t/yr of separated-Nd demand, one candidate separator."""
    return make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 1000.0),
            plant(
                "sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=capex_musd,
                lead_time_years=lead_time_years, earliest_start=years[0],
            ),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=years,
    )


def test_binding_lead_time():
    """Start 2025 + lead 2 → online 2027: dependence 1, 1, 0 over 2025-27, objective 100·2/3.

    Capex $100M is drawn over min(lead, 3) = 2 years, $50M a year, within the 25 % cap of $1B. Before the
    plant, the mine's ore has no ROW separator and is sold out of the bloc (mining surplus).
    """
    data = _separation_instance(lead_time_years=2, years=(2025, 2027))
    result = solve(data, Scenario(name="lead", budget_busd=1.0), baseline=False)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(200.0 / 3.0, abs=1e-6)
    builds = result.builds
    assert list(builds["project"]) == ["sep"]
    assert builds.iloc[0][["start_year", "online_year"]].tolist() == [2025, 2027]
    assert builds.iloc[0]["share"] == pytest.approx(1.0)
    assert builds.iloc[0]["capex_musd"] == pytest.approx(100.0)
    assert result.budget_used_musd == pytest.approx(100.0)
    assert result.budget_dual == pytest.approx(0.0, abs=1e-9)
    for year in (2025, 2026):
        assert _flow(result, year, "Nd", "separation", "china_imports") == pytest.approx(1000.0)
        assert _flow(result, year, "Nd", "separation", "row_output") == pytest.approx(0.0, abs=1e-3)
        assert _flow(result, year, "Nd", "mining", "surplus") == pytest.approx(1000.0)
    assert _flow(result, 2027, "Nd", "separation", "row_output") == pytest.approx(1000.0)
    assert _flow(result, 2027, "Nd", "separation", "china_imports") == pytest.approx(0.0, abs=1e-3)
    assert _flow(result, 2027, "Nd", "mining", "surplus") == pytest.approx(0.0, abs=1e-3)


def test_lead_time_past_horizon_offers_no_start():
    """Lead 3 from 2025 would give output in 2028, after the horizon: no start offered, dependence 100 %."""
    data = _separation_instance(lead_time_years=3, years=(2025, 2027))
    result = solve(data, Scenario(name="late", budget_busd=1.0), baseline=False)
    assert result.objective == pytest.approx(100.0, abs=1e-6)
    assert result.builds.empty


def test_lead_time_shift_is_the_same_as_a_longer_lead():
    """The scenario's +1 year shift on a lead of 2 behaves as a lead of 3."""
    data = _separation_instance(lead_time_years=2, years=(2025, 2027))
    result = solve(data, Scenario(name="shift", budget_busd=1.0, lead_time_shift_years=1), baseline=False)
    assert result.objective == pytest.approx(100.0, abs=1e-6)


def test_binding_budget_builds_a_fraction():
    """Budget $50M against a $100M plant (lead 1, 2025-26): half a plant online in 2026.

    Dependence 1 in 2025 and 0.5 in 2026: objective 100·1.5/2 = 75. Each further $0.1B buys the other half
    plant's 50 points, so the budget dual is 500 points per $1B.
    """
    data = _separation_instance(lead_time_years=1, years=(2025, 2026))
    result = solve(data, Scenario(name="budget", budget_busd=0.05, yearly_cap_fraction=1.0), baseline=False)
    assert result.objective == pytest.approx(75.0, abs=1e-6)
    assert result.builds.iloc[0]["share"] == pytest.approx(0.5)
    assert result.builds.iloc[0]["capex_musd"] == pytest.approx(50.0)
    assert result.budget_used_musd == pytest.approx(50.0)
    assert result.budget_dual == pytest.approx(500.0, rel=1e-6)
    assert _flow(result, 2026, "Nd", "separation", "row_output") == pytest.approx(500.0)


def test_yearly_cap_moves_spending_and_enters_the_dual():
    """Budget $0.2B with the default 25 % cap ($50M a year) and a $100M plant (lead 1, capex in one year).

    Only half the plant fits under one year's cap: objective 75 as above, budget used $50M. Raising B by 1
    raises the cap by 0.25 and buys 2.5 more plants' worth at the margin: the dual is 0.25 · 500 = 125.
    """
    data = _separation_instance(lead_time_years=1, years=(2025, 2026))
    result = solve(data, Scenario(name="cap", budget_busd=0.2), baseline=False)
    assert result.objective == pytest.approx(75.0, abs=1e-6)
    assert result.budget_used_musd == pytest.approx(50.0)
    assert result.budget_dual == pytest.approx(125.0, rel=1e-6)


def test_integer_builds_cannot_buy_half_a_plant():
    """The same $50M in a MILP buys nothing; the budget dual comes from re-solves at B ± $1B.

    At B − 1 < 0 the re-solve uses B = 0 (objective 100); at B + 1 = $1.05B the whole plant is built
    (objective 50): (100 − 50) / 1.05 points per $1B.
    """
    data = _separation_instance(lead_time_years=1, years=(2025, 2026))
    result = solve(
        data, Scenario(name="milp", budget_busd=0.05, yearly_cap_fraction=1.0, integer_builds=True), baseline=False
    )
    assert result.objective == pytest.approx(100.0, abs=1e-6)
    assert result.builds.empty
    assert result.summary["budget_dual_method"] == "finite_difference"
    assert result.budget_dual == pytest.approx(50.0 / 1.05, rel=1e-6)


def test_ore_coupling_forces_surplus():
    """A 4,000 t mine at 20 % Nd and 80 % La; 1,000 t of Nd oxide demand; a separator that takes Nd only.

    The mine yields 800 t Nd and 3,200 t La nobody can separate: La is sold out of the bloc (mining surplus),
    and 200 t Nd is imported. dep(separation) = 0.2, dep(mining) = 0.84 · 0.2 = 0.168; two cells of weight
    1: objective 100 · (0.2 + 0.168) / 2 = 18.4.
    """
    data = make_data(
        elements={"Nd": (False, 1.0), "La": (False, 1.0)},
        projects=[mine("mine", 4000.0), plant("sep", "separation", 10000.0, "Nd")],
        grades={("mine", 0): {"Nd": 0.2, "La": 0.8}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2025),
    )
    result = solve(data, Scenario(name="ore", budget_busd=0.0), baseline=False)
    assert result.objective == pytest.approx(18.4, abs=1e-6)
    assert _flow(result, 2025, "La", "mining", "row_output") == pytest.approx(3200.0)
    assert _flow(result, 2025, "La", "mining", "surplus") == pytest.approx(3200.0)
    assert _flow(result, 2025, "Nd", "separation", "row_output") == pytest.approx(800.0)
    assert _flow(result, 2025, "Nd", "separation", "china_imports") == pytest.approx(200.0)
    dependence = result.dependence.set_index(["element", "stage"])
    assert dependence.loc[("Nd", "separation"), "dependence"] == pytest.approx(0.2)
    assert dependence.loc[("Nd", "mining"), "dependence"] == pytest.approx(0.168)


def _magnet_instance():
    """NdFeB = 90 % Nd + 10 % Dy, 1,000 t demand; ROW mines and separates 900 t Nd, makes metal and magnets."""
    return make_data(
        elements={"Nd": (False, 1.0), "Dy": (True, 2.0)},
        recipes={("NdFeB", "Nd"): 0.9, ("NdFeB", "Dy"): 0.1},
        projects=[
            mine("mine", 900.0),
            plant("sep", "separation", 10000.0, "Nd"),
            plant("met", "metal", 10000.0, "Nd Dy"),
            plant("mag", "magnet", 10000.0, "NdFeB"),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        magnet_demand={"NdFeB": 1000.0},
        years=(2025, 2025),
    )


def test_recipe_imports_dy_as_oxide():
    """The 100 t of Dy is best imported as separated oxide: dep(Dy) = 0.84 at mining, 1 at separation, 0 after.

    Weights: Nd 1, Dy 2 over four stages, Σw = 12; objective 100 · 2 · (0.84 + 1) / 12 = 30.667.
    """
    result = solve(_magnet_instance(), Scenario(name="magnets", budget_busd=0.0), baseline=False)
    assert result.objective == pytest.approx(100 * 2 * 1.84 / 12, abs=1e-6)
    assert _flow(result, 2025, "Dy", "separation", "china_imports") == pytest.approx(100.0)
    assert _flow(result, 2025, "Nd", "magnet", "row_output") == pytest.approx(900.0)
    assert _flow(result, 2025, "Dy", "magnet", "row_output") == pytest.approx(100.0)


def test_zero_export_cap_on_a_recipe_element_stops_magnets():
    """A zero cap on Dy bars Dy oxide, metal and NdFeB imports: no magnet can be made or bought.

    All 1,000 t of magnets go unmet: unmet = 1 for Nd (w 1) and Dy (w 2) at the magnet stage, dependence 0
    everywhere: objective 100 · K · 3 / 12 = 250 with K = 10.
    """
    scenario = Scenario(
        name="embargo",
        budget_busd=0.0,
        export_controls=(ExportControl(elements=("Dy",), start_year=2025, end_year=2025, fraction=0.0),),
    )
    result = solve(_magnet_instance(), scenario, baseline=False)
    assert result.objective == pytest.approx(250.0, abs=1e-6)
    assert _flow(result, 2025, "Dy", "magnet", "shortfall") == pytest.approx(100.0)
    assert _flow(result, 2025, "Nd", "magnet", "shortfall") == pytest.approx(900.0)
    assert result.flows["china_imports"].sum() == pytest.approx(0.0, abs=1e-3)
    magnet = result.dependence.set_index(["element", "stage"]).loc[("restricted", "magnet")]
    assert magnet["unmet"] == pytest.approx(1.0)
