"""Strategic stockpile (issue 13): bought in years without an export cap, drawn while one bites, paid from the
budget. Tiny instances worked out by hand; the default data for what the issue asks (under embargo.toml a
stockpile cuts shortfall; with no embargo the optimiser buys none)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.errors import InputError
from optimiser.model.instrument_data import instrument_structure_key
from optimiser.model.parameters import build_structure, mutable_values
from optimiser.sweep.resolve import structural_key

from .conftest import _table, make_data

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"
TINY_INPUTS = ROOT / "tests" / "data" / "tiny"

PRICE = 100.0
"""US$/kg: 0.1 US$B per kt."""
HOLDING = 10.0
"""US$/kg-year: 0.01 US$B per kt held a year."""

CAP_2027 = [{"elements": ["Nd"], "start_year": 2027, "end_year": 2027, "fraction": 0.0}]


def _instance(max_stock_t: float = 10_000.0):
    """One element (Nd), 1,000 t a year of separated-oxide demand in 2025-2027, no plants at all: ROW either
    imports from China, leaves demand unmet, or (with a stockpile) draws stock. Only separation weighs in the
    objective (W = 3 cells), so a kt imported or drawn costs 100/3 points and a kt unmet 10 · 100/3."""
    data = make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[],
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2027),
    )
    data.stockpile = _table(
        "stockpile",
        [{"element": "Nd", "price_usd_per_kg": PRICE, "holding_usd_per_kg_year": HOLDING,
          "max_stock_t": max_stock_t, "initial_stock_t": 0.0}],
    )
    return data


def _solve(data, **settings):
    result = solve(data, Scenario(name="stock", **settings), baseline=False)
    assert result.status == "optimal", result.message
    assert result.invariant_violations == []
    return result


def test_without_a_stockpile_the_capped_year_goes_unmet():
    """Imports in 2025 and 2026 (100/3 each), nothing in 2027 under the zero cap (10 · 100/3): 400."""
    result = _solve(_instance(), budget_busd=1.0, export_controls=CAP_2027)
    assert result.objective == pytest.approx(400.0, abs=1e-6)
    assert result.summary["stockpile"] is None


def test_a_stockpile_bought_over_two_years_is_drawn_in_the_capped_year():
    """Budget B = 1, yearly cap 5 % of it: 0.05 US$B a year. Buying b25 in 2025 costs 0.1·b25 + 0.01·b25 of
    holding (0.11·b25 ≤ 0.05, so b25 ≤ 5/11 kt); in 2026, 0.1·b26 + 0.01·(b25 + b26) ≤ 0.05, so
    b26 = (0.05 − 0.01·b25)/0.11. The stock drawn in 2027 is b25 + b26 = 10/11·b25 + 5/11, largest at
    b25 = 5/11: b26 = 50/121, draw = 105/121 kt (below the 1 kt demand, so all of it is drawn and nothing is
    held over 2027). Objective = 100/3 · (1 + 1 + 105/121 + 10 · 16/121) = 100/3 · 507/121 = 50,700/363;
    spend 0.05 US$B in 2025 and in 2026, 0 in 2027."""
    result = _solve(_instance(), budget_busd=1.0, yearly_cap_fraction=0.05, export_controls=CAP_2027, stockpile=True)
    assert result.objective == pytest.approx(50_700.0 / 363.0, abs=1e-6)
    stock = result.summary["stockpile"]
    nd = stock["elements"]["Nd"]
    assert nd["buy_years"] == [2025, 2026] and nd["draw_years"] == [2027]
    assert nd["bought_t_by_year"] == pytest.approx({"2025": 5000.0 / 11.0, "2026": 50_000.0 / 121.0}, abs=1e-4)
    assert nd["drawn_t_by_year"] == pytest.approx({"2027": 105_000.0 / 121.0}, abs=1e-4)
    assert stock["spend_musd_by_year"] == pytest.approx({"2025": 50.0, "2026": 50.0}, abs=1e-4)
    assert stock["spend_musd"] == pytest.approx(100.0, abs=1e-4)
    assert result.budget_used_musd == pytest.approx(100.0, abs=1e-4)
    dependence = result.dependence.set_index(["element", "stage", "year"])
    assert dependence.loc[("Nd", "separation", 2027), "dependence"] == pytest.approx(105.0 / 121.0, abs=1e-6)
    assert dependence.loc[("Nd", "separation", 2027), "unmet"] == pytest.approx(16.0 / 121.0, abs=1e-6)


def test_without_a_cap_the_stockpile_buys_nothing():
    """A draw would count as China content just as an import does, and the purchase costs budget: with the
    budget ample and no cap, nothing is bought (the capex tie-break spends nothing on it) and the objective is
    the import plan's 100/3 · 3 = 100."""
    result = _solve(_instance(), budget_busd=1.0, stockpile=True)
    assert result.objective == pytest.approx(100.0, abs=1e-6)
    assert result.summary["stockpile"]["bought_t"] == pytest.approx(0.0, abs=1e-6)
    assert result.budget_used_musd == pytest.approx(0.0, abs=1e-6)


