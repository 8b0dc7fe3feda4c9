"""The portfolio commands against the HiGHS solves they need, on the default data, in one process.

For ``robust`` with 2, 4 and 8 scenarios (``expected`` measure) this times what the command computes: the
two-stage LP and its capex tie-break, the robust portfolio evaluated under every scenario, and the
single-scenario benchmark (each scenario's own optimum, then every optimum scored under every scenario);
for ``alternatives`` the optimum and 5 alternatives (``projects`` mode, slack 5 %) with their evaluations.
Every call of HiGHS's ``run`` is timed (``highspy.Highs.run`` wrapped), so ``total / HiGHS`` is what the
command costs against the bare solves it makes, and the rest is the optimiser's own (model building, the
hand-over to HiGHS, result tables). Robust's growth with the number of scenarios is fitted as
``a * S^b`` for both the total and HiGHS's own time. Usage::

    .venv/bin/python benchmarks/portfolios.py [--robust 2,4,8] [--alternatives 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

from common import HighsClock  # benchmarks/common.py: this script's folder is on sys.path when it runs

import numpy as np

from optimiser import Scenario, load_inputs
from optimiser.commands.robust import single_scenario_benchmark
from optimiser.portfolios.alternatives import alternatives
from optimiser.portfolios.robust import robust
from optimiser.runner import versions

REPOSITORY = Path(__file__).resolve().parents[1]
SCENARIOS = REPOSITORY / "inputs" / "scenarios"
ROBUST_SET = (
    "base", "embargo", "capex_overrun", "demand_high", "licence_partial", "october_2025_controls",
    "equipment_controls", "demand_steps",
)
"""The scenarios of the robust runs, the first S of them (base first: its budget rows are the reference)."""


def time_robust(data, count: int) -> dict:
    scenarios = [Scenario.from_toml(SCENARIOS / f"{name}.toml") for name in ROBUST_SET[:count]]
    with HighsClock() as clock:
        started = time.perf_counter()
        result = robust(data, scenarios)
        solved = time.perf_counter()
        assert result.status == "optimal", result.message
        single_scenario_benchmark(data, scenarios, result)
        total = time.perf_counter() - started
    return {
        "scenarios": count, "total_s": total, "robust_s": solved - started, "benchmark_s": total - (solved - started),
        "highs_s": clock.seconds, "highs_calls": clock.calls, "ratio": total / clock.seconds,
        "measure": result.measure_value,
    }


def time_alternatives(data, count: int) -> dict:
    scenario = Scenario.from_toml(SCENARIOS / "base.toml")
    with HighsClock() as clock:
        started = time.perf_counter()
        optimum, found = alternatives(data, scenario, slack=0.05, count=count)
        total = time.perf_counter() - started
    assert optimum.optimal and len(found) == count
    return {
        "alternatives": count, "total_s": total, "highs_s": clock.seconds, "highs_calls": clock.calls,
        "ratio": total / clock.seconds, "objectives": [alternative.result.objective for alternative in found],
    }


def power_fit(xs: list[float], ys: list[float]) -> float | None:
    """The exponent b of y = a x^b by least squares on the logarithms (None with fewer than 2 points)."""
    if len(xs) < 2:
        return None
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--robust", default="2,4,8", help="scenario counts of the robust runs (default 2,4,8)")
    parser.add_argument("--alternatives", type=int, default=5, help="alternatives asked for (default 5; 0 skips)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.robust.split(",") if part.strip()]
    if any(count < 1 or count > len(ROBUST_SET) for count in counts):
        parser.error(f"robust scenario counts must be 1 to {len(ROBUST_SET)}")

    data = load_inputs(REPOSITORY / "inputs")
    record: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
        "versions": versions(),
        "robust": [],
    }
    print("| command | total | HiGHS (calls) | total / HiGHS |")
    print("| --- | ---: | ---: | ---: |")
    for count in counts:
        timed = time_robust(data, count)
        record["robust"].append(timed)
        print(f"| robust, {count} scenarios (+ benchmark) | {timed['total_s']:.1f} s | {timed['highs_s']:.1f} s "
              f"({timed['highs_calls']}) | {timed['ratio']:.2f} |")
    if args.alternatives:
        timed = time_alternatives(data, args.alternatives)
        record["alternatives"] = timed
        print(f"| alternatives, {args.alternatives} | {timed['total_s']:.1f} s | {timed['highs_s']:.1f} s "
              f"({timed['highs_calls']}) | {timed['ratio']:.2f} |")
    runs = record["robust"]
    if len(runs) >= 2:
        scenarios = [run["scenarios"] for run in runs]
        record["robust_growth"] = {
            "total_exponent": power_fit(scenarios, [run["total_s"] for run in runs]),
            "highs_exponent": power_fit(scenarios, [run["highs_s"] for run in runs]),
        }
        growth = record["robust_growth"]
        print(f"\nrobust grows as S^{growth['total_exponent']:.2f} (HiGHS alone S^{growth['highs_exponent']:.2f})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return 0 if all(math.isfinite(run["ratio"]) for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
