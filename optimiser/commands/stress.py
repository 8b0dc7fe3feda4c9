"""`optimiser stress --portfolios DIR... --scenarios FILE...`: the regret matrix."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from ..inputs import load_inputs
from ..portfolios.stress import StressResult, stress
from ..store import write_csv, write_result
from .common import DEFAULT_RESULTS, add_inputs_argument, format_table, scenario_list
from .report import add_no_report_argument, write_after_run

NAME = "stress"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="evaluate every portfolio under every scenario: objectives and regrets")
    parser.add_argument("--portfolios", type=Path, nargs="+", required=True, metavar="DIR", help="result directories or portfolio CSVs")
    parser.add_argument("--scenarios", type=Path, nargs="+", required=True, metavar="FILE", help="scenario TOML files")
    add_inputs_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: results/stress)")
    add_no_report_argument(parser)


def write_stress(result: StressResult, out: Path) -> None:
    """stress.csv (long), objective_matrix.csv, regret_matrix.csv, and each evaluation's result directory."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(result.table, out / "stress.csv")
    write_csv(result.matrix("objective").reset_index(), out / "objective_matrix.csv")
    write_csv(result.matrix("regret").reset_index(), out / "regret_matrix.csv")
    for (portfolio, scenario), evaluation in result.evaluations.items():
        write_result(evaluation, out / "evaluations" / f"{portfolio}__{scenario}")


def execute(args: argparse.Namespace) -> int:
    data = load_inputs(args.inputs)
    scenarios = scenario_list(args.scenarios, data)
    result = stress(data, args.portfolios, scenarios)
    out = args.out if args.out is not None else DEFAULT_RESULTS / "stress"
    write_stress(result, out)
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
        write_after_run(out, data)
    return EXIT_OK if (result.table["status"] == "optimal").all() else EXIT_NOT_OPTIMAL