def test_the_first_buying_year_and_the_maximum_stock_bind():
    """Buying from 2026 only, with the money ample: 1 kt bought in 2026 and drawn in 2027, objective 100; with
    max_stock_t = 400 only 0.4 kt can be held: 100/3 · (1 + 1 + 0.4 + 10 · 0.6) = 280."""
    result = _solve(_instance(), budget_busd=1.0, export_controls=CAP_2027, stockpile=True,
                    stockpile_first_buy_year=2026)
    assert result.objective == pytest.approx(100.0, abs=1e-6)
    assert result.summary["stockpile"]["elements"]["Nd"]["bought_t_by_year"] == pytest.approx({"2026": 1000.0})
    result = _solve(_instance(max_stock_t=400.0), budget_busd=1.0, export_controls=CAP_2027, stockpile=True)
    assert result.objective == pytest.approx(280.0, abs=1e-6)


def test_the_maximum_cover_caps_the_stock_in_years_of_requirement():
    """stockpile_max_cover_years = 0.25: at most a quarter of the 1 kt requirement is held, so 0.25 kt is drawn
    in 2027: 100/3 · (2 + 0.25 + 10 · 0.75) = 325."""
    result = _solve(_instance(), budget_busd=1.0, export_controls=CAP_2027, stockpile=True,
                    stockpile_max_cover_years=0.25)
    assert result.objective == pytest.approx(325.0, abs=1e-6)
    assert result.summary["stockpile"]["drawn_t"] == pytest.approx(250.0, abs=1e-4)


@pytest.mark.parametrize(("rate", "spend_busd"), [(0.0, 0.065), (0.1, 0.055 + 0.005 / 1.1 + 0.005 / 1.21)])
def test_the_minimum_cover_forces_a_stock_and_its_holding_is_discounted(rate, spend_busd):
    """No cap, stockpile_min_cover_years = 0.5: the stock must hold 0.5 kt at the end of every buying year
    (2025-2027), so 0.5 kt is bought in 2025 (0.05 US$B) and held three years (0.005 US$B a year), each
    year's spend discounted by 1 / (1 + rate)^(t − 2025) as capex. Dependence is unchanged (100)."""
    result = _solve(_instance(), budget_busd=1.0, yearly_cap_fraction=1.0, discount_rate=rate, stockpile=True,
                    stockpile_min_cover_years=0.5)
    assert result.objective == pytest.approx(100.0, abs=1e-6)
    stock = result.summary["stockpile"]
    assert stock["elements"]["Nd"]["bought_t_by_year"] == pytest.approx({"2025": 500.0}, abs=1e-4)
    assert stock["spend_musd"] == pytest.approx(spend_busd * 1000.0, abs=1e-4)
    assert result.budget_used_musd == pytest.approx(spend_busd * 1000.0, abs=1e-4)


