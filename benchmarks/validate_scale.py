"""How loading and validating the inputs grows with the rows of ``projects.csv``: 1,000 to 100,000 project rows.

For each size the script writes a data set that replicates the repository's inputs (the method of the
measurement in issue 14): ``projects.csv`` is the source's rows copied with ids ``<id>__<copy>`` until it has
exactly the rows asked for (the last copy cut short), and every table keyed by project follows its projects
(``grades.csv``, ``history_output.csv``, ``project_risk.csv`` and the per-project rows of ``cofinance.csv``;
a row whose project or component was cut is left out), the other tables copied as they are. Every table and
every cross-table rule is then exercised at scale, and the set is valid, so what is timed is the path a
user's data set takes. (``generate_scale.py`` draws synthetic projects for the solver's benchmark; at about
2 ms a project it would take minutes for 100,000 rows, and it writes only projects and grades at scale.)

Each size is timed in its own child process (imports done before the clock starts), ``--repeats`` times:

load      ``load_inputs(directory)``: reading, checking and typing every table (median of the repeats)
validate  what ``optimiser validate`` does before it builds the model (``commands.common.load``: the inputs,
          the base scenario, and the scenario checked against the data), once

Peak memory is the child's high-water resident set (``VmHWM``) after its first load, as ``optimiser validate``
loads once (imports included; the peak after the imports is printed beside it; the JSON also has the peak
over all the child's work, ``peak_all_mb``, which repeated loads raise through the allocator's reuse). ``--against REV`` also times ``optimiser/inputs/load.py`` as it was at git revision ``REV``
(against the rest of today's package), in a child of its own, right after each current child, so the two
are measured back to back on the same data. Time is fitted as ``a * rows^b`` by least squares on the
logarithms (``b`` is the growth exponent: 1 is linear), and each step's own exponent is printed. Usage::

    .venv/bin/python benchmarks/validate_scale.py [--rows 1000,10000,100000] [--repeats 3] [--against 4b9f07c]
        [--inputs inputs] [--work DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
SOURCE = REPOSITORY / "inputs"

FOLLOWERS: dict[str, tuple[str, ...]] = {
    "grades.csv": ("project", "component"),
    "history_output.csv": ("project", "component"),
    "project_risk.csv": ("project",),
    "cofinance.csv": ("project",),
}
"""Tables whose rows belong to a project (or to one of its components): replicated with their projects."""

EVERY_BUILD = "*"
"""A ``cofinance.csv`` project that stands for every build: kept once, not replicated."""


# The data sets -----------------------------------------------------------------------------------------------


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def replicate(source: Path, out: Path, rows: int) -> dict[str, int]:
    """Write the data set of ``rows`` project rows to ``out``; returns the rows of each table written."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out, ignore=shutil.ignore_patterns("derivation", "README.md"))
    projects = _read(source / "projects.csv")
    copies = math.ceil(rows / len(projects))
    grown = pd.concat(
        [projects.assign(project=projects["project"] + f"__{copy}") for copy in range(copies)], ignore_index=True
    ).iloc[:rows]
    _write(grown, out / "projects.csv")
    written = {"projects.csv": len(grown)}
    components = set(zip(grown["project"], grown["component"]))
    headed = set(grown.loc[grown["component"] == "0", "project"])
    for filename, key in FOLLOWERS.items():
        if not (source / filename).exists():
            continue
        table = _read(source / filename)
        shared = table[table["project"] == EVERY_BUILD]
        own = table[table["project"] != EVERY_BUILD]
        copied = pd.concat(
            [shared] + [own.assign(project=own["project"] + f"__{copy}") for copy in range(copies)], ignore_index=True
        )
        if key == ("project", "component"):
            kept = [pair in components for pair in zip(copied["project"], copied["component"])]
        else:
            kept = [project == EVERY_BUILD or project in headed for project in copied["project"]]
        copied = copied.loc[np.array(kept, dtype=bool)]
        _write(copied, out / filename)
        written[filename] = len(copied)
    (out / "generated.json").write_text(json.dumps({"rows": rows, "source": str(source)}, indent=2) + "\n")
    return written


# One child process: one size, one loader ---------------------------------------------------------------------


