"""Build the model in one fixed order: sets, parameters, variables, constraints, objective."""

from __future__ import annotations

import logging

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from ..inputs.data import InputData
from ..scenario import Scenario
from .constraints.balance import add_stage_balance, add_yield_limits
from .constraints.budget import add_budget
from .constraints.capacity import add_capacity
from .constraints.export_controls import add_export_caps
from .constraints.lead_time import add_availability, add_unit_limits
from .constraints.project_risk import add_project_risk
from .constraints.ore import add_coupled_output
from .constraints.recipes import add_magnet_balance, add_magnet_feed
from .constraints.stockpile import add_stockpile
from .constraints.recycling_scrap import add_recycling_scrap
from .constraints.separation import add_concentrate
from .constraints.substitution import add_substitution
from .constraints.units_started import add_units_started
from .objective import add_dependence_expressions, add_objectives
from .parameters import ModelStructure, build_structure, mutable_values
from .sets import add_sets
from .variables import add_parameters, add_variables

logger = logging.getLogger(__name__)


def build_model(
    data: InputData, scenario: Scenario, structure: ModelStructure | None = None
) -> tuple[pyo.ConcreteModel, ModelStructure]:
    """The Pyomo model of ``scenario`` on ``data``, and the structure it was built from.

    Python's cyclic garbage collector is paused while the model is made (as Pyomo's own writers do): the
    build creates hundreds of thousands of objects and almost none become garbage, so the collector's
    repeated passes over the growing model are wasted (about 45 % of the default build's CPU time; the pass
    it owes afterwards is paid once, and :func:`optimiser.runner.solve` pauses it for the whole run)."""
    structure = structure or build_structure(data, scenario)
    model = pyo.ConcreteModel(name=f"optimiser:{scenario.name}")
    with PauseGC():
        populate(model, structure, mutable_values(data, scenario, structure))
    logger.info(
        "built model %s: %d projects (%d buildable), %d years",
        scenario.name,
        len(structure.projects),
        len(structure.buildable_projects),
        len(structure.years),
    )
    return model, structure


def populate(model: pyo.Block, structure: ModelStructure, values: dict[str, dict]) -> None:
    """Add one scenario's whole model to ``model`` (a ConcreteModel, or a Block of a larger model)."""
    add_sets(model, structure)
    add_parameters(model, structure, values)
    add_variables(model, structure)
    add_substitution(model, structure)
    add_recycling_scrap(model, structure)
    add_stockpile(model, structure)
    add_project_risk(model, structure)
    add_availability(model)
    add_unit_limits(model)
    add_units_started(model, structure)
    add_coupled_output(model)
    add_concentrate(model, structure)
    add_capacity(model, structure)
    add_magnet_balance(model)
    add_magnet_feed(model)
    add_stage_balance(model, structure)
    add_yield_limits(model, structure)
    add_budget(model)
    add_dependence_expressions(model, structure)
    add_export_caps(model)
    add_objectives(model, structure)
