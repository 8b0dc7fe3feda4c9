"""`optimiser run` against bare HiGHS on synthetic data sets of 300 to 3,000 projects over 21 and 41 years.

For each case (projects x last year) the script writes a data set with ``generate_scale.py`` and then runs
child processes in turn (the export, then those of ``--children``: all by default), each with a timeout so
one slow case cannot hang the benchmark:

export  the scenario's primary LP as HiGHS receives it from the optimiser: the model built, its primary
        objective set, handed to HiGHS through Pyomo (``set_instance``) and the arrays HiGHS holds
        (``getLp``) saved to an ``.npz`` file (first, so the bare solves run even when the run times out).
run     ``optimiser run --scenario <inputs>/scenarios/base.toml --inputs <inputs> --no-report`` in-process
        (``optimiser.cli.main``, its imports done before the clock starts): wall time of the command
        (loading and validating the inputs, build, the no-build baseline, the primary solve, tie-break,
        budget slopes, extraction, writing the result), the stage timings of its ``summary.json``, and the
        seconds and iterations of every call of HiGHS's ``run`` (``highspy.Highs.run`` wrapped), so the rest
        is the optimiser's own time (the Pyomo build, its compilation to arrays, the result tables).
dual    bare highspy on the saved LP, cold: ``passModel``, then dual simplex (``solver = simplex``,
        ``simplex_strategy = 1``, the optimiser's choice).
ipm     the same with interior point and crossover (``solver = ipm``, ``run_crossover = on``).
ipm_nopresolve  the same with ``presolve = off``: on the presolved LPs of 300 projects and more HiGHS's IPX
        stops with "no progress" and HiGHS starts dual simplex over, so ``ipm`` costs more than ``dual``.

Every process uses HiGHS's default options otherwise (the optimiser's ``make_solver`` sets no thread
count either). Peak memory is each child's own ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (the high-water
resident set, imports included). The ratios are optimiser / fastest bare method, all measured in this run:
``total`` is ``summary.json``'s ``timings.total`` (build to summary, what the issue's target names),
``command`` the whole in-process command. Time is fitted as ``a * projects^b * years^c`` by least squares
on the logarithms over the synthetic cases measured (``b`` alone when every case has one horizon, ``c`` alone
when every case has one project count). Usage::

    .venv/bin/python benchmarks/scale.py [--cases default,300x2045,...] [--children run,dual,ipm,ipm_nopresolve]
        [--timeout 1800] [--repeats 1] [--work DIR] [--json FILE]

Case names are ``<projects>x<last year>`` (``default`` is the repository's own inputs).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
sys.path.insert(0, str(HERE))

ALL_CASES = ("default", "300x2045", "300x2065", "1000x2045", "1000x2065", "3000x2045", "3000x2065")
DEFAULT_CASES = ("default", "300x2045")
"""The cases that together finish in under 10 minutes (about 4, every child) on the 2-core machine of
docs/performance.md; 300x2065 alone takes about 15, 1000x2045 about 60."""

FIRST_YEAR = 2025
HIGHS_OPTIONS: dict[str, dict[str, object]] = {
    "dual": {"solver": "simplex", "simplex_strategy": 1},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm_nopresolve": {"solver": "ipm", "run_crossover": "on", "presolve": "off"},
}
"""The bare methods, each a set of HiGHS options on top of the defaults."""
METHODS = tuple(HIGHS_OPTIONS)
METHOD_LABELS = {"dual": "bare dual simplex", "ipm": "bare IPM + crossover", "ipm_nopresolve": "bare IPM + crossover, presolve off"}
CHILDREN = ("run", *METHODS)
"""What runs after the export, in this order (``--children`` picks some)."""


def peak_memory_mb() -> float:
    """This process's peak resident set so far, MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Child processes ---------------------------------------------------------------------------------------------


