"""Time per scenario of a 200-scenario budget sweep of the default model, three ways, in one process.

(a) rebuild and solve from scratch per scenario: ``optimiser.solve`` without the no-build baseline (the
    build, the solve, the capex tie-break and the result tables), timed on an evenly spaced sample of the
    budgets and taken per scenario;
(b) bare highspy: the LP extracted once from Pyomo's persistent HiGHS instance (``getLp``), then for each
    budget only the budget rows' bounds changed and re-solved warm, doing the same solves a sweep point
    needs: the primary solve, its budget-row duals, the capex tie-break (primal simplex, the optimum held
    by a row), the solution vector, and the primary basis restored; (b1) the primary solve alone;
(c) our sweep path: (c1) ``Resolver.solve`` per scenario, as a worker runs it (mutable values, changed
    coefficients, both solves, budget dual, builds, dependence and metrics); (c2) ``optimiser.sweep`` end
    to end with one worker on the loaded inputs (plan, build, solves, store, runs.parquet), wall time per
    scenario, and (c2') the same without the one-time build (about 2 s, amortised over the sweep).

Budgets 0, 0.125, ..., 24.875 $B in ascending order (neighbours close). The warm paths (b), (b1), (c1)
are timed in turn at every budget, so that load on the machine hits them alike; each pass over the
budgets is repeated ``--repeats`` times and the median per-scenario time reported. Usage::

    .venv/bin/python benchmarks/sweep_budget.py [--inputs inputs] [--rebuild-sample 10] [--repeats 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.tee import capture_output
from pyomo.repn import generate_standard_repn

import optimiser
from optimiser.model import build_model
from optimiser.runner import versions
from optimiser.solve import TIE_BREAK_ABSOLUTE_TOLERANCE, make_solver, solve_model
from optimiser.sweep.resolve import Resolver
from optimiser.sweep.spec import spec_from_dict

SCENARIOS = 200
STEP = 0.125
PRIMAL_SIMPLEX = 4


def rebuild(data, base, budgets) -> float:
    """(a) seconds per scenario, building and solving each from scratch."""
    times = []
    for budget in budgets:
        scenario = base.with_overrides(budget_busd=float(budget))
        started = time.perf_counter()
        result = optimiser.solve(data, scenario, baseline=False)
        times.append(time.perf_counter() - started)
        assert result.optimal
    return statistics.mean(times)


class BareHighs:
    """The default model's LP in a bare highspy instance, budget rows and tie-break row located once."""

    def __init__(self, data, base) -> None:
        model, _ = build_model(data, base)
        solver = make_solver(threads=1)
        solve_model(model, solver=solver, tie_break=False)
        rows = solver._pyomo_con_to_solver_con_map
        columns = solver._pyomo_var_to_solver_var_map
        self.budget_rows = np.array(
            [rows[model.budget_limit]] + [rows[model.yearly_budget_limit[y]] for y in model.yearly_budget_limit],
            dtype=np.int32,
        )
        self.cap = pyo.value(model.yearly_cap_fraction)
        lp = solver._solver_model.getLp()
        with capture_output(capture_fd=True):
            self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        self.highs.passModel(lp)
        self.cost = np.asarray(lp.col_cost_)
        self.tie_cost = np.zeros_like(self.cost)
        repn = generate_standard_repn(model.tie_break.expr, compute_values=True)
        for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
            self.tie_cost[columns[id(var)]] = coefficient
        self.objective_columns = np.flatnonzero((self.cost != 0) | (self.tie_cost != 0)).astype(np.int32)
        nonzero = np.flatnonzero(self.cost).astype(np.int32)
        self.highs.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(nonzero), nonzero, self.cost[nonzero])
        self.tie_row = self.highs.getNumRow() - 1
        self.highs.run()

    def solve(self, budget: float, tie_break: bool) -> float:
        """One sweep point: change the budget rows, re-solve warm, read what a sweep reports."""
        highs = self.highs
        upper = np.full(len(self.budget_rows), self.cap * budget)
        upper[0] = budget
        highs.changeRowsBounds(len(self.budget_rows), self.budget_rows, np.full(len(upper), -highspy.kHighsInf), upper)
        highs.run()
        objective = highs.getInfo().objective_function_value
        duals = highs.getSolution().row_dual
        -(duals[int(self.budget_rows[0])] + self.cap * sum(duals[int(r)] for r in self.budget_rows[1:]))
        if not tie_break:
            np.asarray(highs.getSolution().col_value)
            return objective
        basis = highs.getBasis()
        highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        highs.changeRowBounds(self.tie_row, -highspy.kHighsInf, objective * (1 + 1e-8) + TIE_BREAK_ABSOLUTE_TOLERANCE)
        columns = self.objective_columns
        highs.changeColsCost(len(columns), columns, self.tie_cost[columns])
        highs.run()
        np.asarray(highs.getSolution().col_value)
        highs.changeColsCost(len(columns), columns, self.cost[columns])
        highs.changeRowBounds(self.tie_row, -highspy.kHighsInf, highspy.kHighsInf)
        highs.setOptionValue("simplex_strategy", 1)
        highs.setBasis(basis)
        return objective


