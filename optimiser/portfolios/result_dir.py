"""Reading a stored result directory back, with the checks that keep comparisons honest.

A directory written by an older layout, or from another input set than the one a command runs on, is
refused with an error naming it: numbers from different data must not be ranked side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputIssue, ResultDirectoryError
from ..result_format import RESULT_FORMAT
from ..store import check_complete, finish_interrupted_write, read_json_object, read_result_csv


@dataclass
class StoredResult:
    """A result directory: its summary and tables (tables are None for a non-optimal result)."""

    directory: Path
    summary: dict
    builds: pd.DataFrame | None
    dependence: pd.DataFrame | None
    flows: pd.DataFrame | None

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def inputs_sha256(self) -> str:
        return str(self.summary.get("inputs_sha256", ""))


def read_result(directory: str | Path, expected_inputs_sha256: str | None = None) -> StoredResult:
    """Read ``directory``; raise ResultDirectoryError (an InputError) if it is not a result, is of another
    layout or other inputs."""
    directory = Path(directory)
    finish_interrupted_write(directory)
    summary_path = directory / "summary.json"
    if not summary_path.is_file():
        raise ResultDirectoryError(InputIssue(str(directory), "not a result directory: summary.json is missing"))
    summary = read_json_object(summary_path)
    if summary.get("result_format") == RESULT_FORMAT:
        check_complete(directory)
    else:
        raise ResultDirectoryError(
            InputIssue(
                str(summary_path),
                f"written by another version of the optimiser (result format {summary.get('result_format')!r}, "
                f"this version reads {RESULT_FORMAT}); run it again",
            )
        )
    if expected_inputs_sha256 is not None and summary.get("inputs_sha256") != expected_inputs_sha256:
        raise ResultDirectoryError(
            InputIssue(
                str(summary_path),
                f"was solved on another input set (inputs sha256 {str(summary.get('inputs_sha256'))[:12]}, "
                f"the inputs given have {expected_inputs_sha256[:12]}); run it again on these inputs",
            )
        )

    def table(name: str) -> pd.DataFrame | None:
        path = directory / name
        return read_result_csv(path) if path.is_file() else None

    return StoredResult(directory, summary, table("builds.csv"), table("dependence.csv"), table("flows.csv"))


def read_results(directories: list[str | Path], expected_inputs_sha256: str | None = None) -> list[StoredResult]:
    """Read several results; without an expected hash they must at least share one input set."""
    results = [read_result(d, expected_inputs_sha256) for d in directories]
    hashes = {r.inputs_sha256 for r in results}
    if expected_inputs_sha256 is None and len(hashes) > 1:
        first = results[0]
        issues = [
            InputIssue(
                str(r.directory / "summary.json"),
                f"was solved on another input set than {first.directory} (inputs sha256 {r.inputs_sha256[:12]} "
                f"against {first.inputs_sha256[:12]}); results from different data cannot be compared",
            )
            for r in results[1:]
            if r.inputs_sha256 != first.inputs_sha256
        ]
        raise ResultDirectoryError(issues)
    return results