def child_run(inputs: Path, work: Path) -> dict:
    """The optimiser's ``run`` command in-process, HiGHS's own seconds counted."""
    started = time.perf_counter()
    import highspy

    import optimiser.cli
    import optimiser.runner  # noqa: F401  (imported before timing: the command's heavy imports)
    import optimiser.store  # noqa: F401

    imports = time.perf_counter() - started
    calls: list[dict[str, float]] = []
    original = highspy.Highs.run

    def timed_run(self):
        t0, c0 = time.perf_counter(), time.process_time()
        status = original(self)
        info = self.getInfo()
        calls.append({"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                      "simplex_iterations": int(info.simplex_iteration_count), "ipm_iterations": int(info.ipm_iteration_count)})
        return status

    highspy.Highs.run = timed_run
    out = work / "result"
    scenario = inputs / "scenarios" / "base.toml"
    argv = ["run", "--scenario", str(scenario), "--inputs", str(inputs), "--out", str(out), "--no-report"]
    t0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        exit_status = optimiser.cli.main(argv)
    command, command_cpu = time.perf_counter() - t0, time.process_time() - c0
    highspy.Highs.run = original
    if not (out / "summary.json").exists():
        raise RuntimeError(f"optimiser run exited {exit_status} without a result (its error is on stderr above)")
    summary = json.loads((out / "summary.json").read_text())
    record = {
        "exit_status": exit_status,
        "imports_s": imports,
        "command_s": command,
        "command_cpu_s": command_cpu,
        "status": summary["status"],
        "objective": summary["objective"],
        "timings": summary["timings"],
        "model_size": summary["model_size"],
        "projects_in_model": summary["projects_in_model"],
        "highs_calls": calls,
        "highs_s": sum(call["seconds"] for call in calls),
        "highs_cpu_s": sum(call["cpu_seconds"] for call in calls),
        "peak_memory_mb": peak_memory_mb(),
    }
    return record


def child_export(inputs: Path, work: Path) -> dict:
    """The primary LP saved for the bare solves, with its size and the seconds the export took."""
    t0 = time.perf_counter()
    size = export_lp(inputs, inputs / "scenarios" / "base.toml", work / "primary.npz")
    return {**size, "export_s": time.perf_counter() - t0, "peak_memory_mb": peak_memory_mb()}


def export_lp(inputs: Path, scenario_path: Path, target: Path) -> dict[str, int]:
    """The primary LP of the scenario as HiGHS receives it from the optimiser's Pyomo model, saved as arrays."""
    import optimiser
    from optimiser.model import build_model, build_structure
    from optimiser.solve import PyomoBackend, make_solver

    data = optimiser.load_inputs(inputs)
    scenario = optimiser.Scenario.from_toml(scenario_path)
    model, structure = build_model(data, scenario, build_structure(data, scenario))
    solver = make_solver()
    PyomoBackend(solver, model, integer=False).set_primary()
    solver.set_instance(model)
    lp = solver._solver_model.getLp()
    matrix = lp.a_matrix_
    np.savez(
        target,
        col_cost=np.asarray(lp.col_cost_), col_lower=np.asarray(lp.col_lower_), col_upper=np.asarray(lp.col_upper_),
        row_lower=np.asarray(lp.row_lower_), row_upper=np.asarray(lp.row_upper_),
        a_start=np.asarray(matrix.start_, dtype=np.int32), a_index=np.asarray(matrix.index_, dtype=np.int32),
        a_value=np.asarray(matrix.value_), rowwise=np.array(str(matrix.format_).endswith("kRowwise")),
        offset=np.array(lp.offset_), maximise=np.array(str(lp.sense_).endswith("kMaximize")),
    )
    return {"rows": int(lp.num_row_), "columns": int(lp.num_col_), "nonzeros": len(matrix.value_),
            "projects_in_model": len(structure.projects)}


def child_bare(lp_file: Path, method: str) -> dict:
    """The saved LP in a fresh highspy instance, solved cold by ``method``."""
    import highspy

    arrays = np.load(lp_file)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(arrays["col_cost"]), len(arrays["row_lower"])
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = arrays["col_cost"], arrays["col_lower"], arrays["col_upper"]
    lp.row_lower_, lp.row_upper_ = arrays["row_lower"], arrays["row_upper"]
    lp.offset_ = float(arrays["offset"])
    lp.sense_ = highspy.ObjSense.kMaximize if bool(arrays["maximise"]) else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise if bool(arrays["rowwise"]) else highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = arrays["a_start"], arrays["a_index"], arrays["a_value"]
    with contextlib.redirect_stdout(io.StringIO()):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for option, value in HIGHS_OPTIONS[method].items():
        highs.setOptionValue(option, value)
    t0 = time.perf_counter()
    highs.passModel(lp)
    pass_model = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    highs.run()
    solve, solve_cpu = time.perf_counter() - t0, time.process_time() - c0
    info = highs.getInfo()
    return {
        "method": method,
        "status": highs.modelStatusToString(highs.getModelStatus()),
        "objective": float(info.objective_function_value),
        "pass_model_s": pass_model,
        "solve_s": solve,
        "solve_cpu_s": solve_cpu,
        "simplex_iterations": int(info.simplex_iteration_count),
        "ipm_iterations": int(info.ipm_iteration_count),
        "crossover_iterations": int(info.crossover_iteration_count),
        "peak_memory_mb": peak_memory_mb(),
    }


# The driver --------------------------------------------------------------------------------------------------


def parse_case(name: str) -> tuple[int | None, int]:
    """(projects, last year) of a case name; ``None`` projects for ``default`` (the repository's inputs)."""
    if name == "default":
        return None, 2045
    projects, _, last_year = name.partition("x")
    return int(projects), int(last_year)


def spawn(args: list[str], timeout: float, result: Path) -> dict:
    """One child process of this script; its JSON record, or why there is none."""
    command = [sys.executable, str(Path(__file__).resolve()), *args, "--result", str(result)]
    started = time.perf_counter()
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPOSITORY)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s", "wall_s": time.perf_counter() - started}
    if finished.returncode != 0 or not result.exists():
        return {"error": f"exit {finished.returncode}: {finished.stderr.strip()[-2000:]}", "wall_s": time.perf_counter() - started}
    record = json.loads(result.read_text())
    record["wall_s"] = time.perf_counter() - started
    return record


def median_record(records: list[dict], keys: tuple[str, ...]) -> dict:
    """The first record with the medians of ``keys`` over all records and the largest peak memory."""
    merged = dict(records[0])
    for key in keys:
        merged[key] = statistics.median(record[key] for record in records)
    merged["peak_memory_mb"] = max(record["peak_memory_mb"] for record in records)
    merged["repeats"] = len(records)
    return merged


def measure_case(name: str, work: Path, timeout: float, repeats: int, seed: int, children: tuple[str, ...] = CHILDREN) -> dict:
    """Generate the case's data, export its LP, then the optimiser's run and the bare methods (of ``children``)."""
    from generate_scale import generate

    projects, last_year = parse_case(name)
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    if projects is None:
        inputs = REPOSITORY / "inputs"
    else:
        inputs = folder / "inputs"
        generate(inputs, projects, last_year, seed=seed)
    case: dict = {"case": name, "projects": projects, "years": last_year - FIRST_YEAR + 1, "last_year": last_year}
    case["lp"] = spawn(["--child", "export", "--inputs", str(inputs), "--work", str(folder)], timeout, folder / "export.json")
    if "error" in case["lp"]:
        print(f"  {name}: export failed: {case['lp']['error']}", flush=True)
        return case
    print(f"  {name}: LP {case['lp']['rows']:,} x {case['lp']['columns']:,}, exported in {case['lp']['export_s']:.1f} s", flush=True)
    if case["projects"] is None:
        case["projects"] = case["lp"]["projects_in_model"]
    for child in children:
        records = []
        for repeat in range(repeats):
            args = ["--child", child, *(["--inputs", str(inputs), "--work", str(folder)] if child == "run" else ["--lp", str(folder / "primary.npz")])]
            record = spawn(args, timeout, folder / f"{child}{repeat}.json")
            if "error" in record:
                print(f"  {name}: {child} failed: {record['error']}", flush=True)
                break
            records.append(record)
            seconds = f"total {record['timings']['total']:.1f} s" if child == "run" else f"solve {record['solve_s']:.1f} s"
            print(f"  {name}: {child} {seconds}", flush=True)
        if not records:
            case[child] = record
        elif child == "run":
            case["run"] = median_record(records, ("command_s", "command_cpu_s", "imports_s", "highs_s", "highs_cpu_s", "wall_s"))
            case["run"]["timings"] = {key: statistics.median(r["timings"].get(key, 0.0) for r in records) for key in records[0]["timings"]}
        else:
            case[child] = median_record(records, ("solve_s", "solve_cpu_s", "pass_model_s", "wall_s"))
    return case


def ratios(case: dict) -> None:
    """Optimiser / fastest bare method, and the objective agreement, added to ``case``."""
    run = case.get("run", {})
    bare = {method: case[method]["solve_s"] for method in METHODS if "solve_s" in case.get(method, {})}
    if not bare:
        return
    fastest = min(bare, key=bare.get)
    case["fastest"] = fastest
    case["bare_s"] = bare[fastest]
    if "timings" not in run:
        return
    case["total_over_bare"] = run["timings"]["total"] / bare[fastest]
    case["command_over_bare"] = run["command_s"] / bare[fastest]
    cpu = {method: case[method]["solve_cpu_s"] for method in bare if "solve_cpu_s" in case[method]}
    if cpu and "command_cpu_s" in run:
        case["fastest_cpu"] = min(cpu, key=cpu.get)
        case["command_cpu_over_bare_cpu"] = run["command_cpu_s"] / cpu[case["fastest_cpu"]]
    reference = abs(run["objective"]) or 1.0
    case["objective_gaps"] = {method: abs(case[method]["objective"] - run["objective"]) / reference for method in bare}


def fit(cases: list[dict], value) -> dict | None:
    """Least squares of log(value) on log(projects) and log(years) over the synthetic cases that have a value:
    the exponents of ``a * projects^b * years^c`` (only those the cases vary)."""
    points = [(case["projects"], case["years"], value(case)) for case in cases if case["case"] != "default"]
    points = [point for point in points if point[2] is not None and point[2] > 0]
    columns, names = [], []
    for index, name in ((0, "projects"), (1, "years")):
        if len({point[index] for point in points}) > 1:
            columns.append([math.log(point[index]) for point in points])
            names.append(name)
    if not names or len(points) <= len(names):
        return None
    design = np.column_stack([np.ones(len(points)), *columns])
    target = np.log([point[2] for point in points])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ solution
    return {"a": float(math.exp(solution[0])), **{f"exponent_{name}": float(b) for name, b in zip(names, solution[1:])},
            "points": len(points), "rms_log_residual": float(np.sqrt(np.mean(residual**2)))}


def _value(case: dict, *path: str) -> float | None:
    node: object = case
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, (int, float)) else None


