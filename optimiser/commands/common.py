"""Helpers shared by the commands: default paths, loading inputs and a scenario with overrides."""

from __future__ import annotations

from pathlib import Path

from ..inputs import InputData, load_inputs
from ..scenario import Scenario

DEFAULT_INPUTS = Path("inputs")
DEFAULT_SCENARIO = DEFAULT_INPUTS / "scenarios" / "base.toml"
DEFAULT_RESULTS = Path("results")


def default_scenario_path(inputs: Path, scenario_path: Path | None) -> Path:
    """The scenario named on the command line, else ``<inputs>/scenarios/base.toml``, else the default."""
    if scenario_path is not None:
        return scenario_path
    candidate = inputs / "scenarios" / "base.toml"
    return candidate if candidate.exists() else DEFAULT_SCENARIO


def load(inputs: Path, scenario_path: Path | None, overrides: dict | None = None) -> tuple[InputData, Scenario]:
    """Validated inputs and scenario (with command-line overrides), checked against each other."""
    data = load_inputs(inputs)
    scenario = Scenario.from_toml(default_scenario_path(inputs, scenario_path))
    if overrides:
        scenario = scenario.with_overrides(**overrides)
    scenario.check_against(data)
    return data, scenario


def add_inputs_argument(parser) -> None:
    parser.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS, help="input tables directory (default: inputs)")


def add_scenario_argument(parser) -> None:
    parser.add_argument("--scenario", type=Path, default=None, help=f"scenario TOML (default: {DEFAULT_SCENARIO})")
