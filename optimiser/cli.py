"""The command line: `optimiser <command>`, one module per command in ``optimiser.commands``.

Exit status: 0 optimal (or valid); 2 bad input, a bad command argument or an unreadable result directory;
3 a solve that is not optimal or a result that could not be written (a full disk); 4 HiGHS unavailable or a
model the sweep's LP compiler cannot write (the table is in ``optimiser.errors``). Every error is reported
as one ``error: ...`` line per problem, naming the file, line and column (or scenario key) for bad input,
never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .commands import COMMANDS
from .errors import EXIT_NOT_OPTIMAL, OptimiserError

EXIT_INTERRUPTED = 130
"""Ctrl-C, as shells report a process ended by SIGINT."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optimiser",
        description="Rare-earth diversification investment optimiser: which non-Chinese plants to fund, and when.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and solver details")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    executor = {command.NAME: command.execute for command in COMMANDS}[args.command]
    try:
        return executor(args)
    except OptimiserError as error:
        for line in error.lines():
            print(f"error: {line}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print("interrupted: the previous result, and every finished sweep scenario, are kept as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:  # a full disk or a permission the code paths above did not name
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error} (nothing finished was lost; free space or fix access and rerun)", file=sys.stderr)
        return EXIT_NOT_OPTIMAL


if __name__ == "__main__":
    sys.exit(main())
