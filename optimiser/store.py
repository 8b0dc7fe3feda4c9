"""Result directories, written atomically: a crash or kill leaves the previous result or the new one whole.

Files are written into a temporary sibling directory, which then replaces the target in two renames.
CSVs are long format, sorted, with a fixed float format, so identical inputs give byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .errors import InputError, InputIssue
from .runner import RunResult

FLOAT_FORMAT = "%.10g"
NOISE = 1e-9
"""Values closer to zero than this are written as 0 (solver round-off, not data)."""


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.select_dtypes("number").columns:
        if frame[column].dtype.kind == "f":
            frame.loc[frame[column].abs() < NOISE, column] = 0.0
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    _clean(frame).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_result(result: RunResult, directory: str | Path) -> Path:
    """Write summary.json and, for an optimal result, builds.csv, dependence.csv, flows.csv."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        if result.tables is not None:
            write_csv(result.tables.builds, staging / "builds.csv")
            write_csv(result.tables.dependence, staging / "dependence.csv")
            write_csv(result.tables.flows, staging / "flows.csv")
        if result.baseline_dependence is not None:
            write_csv(result.baseline_dependence, staging / "baseline_dependence.csv")
        with open(staging / "summary.json", "w", encoding="utf-8") as handle:
            json.dump(result.summary, handle, indent=2, sort_keys=False, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _replace(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_json_object(path: Path) -> dict:
    """A JSON object a command wrote (summary.json, sweep.json, comparison.json), or InputError naming the
    file when it is missing, unreadable or not an object: reports and comparisons must never trace back."""
    if not path.is_file():
        raise InputError(InputIssue(str(path), "is missing"))
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(InputIssue(str(path), f"cannot be read: {error}")) from None
    if not isinstance(value, dict):
        raise InputError(InputIssue(str(path), "is not a JSON object"))
    return value


def read_csv_table(path: Path, required: list[str]) -> pd.DataFrame:
    """A CSV a command wrote, or InputError naming it when missing, unreadable or short of ``required``."""
    if not path.is_file():
        raise InputError(InputIssue(str(path), "is missing"))
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise InputError(InputIssue(str(path), f"cannot be read: {error}")) from None
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputError(InputIssue(str(path), f"lacks the columns {', '.join(missing)}"))
    return frame
