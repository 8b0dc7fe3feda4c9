"""Sweep files on the tiny input set (tests/data/tiny), written into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser import load_inputs

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
TINY_BASE = TINY / "scenarios" / "base.toml"
SHIPPED = ROOT / "inputs" / "sweeps"


def write_sweep(directory: Path, body: str, name: str = "tiny") -> Path:
    """A sweep file named ``name`` on the tiny base scenario, with ``body`` after the [base] table."""
    path = directory / f"{name}.toml"
    path.write_text(f'name = "{name}"\n\n[base]\nscenario = "{TINY_BASE}"\n\n{body}\n', encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_data():
    return load_inputs(TINY)


@pytest.fixture
def sweep_file(tmp_path):
    """``sweep_file(body, name="tiny")`` writes a sweep file on the tiny base scenario."""
    return lambda body, name="tiny": write_sweep(tmp_path, body, name)
