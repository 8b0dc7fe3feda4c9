"""Stored results for the report tests, solved once per session: the default run, the tiny instance, the
tiny instance under an export cap (a shortfall), and a solve that stops at its time limit (no plan)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import optimiser
from optimiser.inputs.data import InputData
from optimiser.report import write_report
from optimiser.scenario import ExportControl
from optimiser.store import write_result

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
DEFAULT_INPUTS = ROOT / "inputs"


@dataclass
class Stored:
    """A result directory, the inputs it was solved on, and its report once written."""

    name: str
    directory: Path
    inputs: InputData

    @property
    def report(self) -> Path:
        return self.directory / "report.html"


def _solve(tmp: Path, name: str, inputs: Path, scenario_file: Path, time_limit: float | None = None, **overrides) -> Stored:
    data = optimiser.load_inputs(inputs)
    scenario = optimiser.Scenario.from_toml(scenario_file)
    if overrides:
        scenario = scenario.with_overrides(**overrides)
    result = optimiser.solve(data, scenario, time_limit=time_limit)
    directory = write_result(result, tmp / name)
    return Stored(name, directory, data)


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> dict[str, Stored]:
    """name -> stored result (without reports): default, tiny, tiny_embargo, failed."""
    tmp = tmp_path_factory.mktemp("report-results")
    tiny_scenario = TINY / "scenarios" / "base.toml"
    return {
        "default": _solve(tmp, "default", DEFAULT_INPUTS, DEFAULT_INPUTS / "scenarios" / "base.toml"),
        "tiny": _solve(tmp, "tiny", TINY, tiny_scenario),
        "tiny_embargo": _solve(
            tmp, "tiny_embargo", TINY, tiny_scenario,
            export_controls=(ExportControl(elements=("Dy",), start_year=2027, end_year=2029, fraction=0.0),),
        ),
        "failed": _solve(tmp, "failed", TINY, tiny_scenario, time_limit=1e-9),
    }


@pytest.fixture(scope="session")
def reports(results: dict[str, Stored]) -> dict[str, Stored]:
    """The same results with report.html and figures/ written."""
    for stored in results.values():
        write_report(stored.directory, inputs=stored.inputs)
    return results