def loader_at(revision: str) -> types.ModuleType:
    """``optimiser/inputs/load.py`` as it was at ``revision``, importing today's package around it."""
    source = subprocess.run(
        ["git", "show", f"{revision}:optimiser/inputs/load.py"], cwd=REPOSITORY, check=True, capture_output=True,
        text=True,
    ).stdout
    name = f"optimiser.inputs._load_at_{revision}"
    module = types.ModuleType(name)
    module.__package__ = "optimiser.inputs"
    sys.modules[name] = module
    exec(compile(source, f"{revision}:optimiser/inputs/load.py", "exec"), module.__dict__)
    return module


def peak_mb() -> float:
    """This process's peak resident memory, MB: ``VmHWM``, which starts afresh with the program (``ru_maxrss``
    keeps the parent's peak from before the fork on Linux), else ``ru_maxrss``."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def child(directory: Path, revision: str | None, repeats: int) -> dict:
    """Time loading ``directory`` in this process (``revision``: that revision's loader)."""
    sys.path.insert(0, str(REPOSITORY))
    from optimiser.commands import common
    from optimiser.inputs import load

    loader = loader_at(revision) if revision else load
    loaded_mb = peak_mb()
    seconds, peaks = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        loader.load_inputs(directory)
        seconds.append(time.perf_counter() - started)
        peaks.append(peak_mb())
    result = {"load_seconds": seconds, "load": statistics.median(seconds), "peak_mb": peaks[0]}
    if revision is None:
        started = time.perf_counter()
        common.load(directory, directory / "scenarios" / "base.toml")
        result["validate"] = time.perf_counter() - started
    result["peak_all_mb"] = peak_mb()
    result["imports_mb"] = loaded_mb
    return result


def run_child(directory: Path, revision: str | None, repeats: int) -> dict:
    command = [sys.executable, __file__, "--child", str(directory), "--repeats", str(repeats)]
    if revision:
        command += ["--against", revision]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


# Fits and the table ------------------------------------------------------------------------------------------


def growth(rows: list[int], seconds: list[float]) -> float | None:
    """The exponent ``b`` of ``seconds ~ a * rows^b`` (least squares on the logarithms)."""
    if len(rows) < 2:
        return None
    return float(np.polyfit(np.log(rows), np.log(seconds), 1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000,10000,100000", help="project rows of each data set (comma-separated)")
    parser.add_argument("--repeats", type=int, default=3, help="loads per child; the median is reported")
    parser.add_argument("--against", default=None, metavar="REV", help="also time load.py of this git revision")
    parser.add_argument("--inputs", type=Path, default=SOURCE, help="source data to replicate (default: inputs/)")
    parser.add_argument("--work", type=Path, default=None, help="where the data sets are written (default: a temporary directory)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.against, args.repeats)))
        return 0

    sizes = [int(size) for size in args.rows.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="validate_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, pandas {pd.__version__}, "
          f"{date.today()}; data sets in {work}")
    results = []
    for rows in sizes:
        directory = work / f"rows_{rows}"
        written = replicate(args.inputs, directory, rows)
        result = {"rows": rows, "tables": written, "current": run_child(directory, None, args.repeats)}
        if args.against:
            result["against"] = run_child(directory, args.against, args.repeats)
        results.append(result)
        current = result["current"]
        line = (f"{rows:>9,} project rows ({written['grades.csv']:,} grade rows): load {current['load']:.2f} s "
                f"({rows / current['load']:,.0f} rows/s), validate {current['validate']:.2f} s, "
                f"peak {current['peak_mb']:,.0f} MB (imports {current['imports_mb']:,.0f} MB)")
        if args.against:
            before = result["against"]
            line += (f"; {args.against}: load {before['load']:.2f} s, peak {before['peak_mb']:,.0f} MB, "
                     f"{before['load'] / current['load']:.1f}x the time")
        print(line, flush=True)

    summary = {"rows": sizes, "current": growth(sizes, [r["current"]["load"] for r in results])}
    if args.against:
        summary["against"] = growth(sizes, [r["against"]["load"] for r in results])
    for name in ("current", "against"):
        if summary.get(name) is None:
            continue
        label = "this tree" if name == "current" else args.against
        steps = ", ".join(
            f"{a['rows']:,}->{b['rows']:,}: {growth([a['rows'], b['rows']], [a[name]['load'], b[name]['load']]):.2f}"
            for a, b in zip(results, results[1:])
        )
        print(f"growth ({label}): load time ~ rows^{summary[name]:.2f} ({steps})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"date": str(date.today()), "python": platform.python_version(),
                                         "pandas": pd.__version__, "against": args.against, "results": results,
                                         "growth": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
