"""The results store of a sweep: append-only parts, consolidated atomically, safe to kill at any moment.

Layout of ``results/<sweep name>/``::

    sweep.json                  the sweep as run ("kind": "sweep"): parameters, resolved base scenario, inputs hash
    checksums.jsonl             sha256 and row count of every parquet file below, one JSON line per write
    runs.parquet, runs.csv      one row per scenario of the sweep (consolidated)
    records/part-*.parquet      runs rows committed since the last consolidation
    builds/part-*.parquet       builds of every solved scenario, with a scenario_id column
    dependence/part-*.parquet   dependence tables, with a scenario_id column
    morris.csv, tornado.csv     sensitivity rankings (Morris and one-at-a-time sweeps)

Every file is written to a hidden temporary name in its directory and renamed into place, so a reader (or
a rerun after SIGKILL) sees either the old file or the new one whole. A chunk of results is committed as its
builds and dependence parts first, then its records part: the records part is the commit, and names the
detail parts (``part`` column). A rerun deletes temporaries and detail parts no record names (a commit cut
short), reads the records (latest wins per scenario id) and skips finished ids. Consolidation writes
``runs.parquet`` and ``runs.csv``, then deletes the record parts it folded in. Directories of parquet parts
read as one table: ``pandas.read_parquet("results/<sweep>/builds")`` (names starting with ``.`` are
ignored). A lock file keeps two sweeps from writing one directory at once.

A rerun also verifies what it reuses (:meth:`SweepStore.prepare`): each parquet file's sha256 must be one
``checksums.jsonl`` recorded for it (the line is appended before the rename, so a kill between the two
leaves the old and the new checksum, and the file matches one). A damaged file (truncated, emptied, or a
detail part that a commit names gone missing) is logged as a WARNING naming it and removed with its whole
commit, and the scenarios it held are solved again. Files of a store written before checksums existed are
accepted when they read whole as parquet with the row count their footer gives, and their checksums are
recorded from then on.

A sweep writes only into a new directory, an empty one, or one of its own stores
(:func:`check_output_target`): never into a folder of the user's.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError, InputIssue
from ..store import existing_target_entries, is_leftover, refuse_output, sha256_of, write_atomic, write_csv

logger = logging.getLogger(__name__)

RECORDS, BUILDS, DEPENDENCE = "records", "builds", "dependence"
FAILED_STATUSES: tuple[str, ...] = ("failed", "error")
"""Statuses ``--retry-failed`` solves again: an exception, or HiGHS reporting an error."""

SWEEP_RECORD = "sweep.json"
CHECKSUMS = "checksums.jsonl"
RUNS_PARQUET = "runs.parquet"
LOCK = ".lock"
STORE_KIND = "sweep"
STORE_FORMAT = 1
"""``sweep.json`` says ``"kind": "sweep"`` and ``"result_format": 1`` (stores before checksums have neither)."""

SWEEP_DIRECTORIES: frozenset[str] = frozenset({RECORDS, BUILDS, DEPENDENCE, "figures"})
SWEEP_FILES: frozenset[str] = frozenset(
    {SWEEP_RECORD, CHECKSUMS, RUNS_PARQUET, "runs.csv", "morris.csv", "tornado.csv", "report.html", LOCK}
)
"""Every entry a sweep (and its report) writes at the top of its results directory."""


def read_detail(directory: str | Path, table: str, scenario_id: str | None = None) -> pd.DataFrame:
    """The ``builds`` or ``dependence`` detail of a sweep's results directory (one scenario's, or all).

    Raises InputError naming the part that does not read (a rerun of the sweep repairs it)."""
    folder = Path(directory) / table
    if not folder.is_dir() or not any(folder.glob("part-*.parquet")):
        return pd.DataFrame()
    filters = [("scenario_id", "=", scenario_id)] if scenario_id is not None else None
    try:
        return pq.read_table(folder, filters=filters).to_pandas()
    except (OSError, ValueError, pa.ArrowException):
        for part in sorted(folder.glob("part-*.parquet")):
            problem = _read_whole(part)
            if problem is not None:
                raise InputError(InputIssue(str(part), f"is damaged: {problem}; rerun the sweep into {directory} "
                                            "to solve its scenarios again")) from None
        raise


# Whose directory is it ------------------------------------------------------------------------------------


def _is_sweep_entry(entry: Path) -> bool:
    """Whether ``entry`` (at the top of a results directory) is one a sweep or its report writes."""
    if is_leftover(entry.name):
        return True
    if entry.name in SWEEP_DIRECTORIES:
        return entry.is_dir() and not entry.is_symlink()
    return entry.name in SWEEP_FILES and entry.is_file() and not entry.is_symlink()


def _sweep_record_state(directory: Path) -> str:
    """``ours`` (sweep.json of a sweep store, of this version or an earlier one), ``unreadable``, ``foreign``
    (a JSON file another tool wrote) or ``missing``."""
    path = directory / SWEEP_RECORD
    if not path.exists():
        return "missing"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return "unreadable"
    if not isinstance(value, dict):
        return "foreign"
    if value.get("kind") == STORE_KIND:
        return "ours"
    earlier = isinstance(value.get("sweep"), dict) and "inputs_sha256" in value and "scenarios" in value
    return "ours" if earlier else "foreign"


def check_output_target(target: Path, kind: str = STORE_KIND) -> None:
    """Refuse to write a sweep into ``target`` unless it is new, an empty directory, or a sweep store (its
    ``sweep.json`` says so and it holds only what a sweep writes); raises InputError (exit 2) naming why.
    Reads only: nothing is created or deleted, not even the lock file."""
    if kind != STORE_KIND:
        raise ValueError(f"the sweep store checks only kind {STORE_KIND!r}, not {kind!r}")
    target = Path(target)
    entries = existing_target_entries(target, "sweep results directory")
    if entries is None:
        return
    if all(entry.name == LOCK or is_leftover(entry.name) for entry in entries):
        return
    state = _sweep_record_state(target)
    foreign = [entry.name for entry in entries if not _is_sweep_entry(entry)]
    if state in ("missing", "foreign"):
        why = "has no sweep.json" if state == "missing" else "has a sweep.json that is not a sweep record of this tool"
        shown = ", ".join(foreign[:5] or [entry.name for entry in entries][:5])
        raise refuse_output(target, f"is not a sweep results directory: it {why} (it holds {shown})")
    if state == "unreadable" and not (target / RECORDS).is_dir():
        raise refuse_output(target, "is not a sweep results directory: its sweep.json cannot be read")
    if foreign:
        raise refuse_output(target, f"holds {', '.join(foreign[:5])}, which a sweep does not write; move it first")


# Checksums ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checksum:
    """What a parquet file of the store held when it was written."""

    sha256: str
    rows: int


def _read_whole(path: Path) -> str | None:
    """Why ``path`` is not a whole parquet file (None when its footer and every row read)."""
    try:
        expected = pq.read_metadata(path).num_rows
        rows = pq.read_table(path).num_rows
    except (OSError, ValueError, pa.ArrowException) as error:
        return f"it does not read as parquet ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"
    if rows != expected:
        return f"it holds {rows} rows where its footer says {expected}"
    return None


# The store ------------------------------------------------------------------------------------------------


class SweepStore:
    """One sweep's results directory (see the module docstring)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._sequence = 0
        self._checksums: dict[str, Checksum] | None = None
        self.repairs: list[str] = []
        """What :meth:`prepare` found damaged, one sentence naming each file."""
        self._solve_again: set[str] = set()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the directory's lock (released by the OS if the process dies)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = open(self.directory / LOCK, "w")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(
                    InputIssue(str(self.directory), "another sweep is writing to this results directory")
                ) from None
            yield
        finally:
            handle.close()

    # Checksums of the files written ------------------------------------------------------------------------

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()

    def _recorded(self) -> dict[str, list[Checksum]]:
        """Every checksum ``checksums.jsonl`` holds, by file (lines a kill cut short are skipped)."""
        path = self.directory / CHECKSUMS
        recorded: dict[str, list[Checksum]] = {}
        if not path.is_file():
            return recorded
        skipped = 0
        for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                recorded.setdefault(str(entry["file"]), []).append(Checksum(str(entry["sha256"]), int(entry["rows"])))
            except (ValueError, TypeError, KeyError):
                skipped += 1
        if skipped:
            logger.info("%s: %d unreadable lines skipped (a write cut short)", path, skipped)
        return recorded

    def _current(self) -> dict[str, Checksum]:
        """The checksum of each file as this process knows it (the last recorded, before :meth:`prepare`)."""
        if self._checksums is None:
            self._checksums = {name: entries[-1] for name, entries in self._recorded().items()}
        return self._checksums

    def _write_checksums(self) -> None:
        """Rewrite ``checksums.jsonl`` with one line per parquet file present."""
        current = self._current()
        for name in [name for name in current if not (self.directory / name).is_file()]:
            del current[name]
        text = "".join(
            json.dumps({"file": name, "sha256": entry.sha256, "rows": entry.rows}) + "\n"
            for name, entry in sorted(current.items())
        )
        write_atomic(self.directory / CHECKSUMS, lambda path: path.write_text(text, encoding="utf-8"))

    def _write_parquet(self, path: Path, write: Callable[[Path], None]) -> None:
        """Write a parquet file atomically, its checksum appended to ``checksums.jsonl`` before the rename."""
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            write(temporary)
            entry = Checksum(sha256_of(temporary), pq.read_metadata(temporary).num_rows)
            line = json.dumps({"file": self._relative(path), "sha256": entry.sha256, "rows": entry.rows})
            with open(self.directory / CHECKSUMS, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
            os.replace(temporary, path)
            self._current()[self._relative(path)] = entry
        finally:
            if temporary.exists():
                temporary.unlink()

    def _verify(self, path: Path, recorded: dict[str, list[Checksum]], unrecorded: list[str]) -> str | None:
        """Why ``path`` is damaged (None when it is whole); a whole file's checksum is kept as current."""
        name = self._relative(path)
        if name in recorded:
            digest = sha256_of(path)
            match = next((entry for entry in recorded[name] if entry.sha256 == digest), None)
            if match is None:
                return "its sha256 is not the one recorded when it was written (truncated or changed since)"
            self._current()[name] = match
            return None
        problem = _read_whole(path)
        if problem is None:
            unrecorded.append(name)
            self._current()[name] = Checksum(sha256_of(path), pq.read_metadata(path).num_rows)
        return problem

    # Resuming -----------------------------------------------------------------------------------------------

    def prepare(self, info: dict) -> list[str]:
        """Write ``sweep.json``, create the layout, remove what a killed run left half-done, and verify every
        part a rerun would reuse: damaged ones are removed with their commit, so their scenarios are solved
        again. Returns (and logs as warnings) one sentence per damaged file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"kind": STORE_KIND, "result_format": STORE_FORMAT, **info}
        write_atomic(
            self.directory / SWEEP_RECORD,
            lambda path: path.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8"),
        )
        for name in (RECORDS, BUILDS, DEPENDENCE):
            (self.directory / name).mkdir(parents=True, exist_ok=True)
        for folder in (self.directory, *(self.directory / name for name in (RECORDS, BUILDS, DEPENDENCE))):
            for temporary in folder.glob(".*.tmp-*"):
                temporary.unlink()
        recorded = self._recorded()
        self._checksums, self.repairs, self._solve_again = {}, [], set()
        unrecorded: list[str] = []

        def damaged(path: Path, consequence: str) -> bool:
            problem = self._verify(path, recorded, unrecorded)
            if problem is not None:
                self.repairs.append(f"{path} is damaged: {problem}; {consequence}")
                path.unlink()
            return problem is not None

        runs = self.directory / RUNS_PARQUET
        if runs.exists():
            damaged(runs, "it is removed and the scenarios it held are solved again")
        for part in self._record_parts():
            damaged(part, "it is removed and the scenarios it committed are solved again")
        records = self.records()
        named = set(records["part"].dropna()) if "part" in records else set()
        broken: set[str] = set()
        for folder in (BUILDS, DEPENDENCE):
            for part in sorted((self.directory / folder).glob("part-*.parquet")):
                if part.stem not in named:
                    logger.info("removing %s: no committed record names it (a commit cut short)", part)
                    part.unlink()
                elif damaged(part, "its commit is removed and its scenarios are solved again"):
                    broken.add(part.stem)
            for name in recorded:
                path = self.directory / name
                if name.startswith(f"{folder}/") and path.stem in named - broken and not path.exists():
                    self.repairs.append(f"{path} is missing (its checksum was recorded when it was written); "
                                        "its commit is removed and its scenarios are solved again")
                    broken.add(path.stem)
        if broken:
            self._drop_commits(broken)
        self._write_checksums()
        if unrecorded:
            logger.info("%d files of %s had no recorded checksum (written by an earlier version): each read whole "
                        "as parquet with its footer's row count, so they are reused, and their checksums are "
                        "recorded now", len(unrecorded), self.directory)
        for repair in self.repairs:
            logger.warning(repair)
        return self.repairs

    def _drop_commits(self, parts: set[str]) -> None:
        """Remove commits ``parts`` whole (record rows and detail parts), so that their scenarios are solved
        again without duplicate details."""
        for name in parts:
            record = self.directory / RECORDS / f"{name}.parquet"
            if record.exists():
                self._solve_again |= set(pq.read_table(record, columns=["scenario_id"]).column(0).to_pylist())
            for folder in (RECORDS, BUILDS, DEPENDENCE):
                path = self.directory / folder / f"{name}.parquet"
                if path.exists():
                    path.unlink()
        runs_path = self.directory / RUNS_PARQUET
        if runs_path.exists():
            runs = pd.read_parquet(runs_path)
            dropped = runs["part"].isin(parts) if "part" in runs else pd.Series(False, index=runs.index)
            if dropped.any():
                self._solve_again |= set(runs.loc[dropped, "scenario_id"])
                kept = runs[~dropped].reset_index(drop=True)
                self._write_parquet(runs_path, lambda path: kept.to_parquet(path, index=False))
                write_atomic(self.directory / "runs.csv", lambda path: write_csv(kept, path))

    def _record_parts(self) -> list[Path]:
        return sorted((self.directory / RECORDS).glob("part-*.parquet"))

    def records(self) -> pd.DataFrame:
        """Every committed runs row, the latest per scenario id (consolidated rows, then newer parts)."""
        runs = self.directory / RUNS_PARQUET
        files = ([runs] if runs.exists() else []) + self._record_parts()
        tables = [table for table in (pq.read_table(path) for path in files) if table.num_rows]
        if not tables:
            return pd.DataFrame(columns=["scenario_id", "status", "part"])
        merged = pa.concat_tables(tables, promote_options="permissive").to_pandas()
        return merged.drop_duplicates("scenario_id", keep="last").reset_index(drop=True)

    def finished(self, retry_failed: bool) -> set[str]:
        """Ids with a committed result (failed ones left out when they are to be retried, and those whose
        latest result :meth:`prepare` found damaged)."""
        records = self.records()
        if retry_failed:
            records = records[~records["status"].isin(FAILED_STATUSES)]
        return set(records["scenario_id"]) - self._solve_again

    # Writing ------------------------------------------------------------------------------------------------

    def _part_name(self) -> str:
        self._sequence += 1
        return f"part-{time.time_ns():020d}-{os.getpid()}-{self._sequence:06d}"

    def commit(self, rows: list[dict], builds: pa.Table | None, dependence: pa.Table | None) -> str:
        """Commit one chunk of results: detail parts first, then the records part that names them."""
        name = self._part_name()
        for folder, table in ((BUILDS, builds), (DEPENDENCE, dependence)):
            if table is not None and table.num_rows:
                self._write_parquet(self.directory / folder / f"{name}.parquet",
                                    lambda path, t=table: pq.write_table(t, path))
        table = pa.Table.from_pylist([{**row, "part": name} for row in rows])
        self._write_parquet(self.directory / RECORDS / f"{name}.parquet", lambda path: pq.write_table(table, path))
        return name

    def consolidate(self, ids: list[str]) -> pd.DataFrame:
        """Write ``runs.parquet`` and ``runs.csv`` with one row per id of ``ids`` that has a result (in that
        order), then drop the record parts folded in."""
        parts = self._record_parts()
        records = self.records()
        order = {identifier: i for i, identifier in enumerate(ids)}
        stale = int((~records["scenario_id"].isin(order)).sum()) if len(records) else 0
        if stale:
            logger.info("%d results of scenarios no longer in the sweep are left out of runs.parquet", stale)
        runs = records[records["scenario_id"].isin(order)].copy() if len(records) else records
        runs = runs.assign(_order=runs["scenario_id"].map(order)).sort_values("_order").drop(columns="_order")
        runs = runs.reset_index(drop=True)
        self._write_parquet(self.directory / RUNS_PARQUET, lambda path: runs.to_parquet(path, index=False))
        write_atomic(self.directory / "runs.csv", lambda path: write_csv(runs, path))
        for part in parts:
            part.unlink()
        self._write_checksums()
        return runs
