"""The command line: `optimiser <command>`, one module per command in ``optimiser.commands``.

Exit status: 0 optimal (or valid), 2 bad input, 3 a solve that is not optimal or a result that could not be
written (a full disk). Bad input is reported as one
line per problem naming the file, line and column (or scenario key), never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .commands import COMMANDS
from .errors import EXIT_BAD_INPUT, EXIT_NOT_OPTIMAL, InputError, OutputError, SolveError


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
    except InputError as error:
        for issue in error.issues:
            print(f"error: {issue}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (SolveError, OutputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_NOT_OPTIMAL


if __name__ == "__main__":
    sys.exit(main())