def _bare_cell(case: dict, method: str) -> str:
    record = case.get(method, {})
    return f"{record['solve_s']:.2f} s" if "solve_s" in record else record.get("error", "")[:40]


def table(cases: list[dict]) -> str:
    """The Markdown table printed and put in docs/performance.md: a column per bare method measured."""
    methods = [method for method in METHODS if any(method in case for case in cases)]
    lines = [
        "| case | LP rows × cols (nnz) | " + " | ".join(METHOD_LABELS[method] for method in methods) + " | `optimiser run` total | "
        f"ratio | command (in-process) | peak memory export / run / {' / '.join(methods)} | where the run's time goes |",
        "| --- | --- | " + "---: | " * len(methods) + "---: | ---: | ---: | --- | --- |",
    ]
    for case in cases:
        run, lp = case.get("run", {}), case.get("lp", {})
        size = f"{lp['rows']:,} × {lp['columns']:,} ({lp['nonzeros']:,})" if "rows" in lp else lp.get("error", "")[:60]
        projects = case["projects"] if case["projects"] is not None else "default"
        label = f"{case['case']} ({projects} projects, {case['years']} years)"
        memory = " / ".join(
            f"{case[key]['peak_memory_mb'] / 1024:.2f}" if "peak_memory_mb" in case.get(key, {}) else "-"
            for key in ("lp", "run", *methods)
        )
        bare = " | ".join(_bare_cell(case, method) for method in methods)
        if "timings" not in run:
            lines.append(f"| {label} | {size} | {bare} | {run.get('error', 'not run')[:60]} | | | {memory} GB | |")
            continue
        timings = run["timings"]
        stages = ", ".join(
            f"{key.removeprefix('solve_')} {timings[key]:.1f}"
            for key in ("build", "solve_baseline", "solve_primary", "solve_tie_break", "budget_dual_resolves", "extract")
            if key in timings
        )
        ratio = f"{case['total_over_bare']:.1f}× {case['fastest']}" if "total_over_bare" in case else ""
        if "command_cpu_over_bare_cpu" in case:
            ratio += f" (CPU, whole command: {case['command_cpu_over_bare_cpu']:.1f}×)"
        lines.append(
            f"| {label} | {size} | {bare} | {timings['total']:.1f} s | {ratio} | {run['command_s']:.1f} s | {memory} GB | "
            f"{stages}; HiGHS {run['highs_s']:.1f} s of it |"
        )
    return "\n".join(lines)