def test_buy_and_draw_years_follow_the_caps_that_bite():
    data = _instance()
    controls = [*CAP_2027, {"elements": ["Nd"], "start_year": 2025, "end_year": 2025, "fraction": 1.0}]
    structure = build_structure(data, Scenario(stockpile=True, export_controls=controls))
    stock = structure.instruments["stockpile"]
    assert stock.buy_years == {"Nd": (2025, 2026)} and stock.draw_years == {"Nd": (2027,)}
    assert stock.price == {"Nd": pytest.approx(0.1)} and stock.holding == {"Nd": pytest.approx(0.01)}
    assert "stockpile" not in build_structure(data, Scenario()).instruments


def test_a_sweep_rebuilds_when_the_caps_or_the_discount_rate_change_under_a_stockpile():
    """Cap years and discount factors are built into the stockpile's variables and spend, so while it is on
    they are part of the sweep's structural group; with it off they stay re-solvable parameters."""
    base = Scenario(export_controls=CAP_2027)
    moved = base.with_overrides(export_controls=[{**CAP_2027[0], "start_year": 2026, "end_year": 2026}])
    assert structural_key(base) == structural_key(moved)
    assert instrument_structure_key(base) == ()
    on = base.with_overrides(stockpile=True)
    assert structural_key(on) != structural_key(moved.with_overrides(stockpile=True))
    assert structural_key(on) != structural_key(on.with_overrides(discount_rate=0.05))


@pytest.mark.parametrize(
    ("settings", "column", "words"),
    [
        ({"stockpile_min_cover_years": 11.0}, "stockpile_min_cover_years", "out of range"),
        ({"stockpile_max_cover_years": -1.0}, "stockpile_max_cover_years", "out of range"),
        ({"stockpile_min_cover_years": 0.5, "stockpile_max_cover_years": 0.25}, "stockpile_min_cover_years",
         "above stockpile_max_cover_years"),
        ({"stockpile": "yes"}, "stockpile", "true or false"),
        ({"stockpile_elements": "Dy"}, "stockpile_elements", "array"),
    ],
)
def test_bad_stockpile_settings_are_named(settings, column, words):
    with pytest.raises(InputError) as raised:
        Scenario.from_dict(settings)
    (issue,) = raised.value.issues
    assert issue.column == column and words in issue.message


@pytest.mark.parametrize(
    ("settings", "column", "words"),
    [
        ({"stockpile_elements": ["Dy"]}, "stockpile_elements[0]", "no stockpile terms for 'Dy'"),
        ({"stockpile_first_buy_year": 2030}, "stockpile_first_buy_year", "outside the horizon"),
    ],
)
def test_stockpile_settings_are_checked_against_the_data(settings, column, words):
    with pytest.raises(InputError) as raised:
        Scenario(stockpile=True, **settings).check_against(_instance())
    (issue,) = raised.value.issues
    assert issue.column == column and words in issue.message


def test_a_stockpile_without_terms_is_refused():
    data = _instance()
    data.stockpile = data.stockpile.iloc[0:0]
    with pytest.raises(InputError) as raised:
        Scenario(stockpile=True).check_against(data)
    assert raised.value.issues[0].column == "stockpile" and "no stockpile.csv rows" in raised.value.issues[0].message


def test_stockpile_csv_is_checked_on_load(tmp_path):
    directory = tmp_path / "inputs"
    shutil.copytree(TINY_INPUTS, directory)
    element = load_inputs(directory).element_names[0]
    (directory / "stockpile.csv").write_text(
        "element,price_usd_per_kg,holding_usd_per_kg_year,max_stock_t,initial_stock_t,source\n"
        f"{element},10,0.5,100,200,ASSUMPTION: test\n"
        f"{element}x,10,0.5,100,,ASSUMPTION: test\n"
    )
    with pytest.raises(InputError) as raised:
        load_inputs(directory)
    found = [(issue.line, issue.column) for issue in raised.value.issues]
    assert found == [(2, "initial_stock_t"), (3, "element")]
    assert "did you mean" in raised.value.issues[1].message


