"""`optimiser stress --portfolios DIR... --scenarios FILE...`: the regret matrix."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from .common import DEFAULT_RESULTS, add_inputs_argument, add_time_limit_argument, format_table, scenario_list, time_limit_override
from .report import add_no_report_argument, write_after_run

if TYPE_CHECKING:
    from ..portfolios.stress import StressResult

NAME = "stress"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="evaluate every portfolio under every scenario: objectives and regrets")
    parser.add_argument("--portfolios", type=Path, nargs="+", required=True, metavar="DIR", help="result directories or portfolio CSVs")
    parser.add_argument("--scenarios", type=Path, nargs="+", required=True, metavar="FILE", help="scenario TOML files")
    add_inputs_argument(parser)
    add_time_limit_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: results/stress)")
    add_no_report_argument(parser)


def write_stress(result: StressResult, out: Path) -> None:
    """Publish ``out``: stress.csv (long), objective_matrix.csv, regret_matrix.csv, and each evaluation's
    result directory under evaluations/."""
    from ..store import publish, write_csv, write_result_files

    with publish(out, NAME) as staging:
        write_csv(result.table, staging / "stress.csv")
        write_csv(result.matrix("objective").reset_index(), staging / "objective_matrix.csv")
        write_csv(result.matrix("regret").reset_index(), staging / "regret_matrix.csv")
        for (portfolio, scenario), evaluation in result.evaluations.items():
            write_result_files(evaluation, staging / "evaluations" / f"{portfolio}__{scenario}")


def execute(args: argparse.Namespace) -> int:
    from ..inputs.load import load_inputs
    from ..portfolios.stress import stress
    from ..store import output_directory

    data = load_inputs(args.inputs)
    scenarios = scenario_list(args.scenarios, data, time_limit_override(args))
    out = args.out if args.out is not None else DEFAULT_RESULTS / "stress"
    with output_directory(out, NAME):
        result = stress(data, args.portfolios, scenarios)
        write_stress(result, out)
        _print_and_report(args, data, result, out)
    return EXIT_OK if (result.table["status"] == "optimal").all() else EXIT_NOT_OPTIMAL


def _print_and_report(args: argparse.Namespace, data, result: StressResult, out: Path) -> None:
    print("objective (dependence points) by portfolio and scenario")
    print(format_table(result.matrix("objective").reset_index(), "{:.3f}"))
    regrets = result.matrix("regret")
    regrets["max regret"] = regrets.max(axis=1)
    print("\nregret (points worse than the best portfolio for that scenario)")
    print(format_table(regrets.reset_index(), "{:.3f}"))
    if result.min_max_regret is not None:
        print(f"\nmin-max-regret portfolio: {result.min_max_regret}")
    print(f"\nwritten to {out}/")
    if not args.no_report:
        write_after_run(out, data, png=args.png)