def driver(args: argparse.Namespace) -> int:
    names = [name.strip() for name in args.cases.split(",") if name.strip()]
    for name in names:
        try:
            parse_case(name)
        except ValueError:
            print(f"error: unknown case '{name}' (known: {', '.join(ALL_CASES)}, or <projects>x<last year>)", file=sys.stderr)
            return 2
    children = tuple(child.strip() for child in args.children.split(",") if child.strip())
    if not set(children) <= set(CHILDREN):
        print(f"error: --children takes {', '.join(CHILDREN)}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scale_")))
        cases = []
        for name in names:
            print(f"case {name}", flush=True)
            case = measure_case(name, work, args.timeout, args.repeats, args.seed, children)
            ratios(case)
            cases.append(case)
            if args.json is not None:
                write_json(args.json, cases, args)
    fits = {
        label: fit(cases, value)
        for label, value in (
            ("optimiser_total", lambda case: _value(case, "run", "timings", "total")),
            ("bare_fastest", lambda case: _value(case, "bare_s")),
            *((f"bare_{method}", lambda case, method=method: _value(case, method, "solve_s")) for method in METHODS),
            *((f"bare_{method}_cpu", lambda case, method=method: _value(case, method, "solve_cpu_s")) for method in METHODS),
        )
    }
    print()
    print(table(cases))
    print()
    for label, result in fits.items():
        if result is not None:
            exponents = ", ".join(f"{key.removeprefix('exponent_')}^{value:.2f}" for key, value in result.items() if key.startswith("exponent_"))
            print(f"{label}: time ~ {result['a']:.3g} · {exponents} over {result['points']} cases (rms log residual {result['rms_log_residual']:.2f})")
    for case in cases:
        if "objective_gaps" in case:
            gaps = ", ".join(f"{method} {gap:.1e}" for method, gap in case["objective_gaps"].items())
            print(f"{case['case']}: bare objectives against the run's, relative: {gaps}")
    if args.json is not None:
        write_json(args.json, cases, args, fits)
    return 0


