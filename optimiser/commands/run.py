"""`optimiser run`: solve one scenario, write results/<name>/, print a summary a planner reads at a glance."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_NOT_OPTIMAL, EXIT_OK
from ..scenario import OBJECTIVES
from .common import DEFAULT_RESULTS, add_inputs_argument, add_scenario_argument, add_time_limit_argument, load, time_limit_override
from .report import add_no_report_argument, write_after_run

if TYPE_CHECKING:
    from ..runner import RunResult

NAME = "run"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="solve one scenario and write results/<name>/")
    add_scenario_argument(parser)
    add_inputs_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="result directory (default: results/<scenario name>)")
    parser.add_argument("--budget", type=float, default=None, metavar="BUSD", help="override the budget, US$ billion")
    parser.add_argument("--objective", choices=OBJECTIVES, default=None, help="override the objective")
    add_time_limit_argument(parser)
    add_no_report_argument(parser)


def execute(args: argparse.Namespace) -> int:
    from ..runner import solve
    from ..store import output_directory, write_result

    overrides = {}
    if args.budget is not None:
        overrides["budget_busd"] = args.budget
    if args.objective is not None:
        overrides["objective"] = args.objective
    overrides.update(time_limit_override(args))
    data, scenario = load(args.inputs, args.scenario, overrides)
    out = args.out if args.out is not None else DEFAULT_RESULTS / scenario.name
    with output_directory(out, NAME):
        result = solve(data, scenario)
        write_result(result, out, NAME)
        print_summary(result, out)
        if not args.no_report:
            write_after_run(out, data, png=args.png)
    return EXIT_OK if result.optimal else EXIT_NOT_OPTIMAL


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def print_dependence(result: RunResult) -> None:
    """Final-year dependence by stage, all and restricted elements, without new builds -> with the plan."""
    headline = result.summary["headline"]
    with_baseline = bool(headline["baseline"])
    title = "without new builds -> with this plan" if with_baseline else "with this portfolio"
    print(f"\nChina dependence in {headline['year']}, {title}:")
    for group in ("all", "restricted"):
        plan = headline["plan"].get(group, {})
        base = headline["baseline"].get(group, {})
        label = "all elements" if group == "all" else "restricted (Sm Gd Tb Dy Lu Sc Y)"
        print(f"  {label}")
        for stage, value in plan.items():
            before = f"{_percent(base.get(stage))} -> " if with_baseline else ""
            print(f"    {stage:<11} {before}{_percent(value)}")


def print_summary(result: RunResult, out: Path) -> None:
    from ..model.parameters import MUSD_PER_BUSD

    summary = result.summary
    print(f"scenario '{result.scenario.name}': {result.status} — {result.message}")
    if not result.has_plan:
        return
    best = "" if result.optimal else ", the best plan found (not proven optimal)"
    print(f"\nobjective ({summary['objective_name']}{best}): {result.objective:.4f} points (dependence 0-100, plus K x unmet share)")
    if summary.get("mip_gap") is not None:
        print(f"  whole units: proven within {100 * summary['mip_gap']:.4f} % (bound {summary['objective_bound']:.4f})")
    print_dependence(result)
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
        f"\nbudget used: ${summary['budget_used_musd'] / MUSD_PER_BUSD:.2f}B of ${summary['budget_musd'] / MUSD_PER_BUSD:.2f}B; "
        f"budget dual: {'n/a' if dual is None else f'{dual:.4f}'} points per extra $1B"
        f" ({summary['budget_dual_method'] or 'none'})"
    )
    if summary.get("budget_dual_method") == "right_slope":
        left = summary["budget_dual_left"]
        print(
            f"  the LP dual ({summary['budget_dual_lp']:.4f}) is not unique here: right-hand slope "
            f"{summary['budget_dual_right']:.4f}, left-hand {'n/a' if left is None else f'{left:.4f}'}"
        )
    for warning in summary["warnings"]:
        print(f"warning: {warning}")
    print(f"\nresults written to {out}/ (total {summary['timings']['total']:.1f} s)")


