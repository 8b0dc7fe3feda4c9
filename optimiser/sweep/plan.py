"""From a sweep's points to scenarios, ids, and the chains workers solve them in.

A scenario's id is a hash of its resolved parameters (every scenario field but the name and description,
plus the hash of the input tables): the same scenario of the same data has the same id in any sweep, and
equal points of one sweep are solved once.

Scenarios are grouped by their structural fields (each group needs its own build), ordered within a group
so that neighbours are close (a grid in boustrophedon order, its parameter with the most values varying
fastest; sampled points by a greedy nearest-neighbour path), and each group's order is cut into at most one
contiguous chain per worker: a chain is solved by one worker, cold first, then warm from its neighbour.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, InputIssue
from ..inputs.data import InputData
from ..model.project_risk_data import draw_failures, draw_probabilities
from ..scenario import Scenario
from ..toml_file import with_key_lines
from .resolve import structural_key
from .samplers import Point, points
from .spec import SweepSpec

logger = logging.getLogger(__name__)

MAX_REPORTED_POINTS = 5
"""Invalid points reported in one error (the rest are usually the same mistake)."""

NEAREST_NEIGHBOUR_LIMIT = 5000
"""Above this many points in a group, sampled points are ordered lexicographically instead."""

MIN_CHAIN = 4
"""A group is not cut into chains shorter than this (each chain costs one build)."""


@dataclass(frozen=True)
class Task:
    """One distinct scenario of a sweep: its id, first sample index, scenario and swept values."""

    id: str
    sample: int
    scenario: Scenario
    values: dict[str, object] = field(default_factory=dict)
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def group(self) -> tuple:
        return structural_key(self.scenario)


def scenario_id(scenario: Scenario, inputs_sha256: str) -> str:
    """A 16-hex-digit hash of the scenario's resolved parameters and the inputs it runs on."""
    settings = scenario.result_settings()
    text = json.dumps({"inputs_sha256": inputs_sha256, "scenario": settings}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_for(spec: SweepSpec, values: dict[str, object], name: str) -> Scenario:
    """The base scenario with a point's values (and the sweep's export control, if any) applied."""
    overrides = {key: value for key, value in values.items() if not key.startswith("export_control.")}
    if spec.export_control is not None:
        control = dict(spec.export_control)
        control.update({key.split(".", 1)[1]: value for key, value in values.items() if key.startswith("export_control.")})
        if "duration_years" in control:
            duration = control.pop("duration_years")
            if isinstance(control.get("start_year"), int) and isinstance(duration, int):
                control["end_year"] = control["start_year"] + duration - 1
        existing = overrides.get("export_controls", spec.base.export_controls)
        overrides["export_controls"] = (*existing, control)
    return spec.base.with_overrides(name=name, **overrides)


def _kind_key(spec: SweepSpec, key: str | None) -> str:
    prefix = {"grid": "grid", "one_at_a_time": "one_at_a_time", "morris": "morris.parameters"}.get(
        spec.kind, f"{spec.kind}.parameters"
    )
    return f"{prefix}.{key}" if key else spec.kind


def build_tasks(spec: SweepSpec, data: InputData) -> tuple[list[Task], list[str]]:
    """The distinct scenarios of the sweep (first occurrence order) and the id of every sample.

    Raises :class:`InputError` naming the sweep file and key for points that make an invalid scenario.
    """
    issues: list[InputIssue] = []
    bad = 0
    tasks: dict[str, Task] = {}
    sample_ids: list[str] = []
    for index, point in enumerate(with_draws(spec, data, points(spec))):
        try:
            scenario = scenario_for(spec, point.values, f"{spec.name}-{index:05d}")
            scenario.check_against(data)
        except InputError as error:
            bad += 1
            if bad <= MAX_REPORTED_POINTS:
                issues += _point_issues(spec, index, point, error)
            continue
        identifier = scenario_id(scenario, data.inputs_sha256)
        sample_ids.append(identifier)
        if identifier not in tasks:
            tasks[identifier] = Task(identifier, index, scenario, dict(point.values), dict(point.meta))
    if issues:
        if bad > MAX_REPORTED_POINTS:
            issues.append(InputIssue(spec.source, f"{bad - MAX_REPORTED_POINTS} more points make invalid scenarios"))
        raise InputError(with_key_lines(issues, spec.source))
    logger.info("sweep %s: %d points, %d distinct scenarios", spec.name, len(sample_ids), len(tasks))
    return list(tasks.values()), sample_ids


def with_draws(spec: SweepSpec, data: InputData, sampled: list[Point]) -> list[Point]:
    """The points with each sample's go/no-go outcome (``failed_projects``) when the sweep draws project risk:
    reproducible from the sweep's seed, in a random stream of its own (``project_risk_data.draw_failures``)."""
    if spec.project_risk != "draw":
        return sampled
    probabilities = draw_probabilities(data, spec.base)
    failures = draw_failures(probabilities, len(sampled), spec.seed)
    logger.info("sweep %s: go/no-go draws over %d candidates, %.1f failed per sample on average", spec.name,
                len(probabilities), sum(map(len, failures)) / max(len(failures), 1))
    return [Point({**point.values, "failed_projects": failed}, point.meta) for point, failed in zip(sampled, failures)]


def _point_issues(spec: SweepSpec, index: int, point: Point, error: InputError) -> list[InputIssue]:
    described = ", ".join(f"{key} = {value!r}" for key, value in point.values.items()) or "the base scenario"
    out = []
    for issue in error.issues:
        if issue.file not in ("<overrides>", spec.base.source) and point.values:
            out.append(issue)
            continue
        swept = [key for key in point.values if issue.column and (issue.column == key or issue.column.startswith(key))]
        if not swept and issue.column and issue.column.startswith("export_controls") and spec.export_control is not None:
            swept = [key for key in point.values if key.startswith("export_control.")] or ["export_control"]
        key = _kind_key(spec, swept[0]) if swept else (issue.column or spec.kind)
        out.append(InputIssue(spec.source, f"sample {index} ({described}): {issue.message}", column=key))
    return out


def _coordinates(spec: SweepSpec, tasks: list[Task]) -> np.ndarray:
    """One row per task: its swept values scaled to 0-1 per parameter (non-numbers by first appearance)."""
    names = spec.parameters
    columns = []
    for name in names:
        raw = []
        for task in tasks:
            if name in task.values:
                raw.append(task.values[name])
            elif name.startswith("export_control."):
                raw.append((spec.export_control or {}).get(name.split(".", 1)[1], 0))
            else:
                raw.append(getattr(spec.base, name))
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw):
            column = np.array(raw, dtype=float)
        else:
            codes: dict[str, int] = {}
            column = np.array([codes.setdefault(repr(v), len(codes)) for v in raw], dtype=float)
        span = column.max() - column.min() if len(column) else 0.0
        columns.append((column - column.min()) / span if span > 0 else np.zeros(len(column)))
    return np.column_stack(columns) if columns else np.zeros((len(tasks), 0))


