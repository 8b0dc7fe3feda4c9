"""``sweep``: run a sweep file end to end and return its runs table."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd
from pyomo.common.tee import capture_output

from ..inputs import InputData, load_inputs
from ..runner import versions
from .executors import (
    DaskExecutor,
    InProcessExecutor,
    LocalPoolExecutor,
    cap_workers,
    check_dask_address,
    default_workers,
)
from .plan import build_tasks, chains
from .progress import Progress, resolve_mode
from .records import builds_table, dependence_table, runs_row
from .samplers import morris_ranking, tornado_table
from .spec import SweepSpec, load_spec
from .store import STORE_KIND, SweepStore, check_output_target, write_atomic

logger = logging.getLogger(__name__)

CONSOLIDATE_EVERY_SECONDS = 60.0
"""``runs.parquet`` is rewritten at least this often during a long sweep (and always at its end)."""

COMMIT_EVERY_SECONDS = 2.0
COMMIT_MAX_SCENARIOS = 256
"""Results are committed to the store at least this often, or when this many wait, and when the sweep stops
(Ctrl-C included); a kill loses at most the uncommitted ones, which a rerun solves again."""


def sweep(
    spec: str | Path | SweepSpec,
    *,
    inputs: str | Path | InputData = "inputs",
    out: str | Path | None = None,
    workers: int | None = None,
    dask_scheduler: str | object | None = None,
    retry_failed: bool = False,
    progress: bool | str | None = None,
) -> pd.DataFrame:
    """Solve every scenario of a sweep file (or a parsed :class:`SweepSpec`) and return the runs table.

    Results go to ``out`` (default ``results/<sweep name>``): ``runs.parquet``/``runs.csv``, the builds and
    dependence detail keyed by scenario id, and ``morris.csv`` or ``tornado.csv`` for those kinds. Scenarios
    already finished there are skipped (failed ones too, unless ``retry_failed``). ``workers`` local worker
    processes (default: one per core; 1 solves in this process), or a Dask cluster at ``dask_scheduler``
    (an address, or a ``distributed.Client``). ``progress``: None or True for a bar on a terminal and log
    lines otherwise, False for none. Raises :class:`~optimiser.errors.InputError` for a bad sweep file, and
    for an ``out`` that is not new, empty or a sweep's own results directory (nothing is written there).

    Files of an earlier run found damaged are removed and their scenarios solved again; each is logged as a
    warning and listed in ``runs.attrs["repairs"]``.
    """
    started = time.perf_counter()
    spec = spec if isinstance(spec, SweepSpec) else load_spec(spec)
    directory = Path(out) if out is not None else Path("results") / spec.name
    if isinstance(dask_scheduler, str):
        check_dask_address(dask_scheduler)
    check_output_target(directory, STORE_KIND)
    data = inputs if isinstance(inputs, InputData) else load_inputs(inputs)
    tasks, sample_ids = build_tasks(spec, data)
    store = SweepStore(directory)
    by_id = {task.id: task for task in tasks}
    with ExitStack() as cleanup:
        dask = None
        if dask_scheduler is not None:  # connected before anything is written: an unreachable one costs nothing
            dask = DaskExecutor(data, dask_scheduler)
            cleanup.callback(dask.close)
        cleanup.enter_context(store.lock())
        check_output_target(directory, STORE_KIND)
        repairs = store.prepare(
            {
                "sweep": spec.to_dict(),
                "scenarios": len(tasks),
                "samples": len(sample_ids),
                "inputs": str(getattr(data, "directory", "")),
                "inputs_sha256": data.inputs_sha256,
                "versions": _versions(),
            }
        )
        finished = store.finished(retry_failed)
        pending = [task for task in tasks if task.id not in finished]
        logger.info("sweep %s: %d scenarios, %d already finished, %d to solve",
                    spec.name, len(tasks), len(tasks) - len(pending), len(pending))
        reporter = Progress(len(tasks), len(tasks) - len(pending), spec.name, resolve_mode(progress))
        if dask is not None:
            executor = dask
        else:
            useful = len(chains(spec, pending, default_workers())) if workers is None else len(pending)
            executor = _local_executor(data, workers, useful)
        last_consolidation = last_commit = time.perf_counter()
        batch: list = []
        solving = executor.run(chains(spec, pending, executor.slots))
        try:
            for results in solving:
                batch += results
                reporter.update(len(results), sum(result.status != "optimal" for result in results))
                now = time.perf_counter()
                if len(batch) >= COMMIT_MAX_SCENARIOS or now - last_commit >= COMMIT_EVERY_SECONDS:
                    _commit(store, spec, by_id, batch)
                    batch, last_commit = [], now
                if now - last_consolidation > CONSOLIDATE_EVERY_SECONDS:
                    store.consolidate([task.id for task in tasks])
                    last_consolidation = now
        finally:
            solving.close()
            reporter.close()
            _commit(store, spec, by_id, batch)
        runs = store.consolidate([task.id for task in tasks])
        _sensitivity(spec, runs, sample_ids, directory)
    logger.info("sweep %s finished in %.1f s: %s", spec.name, time.perf_counter() - started,
                runs["status"].value_counts().to_dict())
    runs.attrs["repairs"] = list(repairs)
    return runs


def _commit(store: SweepStore, spec: SweepSpec, by_id: dict, results: list) -> None:
    if results:
        rows = [runs_row(spec, by_id[result.id], result) for result in results]
        store.commit(rows, builds_table(results), dependence_table(results))


def _versions() -> dict[str, str]:
    """``runner.versions()`` without the banner HiGHS prints on its first instance in a process."""
    with capture_output(capture_fd=True):
        return versions()


def _local_executor(data: InputData, workers: int | None, useful: int) -> InProcessExecutor | LocalPoolExecutor:
    """``workers`` local processes (capped at the cores available, with a warning), or this process.

    By default (``workers`` None) one per core, but no more than ``useful``, the chains of work the plan cuts
    for that many (each worker builds its own model first, so a process without a chain only costs): a
    sweep of one short chain solves in this process. ``useful`` is the pending scenarios' count when
    ``workers`` is given.
    """
    count = min(default_workers(), max(useful, 1)) if workers is None else workers
    if count < 1:
        raise ValueError(f"workers must be at least 1, got {count}")
    count, note = cap_workers(count)
    if note:
        logger.warning(note)
    if count == 1 or useful <= 1:
        return InProcessExecutor(data)
    return LocalPoolExecutor(data, count)


def _sensitivity(spec: SweepSpec, runs: pd.DataFrame, sample_ids: list[str], directory: Path) -> None:
    """``tornado.csv`` for a one-at-a-time sweep, ``morris.csv`` for a Morris sweep (when every scenario
    it needs is optimal)."""
    if spec.kind not in ("one_at_a_time", "morris"):
        return
    needed = runs.set_index("scenario_id").reindex(sample_ids)
    if spec.kind == "one_at_a_time":
        table = tornado_table(spec, needed["objective"].to_numpy(dtype=float))
        write_atomic(directory / "tornado.csv", lambda path: table.to_csv(path, index=False, lineterminator="\n"))
        return
    if (needed["status"] != "optimal").any():
        missing = int((needed["status"] != "optimal").sum())
        logger.warning("morris.csv not written: %d of the Morris samples have no optimal result", missing)
        return
    outputs = {name: needed[name].to_numpy(dtype=float) for name in spec.outputs}
    if any(not np.isfinite(values).all() for values in outputs.values()):
        logger.warning("morris.csv not written: an output is undefined for some samples")
        return
    table = morris_ranking(spec, outputs)
    write_atomic(directory / "morris.csv", lambda path: table.to_csv(path, index=False, lineterminator="\n"))


def read_sensitivity(directory: str | Path, kind: str) -> pd.DataFrame | None:
    """``morris.csv`` (kind ``morris``) or ``tornado.csv`` (``one_at_a_time``) of a results directory."""
    name = {"morris": "morris.csv", "one_at_a_time": "tornado.csv"}.get(kind)
    path = Path(directory) / name if name else None
    if path is None or not path.exists():
        return None
    frame = pd.read_csv(path)
    return frame if len(frame) else None


def all_optimal(runs: pd.DataFrame) -> bool:
    """Whether every scenario of a runs table ended optimal."""
    return bool(len(runs)) and bool((runs["status"] == "optimal").all())
