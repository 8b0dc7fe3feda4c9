"""Project risk (issue 13): each build decision's probability of success and its minimum efficient scale.

Many announced rare-earth projects never ship. ``project_risk.csv`` gives each candidate a maturity
(``scoping``, ``pfs``, ``feasibility``, ``financed``, ``generic``), optionally its own probability of success
(overriding the maturity's, from ``maturity_probability.csv``) and a minimum efficient scale ``min_share``
(units of the project: built at 0 or at least this). Generic modules without a row take the ``generic``
maturity; projects that are data (operating, construction, committed) succeed with probability 1.

Three uses, each a scenario setting (all off by default):

* ``project_risk = true``: every unit of a candidate delivers its capacity times its probability (expected
  capacity) — :func:`capacity_factors` scales ``online_coefficient`` in ``parameters.mutable_values``;
* ``failed_projects = [...]``: the named build decisions deliver nothing (one go/no-go outcome, drawn per
  sample by a Monte Carlo sweep with ``project_risk = "draw"``: :func:`draw_failures`);
* ``minimum_scale = true``: a binary per project with a ``min_share`` (``constraints/project_risk.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..inputs.schema import BUILT_STATUSES

if TYPE_CHECKING:
    from ..inputs.data import InputData
    from ..scenario import Scenario
    from .parameters import ModelStructure

GENERIC_MATURITY = "generic"
"""The maturity of a generic module without a row in ``project_risk.csv``."""

DRAW_STREAM = 13
"""The second word of the seed of a sweep's go/no-go draws (``default_rng([seed, DRAW_STREAM])``): a stream of
its own, so that adding the draws to a sweep leaves its sampled parameters as they were."""


@dataclass(frozen=True)
class ProjectRisk:
    """Per build decision in the model: maturity, probability of success and minimum share (None: any share)."""

    maturity: dict[str, str]
    probability: dict[str, float]
    min_share: dict[str, float]
    expected_capacity: bool
    minimum_scale: bool


def _cell(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def project_table(data: InputData) -> dict[str, tuple[str, float | None, float | None]]:
    """project → (maturity, probability of success or None, min_share or None) for every build decision of the
    data: its ``project_risk.csv`` row, else (for a generic module) the generic maturity. A candidate without a
    row is absent (the scenario check names it when ``project_risk`` is on)."""
    defaults = {str(row.maturity): float(row.probability) for row in data.maturity_probability.itertuples(index=False)}
    rows = {str(row.project): row for row in data.project_risk.itertuples(index=False)}
    heads = data.projects.drop_duplicates("project")
    table: dict[str, tuple[str, float | None, float | None]] = {}
    for head in heads.itertuples(index=False):
        project, status = str(head.project), str(head.status)
        if status not in BUILT_STATUSES:
            continue
        row = rows.get(project)
        if row is None:
            if status == "generic":
                table[project] = (GENERIC_MATURITY, defaults.get(GENERIC_MATURITY, 1.0), None)
            continue
        maturity = str(row.maturity)
        probability = _cell(row.probability)
        table[project] = (maturity, probability if probability is not None else defaults.get(maturity), _cell(row.min_share))
    return table


def unrisked_candidates(data: InputData) -> list[str]:
    """Included candidates with no probability of success (no row in ``project_risk.csv``)."""
    table = project_table(data)
    heads = data.projects.drop_duplicates("project")
    return [
        str(head.project)
        for head in heads.itertuples(index=False)
        if str(head.status) == "candidate" and bool(head.include) and (table.get(str(head.project), ("", None))[1] is None)
    ]


def prepare(data: InputData, scenario: Scenario, structure: ModelStructure) -> ProjectRisk | None:
    """The risk data of the model's build decisions when ``project_risk`` or ``minimum_scale`` is on."""
    if not (scenario.project_risk or scenario.minimum_scale):
        return None
    table = project_table(data)
    buildable = [p for p in structure.buildable_projects if p in table]
    return ProjectRisk(
        maturity={p: table[p][0] for p in buildable},
        probability={p: table[p][1] for p in buildable if table[p][1] is not None},
        min_share={p: table[p][2] for p in buildable if table[p][2] is not None and table[p][2] > 0},
        expected_capacity=scenario.project_risk,
        minimum_scale=scenario.minimum_scale,
    )


def capacity_factors(scenario: Scenario, structure: ModelStructure) -> dict[str, float]:
    """project → factor on every unit's availability (absent: 1): its probability of success under
    ``project_risk``, 0 for the ``failed_projects`` of a drawn outcome."""
    factors: dict[str, float] = {}
    risk = structure.instruments.get("project_risk")
    if isinstance(risk, ProjectRisk) and risk.expected_capacity:
        factors.update(risk.probability)
    for project in scenario.failed_projects or ():
        factors[project] = 0.0
    return factors


def draw_probabilities(data: InputData, scenario: Scenario) -> dict[str, float]:
    """project → probability of success of every build decision a sweep's go/no-go draw covers: the included
    candidates of the scenario's bloc with a probability below 1, sorted by name. Generic modules are not
    drawn: one go/no-go for every unit of a repeatable module would fail all of them at once; their risk
    enters as expected capacity only."""
    table = project_table(data)
    bloc = scenario.bloc(data)
    heads = data.projects.drop_duplicates("project")
    drawn = {
        str(head.project): table[str(head.project)][1]
        for head in heads.itertuples(index=False)
        if str(head.status) == "candidate" and str(head.project) in table and bool(head.include) and head.country in bloc
    }
    return {p: float(q) for p, q in sorted(drawn.items()) if q is not None and q < 1.0}


def draw_failures(probabilities: dict[str, float], samples: int, seed: int) -> list[tuple[str, ...]]:
    """One go/no-go outcome per sample: the projects that fail (``u ≥ p``, ``u`` uniform), from
    ``default_rng([seed, DRAW_STREAM])``, one row of uniforms per sample over the projects in name order. The
    same seed and probabilities give the same failed sets."""
    names = sorted(probabilities)
    u = np.random.default_rng([seed, DRAW_STREAM]).random((samples, len(names)))
    p = np.array([probabilities[name] for name in names], dtype=float)
    return [tuple(name for name, failed in zip(names, row >= p) if failed) for row in u]