def _boustrophedon(coordinates: np.ndarray) -> np.ndarray:
    """Grid order with the parameter of most distinct values fastest, every other row reversed."""
    ranks = [np.unique(coordinates[:, j], return_inverse=True)[1] for j in range(coordinates.shape[1])]
    levels = [int(r.max()) + 1 if len(r) else 1 for r in ranks]
    order_of_dims = sorted(range(len(ranks)), key=lambda j: (levels[j], -j))
    keys = []
    position = np.zeros(len(coordinates), dtype=np.int64)
    for j in order_of_dims:
        key = np.where(position % 2 == 1, levels[j] - 1 - ranks[j], ranks[j])
        keys.append(key)
        position = position * levels[j] + key
    return np.lexsort(keys[::-1]) if keys else np.arange(len(coordinates))


def _nearest_neighbour(coordinates: np.ndarray) -> np.ndarray:
    """A greedy path: start at the smallest point, always step to the nearest unvisited one."""
    n = len(coordinates)
    if n <= 2 or coordinates.shape[1] == 0:
        return np.arange(n)
    if n > NEAREST_NEIGHBOUR_LIMIT:
        return np.lexsort(coordinates.T[::-1])
    visited = np.zeros(n, dtype=bool)
    current = int(np.argmin(coordinates.sum(axis=1)))
    order = [current]
    visited[current] = True
    for _ in range(n - 1):
        distance = ((coordinates - coordinates[current]) ** 2).sum(axis=1)
        distance[visited] = np.inf
        current = int(np.argmin(distance))
        visited[current] = True
        order.append(current)
    return np.array(order)


def ordered_groups(spec: SweepSpec, tasks: list[Task]) -> list[list[Task]]:
    """Tasks grouped by structural fields (in first-appearance order), each group with neighbours close."""
    groups: dict[tuple, list[Task]] = {}
    for task in tasks:
        groups.setdefault(task.group, []).append(task)
    ordered = []
    for members in groups.values():
        coordinates = _coordinates(spec, members)
        order = _boustrophedon(coordinates) if spec.kind == "grid" else _nearest_neighbour(coordinates)
        ordered.append([members[i] for i in order])
    return ordered


def chains(spec: SweepSpec, tasks: list[Task], workers: int) -> list[list[Task]]:
    """Each group's ordered tasks cut into at most ``workers`` contiguous chains of at least ``MIN_CHAIN``."""
    out: list[list[Task]] = []
    for group in ordered_groups(spec, tasks):
        pieces = max(1, min(workers, len(group) // MIN_CHAIN))
        bounds = np.linspace(0, len(group), pieces + 1).round().astype(int)
        out += [group[bounds[i] : bounds[i + 1]] for i in range(pieces) if bounds[i + 1] > bounds[i]]
    return out
