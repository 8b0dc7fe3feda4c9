"""`optimiser alternatives --scenario FILE --slack 0.05 --count N`: near-optimal, different portfolios."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from ..portfolios.choices import MODES
from .common import DEFAULT_RESULTS, add_inputs_argument, add_scenario_argument, add_time_limit_argument, format_table, load, time_limit_override

NAME = "alternatives"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="portfolios within a slack of the optimum that differ as much as possible")
    add_scenario_argument(parser)
    add_inputs_argument(parser)
    add_time_limit_argument(parser)
    parser.add_argument("--slack", type=float, default=0.05, help="allowed relative loss of dependence objective (default 0.05)")
    parser.add_argument("--count", type=int, default=3, help="number of alternatives (default 3)")
    parser.add_argument("--mode", choices=MODES, default="projects", help="differ by projects (default), stages or countries")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: results/alternatives-<scenario>)")


def execute(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..portfolios.alternatives import alternatives, check_arguments
    from ..store import output_directory, publish, write_result_files

    check_arguments(args.slack, args.count, args.mode)
    data, scenario = load(args.inputs, args.scenario, time_limit_override(args))
    out = args.out if args.out is not None else DEFAULT_RESULTS / f"alternatives-{scenario.name}"
    with output_directory(out, NAME):
        optimum, found = alternatives(data, scenario, slack=args.slack, count=args.count, mode=args.mode)
        with publish(out, NAME) as staging:
            write_result_files(optimum, staging / "optimum")
            for alternative in found:
                write_result_files(alternative.result, staging / alternative.label)
    if not optimum.optimal:
        print(f"the optimum could not be found: {optimum.status} — {optimum.message}")
        return EXIT_NOT_OPTIMAL
    base_projects = set(optimum.builds["project"])
    rows = [
        {
            "portfolio": "optimum",
            "criterion": "minimum dependence",
            "objective": optimum.objective,
            "capex_musd": optimum.builds["capex_musd"].sum(),
            "projects": len(base_projects),
            "shared_with_optimum": len(base_projects),
        }
    ]
    for alternative in found:
        projects = {p for p, _ in alternative.portfolio.shares}
        rows.append(
            {
                "portfolio": alternative.label,
                "criterion": alternative.criterion,
                "objective": alternative.result.objective,
                "capex_musd": alternative.result.builds["capex_musd"].sum(),
                "projects": len(projects),
                "shared_with_optimum": len(projects & base_projects),
            }
        )
    print(f"optimum {optimum.objective:.4f} points; alternatives within {100 * args.slack:g} % (≤ {optimum.objective * (1 + args.slack):.4f}):")
    print(format_table(pd.DataFrame(rows), "{:,.3f}"))
    if len(found) < args.count:
        print(f"\nonly {len(found)} of {args.count} alternatives: the mode '{args.mode}' has no further goal or a solve failed")
    print(f"\nwritten to {out}/ (one result directory each; compare them with `optimiser compare`)")
    return EXIT_OK
