"""`optimiser evaluate --portfolio FILE --scenario FILE`: a fixed portfolio under another scenario."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from .common import DEFAULT_RESULTS, add_inputs_argument, add_scenario_argument, add_time_limit_argument, format_table, load, time_limit_override

NAME = "evaluate"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME, help="hold a portfolio's builds fixed and re-optimise operations under a scenario"
    )
    parser.add_argument("--portfolio", type=Path, required=True, help="a builds.csv, a result directory, or a CSV of project,start_year,share")
    add_scenario_argument(parser)
    add_inputs_argument(parser)
    add_time_limit_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="result directory (default: results/<portfolio>-under-<scenario>)")


def execute(args: argparse.Namespace) -> int:
    from ..model.parameters import MUSD_PER_BUSD, build_structure
    from ..portfolios.evaluate import evaluate, shortfall_by_element_year
    from ..portfolios.portfolio import read_portfolio
    from ..store import output_directory, write_result
    from .run import print_dependence

    data, scenario = load(args.inputs, args.scenario, time_limit_override(args))
    structure = build_structure(data, scenario)
    portfolio = read_portfolio(args.portfolio, data, structure, scenario.budget_busd * MUSD_PER_BUSD)
    out = args.out if args.out is not None else DEFAULT_RESULTS / f"{portfolio.name}-under-{scenario.name}"
    with output_directory(out, NAME):
        result = evaluate(data, scenario, portfolio, structure=structure)
        write_result(result, out, NAME)
    print(f"portfolio '{portfolio.name}' under scenario '{scenario.name}': {result.status} — {result.message}")
    if not result.optimal:
        return EXIT_NOT_OPTIMAL
    summary = result.summary
    print(f"objective ({summary['objective_name']}): {result.objective:.4f} dependence points")
    cost, budget = summary["portfolio_capex_musd"], summary["budget_musd"]
    flag = "  (over the scenario's budget)" if summary["over_budget"] else ""
    print(f"portfolio capex at this scenario's costs: ${cost / MUSD_PER_BUSD:.2f}B against a budget of ${budget / MUSD_PER_BUSD:.2f}B{flag}")
    print_dependence(result)
    shortfall = shortfall_by_element_year(result)
    if len(shortfall):
        table = shortfall.pivot(index="year", columns="element", values="shortfall").fillna(0.0)
        print("\nshortfall (unmet demand, t REO-eq, all stages)")
        print(format_table(table.reset_index(), "{:,.0f}"))
    else:
        print("\nno shortfall: all demand met")
    print(f"\nresults written to {out}/")
    return EXIT_OK
