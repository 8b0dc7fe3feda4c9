"""benchmarks/validate_scale.py's data sets: valid, with exactly the project rows asked for, and every table keyed
by project grown with its projects. No timings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from optimiser.inputs import load_inputs

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("validate_scale", ROOT / "benchmarks" / "validate_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate_scale = _module()


@pytest.mark.parametrize("rows", [50, 1000])
def test_a_replicated_set_is_valid_and_has_the_rows_asked_for(rows, tmp_path):
    source = load_inputs(ROOT / "inputs")
    written = validate_scale.replicate(ROOT / "inputs", tmp_path / "set", rows)
    data = load_inputs(tmp_path / "set")
    assert len(data.projects) == written["projects.csv"] == rows
    copies = -(-rows // len(source.projects))
    assert data.projects["project"].str.rsplit("__", n=1).str[0].isin(set(source.projects["project"])).all()
    assert len(data.grades) == written["grades.csv"]
    assert len(source.grades) * (copies - 1) < len(data.grades) <= len(source.grades) * copies
    assert len(data.project_risk) <= len(source.project_risk) * copies
    assert set(data.project_risk["project"]) <= set(data.projects["project"])
    assert data.demand.equals(source.demand.assign(line=data.demand["line"]))
