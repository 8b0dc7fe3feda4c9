"""The robust two-stage LP assembled from the scenarios' compiled LPs, and its solve-sequence back end.

Every scenario's model is built and compiled once, by the :class:`~.evaluate.Evaluator` that later scores
portfolios under it. The robust LP is those LPs side by side (block-diagonal), with three changes that are
the algebra of :mod:`.robust`:

- one set of builds: the build columns of every scenario after the first are the first's (a scenario's rows
  that hold a build refer to the shared column), which is ``build[s] = build[0]`` without the rows;
- the budget, yearly-cap and unit-limit rows are the first scenario's only;
- the objective is the measure over the scenarios' primary objectives ``obj[s] = c[s]·x[s] + offset[s]``:
  ``expected`` Σ w[s]·obj[s]; ``worst`` a column z with rows obj[s] ≤ z; ``cvar`` columns η (free) and
  u[s] ≥ 0 with rows obj[s] − η ≤ u[s], minimising η + Σ w[s]·u[s] / (1 − α). The tie-break minimises the
  first scenario's capex with a row holding the measure.

Assembling arrays costs milliseconds, where a Pyomo model of blocks costs a second build of every scenario
and a hand-over to HiGHS (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..solve import BUDGET_DROPPED, SIMPLEX_DUAL, SIMPLEX_PRIMAL, Deadline, import_highspy
from ..solve_status import NOT_STARTED, from_highs
from ..sweep.lp import LPArrays
from ..sweep.resolve import CurrentLP

INF = float("inf")

NOT_ASKED = "the robust LP is never asked for {what}: {why}, so solve_sequence does not call this (a bug if it does)"
"""Why the solve-sequence methods the robust LP has no use for refuse: the protocol's contract, not a gap.
The robust portfolio reports no budget dual (its budget rows are the reference's; ``robust`` passes
``budget_dual=False``) and has no secondary objective."""

REFERENCE_ONLY_ROWS = ("budget_limit", "yearly_budget_limit", "unit_limit")
"""Rows kept in the first (reference) scenario only: the portfolio is chosen under its budget."""


@dataclass
class StackedLP(LPArrays):
    """The assembled robust LP: its arrays, the measure's and the tie-break's costs, and where the shared
    build columns are."""

    measure_cost: np.ndarray
    measure_offset: float
    tie_cost: np.ndarray
    tie_offset: float
    integer_columns: np.ndarray
    build_pairs: list[tuple[str, int]]
    build_columns: np.ndarray


def stack(
    blocks: list[tuple[CurrentLP, object]], weights: list[float], measure: str, alpha: float
) -> StackedLP:
    """The robust LP of ``blocks`` (each a scenario's current LP and its built Pyomo model, the first the
    reference) under ``measure``."""
    reference_lp, reference_model = blocks[0]
    pairs = list(reference_model.BUILD)
    shared = np.array([reference_lp.column_of[id(reference_model.build[pair])] for pair in pairs], dtype=np.int64)
    col_lower, col_upper, integer = [reference_lp.col_lower], [reference_lp.col_upper], [reference_lp.integer_columns]
    row_lower, row_upper, row_index, row_value, row_lengths = [], [], [], [], []
    objective_rows: list[tuple[np.ndarray, np.ndarray, float]] = []
    for position, (lp, model) in enumerate(blocks):
        columns = len(lp.col_lower)
        if position == 0:
            mapping = np.arange(columns, dtype=np.int64)
            kept_rows = np.ones(len(lp.row_lower), dtype=bool)
        else:
            if list(model.BUILD) != pairs:
                raise ValueError("the scenarios of a robust portfolio must offer the same builds")
            own = np.array([lp.column_of[id(model.build[pair])] for pair in pairs], dtype=np.int64)
            offset = sum(len(part) for part in col_lower)
            keep = np.ones(columns, dtype=bool)
            keep[own] = False
            mapping = np.empty(columns, dtype=np.int64)
            mapping[keep] = offset + np.arange(int(keep.sum()))
            mapping[own] = shared
            col_lower.append(lp.col_lower[keep])
            col_upper.append(lp.col_upper[keep])
            integer.append(mapping[lp.integer_columns[keep[lp.integer_columns]]])
            kept_rows = np.ones(len(lp.row_lower), dtype=bool)
            for name in REFERENCE_ONLY_ROWS:
                if hasattr(model, name):
                    kept_rows[[lp.row_of[id(row)] for row in getattr(model, name).values()]] = False
        lengths = np.diff(np.append(lp.row_start, len(lp.row_index)))
        entry_kept = np.repeat(kept_rows, lengths)
        row_lower.append(lp.row_lower[kept_rows])
        row_upper.append(lp.row_upper[kept_rows])
        row_index.append(mapping[lp.row_index[entry_kept]])
        row_value.append(lp.row_value[entry_kept])
        row_lengths.append(lengths[kept_rows])
        nonzero = np.flatnonzero(lp.cost)
        objective_rows.append((mapping[nonzero], lp.cost[nonzero], lp.cost_offset))

    columns = sum(len(part) for part in col_lower)
    weights_array = np.asarray(weights, dtype=float)
    measure_cost = np.zeros(columns)
    measure_offset = 0.0
    extra_lower: list[float] = []
    extra_upper: list[float] = []
    rows_added: list[tuple[np.ndarray, np.ndarray, float]] = []  # (columns, values, upper bound)
    if measure == "expected":
        for weight, (cols, values, constant) in zip(weights_array, objective_rows):
            np.add.at(measure_cost, cols, weight * values)
            measure_offset += weight * constant
    elif measure == "worst":
        worst = columns
        extra_lower.append(0.0)
        extra_upper.append(INF)
        for cols, values, constant in objective_rows:
            rows_added.append((np.append(cols, worst), np.append(values, -1.0), -constant))
        measure_cost = np.append(measure_cost, 1.0)
    else:
        level = columns
        extra_lower += [-INF] + [0.0] * len(blocks)
        extra_upper += [INF] * (1 + len(blocks))
        for index, (cols, values, constant) in enumerate(objective_rows):
            excess = level + 1 + index
            rows_added.append((np.append(cols, [level, excess]), np.append(values, [-1.0, -1.0]), -constant))
        measure_cost = np.concatenate([measure_cost, [1.0], weights_array / (1.0 - alpha)])
    total_columns = columns + len(extra_lower)
    measure_cost = np.pad(measure_cost, (0, total_columns - len(measure_cost)))
    tie_cost = np.zeros(total_columns)
    tie_cost[: len(reference_lp.tie_cost)] = reference_lp.tie_cost

    lengths = np.concatenate(row_lengths + [np.array([len(cols) for cols, _, _ in rows_added], dtype=np.int64)])
    return StackedLP(
        col_lower=np.concatenate(col_lower + [np.array(extra_lower)]),
        col_upper=np.concatenate(col_upper + [np.array(extra_upper)]),
        row_lower=np.concatenate(row_lower + [np.full(len(rows_added), -INF)]),
        row_upper=np.concatenate(row_upper + [np.array([bound for _, _, bound in rows_added])]),
        row_start=np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32),
        row_index=np.concatenate(row_index + [cols for cols, _, _ in rows_added]).astype(np.int32),
        row_value=np.concatenate(row_value + [values for _, values, _ in rows_added]),
        measure_cost=measure_cost,
        measure_offset=measure_offset,
        tie_cost=tie_cost,
        tie_offset=reference_lp.tie_offset,
        integer_columns=np.unique(np.concatenate(integer)).astype(np.int32),
        build_pairs=pairs,
        build_columns=shared,
    )


class StackedBackend:
    """:func:`~optimiser.solve.solve_sequence`'s back end over a :class:`StackedLP` in its own HiGHS: the
    measure, then the reference's capex with the measure held by a row (primal simplex from the measure's
    optimal basis). The budget dual is not asked for (``budget_rows`` is dropped)."""

    def __init__(self, stacked: StackedLP, solver_log: bool = False) -> None:
        self._highspy = import_highspy()
        self.stacked = stacked
        self.integer = bool(len(stacked.integer_columns))
        highs = self._highspy.Highs()
        highs.setOptionValue("output_flag", solver_log)
        columns = len(stacked.col_lower)
        highs.addVars(columns, stacked.col_lower, stacked.col_upper)
        rows = len(stacked.row_lower)
        highs.addRows(
            rows, stacked.row_lower, stacked.row_upper, len(stacked.row_value),
            stacked.row_start, stacked.row_index, stacked.row_value,
        )
        held = np.flatnonzero(stacked.measure_cost).astype(np.int32)
        highs.addRow(-INF, INF, len(held), held, stacked.measure_cost[held])
        self._hold_row = rows
        if self.integer:
            kinds = np.full(len(stacked.integer_columns), self._highspy.HighsVarType.kInteger)
            highs.changeColsIntegrality(len(stacked.integer_columns), stacked.integer_columns, kinds)
        self._highs = highs
        self._all_columns = np.arange(columns, dtype=np.int32)
        self._solution = None
        self._primary_basis = None
        self.set_primary()

    def set_primary(self) -> None:
        highs = self._highs
        highs.changeColsCost(len(self._all_columns), self._all_columns, self.stacked.measure_cost)
        highs.changeObjectiveOffset(self.stacked.measure_offset)
        highs.changeRowBounds(self._hold_row, -INF, INF)
        highs.setOptionValue("simplex_strategy", SIMPLEX_DUAL)
        if self._primary_basis is not None:
            highs.setBasis(self._primary_basis)
            self._primary_basis = None

    def has_secondary(self) -> bool:
        return False

    def set_secondary(self, held_optimum: float) -> None:
        raise RuntimeError(NOT_ASKED.format(what="a secondary solve", why="has_secondary() is False"))

    def set_tie_break(self, held_optimum: float, held_secondary: float | None = None) -> None:
        highs = self._highs
        if not self.integer:
            self._primary_basis = highs.getBasis()
            highs.setOptionValue("simplex_strategy", SIMPLEX_PRIMAL)
        highs.changeRowBounds(self._hold_row, -INF, held_optimum - self.stacked.measure_offset)
        highs.changeColsCost(len(self._all_columns), self._all_columns, self.stacked.tie_cost)
        highs.changeObjectiveOffset(self.stacked.tie_offset)

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        if deadline.expired:
            return NOT_STARTED.status, NOT_STARTED.condition, None
        remaining = deadline.remaining()
        highs = self._highs
        highs.setOptionValue("time_limit", INF if remaining is None else float(remaining))
        highs.run()
        status, condition = from_highs(highs.getModelStatus())
        info = highs.getInfo()
        objective = float(info.objective_function_value) if status == "optimal" else None
        if status == "optimal" and load:
            self._solution = highs.getSolution()
        return status, condition, objective

    def budget_rows(self) -> str:
        return BUDGET_DROPPED

    def lp_budget_dual(self) -> float:
        raise RuntimeError(NOT_ASKED.format(what="a budget dual", why="budget_rows() is 'dropped'"))

    def budget(self) -> float:
        raise RuntimeError(NOT_ASKED.format(what="a budget", why="budget_rows() is 'dropped'"))

    def set_budget(self, value: float) -> None:
        raise RuntimeError(NOT_ASKED.format(what="a budget change", why="budget_rows() is 'dropped'"))

    def save(self) -> object:
        return self._solution

    def restore(self, saved: object) -> None:
        self._solution = saved

    def model_size(self) -> dict[str, int]:
        highs = self._highs
        held = int(highs.getRows(1, np.array([self._hold_row], dtype=np.int32))[4])
        return {"rows": int(highs.getNumRow()) - 1, "columns": int(highs.getNumCol()), "nonzeros": int(highs.getNumNz()) - held}

    def objective_bound(self) -> float | None:
        return float(self._highs.getInfo().mip_dual_bound) if self.integer else None

    def build_values(self) -> dict[tuple[str, int], float]:
        """The shared builds of the current solution (whole units under integer builds)."""
        values = np.asarray(self._solution.col_value)[self.stacked.build_columns]
        if self.integer:
            values = np.round(values)
        return dict(zip(self.stacked.build_pairs, values.tolist()))
