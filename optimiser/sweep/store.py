"""The results store of a sweep: append-only parts, consolidated atomically, safe to kill at any moment.

Layout of ``results/<sweep name>/``::

    sweep.json                  the sweep as run: kind, parameters, resolved base scenario, inputs hash
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
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError, InputIssue
from ..store import write_csv

logger = logging.getLogger(__name__)

RECORDS, BUILDS, DEPENDENCE = "records", "builds", "dependence"
FAILED_STATUSES: tuple[str, ...] = ("failed", "error")
"""Statuses ``--retry-failed`` solves again: an exception, or HiGHS reporting an error."""


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(temporary)`` and rename: never a half-written ``path``."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def read_detail(directory: str | Path, table: str, scenario_id: str | None = None) -> pd.DataFrame:
    """The ``builds`` or ``dependence`` detail of a sweep's results directory (one scenario's, or all)."""
    folder = Path(directory) / table
    if not folder.is_dir() or not any(folder.glob("part-*.parquet")):
        return pd.DataFrame()
    filters = [("scenario_id", "=", scenario_id)] if scenario_id is not None else None
    return pq.read_table(folder, filters=filters).to_pandas()


class SweepStore:
    """One sweep's results directory (see the module docstring)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._sequence = 0

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the directory's lock (released by the OS if the process dies)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = open(self.directory / ".lock", "w")
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

    def prepare(self, info: dict) -> None:
        """Create the layout, remove what a killed run left half-done, and write ``sweep.json``."""
        for name in (RECORDS, BUILDS, DEPENDENCE):
            (self.directory / name).mkdir(parents=True, exist_ok=True)
        for folder in (self.directory, *(self.directory / name for name in (RECORDS, BUILDS, DEPENDENCE))):
            for temporary in folder.glob(".*.tmp-*"):
                temporary.unlink()
        records = self.records()
        named = set(records["part"].dropna()) if "part" in records else set()
        for name in (BUILDS, DEPENDENCE):
            for part in (self.directory / name).glob("part-*.parquet"):
                if part.stem not in named:
                    logger.info("removing %s: its commit did not complete", part)
                    part.unlink()
        write_atomic(
            self.directory / "sweep.json",
            lambda path: path.write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8"),
        )

    def _record_parts(self) -> list[Path]:
        return sorted((self.directory / RECORDS).glob("part-*.parquet"))

    def records(self) -> pd.DataFrame:
        """Every committed runs row, the latest per scenario id (consolidated rows, then newer parts)."""
        runs = self.directory / "runs.parquet"
        files = ([runs] if runs.exists() else []) + self._record_parts()
        tables = [table for table in (pq.read_table(path) for path in files) if table.num_rows]
        if not tables:
            return pd.DataFrame(columns=["scenario_id", "status", "part"])
        merged = pa.concat_tables(tables, promote_options="permissive").to_pandas()
        return merged.drop_duplicates("scenario_id", keep="last").reset_index(drop=True)

    def finished(self, retry_failed: bool) -> set[str]:
        """Ids with a committed result (failed ones left out when they are to be retried)."""
        records = self.records()
        if retry_failed:
            records = records[~records["status"].isin(FAILED_STATUSES)]
        return set(records["scenario_id"])

    def _part_name(self) -> str:
        self._sequence += 1
        return f"part-{time.time_ns():020d}-{os.getpid()}-{self._sequence:06d}"

    def commit(self, rows: list[dict], builds: pa.Table | None, dependence: pa.Table | None) -> str:
        """Commit one chunk of results: detail parts first, then the records part that names them."""
        name = self._part_name()
        for folder, table in ((BUILDS, builds), (DEPENDENCE, dependence)):
            if table is not None and table.num_rows:
                write_atomic(self.directory / folder / f"{name}.parquet", lambda path, t=table: pq.write_table(t, path))
        table = pa.Table.from_pylist([{**row, "part": name} for row in rows])
        write_atomic(self.directory / RECORDS / f"{name}.parquet", lambda path: pq.write_table(table, path))
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
        write_atomic(self.directory / "runs.parquet", lambda path: runs.to_parquet(path, index=False))
        write_atomic(self.directory / "runs.csv", lambda path: write_csv(runs, path))
        for part in parts:
            part.unlink()
        return runs
