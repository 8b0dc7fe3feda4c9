"""Published actual output (``history_output.csv``) replaces a data project's capacity in the years given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs, solve

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _mining_output(result, year: int, element: str) -> float:
    flows = result.flows
    row = flows[(flows["year"] == year) & (flows["element"] == element) & (flows["stage"] == "mining")]
    return float(row["row_output"].iloc[0])


def test_published_output_replaces_a_mine_s_capacity_in_its_year(tmp_path):
    """op_mine (1,000 t ore, Nd grade 0.15, Dy 0.01) reported 400 t in 2026: its Nd is 400 × 0.15 = 60 t and
    its Dy 4 t in 2026 instead of 150 t and 10 t; 2025 keeps the full 150 t. cand_mine starts 2026 at the
    earliest with a lead of 3 years, so the mining stage's ROW output in 2025-26 is op_mine's alone."""
    inputs = tmp_path / "inputs"
    shutil.copytree(TINY, inputs)
    with open(inputs / "history_output.csv", "a", encoding="utf-8") as handle:
        handle.write("op_mine,0,2026,400,ASSUMPTION: test fixture\n")
    scenario = Scenario.from_toml(TINY / "scenarios" / "base.toml")
    plain = solve(load_inputs(TINY), scenario, baseline=False)
    published = solve(load_inputs(inputs), scenario, baseline=False)
    assert published.invariant_violations == []
    assert _mining_output(plain, 2026, "Nd") == pytest.approx(150.0, abs=1e-6)
    assert _mining_output(published, 2026, "Nd") == pytest.approx(60.0, abs=1e-6)
    assert _mining_output(published, 2026, "Dy") == pytest.approx(4.0, abs=1e-6)
    assert _mining_output(published, 2025, "Nd") == pytest.approx(150.0, abs=1e-6)
