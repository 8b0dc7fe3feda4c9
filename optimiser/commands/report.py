"""`optimiser report DIR [--out FILE]`: regenerate report.html and its PNG figures from a stored result."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_OK
from .common import DEFAULT_INPUTS

if TYPE_CHECKING:
    from ..inputs.data import InputData

NAME = "report"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="write report.html and PNG figures for a stored result (run, sweep, comparison, stress or robust)",
        description="Regenerate report.html and figures/ from a stored result. The kind of report follows what DIR "
        "holds: a run (summary.json), a sweep (sweep.json), a comparison (comparison.csv), a stress test "
        "(stress.csv) or a robust run (summary.json of kind robust).",
    )
    parser.add_argument("result", type=Path, metavar="DIR", help="a result directory (results/<name>)")
    parser.add_argument("--out", type=Path, default=None, help="the report file (default: DIR/report.html); PNGs go to figures/ beside it")
    parser.add_argument(
        "--inputs",
        type=Path,
        default=None,
        help=f"the input tables a run was solved on, for its sources table (default: {DEFAULT_INPUTS} if it exists)",
    )


def execute(args: argparse.Namespace) -> int:
    from ..inputs.load import load_inputs
    from ..report import report_kind, write_report
    from ..report.html import FIGURES_DIRECTORY

    kind = report_kind(args.result)
    inputs_dir = args.inputs if args.inputs is not None else (DEFAULT_INPUTS if DEFAULT_INPUTS.is_dir() else None)
    data = load_inputs(inputs_dir) if inputs_dir is not None and kind == "run" else None
    if args.out is None and args.result.is_dir():
        from ..store import output_lock

        with output_lock(args.result):  # a run writing DIR at the same time would mix its files with ours
            path = write_report(args.result, args.out, data)
    else:
        path = write_report(args.result, args.out, data)
    size = path.stat().st_size
    print(f"{kind} report written to {path} ({size / 1e6:.2f} MB); PNG figures in {path.parent / FIGURES_DIRECTORY}/")
    return EXIT_OK


def add_no_report_argument(parser: argparse.ArgumentParser) -> None:
    """``--no-report``: skip report.html and the PNGs (a few seconds each) in batch scripts."""
    parser.add_argument("--no-report", action="store_true", help="do not write report.html and figures/ (optimiser report DIR writes them later)")


def write_after_run(out: Path, data: InputData | None = None) -> None:
    """The commands' hook: write the report of the result just stored in ``out``, and say where it is.

    A report failure is logged as a warning by ``report_after_run`` and never fails the run: the result
    files are already written.
    """
    from ..report import report_after_run
    from ..report.html import FIGURES_DIRECTORY

    path = report_after_run(out, data)
    if path is not None:
        print(f"report written to {path} (PNG figures in {path.parent / FIGURES_DIRECTORY}/)")
