"""Sets of the model (MODEL.md, "Sets"), from the prepared structure."""

from __future__ import annotations

import pyomo.environ as pyo

from .constraints.scope import magnet_scope_pairs, plant_scope_pairs
from .constraints.separation import concentrate_sources, concentrate_takes, separation_plants
from .parameters import PROCESSING_STAGES, ModelStructure


def add_sets(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """Years Y, elements E, restricted R ⊂ E, ordered stages S, magnet types M, projects P and components."""
    model.YEARS = pyo.Set(initialize=structure.years, ordered=True)
    model.ELEMENTS = pyo.Set(initialize=structure.elements, ordered=True)
    model.RESTRICTED = pyo.Set(within=model.ELEMENTS, initialize=structure.restricted, ordered=True)
    model.STAGES = pyo.Set(initialize=structure.stages, ordered=True)
    model.ELEMENT_STAGES = pyo.Set(initialize=structure.stages[:-1], ordered=True)
    model.IMPORT_STAGES = pyo.Set(initialize=list(PROCESSING_STAGES), ordered=True)
    model.FEED_STAGES = pyo.Set(initialize=structure.stages[1:], ordered=True)
    model.MAGNET_TYPES = pyo.Set(initialize=structure.magnet_types, ordered=True)
    model.PROJECTS = pyo.Set(initialize=list(structure.projects), ordered=True)
    model.BUILDABLE = pyo.Set(within=model.PROJECTS, initialize=structure.buildable_projects, ordered=True)
    model.COMPONENTS = pyo.Set(initialize=list(structure.components), ordered=True)
    model.COUPLED = pyo.Set(
        initialize=[c for c, comp in structure.components.items() if comp.role in ("mine", "recycling")], ordered=True
    )
    model.BUILD = pyo.Set(dimen=2, initialize=structure.build_pairs(), ordered=True)
    model.ONLINE = pyo.Set(
        dimen=3,
        initialize=[(p, tau, t) for p, tau in structure.build_pairs() for t in structure.years if t >= tau],
        ordered=True,
    )
    model.PLANT_OUTPUT = pyo.Set(dimen=2, initialize=plant_scope_pairs(structure), ordered=True)
    model.MAGNET_OUTPUT = pyo.Set(dimen=2, initialize=magnet_scope_pairs(structure), ordered=True)
    model.SEPARATION_PLANTS = pyo.Set(initialize=separation_plants(structure), ordered=True)
    model.CONCENTRATE_SOURCES = pyo.Set(initialize=list(concentrate_sources(structure)), ordered=True)
    model.CONCENTRATE_TAKE = pyo.Set(dimen=2, initialize=concentrate_takes(structure), ordered=True)
