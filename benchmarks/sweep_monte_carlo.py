"""Cost of a Monte Carlo scenario against HiGHS's own re-solves, on the default model, in one process.

A Monte Carlo sample changes capex, lead times and demand growth at once, so every scenario needs its own
parameter values (no cache hit) before the warm re-solve. For the first ``--samples`` tasks of
``inputs/sweeps/monte_carlo.toml``, in the order a sweep solves them (``plan.ordered_groups``: a
nearest-neighbour path, so each warm start is from a close scenario), this times, per scenario, what a sweep
worker does (``Resolver.solve``: the parameter values, the changed LP numbers handed to HiGHS, the primary
solve, tie-break and budget-slope re-solves, the builds, dependence and metrics) and, inside it, every call
of HiGHS's ``run`` (``highspy.Highs.run`` wrapped). The ratio ``Resolver.solve / HiGHS run`` is what a
scenario costs against the bare warm re-solves it needs (the issue's target: at most 1.3). A second pass
times ``optimiser.sweep`` end to end with 1 and 2 local workers on the same samples, so ``--workers``'
default can be checked on this machine. Usage::

    .venv/bin/python benchmarks/sweep_monte_carlo.py [--samples 100] [--repeats 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from common import HighsClock  # benchmarks/common.py: this script's folder is on sys.path when it runs


from optimiser.inputs.load import load_inputs
from optimiser.runner import versions
from optimiser.sweep import sweep
from optimiser.sweep.plan import build_tasks, ordered_groups
from optimiser.sweep.resolve import Resolver
from optimiser.sweep.spec import load_spec

REPOSITORY = Path(__file__).resolve().parents[1]
SPEC = REPOSITORY / "inputs" / "sweeps" / "monte_carlo.toml"


def per_scenario(data, scenarios, repeats: int) -> dict:
    """Median over ``repeats`` passes of the per-scenario times of ``Resolver.solve`` and of HiGHS in it."""
    resolver = Resolver(data, scenarios[0])
    resolver.solve(scenarios[0])  # the cold first solve is the build's, not a sample's
    passes = []
    for _ in range(repeats):
        stages: dict[str, float] = {}
        with HighsClock() as clock:
            started = time.perf_counter()
            for scenario in scenarios:
                outcome = resolver.solve(scenario)
                assert outcome.optimal, outcome.warnings
                for name, seconds in outcome.timings.items():
                    stages[name] = stages.get(name, 0.0) + seconds
            total = time.perf_counter() - started
        count = len(scenarios)
        passes.append({
            "total_ms": 1000 * total / count,
            "highs_ms": 1000 * clock.seconds / count,
            "stages_ms": {name: 1000 * seconds / count for name, seconds in stages.items()},
        })
    best = sorted(passes, key=lambda record: record["total_ms"])[len(passes) // 2]
    best["ratio"] = best["total_ms"] / best["highs_ms"]
    best["ratios_all_passes"] = [record["total_ms"] / record["highs_ms"] for record in passes]
    return best


def end_to_end(samples: int, workers: int) -> float:
    """Seconds per scenario of ``optimiser.sweep`` on the first ``samples`` samples with ``workers``."""
    with tempfile.TemporaryDirectory() as folder:
        spec_text = SPEC.read_text().replace("samples = 500", f"samples = {samples}")
        spec_text = spec_text.replace('scenario = "../scenarios/base.toml"', f'scenario = "{REPOSITORY / "inputs" / "scenarios" / "base.toml"}"')
        spec_file = Path(folder) / "mc.toml"
        spec_file.write_text(spec_text)
        started = time.perf_counter()
        runs = sweep(spec_file, inputs=REPOSITORY / "inputs", out=Path(folder) / "out", workers=workers, progress=False)
        seconds = time.perf_counter() - started
        assert (runs["status"] == "optimal").all()
    return seconds / samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="Monte Carlo samples timed (default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the samples; the median is reported")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    data = load_inputs(REPOSITORY / "inputs")
    spec = load_spec(SPEC)
    tasks, _ = build_tasks(spec, data)
    groups = ordered_groups(spec, tasks[: args.samples])
    if len(groups) != 1:
        raise SystemExit(f"expected the samples to share one built model, got {len(groups)} structural groups")
    scenarios = [task.scenario for task in groups[0]]
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
        "versions": versions(),
        "samples": len(scenarios),
        "per_scenario": per_scenario(data, scenarios, args.repeats),
        "end_to_end_s_per_scenario": {workers: end_to_end(len(scenarios), workers) for workers in (1, 2)},
    }
    timed = record["per_scenario"]
    print(f"{len(scenarios)} Monte Carlo scenarios of the default model, median of {args.repeats} passes:")
    print(f"  Resolver.solve   {timed['total_ms']:7.1f} ms per scenario")
    print(f"  HiGHS run        {timed['highs_ms']:7.1f} ms per scenario")
    print(f"  ratio            {timed['ratio']:7.2f}  (every pass: {', '.join(f'{r:.2f}' for r in timed['ratios_all_passes'])})")
    print("  stages (ms): " + ", ".join(f"{name} {ms:.1f}" for name, ms in timed["stages_ms"].items()))
    one, two = record["end_to_end_s_per_scenario"][1], record["end_to_end_s_per_scenario"][2]
    print(f"  optimiser.sweep end to end: 1 worker {1000 * one:.1f} ms, 2 workers {1000 * two:.1f} ms per scenario "
          f"(2 workers / 1: {two / one:.2f})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
