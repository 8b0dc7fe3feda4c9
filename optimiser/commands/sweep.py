"""`optimiser sweep`: solve every scenario of a sweep file, in parallel, into a resumable results store."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from .common import DEFAULT_RESULTS, add_inputs_argument, format_table
from .report import add_no_report_argument, write_after_run

NAME = "sweep"
SHOWN_ROWS = 10


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="solve the scenarios of a sweep file (grid, one-at-a-time, Monte Carlo, Latin hypercube, Morris)",
        description="Solve every scenario of a sweep file and write results/<sweep name>/ (runs.parquet, runs.csv, "
        "builds/ and dependence/ keyed by scenario id). Rerunning skips finished scenarios. The file format is in "
        "docs/sweeps.md.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.toml", help="the sweep file")
    add_inputs_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="results directory (default: results/<sweep name>)")
    parser.add_argument("--workers", type=_positive, default=None, metavar="N",
                        help="local worker processes (default and most: one per core; 1 solves in this process)")
    parser.add_argument("--dask-scheduler", default=None, metavar="ADDRESS",
                        help="run on the dask.distributed cluster at ADDRESS ([tcp://]host:port, e.g. "
                        "tcp://host:8786) instead; exit 2 if it does not answer within 10 s")
    parser.add_argument("--retry-failed", action="store_true", help="solve again the scenarios that failed before")
    parser.add_argument("--quiet", action="store_true", help="no progress and no summary (the exit status says it all)")
    add_no_report_argument(parser)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def execute(args: argparse.Namespace) -> int:
    from ..report import report_after_run
    from ..sweep.api import all_optimal, sweep
    from ..sweep.executors import cap_workers, check_dask_address
    from ..sweep.progress import logger as progress_logger
    from ..sweep.spec import load_spec

    if args.dask_scheduler is not None:
        check_dask_address(args.dask_scheduler)
    spec = load_spec(args.file)
    workers = args.workers
    if workers is not None and args.dask_scheduler is None:
        workers, note = cap_workers(workers)
        if note and not args.quiet:
            print(f"note: {note}")
    if not args.quiet and not progress_logger.isEnabledFor(logging.INFO):
        progress_logger.setLevel(logging.INFO)
    out = args.out if args.out is not None else DEFAULT_RESULTS / spec.name
    started = time.perf_counter()
    runs = sweep(
        spec,
        inputs=args.inputs,
        out=out,
        workers=workers,
        dask_scheduler=args.dask_scheduler,
        retry_failed=args.retry_failed,
        progress=False if args.quiet else None,
    )
    if not args.quiet:
        _print_summary(spec, runs, out, time.perf_counter() - started)
    if not args.no_report:
        if args.quiet:
            report_after_run(out, png=args.png)
        else:
            write_after_run(out, png=args.png)
    return EXIT_OK if all_optimal(runs) else EXIT_NOT_OPTIMAL


def _print_summary(spec, runs, out: Path, seconds: float) -> None:
    from ..sweep.api import read_sensitivity

    counts = ", ".join(f"{count} {status}" for status, count in runs["status"].value_counts().items())
    print(f"sweep '{spec.name}' ({spec.kind}): {len(runs)} scenarios, {counts}; {seconds:.1f} s")
    for repair in runs.attrs.get("repairs", []):
        print(f"  repaired: {repair}")
    failed = runs[runs["status"] != "optimal"]
    for row in failed.head(SHOWN_ROWS).itertuples(index=False):
        print(f"  {row.scenario_id} {row.name}: {row.status}{f' — {row.error}' if isinstance(row.error, str) else ''}")
    if len(failed) > SHOWN_ROWS:
        print(f"  ... and {len(failed) - SHOWN_ROWS} more not optimal (see runs.csv)")
    table = read_sensitivity(out, spec.kind)
    if table is not None:
        title = "Morris ranking (mu_star: mean |elementary effect| over each input's range)" if spec.kind == "morris" \
            else "tornado (objective at each parameter's low and high, largest swing first)"
        print(f"\n{title}:")
        print(format_table(table.head(SHOWN_ROWS * 2), float_format="{:,.4g}"))
    print(f"\nresults written to {out}/ (runs.parquet, runs.csv, builds/, dependence/)")
