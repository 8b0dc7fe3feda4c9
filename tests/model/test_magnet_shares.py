"""The scenario's Dy and Tb shares of magnet rare-earth content (issue 12): the named element takes the share,
the recipe's other elements keep their proportions, every recipe still sums to 1."""

from __future__ import annotations

import pytest

from optimiser import Scenario, solve
from optimiser.errors import InputError
from optimiser.model.parameters import magnet_recipe

from .conftest import make_data

RECIPE = {("NdFeB", "Nd"): 0.70, ("NdFeB", "Pr"): 0.20, ("NdFeB", "Dy"): 0.08, ("NdFeB", "Tb"): 0.02, ("SmCo", "Sm"): 1.0}


def _data():
    elements = {e: (e in ("Dy", "Tb", "Sm"), 1.0) for e in ("Nd", "Pr", "Dy", "Tb", "Sm")}
    return make_data(elements=elements, recipes=RECIPE, projects=[], grades={}, magnet_demand={"NdFeB": 100.0})


def test_no_share_set_keeps_the_recipe():
    assert magnet_recipe(_data(), Scenario()) == pytest.approx(RECIPE)


def test_dy_share_rescales_the_other_elements_by_hand():
    """Dy 0.08 → 0.18: the other three (Nd 0.70, Pr 0.20, Tb 0.02; 0.92 together) share 0.82, each ×0.82/0.92."""
    recipe = magnet_recipe(_data(), Scenario(magnet_dy_share=0.18))
    assert recipe["NdFeB", "Dy"] == pytest.approx(0.18)
    assert recipe["NdFeB", "Nd"] == pytest.approx(0.70 * 0.82 / 0.92)
    assert recipe["NdFeB", "Pr"] == pytest.approx(0.20 * 0.82 / 0.92)
    assert recipe["NdFeB", "Tb"] == pytest.approx(0.02 * 0.82 / 0.92)
    assert recipe["SmCo", "Sm"] == 1.0
    assert sum(v for (m, _), v in recipe.items() if m == "NdFeB") == pytest.approx(1.0)


def test_both_shares_fix_dy_and_tb_and_ndpr_takes_the_rest():
    """Dy 0.05 and Tb 0.0: Nd and Pr (0.90 together) share 0.95 at 7:2."""
    recipe = magnet_recipe(_data(), Scenario(magnet_dy_share=0.05, magnet_tb_share=0.0))
    assert (recipe["NdFeB", "Dy"], recipe["NdFeB", "Tb"]) == (0.05, 0.0)
    assert recipe["NdFeB", "Nd"] == pytest.approx(0.95 * 7 / 9)
    assert recipe["NdFeB", "Pr"] == pytest.approx(0.95 * 2 / 9)


def test_the_magnet_requirement_follows_the_share():
    """With no ROW capacity, all 100 t of NdFeB content is imported: Dy's magnet-stage requirement is 100 t
    × its share, 8 t from the recipe and 18 t at magnet_dy_share = 0.18 (flows.csv china_imports)."""
    for share, expected in ((None, 8.0), (0.18, 18.0)):
        result = solve(_data(), Scenario(name="dy", budget_busd=0.0, magnet_dy_share=share), baseline=False)
        assert result.status == "optimal"
        flows = result.flows.set_index(["year", "element", "stage"])
        assert flows.loc[(2025, "Dy", "magnet"), "china_imports"] == pytest.approx(expected)


def test_a_share_for_an_element_no_recipe_has_is_refused():
    data = make_data(elements={"Sm": (True, 1.0)}, recipes={("SmCo", "Sm"): 1.0}, projects=[], grades={})
    with pytest.raises(InputError) as raised:
        Scenario(magnet_dy_share=0.1).check_against(data)
    assert raised.value.issues[0].column == "magnet_dy_share"


@pytest.mark.parametrize("value", [-0.1, 0.6, "a lot"])
def test_shares_outside_0_to_half_are_refused(value):
    with pytest.raises(InputError):
        Scenario(magnet_tb_share=value)
