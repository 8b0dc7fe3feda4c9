"""`optimiser compare DIR DIR [DIR...]`: portfolios and their dependence side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_OK
from .common import DEFAULT_RESULTS, format_table
from .report import add_no_report_argument, write_after_run

if TYPE_CHECKING:
    from ..portfolios.compare import Comparison

NAME = "compare"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(NAME, help="compare two or more run results side by side")
    parser.add_argument("results", type=Path, nargs="+", metavar="DIR", help="result directories (two or more)")
    parser.add_argument("--out", type=Path, default=None, help="where comparison.csv goes (default: results/comparison)")
    parser.add_argument("--years", type=int, nargs="+", default=None, help="years to compare dependence in (default: 2030, 2035, final)")
    add_no_report_argument(parser)


def print_comparison(comparison: Comparison) -> None:
    import pandas as pd

    names = [r for r in comparison.section("summary")["result"].drop_duplicates()]
    summary = comparison.section("summary").pivot(index="metric", columns="result", values="value")[names]
    print("summary")
    print(format_table(summary.reset_index(), "{:,.3f}"))
    builds = comparison.section("builds")
    if len(builds):
        share = builds[builds["metric"] == "share"]
        online = builds[builds["metric"] == "online_year"].set_index(["result", "item", "year"])["value"]
        capex = builds[builds["metric"] == "capex_musd"].set_index(["result", "item", "year"])["value"]
        cells = {}
        for row in share.itertuples(index=False):
            key = (row.result, row.item, row.year)
            text = f"{int(row.year)}->{int(online[key])} x{float(row.value):.3g} ${float(capex[key]):,.0f}M"
            cells.setdefault(row.item, {}).setdefault(row.result, []).append(text)
        frame = pd.DataFrame(
            [{"project": p, **{n: "; ".join(cells[p].get(n, [])) for n in names}} for p in sorted(cells)]
        )
        differing = set(comparison.differing_projects())
        frame.insert(0, "differs", ["*" if p in differing else "" for p in frame["project"]])
        print("\nbuilds (start->online, share, capex); * = differs between portfolios")
        print(format_table(frame))
    for section, label in (("capex_by_stage", "capex by stage, $M"), ("capex_by_country", "capex by country, $M")):
        rows = comparison.section(section)
        if len(rows):
            table = rows.pivot(index="item", columns="result", values="value").reindex(columns=names).fillna(0.0)
            print(f"\n{label}")
            print(format_table(table.reset_index(), "{:,.0f}"))
    dependence = comparison.section("dependence")
    if len(dependence):
        rows = dependence[dependence["metric"] == "dependence"].copy()
        rows["value"] = 100 * rows["value"].astype(float)
        table = rows.pivot_table(index=["item", "stage", "year"], columns="result", values="value", sort=False)
        print("\nChina dependence, % (all elements and the restricted seven)")
        print(format_table(table.reindex(columns=names).reset_index(), "{:.1f}"))


def execute(args: argparse.Namespace) -> int:
    from ..portfolios.compare import check_result_count, compare, write_comparison
    from ..store import output_directory

    check_result_count(args.results)
    out = args.out if args.out is not None else DEFAULT_RESULTS / "comparison"
    with output_directory(out, NAME):
        comparison = compare(args.results, years=args.years)
        path = write_comparison(comparison, out)
        print_comparison(comparison)
        print(f"\ncomparison written to {path}")
        if not args.no_report:
            write_after_run(out, png=args.png)
    return EXIT_OK