def interleaved(paths: dict[str, object], budgets) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Seconds per scenario of each path, the paths timed in turn at every budget (so that load on the
    machine hits them alike), and their objectives."""
    seconds = {name: 0.0 for name in paths}
    objectives: dict[str, list[float]] = {name: [] for name in paths}
    for budget in budgets:
        for name, solve in paths.items():
            started = time.perf_counter()
            objectives[name].append(solve(float(budget)))
            seconds[name] += time.perf_counter() - started
    return {name: total / len(budgets) for name, total in seconds.items()}, objectives


def end_to_end(inputs: str, data, budgets) -> tuple[float, float]:
    """(c2) ``optimiser.sweep`` with one worker: wall seconds per scenario (plan, build, solves, store), and
    the same without the one-time build of the model."""
    spec = spec_from_dict(
        {
            "name": "benchmark_budget",
            "base": {"scenario": str(Path(inputs).resolve() / "scenarios" / "base.toml")},
            "grid": {"budget_busd": [float(b) for b in budgets]},
        }
    )
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        runs = optimiser.sweep(spec, inputs=data, out=out, workers=1, progress=False)
        seconds = time.perf_counter() - started
    assert (runs["status"] == "optimal").all()
    return seconds / len(budgets), (seconds - float(runs["time_build_s"].sum())) / len(budgets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", default="inputs")
    parser.add_argument("--rebuild-sample", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    data = optimiser.load_inputs(args.inputs)
    base = optimiser.Scenario.from_toml(Path(args.inputs) / "scenarios" / "base.toml")
    budgets = np.arange(SCENARIOS) * STEP

    bare, bare_primary = BareHighs(data, base), BareHighs(data, base)
    resolver = Resolver(data, base)

    def ours(budget: float) -> float:
        return resolver.solve(base.with_overrides(budget_busd=budget)).objective

    paths = {"b": lambda b: bare.solve(b, True), "b1": lambda b: bare_primary.solve(b, False), "c1": ours}
    for solve in paths.values():
        solve(float(budgets[0]))
    runs: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.repeats):
        seconds, objectives = interleaved(paths, budgets)
        for name, value in seconds.items():
            runs[name].append(value)
    gap = max(abs(x - y) for x, y in zip(objectives["b"], objectives["c1"]))
    sample = budgets[np.linspace(0, SCENARIOS - 1, args.rebuild_sample).round().astype(int)]
    a = rebuild(data, base, sample)
    passes = [end_to_end(args.inputs, data, budgets) for _ in range(args.repeats)]
    c2 = statistics.median(total for total, _ in passes)
    c2_steady = statistics.median(steady for _, steady in passes)
    b, b1, c1 = (statistics.median(runs[key]) for key in ("b", "b1", "c1"))

    numbers = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "versions": versions(),
        "model": {"rows": resolver.lp.num_row, "columns": resolver.lp.num_col},
        "scenarios": SCENARIOS,
        "a_rebuild_s": a,
        "b_bare_highspy_s": b,
        "b1_bare_highspy_primary_only_s": b1,
        "c1_resolver_s": c1,
        "c2_sweep_end_to_end_s": c2,
        "c2_without_build_s": c2_steady,
        "c1_over_a": c1 / a,
        "c1_over_b": c1 / b,
        "c2_over_a": c2 / a,
        "c2_over_b": c2 / b,
        "c2_without_build_over_b": c2_steady / b,
        "max_objective_gap_b_c1": gap,
        "repeats": args.repeats,
        "rebuild_sample": args.rebuild_sample,
    }
    print(f"default model: {numbers['model']['rows']} rows x {numbers['model']['columns']} columns; "
          f"{SCENARIOS} budgets 0-{budgets[-1]:g} $B; medians of {args.repeats} passes")
    print("| path | ms per scenario | c1 / path | c2 / path |")
    print("| --- | --- | --- | --- |")
    for label, key in (
        ("(a) rebuild and solve from scratch", a),
        ("(b) bare highspy, same solves (primary + tie-break)", b),
        ("(b1) bare highspy, primary solve only", b1),
        ("(c1) sweep re-solver, per scenario", c1),
        ("(c2) optimiser.sweep end to end, 1 worker", c2),
        ("(c2') the same without the one-time build", c2_steady),
    ):
        print(f"| {label} | {1000 * key:.2f} | {c1 / key:.3f} | {c2 / key:.3f} |")
    print(f"objectives of (b) and (c1) agree within {gap:.1e}")
    if args.json is not None:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