def test_round_trip_through_toml(tmp_path):
    scenario = Scenario(name="sp", stockpile=True, stockpile_elements=("Dy", "Tb"), stockpile_first_buy_year=2026,
                        stockpile_min_cover_years=0.1, stockpile_max_cover_years=1.0)
    path = tmp_path / "sp.toml"
    path.write_text(scenario.to_toml())
    assert Scenario.from_toml(path) == scenario


# The default data ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_data():
    return load_inputs(INPUTS)


def _run(data, name: str):
    result = solve(data, Scenario.from_toml(INPUTS / "scenarios" / f"{name}.toml"), baseline=False)
    assert result.status == "optimal", result.message
    assert result.invariant_violations == []
    return result


def _total_shortfall_t(data, result) -> float:
    """Σ over elements, stages and years of unmet demand, t (unmet share × requirement)."""
    structure = build_structure(data, result.scenario)
    requirement = mutable_values(data, result.scenario, structure)["requirement"]
    rows = result.dependence[result.dependence["element"].isin(structure.elements)]
    return sum(row.unmet * requirement[row.element, row.stage, row.year] * 1000.0 for row in rows.itertuples())


@pytest.mark.slow
def test_under_the_embargo_a_stockpile_cuts_shortfall(default_data):
    embargo = _run(default_data, "embargo")
    stocked = _run(default_data, "stockpile_embargo")
    assert _total_shortfall_t(default_data, stocked) < _total_shortfall_t(default_data, embargo) - 100.0
    assert stocked.objective < embargo.objective
    stock = stocked.summary["stockpile"]
    assert stock["drawn_t"] > 0 and stock["spend_musd"] > 0
    for element, row in stock["elements"].items():
        assert set(row["drawn_t_by_year"]) <= {"2027", "2028", "2029", "2030"}, element
        assert not set(row["bought_t_by_year"]) & {"2027", "2028", "2029", "2030"} or element in ("Nd", "Pr"), element


@pytest.mark.slow
def test_with_no_embargo_the_optimiser_buys_no_stock(default_data):
    base = _run(default_data, "base")
    stocked = _run(default_data, "stockpile")
    assert stocked.summary["stockpile"]["bought_t"] == pytest.approx(0.0, abs=1e-6)
    assert stocked.summary["stockpile"]["spend_musd"] == pytest.approx(0.0, abs=1e-6)
    assert stocked.objective == pytest.approx(base.objective, rel=1e-7)


def test_the_stockpile_keys_are_structural_but_do_not_shape_the_builds():
    """They add variables and rows (a sweep builds one model per value); each scenario of a robust portfolio may
    keep its own stockpile, as it keeps its own export controls."""
    from optimiser.scenario import BUILD_SHAPING_FIELDS, STOCKPILE_KEYS, STRUCTURAL_FIELDS

    keys = {"stockpile", *STOCKPILE_KEYS}
    assert keys <= set(STRUCTURAL_FIELDS)
    assert not keys & set(BUILD_SHAPING_FIELDS)


def test_the_run_report_shows_what_the_stockpile_bought_and_drew(tmp_path):
    from optimiser.report import write_report
    from optimiser.store import write_result

    result = _solve(_instance(), budget_busd=1.0, yearly_cap_fraction=0.05, export_controls=CAP_2027, stockpile=True)
    directory = write_result(result, tmp_path / "stock")
    write_report(directory)
    html = (directory / "report.html").read_text()
    assert "Strategic stockpile: oxide bought" in html
    assert "<td>Nd</td><td class=\"num\">868</td><td>2025, 2026</td><td class=\"num\">868</td><td>2027</td>" in html
