"""Substitution and thrifting (issue 13): tiny instances worked out by hand, validation, and the default data.

All yields are 1, so φ = 1 and the requirement of a stage equals the demand at and below it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from optimiser import Scenario, solve
from optimiser.errors import InputError
from optimiser.inputs.load import load_inputs

from .conftest import _table, make_data, plant

REPO = Path(__file__).resolve().parents[2]


def _option(option: str, target: str, *, element: str | None = None, max_share: float = 1.0,
            cost: float = 100_000.0, cap: float = 300.0, ramp: float = 1000.0, first_year: int = 2025) -> dict:
    row = {"option": option, "name": option, "target": target, "magnet_type": "NdFeB", "max_share": max_share,
           "cost_usd_per_tpa": cost, "cap_t": cap, "ramp_t_per_year": ramp, "first_year": first_year}
    if element is not None:
        row["element"] = element
    return row


def _with_options(data, *rows: dict):
    return dataclasses.replace(data, substitution=_table("substitution", list(rows)))


def _imported_magnets(*rows: dict):
    """1,000 t/yr of Nd-only NdFeB magnets, all imported (ROW makes none); only the magnet stage is weighed."""
    data = make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 0.0, "metal": 0.0, "magnet": 1.0},
        projects=[],
        magnet_demand={"NdFeB": 1000.0},
    )
    return _with_options(data, *rows)


def test_a_substitute_cheaper_than_any_build_is_bought_to_its_cap():
    """Substitute magnets at US$100,000 per t/yr, cap 300 t/yr, reached in its first year (ramp 1,000).

    Without ROW magnet plants every magnet is imported: dependence at the magnet stage is imports / 1,000.
    Buying the cap in 2025 costs 300 × US$0.1M = US$30M (well inside the budget and its yearly cap) and
    avoids 300 t of imports every year: dependence 0.7 in each of the three years, objective 70 (100 without).
    Half the demand (max_share 0.5) would allow 500 t; the cap binds first.
    """
    data = _imported_magnets(_option("sub", "magnet", max_share=0.5))
    result = solve(data, Scenario(name="sub", budget_busd=1.0, substitution=True), baseline=False)
    assert result.status == "optimal" and result.invariant_violations == []
    assert result.objective == pytest.approx(70.0, abs=1e-6)
    summary = result.summary["substitution"]
    option = summary["options"]["sub"]
    assert option["avoided_t"] == {"2025": pytest.approx(300.0), "2026": pytest.approx(300.0),
                                   "2027": pytest.approx(300.0)}
    assert option["spend_musd"] == pytest.approx(30.0)
    assert result.budget_used_musd == pytest.approx(30.0)

    off = solve(data, Scenario(name="off", budget_busd=1.0), baseline=False)
    assert off.objective == pytest.approx(100.0, abs=1e-6)
    assert off.summary["substitution"] is None


def test_a_binding_budget_buys_what_it_can():
    """The same option with a budget of US$20M and no yearly cap (fraction 1): 20 / 0.1 = 200 t/yr bought in
    2025 and used every year, dependence 0.8, objective 80."""
    data = _imported_magnets(_option("sub", "magnet", max_share=0.5))
    result = solve(data, Scenario(name="tight", budget_busd=0.02, yearly_cap_fraction=1.0, substitution=True),
                   baseline=False)
    assert result.objective == pytest.approx(80.0, abs=1e-6)
    assert result.summary["substitution"]["options"]["sub"]["final_capacity_t"] == pytest.approx(200.0)


def _thrifting(*rows: dict):
    """NdFeB of 90 % Nd and 10 % Dy, 1,000 t/yr demand, made by one operating ROW magnet plant (1,000 t/yr); no
    ROW metal: Dy and Nd metal are imported. Only Dy is weighed (Nd weight 0), at the metal and magnet stages."""
    data = make_data(
        elements={"Nd": (False, 0.0), "Dy": (True, 1.0)},
        stage_weight={"mining": 0.0, "separation": 0.0, "metal": 1.0, "magnet": 1.0},
        recipes={("NdFeB", "Nd"): 0.9, ("NdFeB", "Dy"): 0.1},
        projects=[plant("maker", "magnet", 1000.0, "NdFeB")],
        magnet_demand={"NdFeB": 1000.0},
    )
    return _with_options(data, *rows)


def test_thrifting_cuts_the_metal_ROW_magnet_makers_draw():
    """Grain-boundary diffusion cutting 60 % of the Dy in ROW-made magnets (cap 1,000 t, no ramp limit).

    ROW makes all 1,000 t of magnets (imports would count at the magnet stage too), drawing 100 t of Dy metal,
    all imported: Dy dependence is 1 at the metal stage and 0 at the magnet stage, objective 100 · 3 / 6 = 50.
    With thrifting, 60 t of the 100 t are avoided (max_share binds before the cap): metal dependence 0.4,
    objective 100 · (3 × 0.4) / 6 = 20. Spend: 60 t/yr × US$1M = US$60M.
    """
    data = _thrifting(_option("gbd", "element", element="Dy", max_share=0.6, cost=1_000_000.0, cap=1000.0))
    result = solve(data, Scenario(name="gbd", budget_busd=1.0, substitution=True), baseline=False)
    assert result.status == "optimal" and result.invariant_violations == []
    assert result.objective == pytest.approx(20.0, abs=1e-6)
    option = result.summary["substitution"]["options"]["gbd"]
    assert option["avoided_t"]["2027"] == pytest.approx(60.0)
    assert option["spend_musd"] == pytest.approx(60.0)
    assert result.summary["substitution"]["stage_thrifted"] == "metal"
    off = solve(data, Scenario(name="off", budget_busd=1.0), baseline=False)
    assert off.objective == pytest.approx(50.0, abs=1e-6)


def test_the_ramp_limits_capacity_year_by_year():
    """The same option with a ramp of 20 t/yr per year from 2025: capacity at most 20, 40, 60 t; all used, so
    metal dependence 0.8, 0.6, 0.4 and the objective 100 · (0.8 + 0.6 + 0.4) / 6 = 30."""
    data = _thrifting(_option("gbd", "element", element="Dy", max_share=0.6, cost=1_000_000.0, cap=1000.0,
                              ramp=20.0))
    result = solve(data, Scenario(name="ramp", budget_busd=1.0, substitution=True), baseline=False)
    assert result.objective == pytest.approx(30.0, abs=1e-6)
    capacity = result.summary["substitution"]["options"]["gbd"]["capacity_t"]
    assert [capacity[str(t)] for t in (2025, 2026, 2027)] == [pytest.approx(20.0), pytest.approx(40.0),
                                                              pytest.approx(60.0)]


def test_options_on_one_flow_never_avoid_more_than_it():
    """Two substitutes of 80 % each on the same magnets could avoid 1.6 × the demand: their sum is held to the
    demand, 1,000 t, so every import is avoided (objective 0) and no balance goes negative."""
    data = _imported_magnets(_option("a", "magnet", max_share=0.8, cap=5000.0),
                             _option("b", "magnet", max_share=0.8, cap=5000.0))
    result = solve(data, Scenario(name="two", budget_busd=1.0, substitution=True), baseline=False)
    assert result.objective == pytest.approx(0.0, abs=1e-6)
    options = result.summary["substitution"]["options"]
    assert options["a"]["avoided_t"]["2026"] + options["b"]["avoided_t"]["2026"] == pytest.approx(1000.0)
    assert result.invariant_violations == []


def test_substitution_options_choose_among_the_rows():
    """Only the options named are offered."""
    data = _imported_magnets(_option("a", "magnet", max_share=0.5), _option("b", "magnet", max_share=0.5))
    result = solve(data, Scenario(name="one", budget_busd=1.0, substitution=True, substitution_options=("b",)),
                   baseline=False)
    assert set(result.summary["substitution"]["options"]) == {"b"}


def test_an_unknown_option_is_named_with_a_hint():
    data = _imported_magnets(_option("gbd_dy", "magnet"))
    with pytest.raises(InputError) as error:
        Scenario(substitution=True, substitution_options=("gbd_yd",)).check_against(data)
    assert "substitution_options[0]" in str(error.value) and "gbd_dy" in str(error.value)


def test_substitution_without_options_is_refused():
    data = _imported_magnets()
    with pytest.raises(InputError, match="substitution.csv has no options"):
        Scenario(substitution=True).check_against(data)


@pytest.mark.parametrize("value", ["yes", 1])
def test_substitution_takes_a_boolean(value):
    with pytest.raises(InputError, match="substitution"):
        Scenario.from_dict({"substitution": value})


def _write_inputs(tmp_path: Path, substitution_csv: str) -> Path:
    target = tmp_path / "inputs"
    target.mkdir()
    for source in (REPO / "inputs").glob("*.csv"):
        (target / source.name).write_bytes(source.read_bytes())
    (target / "substitution.csv").write_text(substitution_csv)
    return target


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,X,element,NdFeB,,0.5,1,1,1,2027,s,", "needs the element"),
        ("x,X,element,NdFeB,Dyy,0.5,1,1,1,2027,s,", "did you mean 'Dy'"),
        ("x,X,element,NdFeB,La,0.5,1,1,1,2027,s,", "contain no La"),
        ("x,X,magnet,NdFeB,Dy,0.5,1,1,1,2027,s,", "leave element empty"),
        ("x,X,magnet,NdFeBB,,0.5,1,1,1,2027,s,", "unknown magnet_type"),
        ("x,X,magnet,NdFeB,,1.5,1,1,1,2027,s,", "max_share"),
        ("x,X,magnet,NdFeB,,0.5,1,1,1,2099,s,", "could never be used"),
    ],
)
def test_bad_option_rows_are_named(tmp_path, row, message):
    header = "option,name,target,magnet_type,element,max_share,cost_usd_per_tpa,cap_t,ramp_t_per_year,first_year,source,note\n"
    with pytest.raises(InputError, match=message) as error:
        load_inputs(_write_inputs(tmp_path, header + row + "\n"))
    assert "substitution.csv" in str(error.value)


@pytest.mark.slow
def test_default_substitution_lowers_the_base_objective_and_competes_for_the_budget():
    """On the default data, substitution.toml beats base.toml: the options the optimiser funds cut
    dependence and their spend comes out of the same budget; every invariant holds."""
    data = load_inputs(REPO / "inputs")
    base = solve(data, Scenario.from_toml(REPO / "inputs/scenarios/base.toml"), baseline=False)
    with_options = solve(data, Scenario.from_toml(REPO / "inputs/scenarios/substitution.toml"), baseline=False)
    assert with_options.status == "optimal" and with_options.invariant_violations == []
    assert with_options.objective < base.objective - 0.5
    summary = with_options.summary["substitution"]
    assert summary["spend_musd"] > 0
    assert with_options.budget_used_musd == pytest.approx(15500.0, rel=1e-4)
    assert base.summary["substitution"] is None
