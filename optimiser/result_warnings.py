"""Warnings about a solved plan that its numbers alone would hide, for summary.json's ``warnings`` (and so the
CLI output and the run report, which show that list).

* :func:`~optimiser.model.parameters.objective_weight_warnings`: the objective weighs no cell, every plan
  scores 0;
* :func:`unmet_demand_warnings`: demand left unmet where dependence reads 0 %. Dependence is the Chinese
  content of ROW's requirement, so a cell China is cut off from, and that ROW cannot supply, shows 0 %
  dependence: it reads as independence, yet the demand is simply not met.
"""

from __future__ import annotations

import logging

from .inputs.data import InputData
from .model.parameters import ModelStructure, objective_weight_warnings
from .results import ResultTables
from .scenario import Scenario

logger = logging.getLogger(__name__)

UNMET_SHARE = 0.01
"""Unmet demand is large above 1 % of the cell's ROW requirement (``unmet`` in dependence.csv)."""

ZERO_DEPENDENCE = 0.0005
"""Dependence reads 0 % below 0.05 %: what the CLI and the report round to 0.0 %."""

AGGREGATES = ("all", "restricted")


def unmet_demand_warnings(tables: ResultTables | None) -> list[str]:
    """One warning counting the element-stage-years where more than :data:`UNMET_SHARE` of the requirement is
    unmet while dependence reads 0 %, naming the worst; none for a plan without such cells (or no tables)."""
    if tables is None or tables.dependence is None or tables.dependence.empty:
        return []
    cells = tables.dependence
    flagged = cells[
        ~cells["element"].isin(AGGREGATES)
        & (cells["unmet"].astype(float) > UNMET_SHARE)
        & (cells["dependence"].astype(float) < ZERO_DEPENDENCE)
    ]
    if flagged.empty:
        return []
    worst = flagged.loc[flagged["unmet"].astype(float).idxmax()]
    return [
        f"{len(flagged)} element-stage-year(s) leave more than {100 * UNMET_SHARE:g} % of ROW demand unmet while "
        f"their China dependence reads 0 % (worst: {worst['element']} {worst['stage']} {int(worst['year'])}, "
        f"{100 * float(worst['unmet']):.0f} % unmet): dependence counts Chinese content only, so 0 % there means the "
        "demand goes unmet, not that ROW meets it without China; see the unmet column of dependence.csv and the "
        "shortfall figure"
    ]


def plan_warnings(data: InputData, scenario: Scenario, structure: ModelStructure, tables: ResultTables | None) -> list[str]:
    """Every warning about the solved plan (see the module docstring), each also logged."""
    warnings = objective_weight_warnings(data, scenario, structure) + unmet_demand_warnings(tables)
    for warning in warnings:
        logger.warning(warning)
    return warnings
