"""Helpers shared by the commands: default paths, loading inputs and a scenario with overrides."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..inputs.data import InputData
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
    from ..inputs.load import load_inputs
    from ..scenario import Scenario

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


def add_time_limit_argument(parser) -> None:
    parser.add_argument(
        "--time-limit", type=float, default=None, metavar="SECONDS",
        help="one time limit for all the solves of each scenario (overrides time_limit_seconds)",
    )


def time_limit_override(args) -> dict:
    """The scenario override ``--time-limit`` asks for (validated with the scenario's own bounds)."""
    limit = getattr(args, "time_limit", None)
    return {} if limit is None else {"time_limit_seconds": limit}


def format_table(frame, float_format: str = "{:,.2f}") -> str:
    """A plain-text table for the terminal (no index, numbers formatted, blanks for missing)."""
    import math

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, float):
            return float_format.format(value)
        return str(value)

    columns = [str(c) for c in frame.columns]
    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


def scenario_list(paths: list[Path], data: InputData, overrides: dict | None = None) -> list[Scenario]:
    """Read several scenario files (with command-line overrides) and check each against the data."""
    from ..scenario import Scenario

    scenarios = [Scenario.from_toml(path) for path in paths]
    if overrides:
        scenarios = [scenario.with_overrides(**overrides) for scenario in scenarios]
    for scenario in scenarios:
        scenario.check_against(data)
    return scenarios
