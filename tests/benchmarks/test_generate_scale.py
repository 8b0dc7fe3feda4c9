"""benchmarks/generate_scale.py: synthetic data sets the optimiser accepts, with the size, years and mix asked
for, the same for a seed. No timings."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import optimiser

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"


def _module():
    spec = importlib.util.spec_from_file_location("generate_scale", ROOT / "benchmarks" / "generate_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_scale = _module()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "inputs"
    generate_scale.generate(out, projects=40, last_year=2035, seed=3)
    return out


def _heads(projects: pd.DataFrame) -> pd.DataFrame:
    return projects[projects["component"] == 0]


def test_the_optimiser_accepts_the_data(small):
    data = optimiser.load_inputs(small)
    assert (data.first_year, data.last_year) == (2025, 2035)
    assert sorted(data.demand["year"].unique()) == list(range(2025, 2036))
    assert sorted(data.magnet_demand["year"].unique()) == list(range(2025, 2036))
    scenario = optimiser.Scenario.from_toml(small / "scenarios" / "base.toml")
    scenario.check_against(data)


def test_project_count_and_mix(small):
    source = pd.read_csv(INPUTS / "projects.csv")
    drawn = pd.read_csv(small / "projects.csv")
    heads = _heads(drawn)
    assert heads["project"].nunique() == len(heads) == 40
    assert heads["include"].all()
    generics = source[source["status"] == "generic"]
    assert set(generics["project"]) <= set(heads["project"])

    pool = _heads(source[source["include"] & (source["status"] != "generic")])
    synthetic = heads[heads["status"] != "generic"]
    expected = Counter(zip(pool["status"], pool["stage"]))
    got = Counter(zip(synthetic["status"], synthetic["stage"]))
    assert set(got) <= set(expected)
    for stratum, count in expected.items():
        share = len(synthetic) * count / len(pool)
        assert abs(got.get(stratum, 0) - share) < 1, stratum
    assert set(drawn["stage"]) == set(source["stage"])
    assert set(drawn["country"]) <= set(source["country"])


def test_grades_follow_the_drawn_mines(small):
    projects = pd.read_csv(small / "projects.csv")
    grades = pd.read_csv(small / "grades.csv")
    graded = projects[projects["role"].isin(["mine", "recycling"])]
    assert set(zip(graded["project"], graded["component"])) == set(zip(grades["project"], grades["component"]))


def test_deterministic_for_a_seed(small, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    generate_scale.generate(again, projects=40, last_year=2035, seed=3)
    generate_scale.generate(other, projects=40, last_year=2035, seed=4)
    for path in sorted(small.glob("*.csv")):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    assert (other / "projects.csv").read_bytes() != (small / "projects.csv").read_bytes()


def test_years_past_the_data_continue_the_last_growth(tmp_path):
    out = tmp_path / "long"
    generate_scale.generate(out, projects=10, last_year=2050, seed=0)
    data = optimiser.load_inputs(out)
    assert data.last_year == 2050
    source = pd.read_csv(INPUTS / "demand.csv")
    longer = pd.read_csv(out / "demand.csv")
    assert len(longer) == len(source) / 21 * 26
    series = (longer["element"] == "Nd") & (longer["stage"] == "separation")
    if "case" in longer.columns:  # demand cases: the first is the data's default
        series &= longer["case"] == longer["case"].iloc[0]
    nd = longer[series].set_index("year")["demand_t"]
    rate = nd[2045] / nd[2044]
    assert nd[2050] == pytest.approx(nd[2045] * rate**5, rel=1e-6)
    kept = longer[longer["year"] <= 2045].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, source)
