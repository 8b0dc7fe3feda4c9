"""The workbench's latency, measured in the browser, against the sweep re-solver for the same changes.

Starts ``optimiser serve`` on the default inputs (a free port, a temporary results folder), opens the page in
headless Chromium (Playwright driving /usr/bin/chromium), waits for the first plan, then makes ``--edits``
budget edits one after the other, each after the page has shown the previous one, ``--passes`` times over. For each edit the page
itself records (``window.workbench.latencies``) the time from the changed field's input event to the
updated headline, and to the redrawn charts; the server reports its solve time (the Resolver's re-solve
under its lock) in the response. Then, in this process with the server stopped, a fresh sweep
:class:`~optimiser.sweep.resolve.Resolver` of the same scenario takes exactly the server's path: the starting
scenario cold and again warm (the server's start-up solve and the page's first), then the same budgets in the
same order: the reference the server's solve time is compared with. Medians over every edit are reported,
and ratios of medians measured in this one run (single solves of ~0.1 s move by tens of percent with the
load of a shared machine: passes smooth that).

    .venv/bin/python benchmarks/serve_latency.py [--edits 20] [--passes 3] [--json FILE] [--screenshot docs/workbench-screenshot.png]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import machine  # benchmarks/common.py: this script's folder is on sys.path when it runs

import optimiser
from optimiser.serve.workbench import DEFAULT_TIME_LIMIT_SECONDS
from optimiser.sweep.resolve import Resolver

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
BUDGETS = (14.0, 14.5, 15.0, 16.0, 16.5, 17.0, 13.0, 13.5, 12.0, 18.0,
           15.5, 14.2, 15.8, 13.7, 16.3, 12.5, 17.5, 14.8, 15.2, 16.8)
"""Budget edits ($B), from the base scenario's $15.5B: small and large steps, up and down."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(inputs: Path, results: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "optimiser", "serve", "--inputs", os.path.relpath(inputs, ROOT), "--results", str(results),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/jobs", timeout=5):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the workbench did not start") from None
            time.sleep(0.5)


def wait_for_solves(page, count: int, timeout: float = 120.0) -> None:
    """Wait until the page has shown ``count`` plans after changes (``<body data-solves>``), watched inside the
    page, so that waiting adds no load while the server solves."""
    page.wait_for_selector(f'body[data-solves="{count}"]', state="attached", timeout=timeout * 1000)


def browser_edits(url: str, budgets: list[float], screenshot: Path | None) -> list[dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("body[data-state=ready][data-solves]", state="attached", timeout=180_000)
        done = page.evaluate("window.workbench.latencies.length")
        records = []
        for budget in budgets:
            page.fill("#input-budget_busd", str(budget))
            done += 1
            wait_for_solves(page, done)
            record = page.evaluate("window.workbench.latencies[window.workbench.latencies.length - 1]")
            record["objective"] = page.evaluate("window.workbench.last.headline.objective")
            record["budget"] = budget
            records.append(record)
        if screenshot is not None:
            page.fill("#input-budget_busd", "15.5")
            wait_for_solves(page, done + 1)
            page.screenshot(path=str(screenshot))
        browser.close()
    return records


def resolver_edits(inputs: Path, budgets: list[float]) -> tuple[list[float], list[float]]:
    """Seconds per re-solve of a fresh sweep Resolver over the same changes, and the objectives."""
    data = optimiser.load_inputs(inputs)
    base = optimiser.Scenario.from_toml(inputs / "scenarios" / "base.toml").with_overrides(
        time_limit_seconds=DEFAULT_TIME_LIMIT_SECONDS
    )
    resolver = Resolver(data, base)
    resolver.solve(base)
    resolver.solve(base)
    seconds, objectives = [], []
    for budget in budgets:
        scenario = base.with_overrides(budget_busd=budget)
        started = time.perf_counter()
        outcome = resolver.solve(scenario)
        seconds.append(time.perf_counter() - started)
        objectives.append(outcome.objective)
    return seconds, objectives


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=Path, default=ROOT / "inputs")
    parser.add_argument("--edits", type=int, default=len(BUDGETS), help=f"budget edits per pass (at most {len(BUDGETS)})")
    parser.add_argument("--passes", type=int, default=3, help="passes over the edits (medians are over all of them)")
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    parser.add_argument("--screenshot", type=Path, default=None, help="save a screenshot of the page at $15.5B here")
    args = parser.parse_args()
    budgets = list(BUDGETS[: args.edits]) * args.passes
    load_before = os.getloadavg()

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="workbench-latency-") as results:
        server = start_server(args.inputs, Path(results) / "results", port)
        try:
            records = browser_edits(f"http://127.0.0.1:{port}/", budgets, args.screenshot)
        finally:
            server.terminate()
            server.wait(timeout=30)
    reference, objectives = resolver_edits(args.inputs, budgets)
    load_after = os.getloadavg()

    headline = [record["headline_ms"] for record in records]
    charts = [record["charts_ms"] for record in records]
    server_solve = [record["server"]["solve_seconds"] for record in records]
    server_total = [record["server"]["total_seconds"] for record in records]
    difference = max(abs(record["objective"] - objective) for record, objective in zip(records, objectives))
    summary = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "edits": len(budgets),
        "passes": args.passes,
        "median_ms": {
            "changed_field_to_headline": statistics.median(headline),
            "changed_field_to_charts": statistics.median(charts),
            "server_total": 1000 * statistics.median(server_total),
            "server_solve": 1000 * statistics.median(server_solve),
            "sweep_resolver_solve": 1000 * statistics.median(reference),
        },
        "first_pass_median_ms": {
            "changed_field_to_headline": statistics.median(headline[: args.edits]),
            "changed_field_to_charts": statistics.median(charts[: args.edits]),
        },
        "ratio_server_solve_to_resolver": statistics.median(server_solve) / statistics.median(reference),
        "max_objective_difference": difference,
        "edits_detail": [
            {"budget": record["budget"], "headline_ms": record["headline_ms"], "charts_ms": record["charts_ms"],
             "server_solve_s": record["server"]["solve_seconds"], "server_total_s": record["server"]["total_seconds"],
             "resolver_s": seconds}
            for record, seconds in zip(records, reference)
        ],
    }
    print(f"workbench latency, {len(budgets)} budget edits ({args.passes} passes) on the default data ({summary['machine']})")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    for name, value in summary["median_ms"].items():
        print(f"  median {name.replace('_', ' '):<28} {value:8.1f} ms")
    first = summary["first_pass_median_ms"]
    print(f"  first pass ({args.edits} edits): headline {first['changed_field_to_headline']:.1f} ms, "
          f"charts {first['changed_field_to_charts']:.1f} ms")
    print(f"  server solve / sweep resolver solve: {summary['ratio_server_solve_to_resolver']:.2f}")
    print(f"  largest objective difference page vs resolver: {difference:.2e}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
