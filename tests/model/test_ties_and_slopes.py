"""The lexicographic tie rule (the weighted objective over every cell after a named one) and the budget dual
where the LP dual is degenerate, on instances worked out by hand and on both solve back ends."""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve
from optimiser.scenario import ExportControl
from optimiser.solve import SLOPE_STEP_BUSD, Deadline

from ..test_solve import _data as _one_plant_data
from ..test_solve_sequence import _both_back_ends
from .conftest import make_data, mine, plant


def _restricted_and_free():
    """Nd (restricted) separated by an operating plant; La (not restricted) only by a candidate plant.

    Both mines, both plants 1,000 t; 1,000 t/yr of separated demand each, 2025-2026; China exports no La
    (export control at 0). Under ``restricted`` Nd scores 0 whatever happens to La, so the capex tie-break
    alone keeps the $100M La plant unbuilt and La 100 % unmet; La costs nothing in the named objective.
    """
    data = make_data(
        elements={"Nd": (True, 1.0), "La": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("nd_mine", 1000.0),
            mine("la_mine", 1000.0),
            plant("nd_sep", "separation", 1000.0, "Nd"),
            plant("la_sep", "separation", 1000.0, "La", status="candidate", capex_musd=100.0, lead_time_years=0,
                  earliest_start=2025),
        ],
        grades={("nd_mine", 0): {"Nd": 1.0}, ("la_mine", 0): {"La": 1.0}},
        demand={("Nd", "separation"): 1000.0, ("La", "separation"): 1000.0},
        years=(2025, 2026),
    )
    scenario = Scenario(
        name="restricted", objective="restricted", budget_busd=1.0, yearly_cap_fraction=1.0,
        export_controls=(ExportControl(elements=("La",), start_year=2025, end_year=2026, fraction=0.0),),
    )
    return data, scenario


def _unmet(result, element: str, year: int) -> float:
    dependence = result.dependence
    row = dependence[(dependence["element"] == element) & (dependence["year"] == year)
                     & (dependence["stage"] == "separation")]
    return float(row["unmet"].iloc[0])


def test_under_restricted_a_free_cell_is_supplied_when_the_plan_allows():
    """With the named optimum (0) held, the weighted objective over every cell builds the La plant in 2025:
    La is supplied in both years at $100M, the cheapest plan that does so."""
    data, scenario = _restricted_and_free()
    result = solve(data, scenario, baseline=False)
    assert result.objective == pytest.approx(0.0, abs=1e-6)
    assert _unmet(result, "La", 2025) == pytest.approx(0.0, abs=1e-6)
    assert _unmet(result, "La", 2026) == pytest.approx(0.0, abs=1e-6)
    assert result.budget_used_musd == pytest.approx(100.0)
    assert result.summary["secondary_objective"] == pytest.approx(0.0, abs=1e-6)


def test_both_back_ends_break_ties_alike_under_restricted():
    data, scenario = _restricted_and_free()
    pyomo_outcome, compiled_outcome = _both_back_ends(data, scenario, lambda: Deadline(None))
    assert pyomo_outcome.secondary_objective == pytest.approx(0.0, abs=1e-6)
    assert compiled_outcome.secondary_objective == pytest.approx(0.0, abs=1e-6)
    assert compiled_outcome.tie_break_capex_busd == pytest.approx(pyomo_outcome.tie_break_capex_busd, abs=1e-9)
    assert pyomo_outcome.tie_break_capex_busd == pytest.approx(0.1)


def test_at_zero_budget_under_a_yearly_cap_the_right_hand_slope_replaces_the_lp_dual():
    """One $100M separator (lead 1) buys 460 points of the objective (92 → 46) when whole. At B = 0 with a
    50 % yearly cap both budget rows bind: HiGHS's dual puts it all on the total row (460), but a further
    $δ lets only δ/2 be spent in the build year, so the next dollar buys 230 points per $1B."""
    scenario = Scenario(budget_busd=0.0, yearly_cap_fraction=0.5)
    for outcome in _both_back_ends(_one_plant_data(), scenario, lambda: Deadline(None)):
        assert outcome.budget_dual_method == "right_slope"
        assert outcome.budget_dual == pytest.approx(230.0, rel=1e-6)
        assert outcome.budget_dual_right == pytest.approx(230.0, rel=1e-6)
        assert outcome.budget_dual_lp == pytest.approx(460.0, rel=1e-6)
        assert outcome.budget_dual_left is None


@pytest.mark.parametrize(("budget", "method", "dual"), [(0.05, "lp_dual", 230.0), (0.2, "right_slope", 0.0)])
def test_the_lp_dual_is_kept_where_it_is_both_slopes_and_dropped_at_a_kink(budget, method, dual):
    """Inside the fraction-built range both slopes are 230 and the LP dual is unique; at $0.2B the plant is
    whole (left 230, right 0)."""
    result = solve(_one_plant_data(), Scenario(budget_busd=budget, yearly_cap_fraction=0.5), baseline=False)
    assert result.summary["budget_dual_method"] == method
    assert result.budget_dual == pytest.approx(dual, abs=1e-6)
    assert result.summary["budget_dual_left"] == pytest.approx(230.0, rel=1e-6)
    assert result.summary["budget_dual_step_busd"] == SLOPE_STEP_BUSD
