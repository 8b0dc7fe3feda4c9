"""Recycling limited by scrap (issue 13): tiny instances worked out by hand, validation, and the default data.

All yields are 1 unless stated, so φ = 1 and the requirement of a stage equals the demand at and below it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from optimiser import Scenario, solve
from optimiser.errors import InputError
from optimiser.inputs.load import load_inputs
from optimiser.model import build_structure

from .conftest import _table, make_data, plant

REPO = Path(__file__).resolve().parents[2]


def _recycler(project: str = "rec", capacity: float = 1000.0, **extra) -> dict:
    row = {"project": project, "name": project, "country": "Testland", "status": "operating",
           "stage": "separation", "role": "recycling", "capacity": capacity, "online_year": 2000}
    return {**row, **extra}


def _scrap_data(*, recovery: float = 0.25, swarf: float = 0.5, growth: float = 0.0,
                lifetimes: dict[int, float] | None = None, projects: list[dict] | None = None,
                stage_yield: dict[str, float] | None = None, stage_weight: dict[str, float] | None = None):
    """Nd only; 1,000 t/yr of separated-Nd demand and 1,000 t/yr of Nd-only NdFeB magnets (imported unless a
    plant is given); one operating recycler of 1,000 t/yr at the separation stage (grade Nd 1); separation and
    magnets weighed."""
    projects = projects if projects is not None else [_recycler()]
    data = make_data(
        elements={"Nd": (False, 1.0)},
        stage_yield=stage_yield,
        stage_weight=stage_weight or {"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 1.0},
        projects=projects,
        grades={(p["project"], 0): {"Nd": 1.0} for p in projects if p.get("role") == "recycling"},
        demand={("Nd", "separation"): 1000.0},
        magnet_demand={"NdFeB": 1000.0},
    )
    parameters = [{"parameter": "recovery_rate", "value": recovery}, {"parameter": "swarf_recovery", "value": swarf},
                  {"parameter": "history_growth", "value": growth}]
    lifetimes = lifetimes or {2: 1.0}
    return dataclasses.replace(
        data,
        recycling_scrap=_table("recycling_scrap", parameters),
        magnet_lifetime=_table("magnet_lifetime", [{"magnet_type": "NdFeB", "lifetime_years": years, "share": share}
                                                   for years, share in lifetimes.items()]),
    )


def test_the_limit_binds_at_the_scrap_available():
    """Magnets put in use at 1,000 t a year (flat history, growth 0), all at end of life after 2 years, 25 %
    recovered: 250 t/yr of scrap. The 1,000 t/yr recycler is held to 250 t.

    Separation and magnets are weighed. The magnets are imported (dependence 1 at the magnet stage). The
    separation requirement is 1,000 t of oxide demand plus the 1,000 t in the magnets; China supplies
    1,000 − recycled + 1,000. Without the limit the recycler runs at its 1,000 t: dependence 0.5 at
    separation, objective 100 · (0.5 + 1) / 2 = 75; with it 250 t: 1,750 / 2,000 = 0.875, objective 93.75.
    """
    data = _scrap_data()
    unlimited = solve(data, Scenario(name="free", budget_busd=1.0), baseline=False)
    assert unlimited.objective == pytest.approx(75.0, abs=1e-6)
    assert unlimited.summary["recycling_scrap"] is None
    limited = solve(data, Scenario(name="scrap", budget_busd=1.0, recycling_scrap_limit=True), baseline=False)
    assert limited.status == "optimal" and limited.invariant_violations == []
    assert limited.objective == pytest.approx(93.75, abs=1e-6)
    years = limited.summary["recycling_scrap"]["years"]
    for year in ("2025", "2026", "2027"):
        assert years[year]["recycled_t"] == pytest.approx(250.0)
        assert years[year]["end_of_life_scrap_t"] == pytest.approx(250.0)
        assert years[year]["swarf_t"] == pytest.approx(0.0, abs=1e-9)
        assert years[year]["binding"]


def test_history_before_the_horizon_grows_backwards():
    """Lifetime 3 years, growth 10 %/yr: the magnets reaching end of life in 2025-2027 were put in use in
    2022-2024, 1,000 / 1.1³, 1,000 / 1.1², 1,000 / 1.1 t; 25 % of that is 187.83, 206.61, 227.27 t."""
    data = _scrap_data(growth=0.1, lifetimes={3: 1.0})
    result = solve(data, Scenario(name="growth", budget_busd=1.0, recycling_scrap_limit=True), baseline=False)
    years = result.summary["recycling_scrap"]["years"]
    expected = {"2025": 250.0 / 1.1**3, "2026": 250.0 / 1.1**2, "2027": 250.0 / 1.1}
    for year, scrap in expected.items():
        assert years[year]["end_of_life_scrap_t"] == pytest.approx(scrap)
        assert years[year]["recycled_t"] == pytest.approx(scrap)


def test_a_lifetime_distribution_mixes_past_years():
    """Half the magnets last 1 year, half 2 (planning years from 2025; before it the flat 1,000 t): with growth
    0 every year's scrap is still 25 % × 1,000 = 250 t, the weights summing to 1."""
    data = _scrap_data(lifetimes={1: 0.5, 2: 0.5})
    result = solve(data, Scenario(name="mix", budget_busd=1.0, recycling_scrap_limit=True), baseline=False)
    assert result.summary["recycling_scrap"]["years"]["2027"]["end_of_life_scrap_t"] == pytest.approx(250.0)


