"""Saved results under the results directory: save a scenario as ``optimiser run`` does, list, open, serve
their files, delete, compare.

Nothing from the browser becomes a path: a result is named, the name must be a scenario name
(``scenario.SCENARIO_NAME``: letters, digits, ``_ - .``, no separator, no leading dot), and a file of it is
served only when its manifest lists it (or it is the report page or one of its figures), after checking the
resolved path is still inside the results directory. Writes go through :mod:`optimiser.store` (claim, lock,
staging, manifest, swap), so a save is atomic and two saves of one name never mix their files.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError, OptimiserError, UsageError
from ..inputs.data import InputData
from ..report import report_after_run, report_kind
from ..report.figures import PNG_MARK
from ..report.html import GENERATOR_MARK, REPORT_NAME, carries_mark
from ..scenario import SCENARIO_NAME, Scenario
from ..store import MANIFEST, REPORT_ENTRIES, WRITTEN_BY, is_leftover, output_directory, output_lock, publish, write_result_files
from ..sweep.store import SWEEP_RECORD, SweepStore
from ..sweep.store import check_output_target as check_sweep_target
from .errors import Refused

logger = logging.getLogger(__name__)

SCENARIO_FILE = "scenario.toml"
"""The scenario a saved result was solved from, written into the result (and listed in its manifest)."""

RUN_COMMAND = "run"
"""Saved results are ``optimiser run`` results: that command (and the workbench) may replace them."""

FIGURE_NAME = re.compile(r"figures/[a-z0-9_\-]{1,60}\.png")
SWEEP_FILES = ("runs.csv", "sweep.json", "tornado.csv", "morris.csv")
"""Files of a sweep store the workbench serves (its parquet parts are for Python, not the browser)."""


def _read_manifest(directory: Path) -> dict | None:
    try:
        value = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(value, dict) or value.get("written_by") != WRITTEN_BY or not isinstance(value.get("files"), dict):
        return None
    return value


class Library:
    """The results directory as the workbench sees it."""

    def __init__(self, root: str | Path, data: InputData) -> None:
        self.root = Path(root)
        self.data = data

    # Names ------------------------------------------------------------------------------------------------

    def directory(self, name: str, must_exist: bool = True) -> Path:
        """``root/name`` for a valid result name; 422 for a name that could be a path, 404 if absent."""
        if not isinstance(name, str) or not SCENARIO_NAME.fullmatch(name) or is_leftover(name):
            raise Refused(422, f"'{name}' is not a result name: letters, digits, '_', '-', '.' (at most 100), "
                          "not starting with '.'", [("name", "not a valid result name")])
        directory = self.root / name
        if must_exist and not directory.is_dir():
            raise Refused(404, f"there is no result '{name}' in {self.root}")
        return directory

    # Listing ----------------------------------------------------------------------------------------------

    def entries(self) -> list[dict]:
        """Every result of ours under the root, newest first: name, kind, status, whether it has a report, and
        the files the server will hand out."""
        found = []
        if not self.root.is_dir():
            return found
        for directory in self.root.iterdir():
            if not directory.is_dir() or directory.is_symlink() or not SCENARIO_NAME.fullmatch(directory.name):
                continue
            entry = self._entry(directory)
            if entry is not None:
                found.append(entry)
        found.sort(key=lambda entry: (-entry["modified"], entry["name"]))
        return found

    def _entry(self, directory: Path) -> dict | None:
        manifest = _read_manifest(directory)
        is_sweep = (directory / SWEEP_RECORD).is_file()
        if manifest is None and not is_sweep:
            return None
        kind = report_kind(directory)
        entry = {
            "name": directory.name,
            "kind": kind,
            "command": manifest.get("command") if manifest else "sweep",
            "complete": True,
            "status": None,
            "objective": None,
            "budget_busd": None,
            "has_scenario": manifest is not None and SCENARIO_FILE in manifest["files"],
            "report": (directory / REPORT_NAME).is_file(),
            "modified": (directory / (MANIFEST if manifest else SWEEP_RECORD)).stat().st_mtime,
        }
        if is_sweep:
            entry["complete"] = (directory / "runs.parquet").is_file() and not any((directory / "records").glob("part-*"))
            entry["status"] = "complete" if entry["complete"] else "incomplete: run the same sweep again to resume it"
        summary = directory / "summary.json"
        if manifest is not None and summary.is_file():
            try:
                values = json.loads(summary.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                values = {}
            if isinstance(values, dict):
                entry["status"] = values.get("status")
                entry["objective"] = values.get("objective")
                budget = values.get("budget_musd")
                entry["budget_busd"] = None if budget is None else budget / 1000
                entry["has_scenario"] = entry["has_scenario"] or isinstance(values.get("scenario"), dict)
        entry["files"] = sorted(self._served(directory))
        return entry

    def describe(self, name: str) -> dict:
        """One result: name, kind, status, headline numbers and the files the server will hand out."""
        directory = self.directory(name)
        entry = self._entry(directory)
        if entry is None:
            raise Refused(404, f"'{name}' in {self.root} is not a result this tool wrote")
        return entry

    # Files ------------------------------------------------------------------------------------------------

    def _served(self, directory: Path) -> set[str]:
        """Relative paths of the files of ``directory`` that may be served: those its manifest lists (a sweep:
        its tables), the report page we wrote, and the report's figures."""
        allowed: set[str] = set()
        manifest = _read_manifest(directory)
        if manifest is not None:
            allowed |= {name for name in manifest["files"] if isinstance(name, str)}
        elif (directory / SWEEP_RECORD).is_file():
            allowed |= {name for name in SWEEP_FILES if (directory / name).is_file()}
        if carries_mark(directory / REPORT_NAME, GENERATOR_MARK):
            allowed.add(REPORT_NAME)
        figures = directory / "figures"
        if figures.is_dir() and not figures.is_symlink():
            allowed |= {f"figures/{path.name}" for path in figures.glob("*.png") if carries_mark(path, PNG_MARK)}
        return allowed

    def file(self, name: str, relative: str) -> Path:
        """The path of a served file of result ``name``; 404 for anything not served (never a path the request
        made up: the file must be one :meth:`_served` lists, and resolve inside the results directory)."""
        directory = self.directory(name)
        if relative not in self._served(directory) or (relative.startswith("figures/") and not FIGURE_NAME.fullmatch(relative)):
            raise Refused(404, f"'{relative}' is not a file of the result '{name}'")
        path = directory / relative
        root = self.root.resolve()
        resolved = path.resolve()
        if not resolved.is_relative_to(root) or path.is_symlink() or not path.is_file():
            raise Refused(404, f"'{relative}' is not a file of the result '{name}'")
        return path

    def scenario_settings(self, name: str) -> dict:
        """The settings a saved run was solved with: its scenario.toml, else its summary's scenario."""
        directory = self.directory(name)
        served = self._served(directory)
        try:
            if SCENARIO_FILE in served:
                return Scenario.from_toml(directory / SCENARIO_FILE).to_dict()
            if "summary.json" in served:
                summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
                if isinstance(summary, dict) and isinstance(summary.get("scenario"), dict):
                    return Scenario.from_dict(summary["scenario"], source=str(directory / "summary.json")).to_dict()
        except (InputError, OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise Refused(409, f"the scenario of '{name}' cannot be read back: {error}") from None
        raise Refused(404, f"'{name}' holds no scenario (it is not a run result)")

    # Saving -----------------------------------------------------------------------------------------------

    def save(self, scenario: Scenario, overwrite: bool = False) -> dict:
        """Solve ``scenario`` and write ``root/<name>/`` as ``optimiser run --scenario`` would (the same
        solve, claim, staging and manifest), with the scenario's TOML beside the CSVs, then its report.

        409 when the result exists and ``overwrite`` is not set, or the directory is not one a run may
        replace (the store's own rule, in its words)."""
        from ..runner import solve

        directory = self.directory(scenario.name, must_exist=False)
        if directory.exists() and not overwrite:
            raise Refused(409, f"a result named '{scenario.name}' exists; save again to replace it, or rename the "
                          "scenario", [("name", f"'{scenario.name}' exists")])
        try:
            with output_directory(directory, RUN_COMMAND):
                result = solve(self.data, scenario)
                with publish(directory, RUN_COMMAND) as staging:
                    write_result_files(result, staging)
                    (staging / SCENARIO_FILE).write_text(scenario.to_toml(), encoding="utf-8")
                report = report_after_run(directory, self.data)
        except InputError as error:
            raise Refused(409, " ".join(error.lines()), [("name", issue.message) for issue in error.issues]) from None
        except OptimiserError as error:
            raise Refused(500, " ".join(error.lines())) from None
        return {
            "name": scenario.name,
            "status": result.status,
            "message": result.message,
            "objective": result.objective,
            "report": report is not None,
            "files": sorted(self._served(directory)),
        }

    # Comparing --------------------------------------------------------------------------------------------

    def compare(self, names: list[str], out_name: str = "comparison") -> dict:
        """``optimiser compare`` of the named results into ``root/<out_name>/``, with its report."""
        from ..portfolios.compare import check_result_count, compare, write_comparison

        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise Refused(422, "names must be a list of result names")
        try:
            check_result_count(names)
        except UsageError as error:
            raise Refused(422, str(error)) from None
        if len(set(names)) < len(names):
            raise Refused(422, "a result is named twice: compare distinct results")
        directories = [self.directory(name) for name in names]
        out = self.directory(out_name, must_exist=False)
        if out_name in names:
            raise Refused(422, f"the comparison cannot be written over '{out_name}', one of the results compared")
        try:
            with output_directory(out, "compare"):
                comparison = compare(directories)
                write_comparison(comparison, out)
                report = report_after_run(out)
        except InputError as error:
            raise Refused(409, " ".join(error.lines())) from None
        except UsageError as error:
            raise Refused(422, str(error)) from None
        return {"name": out_name, "compared": names, "report": report is not None,
                "files": sorted(self._served(out))}

    # Deleting ---------------------------------------------------------------------------------------------

    def delete(self, name: str) -> None:
        """Remove a result this tool wrote (its manifest says so, or it is a sweep store holding only what a
        sweep writes); 409 for anything else, which is left untouched."""
        directory = self.directory(name)
        if directory.is_symlink():
            raise Refused(409, f"'{name}' is a symbolic link, not a result directory; it is left as it is")
        manifest = _read_manifest(directory)
        if manifest is not None:
            listed = {Path(entry).parts[0] for entry in manifest["files"]} | {MANIFEST} | REPORT_ENTRIES
            foreign = sorted(entry.name for entry in directory.iterdir()
                             if entry.name not in listed and not is_leftover(entry.name))
            if foreign:
                raise Refused(409, f"'{name}' holds files this tool did not write ({', '.join(foreign[:5])}); "
                              "nothing was deleted: move them first")
            with _locked(directory, sweep=False):
                _remove(directory)
            return
        if (directory / SWEEP_RECORD).is_file():
            try:
                check_sweep_target(directory)
            except InputError as error:
                raise Refused(409, f"'{name}' was not deleted: {' '.join(error.lines())}") from None
            with _locked(directory, sweep=True):
                _remove(directory)
            return
        raise Refused(409, f"'{name}' was not written by optimiser (it has no manifest.json naming optimiser, "
                      "nor a sweep record); nothing was deleted")


@contextmanager
def _locked(directory: Path, sweep: bool) -> Iterator[None]:
    """The lock every writer of ``directory`` takes (a sweep store's own, else the result's): 409 while a
    command or a job writes it."""
    lock = SweepStore(directory).lock() if sweep else output_lock(directory)
    try:
        lock.__enter__()
    except InputError as error:
        raise Refused(409, f"'{directory.name}' was not deleted: {' '.join(error.lines())}") from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _remove(directory: Path) -> None:
    """Rename out of sight first (a reader never sees half a directory), then delete."""
    hidden = directory.with_name(f".{directory.name}.old-{os.getpid()}")
    os.replace(directory, hidden)
    shutil.rmtree(hidden, ignore_errors=True)
    logger.info("deleted %s", directory)
