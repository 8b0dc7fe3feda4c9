"""How long `optimiser report` takes on a run of the default data, with and without its PNG figures.

Solves the base scenario once (``optimiser run --no-report``, into a temporary folder) unless ``--result`` names
a stored run, then times, ``--repeats`` rounds, every path once per round in a rotating order:

- ``python``: ``python -c pass``, Python's own start, the floor of any command;
- ``imports``: a fresh process importing what ``optimiser report`` imports for a page (the CLI, the input
  loader, the report writer: pandas, plotly, jinja2, and today Pyomo through ``optimiser.model``);
- ``report`` and ``report --png``: ``python -m optimiser report DIR [--png]`` as a subprocess, the wall time a
  planner waits and its CPU time (user + system, steadier on a shared machine);
- in-process ``report`` and ``report --png``: ``optimiser.cli.main(["report", DIR, ...])`` in this process,
  after one warm-up call of each (imports done, plotly.js compressed once per process): what a long-running
  process (the workbench, a sweep writing many reports) pays per report.

Prints medians (min-max) and the ratios measured in this one run: PNGs against none, subprocess against
in-process, and the page's time beyond Python's start. Nothing is asserted; the target (issue 14: a report of
a default run within 2 s) is printed as met or missed.

    .venv/bin/python benchmarks/report_time.py [--result DIR] [--inputs inputs] [--repeats 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import machine  # benchmarks/common.py: this script's folder is on sys.path when it runs

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0
"""Issue 14: `optimiser report` of a run on the default data within 2 s."""
IMPORTS = "import optimiser.cli, optimiser.commands.report, optimiser.inputs.load, optimiser.report.html"


def solve_default(work: Path, inputs: Path) -> Path:
    """The base scenario of ``inputs``, stored without a report."""
    out = work / "base"
    subprocess.run(
        [sys.executable, "-m", "optimiser", "run", "--no-report", "--inputs", str(inputs),
         "--scenario", str(inputs / "scenarios" / "base.toml"), "--out", str(out)],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    return out


def subprocess_timer(arguments: list[str]) -> Callable[[], tuple[float, float]]:
    """A timer of ``arguments`` run as a child process: (wall, CPU of the child) in seconds."""

    def run() -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(arguments, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    return run


def in_process_timer(arguments: list[str]) -> Callable[[], tuple[float, float]]:
    """A timer of ``optimiser.cli.main(arguments)`` in this process: (wall, CPU of this process)."""
    from optimiser.cli import main

    def run() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            status = main(arguments)
        if status != 0:
            raise RuntimeError(f"optimiser {' '.join(arguments)} exited {status}")
        return time.perf_counter() - started, time.process_time() - cpu

    return run


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "all": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--result", type=Path, default=None, help="a stored run (default: solve the base scenario now)")
    parser.add_argument("--inputs", type=Path, default=ROOT / "inputs", help="the inputs the run was solved on (default: inputs/)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds; every path runs once per round")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="report-time-") as work_dir:
        work = Path(work_dir)
        source = args.result if args.result is not None else solve_default(work, args.inputs)
        result = work / "result"
        shutil.copytree(source, result, ignore=shutil.ignore_patterns("report.html", "figures"))
        report = ["report", str(result), "--inputs", str(args.inputs)]
        python = sys.executable
        paths: dict[str, Callable[[], tuple[float, float]]] = {
            "python -c pass": subprocess_timer([python, "-c", "pass"]),
            "imports of the page": subprocess_timer([python, "-c", IMPORTS]),
            "report (subprocess)": subprocess_timer([python, "-m", "optimiser", *report]),
            "report --png (subprocess)": subprocess_timer([python, "-m", "optimiser", *report, "--png"]),
            "report (in-process)": in_process_timer(report),
            "report --png (in-process)": in_process_timer([*report, "--png"]),
        }
        for name in ("report (in-process)", "report --png (in-process)"):
            paths[name]()  # warm-up: imports, plotly.js compressed once per process
        walls: dict[str, list[float]] = {name: [] for name in paths}
        cpus: dict[str, list[float]] = {name: [] for name in paths}
        names = list(paths)
        for round_ in range(args.repeats):
            order = names[round_ % len(names):] + names[: round_ % len(names)]
            for name in order:
                wall, cpu = paths[name]()
                walls[name].append(wall)
                cpus[name].append(cpu)
            print(f"round {round_ + 1}/{args.repeats} done", file=sys.stderr)

    wall = {name: summary(values) for name, values in walls.items()}
    cpu = {name: summary(values) for name, values in cpus.items()}
    median = {name: wall[name]["median"] for name in wall}
    ratios = {
        "report --png / report (subprocess)": median["report --png (subprocess)"] / median["report (subprocess)"],
        "report --png / report (in-process)": median["report --png (in-process)"] / median["report (in-process)"],
        "report subprocess / in-process": median["report (subprocess)"] / median["report (in-process)"],
        "report --png subprocess / in-process": median["report --png (subprocess)"] / median["report --png (in-process)"],
        "report (subprocess) / python -c pass": median["report (subprocess)"] / median["python -c pass"],
    }
    print(f"\n`optimiser report` of a default run, {args.repeats} rounds; {machine()}")
    print(f"{'path':<28} {'wall median (min-max) s':>26} {'CPU median s':>13}")
    for name in paths:
        w = wall[name]
        print(f"{name:<28} {w['median']:>10.3f} ({w['min']:.3f}-{w['max']:.3f})   {cpu[name]['median']:>11.3f}")
    print()
    for name, value in ratios.items():
        print(f"{name:<40} {value:6.2f}")
    beyond = median["report (subprocess)"] - median["python -c pass"]
    print(f"{'report beyond Python start (s)':<40} {beyond:6.2f}")
    met = median["report (subprocess)"] <= TARGET_SECONDS
    print(f"\ntarget: report of a default run within {TARGET_SECONDS:.0f} s: {'met' if met else 'missed'} "
          f"({median['report (subprocess)']:.2f} s median as a subprocess)")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"machine": machine(), "repeats": args.repeats, "wall": wall, "cpu": cpu, "ratios": ratios,
                        "target_seconds": TARGET_SECONDS, "target_met": met}, indent=2) + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
