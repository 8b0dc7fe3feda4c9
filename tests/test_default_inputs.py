"""The shipped data set: it loads clean, every row is sourced, every shipped scenario builds, and the
demand derivation reproduces the committed tables byte for byte."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs
from optimiser.inputs.schema import TABLES
from optimiser.model import build_model

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


@pytest.fixture(scope="module")
def data():
    return load_inputs(INPUTS)


def test_every_row_of_every_table_names_its_source(data):
    for name in TABLES:
        table = getattr(data, name) if name != "parameters" else None
        if table is None:
            continue
        assert table["source"].astype(str).str.strip().str.len().gt(0).all(), name


def test_at_least_35_real_projects_over_every_stage(data):
    projects = data.projects
    real = projects[projects["status"] != "generic"].drop_duplicates("project")
    assert len(real) >= 35
    assert set(projects[projects["status"] != "generic"]["stage"]) == {"mining", "separation", "metal", "magnet"}
    assert set(projects.loc[projects["role"] == "recycling", "project"])
    generic = projects[projects["status"] == "generic"]
    assert set(generic.loc[generic["role"] == "plant", "stage"]) == {"separation", "metal", "magnet"}
    assert set(generic.loc[generic["role"] == "recycling", "project"]) == {"gen_rec"}  # built under the scrap limit
    assert (generic["max_units"] > 1).all()


def test_assumed_figures_are_marked(data):
    """Candidates without a sourced capex or lead time say so in the `assumed` column."""
    assumed = data.projects["assumed"].fillna("")
    assert assumed.str.contains("lead_time_years").any()
    assert assumed.str.contains("capex_musd").any()


@pytest.mark.parametrize("path", sorted((INPUTS / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_builds(data, path):
    scenario = Scenario.from_toml(path)
    scenario.check_against(data)
    model, structure = build_model(data, scenario)
    assert len(structure.buildable_projects) > 0
    assert scenario.name == path.stem


def test_demand_derivation_reproduces_the_committed_tables(tmp_path):
    """inputs/derivation/derive_demand.py, run on a copy, writes byte-identical tables."""
    copy = tmp_path / "inputs"
    shutil.copytree(INPUTS, copy)
    completed = subprocess.run(
        [sys.executable, str(copy / "derivation" / "derive_demand.py")], capture_output=True, text=True, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    for name in ("demand.csv", "magnet_demand.csv", "magnet_recipes.csv", "china_production.csv"):
        assert (copy / name).read_bytes() == (INPUTS / name).read_bytes(), name


NAMED_IN_ISSUE_12 = {
    "vulcan": "Vulcan Elements",
    "caremag": "Caremag",
    "aclara_la": "Aclara",
    "strange_lake": "Torngat",
    "fen": "Rare Earths Norway",
    "serra_verde_opt": "Serra Verde",
    "ucore": "Ucore",
    "round_top": "USA Rare Earth",
    "stillwater_exp": "USA Rare Earth",
    "nolans": "Arafura",
    "mp_10x": "MP Materials",
    "lcm": "Less Common Metals",
}
"""The projects issue 12 names, by id, with a word their row's name or source must carry."""


@pytest.mark.parametrize("project", sorted(NAMED_IN_ISSUE_12))
def test_named_project_is_listed_with_a_2025_or_2026_source(data, project):
    """Each project the end-2026 update names is in the table, with a source published in 2025 or 2026."""
    rows = data.projects[data.projects["project"] == project]
    assert len(rows) > 0, project
    head = rows[rows["component"] == 0].iloc[0]
    assert NAMED_IN_ISSUE_12[project].lower() in (head["name"] + " " + head["source"]).lower()
    assert "2025" in head["source"] or "2026" in head["source"], head["source"]
    assert bool(head["include"]) if head["include"] is not None else True


def test_projects_financed_by_late_2026_are_committed_data(data):
    """Financed-but-not-built projects are `committed` (data), under-construction ones `construction`; neither is a
    build decision, and each says in its note how it was financed."""
    heads = data.projects[data.projects["component"] == 0].set_index("project")
    for project in ("vulcan", "serra_verde_opt", "stillwater_exp", "mp_10x"):
        assert heads.loc[project, "status"] == "committed", project
        assert heads.loc[project, "note"].startswith("COMMITTED (financed"), project
        assert heads.loc[project, "online_year"] >= 2026, project
    for project in ("caremag", "ucore"):
        assert heads.loc[project, "status"] == "construction", project
    for project in ("aclara_la", "strange_lake", "fen", "nolans", "round_top", "ucore_p2", "ucore_p3"):
        assert heads.loc[project, "status"] == "candidate", project


def test_magnet_plants_convert_magnet_tonnes_at_the_stated_factor(data):
    """A magnet plant's capacity is the RE content of its magnets
    (0.3075 t RE metal / 0.85 = 0.3618 t REO-eq per t) and its metal line that / 0.85."""
    capacity = data.projects.set_index(["project", "component"])["capacity"]
    assert capacity[("vulcan", 1)] == pytest.approx(10_000 * 0.3075 / 0.85, abs=0.05)
    assert capacity[("vulcan", 0)] == pytest.approx(10_000 * 0.3075 / 0.85 / 0.85, abs=0.05)
    assert capacity[("stillwater_exp", 1)] == pytest.approx((10_000 - 1_200) * 0.3075 / 0.85, abs=0.05)


def _ndfeb(data, case: str) -> dict[int, float]:
    rows = data.magnet_demand[(data.magnet_demand["case"] == case) & (data.magnet_demand["magnet_type"] == "NdFeB")]
    return dict(zip(rows["year"].astype(int), rows["demand_t"].astype(float)))


def test_three_demand_cases_with_aps_the_default(data):
    assert data.demand_cases == ["iea_aps", "iea_steps", "high"]
    assert Scenario.from_toml(INPUTS / "scenarios" / "base.toml").demand_case_in(data) == "iea_aps"


def test_demand_cases_follow_their_sourced_paths(data):
    """From the same 2025 figure: APS on the IEA anchors (131/103.857 kt by 2030), STEPS +55 % over 2024-2040
    compounded (2.78 %/yr), high 8.2 %/yr (Adamas 2024); the non-magnet elements are the same in every case."""
    aps, steps, high = (_ndfeb(data, case) for case in ("iea_aps", "iea_steps", "high"))
    assert aps[2025] == steps[2025] == high[2025]
    assert aps[2030] / aps[2025] == pytest.approx(131 / (93 + (131 - 93) * 2 / 7), rel=1e-4)
    assert steps[2040] / steps[2025] == pytest.approx(1.55 ** (15 / 16), rel=1e-4)
    assert high[2045] / high[2025] == pytest.approx(1.082**20, rel=1e-4)
    demand = data.demand
    la = {case: demand[(demand["case"] == case) & (demand["element"] == "La")]["demand_t"].tolist() for case in data.demand_cases}
    assert la["iea_aps"] == la["iea_steps"] == la["high"]


def test_china_output_is_projected_for_every_year(data):
    """China's output per stage and element has a row in every data year: 2025 as derived, then 2.9 %/yr."""
    china = data.china_production
    years = range(data.first_year, data.last_year + 1)
    for (stage, element), rows in china.groupby(["stage", "element"]):
        assert sorted(rows["year"].astype(int)) == list(years), (stage, element)
    mining = china[(china["stage"] == "mining") & (china["element"] == "ALL")].set_index("year")["production_t"]
    assert mining[2025] == 270000.0
    assert mining[2035] == pytest.approx(270000.0 * 1.029**10, rel=1e-6)
