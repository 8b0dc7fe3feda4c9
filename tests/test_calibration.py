"""Calibration: with no new builds, 2025 reproduces China's shares of world output the sources report.

Issue 12's targets (docs/data.md, "Calibration"): mining 69 % (USGS MCS2026, 270 of 390 kt), separation
85-91 % (source report 85-90 %; China's separation output derived from its feed), magnets 90-94 % (source
report ~92 %), and each export-controlled element's processing at or above 95 % where the seed and USGS say
so (> 95 % for the April 2025 list). Since Lynas Malaysia's light circuit no longer counts as separating Sm,
Gd, Tb and Dy (until its heavy circuit started in May 2025 the heavy part of its feed went to China as a mixed
concentrate; docs/data.md), Gd, Tb, Dy, Lu, Y and Sc are above 95 % and the seven together 97.3 %. Sm stays at
88.5 %: Solvay's La Rochelle line (April 2025) separates Sm against China's 2,224 t, itself derived from an
assumed 3,000 t world Sm demand (no public figure): documented, not forced.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs, solve

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shares_2025():
    data = load_inputs(ROOT / "inputs")
    scenario = Scenario.from_toml(ROOT / "inputs" / "scenarios" / "base.toml").with_overrides(budget_busd=0.0)
    result = solve(data, scenario, baseline=False)
    assert result.status == "optimal"
    dependence = result.dependence
    first = dependence[dependence["year"] == 2025].set_index(["element", "stage"])
    flows = result.flows[result.flows["year"] == 2025].set_index(["element", "stage"])
    china_2025 = data.china_production[data.china_production["year"] == 2025]
    china = china_2025.set_index(["stage", "element"])["production_t"]
    return first, flows, china


def test_china_share_of_world_mining(shares_2025):
    first, _, _ = shares_2025
    assert 100 * first.loc[("all", "mining"), "china_world_share"] == pytest.approx(270 / 390 * 100, abs=1.0)


def test_china_share_of_world_separation_is_in_the_85_to_91_band(shares_2025):
    first, _, _ = shares_2025
    assert 85.0 <= 100 * first.loc[("all", "separation"), "china_world_share"] <= 91.0


def test_china_share_of_world_magnets_is_in_the_90_to_94_band(shares_2025):
    first, _, _ = shares_2025
    assert 90.0 <= 100 * first.loc[("all", "magnet"), "china_world_share"] <= 94.0


def test_china_share_of_restricted_separation_is_above_95_percent(shares_2025):
    first, _, _ = shares_2025
    assert first.loc[("restricted", "separation"), "china_world_share"] > 0.95


@pytest.mark.parametrize("element", ["Gd", "Tb", "Dy", "Lu", "Y", "Sc"])
def test_each_controlled_element_but_sm_is_separated_95_percent_in_china(shares_2025, element):
    first, _, _ = shares_2025
    assert first.loc[(element, "separation"), "china_world_share"] >= 0.95


def test_samarium_share_is_the_documented_88_percent(shares_2025):
    """Below the target for the reason the module docstring gives; a change in either direction is news."""
    first, _, _ = shares_2025
    assert 100 * first.loc[("Sm", "separation"), "china_world_share"] == pytest.approx(88.5, abs=1.0)


def test_china_share_of_dy_and_tb_separation_above_95_percent(shares_2025):
    first, flows, china = shares_2025
    china_dy_tb = china[("separation", "Dy")] + china[("separation", "Tb")]
    row_dy_tb = flows.loc[("Dy", "separation"), "row_output"] + flows.loc[("Tb", "separation"), "row_output"]
    assert china_dy_tb / (china_dy_tb + row_dy_tb) > 0.95