def write_json(path: Path, cases: list[dict], args: argparse.Namespace, fits: dict | None = None) -> None:
    from optimiser.runner import versions

    path.parent.mkdir(parents=True, exist_ok=True)
    numbers = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "versions": versions(),
        "command": " ".join(sys.argv),
        "timeout_s": args.timeout,
        "repeats": args.repeats,
        "seed": args.seed,
        "cases": cases,
        "fits": fits,
    }
    path.write_text(json.dumps(numbers, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(DEFAULT_CASES),
                        help=f"comma-separated cases (default: {','.join(DEFAULT_CASES)}; all: {','.join(ALL_CASES)})")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds each child process may take (default 1800)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each child; medians reported (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="generate_scale.py's seed")
    parser.add_argument("--children", default=",".join(CHILDREN),
                        help="what runs after the export, of run,dual,ipm (default: all; e.g. ipm alone for a case too big to run)")
    parser.add_argument("--work", type=Path, default=None, help="keep the generated data, LPs and results here")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    parser.add_argument("--child", choices=("export", *CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lp", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is None:
        return driver(args)
    if args.child == "export":
        record = child_export(args.inputs, args.work)
    elif args.child == "run":
        record = child_run(args.inputs, args.work)
    else:
        record = child_bare(args.lp, args.child)
    args.result.write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