def test_swarf_of_ROW_magnet_making_adds_to_the_scrap():
    """A ROW magnet plant makes the 1,000 t of magnets (magnet yield 0.8, so it takes 1,250 t of metal and
    loses 250 t); half the loss is recovered as swarf: 125 t. Scrap 250 + 125 = 375 t a year.

    Separation and magnets are weighed: making the magnets in ROW beats importing them, and the recycler's
    output replaces separated-oxide imports, so it runs up to the scrap, 375 t (its capacity is 1,000 t).
    """
    projects = [_recycler(), plant("maker", "magnet", 1000.0, "NdFeB")]
    data = _scrap_data(projects=projects, stage_yield={"mining": 1.0, "separation": 1.0, "metal": 1.0, "magnet": 0.8},
                       stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 1.0})
    result = solve(data, Scenario(name="swarf", budget_busd=1.0, recycling_scrap_limit=True), baseline=False)
    assert result.invariant_violations == []
    years = result.summary["recycling_scrap"]["years"]
    assert years["2026"]["swarf_t"] == pytest.approx(125.0)
    assert years["2026"]["recycled_t"] == pytest.approx(375.0)


def test_a_generic_recycling_module_is_offered_only_under_the_limit():
    """Without the scrap limit a generic recycler would make rare earths from nothing: it is left out, with
    the reason; under the limit it is a build decision."""
    module = _recycler("gen", status="generic", capex_musd=10.0, lead_time_years=0, max_units=3)
    module.pop("online_year")
    data = _scrap_data(projects=[module])
    off = build_structure(data, Scenario(name="off"))
    assert "gen" not in off.projects and "recycling_scrap_limit" in off.excluded_projects["gen"]
    on = build_structure(data, Scenario(name="on", recycling_scrap_limit=True))
    assert "gen" in on.buildable_projects
    result = solve(data, Scenario(name="on", budget_busd=1.0, recycling_scrap_limit=True), baseline=False)
    assert result.objective == pytest.approx(93.75, abs=1e-6)
    assert result.summary["recycling_scrap"]["years"]["2025"]["recycled_t"] == pytest.approx(250.0)


def test_the_limit_needs_its_tables():
    data = make_data(elements={"Nd": (False, 1.0)}, projects=[], magnet_demand={"NdFeB": 1.0})
    with pytest.raises(InputError) as error:
        Scenario(recycling_scrap_limit=True).check_against(data)
    assert "recycling_scrap.csv has no rows" in str(error.value) and "magnet_lifetime.csv has no rows" in str(error.value)


def _write_inputs(tmp_path: Path, files: dict[str, str]) -> Path:
    target = tmp_path / "inputs"
    target.mkdir()
    for source in (REPO / "inputs").glob("*.csv"):
        (target / source.name).write_bytes(source.read_bytes())
    for name, text in files.items():
        (target / name).write_text(text)
    return target


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"magnet_lifetime.csv": "magnet_type,lifetime_years,share,source\nNdFeB,10,0.5,s\nNdFeB,12,0.4,s\n"},
         "sum to 0.9"),
        ({"magnet_lifetime.csv": "magnet_type,lifetime_years,share,source\nNdFB,10,1,s\n"}, "did you mean 'NdFeB'"),
        ({"recycling_scrap.csv": "parameter,value,unit,source\nrecovery_rate,0.3,,s\n"}, "missing parameter 'swarf_recovery'"),
        ({"recycling_scrap.csv": "parameter,value,unit,source\nrecovery_rat,0.3,,s\n"}, "recovery_rate"),
        ({"recycling_scrap.csv": "parameter,value,unit,source\nrecovery_rate,1.3,,s\n"}, "value"),
    ],
)
def test_bad_scrap_tables_are_named(tmp_path, files, message):
    with pytest.raises(InputError, match=message):
        load_inputs(_write_inputs(tmp_path, files))


@pytest.mark.slow
def test_default_scrap_limit_holds_and_the_generic_recycler_is_used():
    """On the default data recycling_scrap.toml solves with every invariant, its recyclers stay within the
    scrap of every year, and the generic recycling module it offers is built (it lowers the objective)."""
    data = load_inputs(REPO / "inputs")
    base = solve(data, Scenario.from_toml(REPO / "inputs/scenarios/base.toml"), baseline=False)
    scrap = solve(data, Scenario.from_toml(REPO / "inputs/scenarios/recycling_scrap.toml"), baseline=False)
    assert scrap.status == "optimal" and scrap.invariant_violations == []
    years = scrap.summary["recycling_scrap"]["years"]
    for item in years.values():
        assert item["recycled_t"] <= item["end_of_life_scrap_t"] + item["swarf_t"] + 1e-3
    assert "gen_rec" in set(scrap.builds["project"])
    assert "gen_rec" not in set(base.builds["project"])
    assert scrap.objective < base.objective
