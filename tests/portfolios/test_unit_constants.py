"""The $M-per-$B conversion is MUSD_PER_BUSD everywhere it is used, never a literal 1000 that could drift."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "optimiser/portfolios/evaluate.py",
    "optimiser/portfolios/stress.py",
    "optimiser/commands/evaluate.py",
    "optimiser/commands/run.py",
]


@pytest.mark.parametrize("module", MODULES)
def test_no_literal_thousand_converts_units(module: str):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    literals = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value == 1000]
    assert literals == [], f"{module} lines {literals}: use MUSD_PER_BUSD from optimiser.model.parameters"
