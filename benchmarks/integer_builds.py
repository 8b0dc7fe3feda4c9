"""Integer builds on the default data: the MILP against the LP, measured in one process (issue 14).

Measured one after the other in this process, every solve by bare highspy on exactly what the optimiser hands
HiGHS (the model built, its objective set, handed over by Pyomo's persistent HiGHS and read back with
``getLp``), HiGHS's default options otherwise (relative MIP gap 1e-4, every core):

lp      the scenario's continuous LP, solved cold: the reference every ratio is taken against.
milp    the same scenario with ``integer_builds = true`` (the model's unit counts, ``units_started``,
        included), once per HiGHS ``random_seed`` of ``--seeds`` (a MIP's time swings with the seed, so the
        median is reported): seconds, CPU seconds, nodes, objective, dual bound, proven gap.
plain   (``--plain``) the same MILP with the unit counts taken out before the hand-over: the formulation
        before issue 14, same seeds, for the before/after ratio.
starts  (``--starts``) what the primary's plan is worth as a MIP start (``setSolution``): the capex tie-break
        (primary objective held at the MILP optimum within the scenario's tolerance) and the re-solves at
        ``max(B - 1, 0)`` and ``B + 1`` of the budget dual, each without and with the start (seed 0); and the
        tie-break as an LP over the continuous columns with the integer columns fixed at the primary's plan.
run     (``--run``) ``optimiser.solve`` of the integer scenario without the baseline, ``--time-limit`` for
        the whole run: its status, objective and its own timings of the primary solve, the tie-break and the
        budget dual's re-solves.

The LP-MILP gap is ``(MILP optimum - LP optimum) / MILP optimum`` (the integer model's relaxation is the
LP: ``tests/test_integer_builds.py``). Usage::

    .venv/bin/python benchmarks/integer_builds.py [--inputs inputs] [--scenario inputs/scenarios/base.toml]
        [--seeds 3] [--plain] [--starts] [--run] [--time-limit 600] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import statistics
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def export(model, *, integer: bool, stage: str = "primary", held: float | None = None):
    """The LP (a MILP when ``integer``) of ``model`` as HiGHS receives it, and each column's Pyomo variable id.

    ``stage`` is ``primary`` or ``tie_break`` (capex minimised with the primary objective at most ``held``).
    """
    from optimiser.solve import PyomoBackend, make_solver

    solver = make_solver()
    backend = PyomoBackend(solver, model, integer=integer)
    backend.set_primary()
    if stage == "tie_break":
        backend.set_tie_break(held)
    solver.set_instance(model)
    lp = solver._solver_model.getLp()
    columns = {int(column): var_id for var_id, column in solver._pyomo_var_to_solver_var_map.items()}
    backend.set_primary()
    return lp, [columns[j] for j in range(lp.num_col_)]


def quiet_highs():
    """A fresh ``highspy.Highs`` without its banner on stdout and with its log off."""
    import highspy

    with contextlib.redirect_stdout(io.StringIO()):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


def bare_solve(lp, *, seed: int = 0, time_limit: float | None = None, start: list[float] | None = None) -> dict:
    """``lp`` in a fresh highspy instance, solved cold (from ``start`` when given): status, objective, MIP
    bound and gap, nodes, wall and CPU seconds, and the solution."""
    import highspy

    highs = quiet_highs()
    highs.setOptionValue("random_seed", seed)
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    highs.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start
        solution.value_valid = True
        highs.setSolution(solution)
    t0, c0 = time.perf_counter(), time.process_time()
    highs.run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    info = highs.getInfo()
    integer = any(kind == highspy.HighsVarType.kInteger for kind in lp.integrality_)
    return {
        "status": highs.modelStatusToString(highs.getModelStatus()),
        "objective": float(info.objective_function_value),
        "bound": float(info.mip_dual_bound) if integer else None,
        "gap": float(info.mip_gap) if integer else None,
        "nodes": int(info.mip_node_count) if integer else None,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "solution": list(highs.getSolution().col_value),
    }


def mapped(solution: list[float], from_columns: list[int], to_columns: list[int]) -> list[float]:
    """A solution of one export as a start for another of the same model (columns matched by variable)."""
    value = dict(zip(from_columns, solution))
    return [value.get(var_id, 0.0) for var_id in to_columns]


def with_integers_fixed(lp, values: list[float]):
    """A copy of ``lp`` with every integer column fixed at its (rounded) value in ``values``: an LP."""
    import highspy
    import numpy as np

    highs = quiet_highs()
    highs.passModel(lp)
    columns = np.array([j for j, kind in enumerate(lp.integrality_) if kind == highspy.HighsVarType.kInteger], dtype=np.int32)
    fixed = np.round(np.asarray(values)[columns])
    highs.changeColsBounds(len(columns), columns, fixed, fixed)
    kinds = np.full(len(columns), highspy.HighsVarType.kContinuous)
    highs.changeColsIntegrality(len(columns), columns, kinds)
    return highs.getLp()


def without_unit_counts(model) -> None:
    """Take the unit counts out of a built integer model: the formulation before issue 14."""
    for name in ("units_started_count", "units_started", "UNITS_STARTED"):
        model.del_component(name)


def summary_of(records: list[dict]) -> dict:
    """Medians of a solve's repeats, and each repeat without its solution vector."""
    return {
        "median_seconds": statistics.median(r["seconds"] for r in records),
        "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in records),
        "median_nodes": statistics.median(r["nodes"] for r in records),
        "solves": [{key: value for key, value in r.items() if key != "solution"} for r in records],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=Path, default=REPOSITORY / "inputs")
    parser.add_argument("--scenario", type=Path, default=REPOSITORY / "inputs" / "scenarios" / "base.toml")
    parser.add_argument("--seeds", type=int, default=3, help="HiGHS random seeds 0..n-1 for the MILP solves")
    parser.add_argument("--plain", action="store_true", help="also solve the MILP without the unit counts")
    parser.add_argument("--starts", action="store_true", help="tie-break and B +- 1 re-solves with and without a start")
    parser.add_argument("--run", action="store_true", help="also time optimiser.solve of the integer scenario")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for each MILP solve and for --run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import highspy

    import optimiser
    from optimiser.model import build_model
    from optimiser.solve import held_optimum

    data = optimiser.load_inputs(args.inputs)
    continuous = optimiser.Scenario.from_toml(args.scenario).with_overrides(integer_builds=False)
    integer = continuous.with_overrides(integer_builds=True)
    record: dict = {
        "scenario": str(args.scenario), "machine": f"{platform.machine()}, {platform.python_version()}",
        "highs": quiet_highs().version(),
    }

    lp, _ = export(build_model(data, continuous)[0], integer=False)
    reference = bare_solve(lp)
    lp_seconds = reference["seconds"]
    record["lp"] = {key: value for key, value in reference.items() if key != "solution"}
    record["lp"]["size"] = {"rows": lp.num_row_, "columns": lp.num_col_}
    print(f"LP    {reference['status']:>8}  objective {reference['objective']:.6f}  {lp_seconds:7.2f} s "
          f"({lp.num_row_} rows, {lp.num_col_} columns)", flush=True)

    model, _ = build_model(data, integer)
    milp, columns = export(model, integer=True)
    integer_columns = sum(1 for kind in milp.integrality_ if kind == highspy.HighsVarType.kInteger)
    solves = []
    for seed in range(args.seeds):
        solves.append(bare_solve(milp, seed=seed, time_limit=args.time_limit))
        last = solves[-1]
        print(f"MILP  seed {seed}: {last['status']:>8}  objective {last['objective']:.6f}  bound {last['bound']:.6f}  "
              f"gap {last['gap']:.2e}  {last['nodes']:6d} nodes  {last['seconds']:7.2f} s  "
              f"({last['seconds'] / lp_seconds:.0f}x the LP)", flush=True)
    best = min(solves, key=lambda r: r["objective"])
    record["milp"] = summary_of(solves)
    record["milp"]["integer_columns"] = integer_columns
    record["lp_milp_gap"] = (best["objective"] - reference["objective"]) / abs(best["objective"])
    record["milp"]["ratio_to_lp"] = record["milp"]["median_seconds"] / lp_seconds
    print(f"LP-MILP gap {record['lp_milp_gap']:.3%} (LP {reference['objective']:.6f}, MILP {best['objective']:.6f}); "
          f"MILP median {record['milp']['median_seconds']:.2f} s = {record['milp']['ratio_to_lp']:.0f}x the LP "
          f"({integer_columns} integer columns)", flush=True)

    if args.plain:
        plain_model, _ = build_model(data, integer)
        without_unit_counts(plain_model)
        plain, _ = export(plain_model, integer=True)
        plain_solves = [bare_solve(plain, seed=seed, time_limit=args.time_limit) for seed in range(args.seeds)]
        for seed, solve in enumerate(plain_solves):
            print(f"plain seed {seed}: {solve['status']:>8}  objective {solve['objective']:.6f}  gap {solve['gap']:.2e}  "
                  f"{solve['nodes']:6d} nodes  {solve['seconds']:7.2f} s", flush=True)
        record["plain"] = summary_of(plain_solves)
        record["plain"]["ratio_to_milp"] = record["plain"]["median_seconds"] / record["milp"]["median_seconds"]
        print(f"without the unit counts: median {record['plain']['median_seconds']:.2f} s, "
              f"{record['plain']['ratio_to_milp']:.1f}x the MILP with them", flush=True)

    if args.starts:
        record["starts"] = {}
        held = held_optimum(best["objective"], integer.tie_break_tolerance)
        tie_break, tie_columns = export(model, integer=True, stage="tie_break", held=held)
        budget = integer.budget_busd
        cases = [("tie_break", tie_break, tie_columns)]
        for shifted in (max(budget - 1.0, 0.0), budget + 1.0):
            model.budget.set_value(shifted)
            resolve, resolve_columns = export(model, integer=True)
            cases.append((f"budget {shifted:g}", resolve, resolve_columns))
        model.budget.set_value(budget)
        for name, problem, problem_columns in cases:
            start = mapped(best["solution"], columns, problem_columns)
            cold = bare_solve(problem, time_limit=args.time_limit)
            warm = bare_solve(problem, time_limit=args.time_limit, start=start)
            solves = [("without", cold), ("with", warm)]
            line = (f"{name:>12}: without a start {cold['seconds']:7.2f} s ({cold['status']}, {cold['objective']:.6f}), "
                    f"with the primary's plan {warm['seconds']:7.2f} s ({warm['status']}, {warm['objective']:.6f})")
            if name == "tie_break":
                fixed = bare_solve(with_integers_fixed(problem, start))
                solves.append(("integers_fixed", fixed))
                line += f", integers fixed at it (an LP) {fixed['seconds']:7.2f} s ({fixed['objective']:.6f})"
            record["starts"][name] = {
                label: {key: value for key, value in solve.items() if key != "solution"} for label, solve in solves
            }
            print(line, flush=True)

    if args.run:
        started = time.perf_counter()
        result = optimiser.solve(data, integer, time_limit=args.time_limit, baseline=False)
        wall = time.perf_counter() - started
        timings = result.summary["timings"]
        record["run"] = {"status": result.status, "objective": result.objective, "wall_seconds": wall, "timings": timings}
        primary = timings.get("solve_primary")
        print(f"optimiser.solve: {result.status}, objective {result.objective}, {wall:.2f} s in all; "
              + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items() if k.startswith("solve") or k.startswith("budget"))
              + (f"; primary {primary / lp_seconds:.0f}x the bare LP" if primary else ""), flush=True)

    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
