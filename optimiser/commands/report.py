"""`optimiser report DIR [--out FILE] [--png]`: regenerate report.html, and with --png its PNG figures, from a
stored result.

The page's own work takes about a second on the default run; the six matplotlib PNGs take three to four
times as long again (docs/reports.md), so they are drawn only when asked for, here and by every command that
writes a report (``--png`` beside ``--no-report``)."""

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
        help="write report.html (and with --png its PNG figures) for a stored result (run, sweep, comparison, stress or robust)",
        description="Regenerate report.html, and with --png figures/*.png, from a stored result. The kind of report "
        "follows what DIR holds: a run (summary.json), a sweep (sweep.json), a comparison (comparison.csv), a stress "
        "test (stress.csv) or a robust run (summary.json of kind robust).",
    )
    parser.add_argument("result", type=Path, metavar="DIR", help="a result directory (results/<name>)")
    parser.add_argument("--out", type=Path, default=None, help="the report file (default: DIR/report.html); PNGs go to figures/ beside it")
    add_png_argument(parser)
    parser.add_argument(
        "--inputs",
        type=Path,
        default=None,
        help=f"the input tables a run was solved on, for its sources table (default: {DEFAULT_INPUTS} if it exists)",
    )


def execute(args: argparse.Namespace) -> int:
    from ..inputs.load import load_inputs
    from ..report import report_kind, write_report

    kind = report_kind(args.result)
    inputs_dir = args.inputs if args.inputs is not None else (DEFAULT_INPUTS if DEFAULT_INPUTS.is_dir() else None)
    data = load_inputs(inputs_dir) if inputs_dir is not None and kind == "run" else None
    if args.out is None and args.result.is_dir():
        from ..store import output_lock

        with output_lock(args.result):  # a run writing DIR at the same time would mix its files with ours
            path = write_report(args.result, args.out, data, png=args.png)
    else:
        path = write_report(args.result, args.out, data, png=args.png)
    size = path.stat().st_size
    print(f"{kind} report written to {path} ({size / 1e6:.2f} MB); {_pngs_where(path, args.png, args.result)}")
    return EXIT_OK


def _pngs_where(path: Path, png: bool, result: Path) -> str:
    """Where the PNGs went, or how to draw them."""
    from ..report.html import FIGURES_DIRECTORY

    if png:
        return f"PNG figures in {path.parent / FIGURES_DIRECTORY}/"
    return f"PNG figures: optimiser report {result} --png"


def add_png_argument(parser: argparse.ArgumentParser) -> None:
    """``--png``: draw the report's figures as PNGs in figures/ too (matplotlib: the command takes about twice
    as long), for slides; the page's charts have a camera button that saves one PNG each anyway."""
    parser.add_argument("--png", action="store_true", help="also draw each figure as a PNG in figures/ beside the report, for slides (slower)")


def add_no_report_argument(parser: argparse.ArgumentParser) -> None:
    """``--no-report``: skip report.html (about a second) in batch scripts; and ``--png`` (see
    :func:`add_png_argument`), since every command with a report can draw its PNGs."""
    parser.add_argument("--no-report", action="store_true", help="do not write report.html (optimiser report DIR writes it later)")
    add_png_argument(parser)


def write_after_run(out: Path, data: InputData | None = None, png: bool = False) -> None:
    """The commands' hook: write the report of the result just stored in ``out`` (with ``png``, its PNGs
    too), and say where it is.

    A report failure is logged as a warning by ``report_after_run`` and never fails the run: the result
    files are already written.
    """
    from ..report import report_after_run

    path = report_after_run(out, data, png=png)
    if path is not None:
        print(f"report written to {path} ({_pngs_where(path, png, out)})")
