"""The command line: `optimiser validate` and `optimiser run`.

Exit status: 0 optimal (or valid), 2 bad input, 3 a solve that is not optimal. Bad input is reported as one
line per problem naming the file, line and column (or scenario key), never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import EXIT_BAD_INPUT, EXIT_NOT_OPTIMAL, EXIT_OK, InputError, SolveError
from .model.objective import OBJECTIVES

DEFAULT_INPUTS = Path("inputs")
DEFAULT_SCENARIO = DEFAULT_INPUTS / "scenarios" / "base.toml"
DEFAULT_RESULTS = Path("results")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optimiser",
        description="Rare-earth diversification investment optimiser: which non-Chinese plants to fund, and when.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and solver details")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the inputs and a scenario, and build the model without solving")
    validate.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS, help="input tables directory (default: inputs)")
    validate.add_argument("--scenario", type=Path, default=None, help=f"scenario TOML (default: {DEFAULT_SCENARIO})")

    run = commands.add_parser("run", help="solve one scenario and write results/<name>/")
    run.add_argument("--scenario", type=Path, default=None, help=f"scenario TOML (default: {DEFAULT_SCENARIO})")
    run.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS, help="input tables directory (default: inputs)")
    run.add_argument("--out", type=Path, default=None, help="result directory (default: results/<scenario name>)")
    run.add_argument("--budget", type=float, default=None, metavar="BUSD", help="override the budget, US$ billion")
    run.add_argument("--objective", choices=OBJECTIVES, default=None, help="override the objective")
    run.add_argument("--time-limit", type=float, default=None, metavar="SECONDS", help="solver time limit")
    return parser


def _load(inputs: Path, scenario_path: Path | None, overrides: dict | None = None):
    from .inputs import load_inputs
    from .scenario import Scenario

    data = load_inputs(inputs)
    path = scenario_path if scenario_path is not None else inputs / "scenarios" / "base.toml"
    if scenario_path is None and not path.exists():
        path = DEFAULT_SCENARIO
    scenario = Scenario.from_toml(path)
    if overrides:
        scenario = scenario.with_overrides(**overrides)
    scenario.check_against(data)
    return data, scenario


def _validate(args: argparse.Namespace) -> int:
    import pyomo.environ as pyo

    from .model import build_model
    from .model.parameters import unmet_weight_warnings

    data, scenario = _load(args.inputs, args.scenario)
    started = time.perf_counter()
    model, structure = build_model(data, scenario)
    seconds = time.perf_counter() - started
    rows = sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True))
    columns = sum(1 for _ in model.component_data_objects(pyo.Var))
    print(f"inputs {args.inputs}: valid (sha256 {data.inputs_sha256[:12]})")
    print(f"scenario '{scenario.name}': valid")
    print(
        f"model built in {seconds:.2f} s: {rows} constraints, {columns} variables, "
        f"{len(structure.projects)} projects ({len(structure.buildable_projects)} buildable), "
        f"years {structure.first_year}-{structure.last_year}"
    )
    for warning in unmet_weight_warnings(data, scenario, structure):
        print(f"warning: {warning}")
    return EXIT_OK


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def _print_summary(result, out: Path) -> None:
    summary = result.summary
    print(f"scenario '{result.scenario.name}': {result.status} — {result.message}")
    if not result.optimal:
        return
    headline = summary["headline"]
    print(f"\nobjective ({summary['objective_name']}): {result.objective:.4f} dependence points (0-100)")
    print(f"\nChina dependence in {headline['year']}, without new builds -> with this plan:")
    for group in ("all", "restricted"):
        plan = headline["plan"].get(group, {})
        base = headline["baseline"].get(group, {})
        label = "all elements" if group == "all" else "restricted (Sm Gd Tb Dy Lu Sc Y)"
        print(f"  {label}")
        for stage, value in plan.items():
            print(f"    {stage:<11} {_percent(base.get(stage))} -> {_percent(value)}")
    builds = result.builds
    print(f"\nbuilds ({len(builds)}):")
    if len(builds):
        width = max(len(p) for p in builds["project"])
        for row in builds.itertuples(index=False):
            print(
                f"  {row.project:<{width}}  {row.stage:<18} {row.start_year} -> {row.online_year}  "
                f"share {row.share:6.3f}  ${row.capex_musd:8.1f}M"
            )
    dual = result.budget_dual
    print(
        f"\nbudget used: ${summary['budget_used_musd'] / 1000:.2f}B of ${summary['budget_musd'] / 1000:.2f}B; "
        f"budget dual: {'n/a' if dual is None else f'{dual:.4f}'} points per extra $1B"
    )
    for warning in summary["warnings"]:
        print(f"warning: {warning}")
    print(f"\nresults written to {out}/ (total {summary['timings']['total']:.1f} s)")


def _run(args: argparse.Namespace) -> int:
    from .runner import solve
    from .store import write_result

    overrides = {}
    if args.budget is not None:
        overrides["budget_busd"] = args.budget
    if args.objective is not None:
        overrides["objective"] = args.objective
    if args.time_limit is not None:
        overrides["time_limit_seconds"] = args.time_limit
    data, scenario = _load(args.inputs, args.scenario, overrides)
    result = solve(data, scenario)
    out = args.out if args.out is not None else DEFAULT_RESULTS / scenario.name
    write_result(result, out)
    _print_summary(result, out)
    return EXIT_OK if result.optimal else EXIT_NOT_OPTIMAL


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "validate":
            return _validate(args)
        return _run(args)
    except InputError as error:
        for issue in error.issues:
            print(f"error: {issue}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SolveError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_NOT_OPTIMAL


if __name__ == "__main__":
    sys.exit(main())
