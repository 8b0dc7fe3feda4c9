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
    assert set(generic["stage"]) == {"separation", "metal", "magnet"}
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
