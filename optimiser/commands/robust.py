"""`optimiser robust --scenarios FILE...`: one portfolio for a set of scenarios (two-stage stochastic LP)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from ..portfolios.choices import MEASURES
from .common import DEFAULT_RESULTS, add_inputs_argument, add_time_limit_argument, format_table, scenario_list, time_limit_override
from .report import add_no_report_argument, write_after_run

if TYPE_CHECKING:
    import pandas as pd

    from ..portfolios.robust import RobustResult

NAME = "robust"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="the portfolio that holds up best across several scenarios")
    parser.add_argument("--scenarios", type=Path, nargs="+", required=True, metavar="FILE", help="scenario TOML files; the first sets the budget")
    parser.add_argument("--weights", type=float, nargs="+", default=None, help="scenario probabilities (default: equal)")
    parser.add_argument("--measure", choices=MEASURES, default="expected", help="expected (default), worst or cvar")
    parser.add_argument("--alpha", type=float, default=0.9, help="CVaR level: the worst 1 - alpha of probability (default 0.9)")
    add_inputs_argument(parser)
    add_time_limit_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: results/robust-<measure>)")
    parser.add_argument("--no-benchmark", action="store_true", help="skip scoring each single-scenario optimum across the set")
    add_no_report_argument(parser)


def single_scenario_benchmark(data, scenarios, result: RobustResult, store: dict | None = None) -> pd.DataFrame:
    """Each scenario's own optimal portfolio scored on the robust measure across the set, beside the robust one.

    With ``store`` (a dict), each optimum's RunResult is also kept there by scenario name (the command
    writes them to ``benchmark/<scenario name>/``: the robust report shows their builds and dependence
    beside the robust portfolio's).

    The robust portfolio is no worse than any benchmark that fits the reference (first) scenario's budget
    rows; one that does not (e.g. the optimum of a delay scenario, whose capex falls in other years) is
    marked, since the robust LP could not have chosen it.
    """
    import pandas as pd

    from ..portfolios.portfolio import Portfolio
    from ..portfolios.robust import measure_of

    reference = result.evaluators[scenarios[0].name]
    rows = [
        {"portfolio": "robust", **{s.name: result.evaluations[s.name].objective for s in scenarios}, "measure": result.measure_value, "fits_reference_budget": True}
    ]
    for scenario in scenarios:
        run = result.evaluators[scenario.name].optimise()
        if not run.optimal:
            continue
        if store is not None:
            store[scenario.name] = run
        shares = {(r.project, int(r.start_year)): float(r.share) for r in run.builds.itertuples(index=False)}
        portfolio = Portfolio(name=f"optimal for {scenario.name}", source=scenario.name, shares=shares)
        objectives = [result.evaluators[other.name].objective(portfolio) for other in scenarios]
        fits = not portfolio.budget_violations(data, scenarios[0], reference.structure)
        rows.append(
            {
                "portfolio": portfolio.name,
                **dict(zip([s.name for s in scenarios], objectives)),
                "measure": measure_of(objectives, result.weights, result.measure, result.alpha),
                "fits_reference_budget": fits,
            }
        )
    return pd.DataFrame(rows)


def execute(args: argparse.Namespace) -> int:
    from ..inputs.load import load_inputs
    from ..store import output_directory

    data = load_inputs(args.inputs)
    scenarios = scenario_list(args.scenarios, data, time_limit_override(args))
    out = args.out if args.out is not None else DEFAULT_RESULTS / f"robust-{args.measure}"
    with output_directory(out, NAME):
        return _solve_and_write(args, data, scenarios, out)


def _solve_and_write(args: argparse.Namespace, data, scenarios, out: Path) -> int:
    from ..portfolios.robust import robust
    from ..store import publish, write_csv, write_result_files

    result = robust(data, scenarios, weights=args.weights, measure=args.measure, alpha=args.alpha)
    print(f"robust portfolio ({result.measure}{'' if result.alpha is None else f', alpha {result.alpha}'}): {result.status} — {result.message}")
    if not result.optimal:
        return EXIT_NOT_OPTIMAL
    info = {
        "measure": result.measure,
        "alpha": result.alpha,
        "weights": dict(zip([s.name for s in scenarios], result.weights)),
        "measure_value": result.measure_value,
        "scenario_objectives": {name: r.objective for name, r in result.evaluations.items()},
        "model_size": result.model_size,
    }
    reference = result.evaluations[scenarios[0].name]
    for evaluation in result.evaluations.values():
        evaluation.summary.update({"kind": "robust-evaluation", "robust": info})
    reference = dataclasses.replace(reference, summary={**reference.summary, "kind": "robust"})
    print(f"measure: {result.measure_value:.4f} dependence points")
    builds = reference.builds
    print(f"\nbuilds ({len(builds)}):")
    print(format_table(builds[["project", "stage", "start_year", "online_year", "share", "capex_musd"]], "{:,.3f}"))
    optima: dict = {}
    table = None if args.no_benchmark else single_scenario_benchmark(data, scenarios, result, store=optima)
    with publish(out, NAME) as staging:
        write_result_files(reference, staging)
        for name, evaluation in result.evaluations.items():
            write_result_files(evaluation, staging / "scenarios" / name)
        for name, run in optima.items():
            write_result_files(run, staging / "benchmark" / name)
        if table is not None:
            write_csv(table, staging / "benchmark.csv")
    if table is not None:
        print("\nobjective by scenario, and the measure, for the robust portfolio and each scenario's own optimum")
        print(format_table(table, "{:.3f}"))
    print(f"\nwritten to {out}/ (the first scenario's evaluation; every scenario's under {out}/scenarios/)")
    if not args.no_report:
        write_after_run(out, data, png=args.png)
    return EXIT_OK
