"""The runs table and the detail tables: one row per scenario, and its builds and dependence.

A runs row holds the scenario id, its sample index and name, what the sweep kind says about it, every
parameter value (the swept ones, ``export_control.*`` among them, and every scenario field), the status
and error, the objective, the capex tie-break, budget used and budget dual, the dependence metrics (mean
over the horizon and final year, by stage, for all elements and for the restricted ones), the total
shortfall, the simplex iterations, and timings. The scenario field ``objective`` (the objective's name) is
the column ``objective_name``; ``objective`` is its optimal value, as in a run's ``summary.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from ..results import BUILD_COLUMNS
from ..scenario import RESULT_FIELDS
from .executors import ScenarioResult
from .plan import Task
from .spec import SweepSpec, dependence_metrics

META_COLUMNS = {
    "one_at_a_time": ("oat_parameter", "oat_level"),
    "morris": ("morris_trajectory",),
}


def _plain(value: object) -> object:
    """A scenario value as a parquet-friendly scalar: tables and arrays as JSON text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return json.dumps(dict(value), sort_keys=True)
    if isinstance(value, tuple) and value and hasattr(value[0], "to_dict"):
        return json.dumps([item.to_dict() for item in value])
    if isinstance(value, (tuple, list)):
        return json.dumps(list(value))
    return str(value)


def field_column(name: str) -> str:
    """The runs-table column of a scenario field: its name, but ``objective_name`` for the objective's name
    (``objective`` is the objective's value, as in a run's ``summary.json``)."""
    return "objective_name" if name == "objective" else name


def parameter_columns(spec: SweepSpec) -> list[str]:
    """Swept parameters that are not scenario fields (``export_control.*``): extra columns of the runs table."""
    return [name for name in spec.parameters if name not in RESULT_FIELDS]


def runs_row(spec: SweepSpec, task: Task, result: ScenarioResult) -> dict[str, object]:
    """One runs row for a worker's result on ``task``."""
    row: dict[str, object] = {"scenario_id": task.id, "sample": task.sample, "name": task.scenario.name}
    for column in META_COLUMNS.get(spec.kind, ()):
        row[column] = task.meta.get(column)
    for name in parameter_columns(spec):
        value = task.values.get(name, (spec.export_control or {}).get(name.split(".", 1)[1]))
        row[name] = _plain(value)
    for name in RESULT_FIELDS:
        row[field_column(name)] = _plain(getattr(task.scenario, name))
    outcome = result.outcome
    row["status"] = result.status
    row["error"] = result.error if result.error is not None else (
        "; ".join(outcome.warnings) if outcome is not None and outcome.warnings else None
    )
    for name in (
        "objective", "secondary_objective", "tie_break_capex_busd", "budget_used_musd", "budget_dual",
        "budget_dual_lp", "budget_dual_left", "budget_dual_right",
    ):
        value = getattr(outcome, name, None) if outcome is not None else None
        row[name] = math.nan if value is None else float(value) + 0.0  # + 0.0: no -0.0 in the table
    row["budget_dual_method"] = outcome.budget_dual_method if outcome is not None else None
    metrics = outcome.metrics if outcome is not None else {}
    for name in dependence_metrics():
        row[name] = float(metrics.get(name, math.nan))
    shortfall = outcome.total_shortfall_t if outcome is not None else None
    row["total_shortfall_t"] = math.nan if shortfall is None else shortfall
    row["simplex_iterations"] = outcome.iterations if outcome is not None else 0
    row["warm_start"] = bool(outcome.warm) if outcome is not None else False
    timings = outcome.timings if outcome is not None else {}
    row["time_build_s"] = result.build_seconds
    for name in ("values", "update", "solve", "tie_break", "extract", "total"):
        row[f"time_{name}_s"] = float(timings.get(name, math.nan))
    row["worker"] = result.worker
    row["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return row


def builds_table(results: list[ScenarioResult]) -> pa.Table | None:
    """The builds of the optimal results, long format with a ``scenario_id`` column."""
    rows = [(result.id, *build) for result in results if result.outcome is not None and result.status == "optimal"
            for build in result.outcome.builds]
    if not rows:
        return None
    columns = list(zip(*rows))
    names = ["scenario_id", *BUILD_COLUMNS]
    types = [pa.string(), pa.string(), pa.string(), pa.string(), pa.int32(), pa.int32(), pa.float64(), pa.float64()]
    return pa.table({name: pa.array(list(values), type=kind) for name, values, kind in zip(names, columns, types)})


def dependence_table(results: list[ScenarioResult]) -> pa.Table | None:
    """The dependence tables of the optimal results (year, element, stage, dependence, unmet), with
    ``scenario_id``; element and stage dictionary-encoded."""
    parts = [result for result in results if result.outcome is not None and result.outcome.dependence is not None
             and result.status == "optimal"]
    if not parts:
        return None
    labels = parts[0].outcome.dependence
    ids, years, elements, stages, dependence, unmet = [], [], [], [], [], []
    for result in parts:
        rows = result.outcome.dependence
        ids.append(np.full(len(rows.year), result.id, dtype=object))
        years.append(rows.year)
        if rows.element_labels != labels.element_labels or rows.stage_labels != labels.stage_labels:
            raise ValueError("dependence tables of one sweep have different element or stage labels")
        elements.append(rows.element)
        stages.append(rows.stage)
        dependence.append(rows.dependence)
        unmet.append(rows.unmet)
    return pa.table(
        {
            "scenario_id": pa.array(np.concatenate(ids), type=pa.string()),
            "year": pa.array(np.concatenate(years).astype(np.int32)),
            "element": pa.DictionaryArray.from_arrays(
                pa.array(np.concatenate(elements).astype(np.int32)), pa.array(labels.element_labels)
            ),
            "stage": pa.DictionaryArray.from_arrays(
                pa.array(np.concatenate(stages).astype(np.int32)), pa.array(labels.stage_labels)
            ),
            "dependence": pa.array(np.concatenate(dependence)),
            "unmet": pa.array(np.concatenate(unmet)),
        }
    )
