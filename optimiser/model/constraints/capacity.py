"""Capacity (MODEL.md constraint 2).

For each component c of project p, its throughput is at most its capacity times the units available:

    ore[c, t]                                  = cap[c] · avail[p, t]   mines and recycling plants
    yield[separation] · processed[c, t]        ≤ cap[c] · avail[p, t]   separation plants
    Σ_e out[c, e, t]                           ≤ cap[c] · avail[p, t]   metal plants
    Σ_m mag[c, m, t]                           ≤ cap[c] · avail[p, t]   magnet plants (types share it)

A separation plant's capacity binds on the whole rare-earth content it takes (``separation``: it cannot
pick elements out of a concentrate), stated in separated oxide: content times the separation yield.

A multi-stage project has one build decision and one capacity row per component.

In a year with published actual output (``history_output.csv``, projects that are data only) the output
replaces ``cap[c] · avail[p, t]``: a mine runs at it, a plant at most at it.

Mines and recycling plants run at their available capacity (``=`` where MODEL.md writes ``≤``): ore has a
market, and what ROW does not process is sold out of the bloc, which is what ROW mines do today (Mountain
Pass shipped its concentrate to China). Without it a mine whose ore ROW cannot use would simply not be mined
in the LP, ROW mine output would fall below what USGS reports, and China's share of world mining and the
mining-stage surplus (ore sold out of ROW) would be arbitrary. Under the recycling scrap limit (issue 13,
``recycling_scrap``) recycling plants run at most at capacity: they cannot recycle scrap that is not there.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..parameters import ModelStructure
from .separation import SEPARATION


def add_capacity(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """One row per component and year."""
    if not len(model.COMPONENTS):
        return
    plant_elements: dict[str, list[str]] = {}
    for c, e in model.PLANT_OUTPUT:
        plant_elements.setdefault(c, []).append(e)
    magnet_types: dict[str, list[str]] = {}
    for c, mt in model.MAGNET_OUTPUT:
        magnet_types.setdefault(c, []).append(mt)
    coupled = set(model.COUPLED)
    separators = set(model.SEPARATION_PLANTS)
    scrap_limited = "recycling_scrap" in structure.instruments

    def throughput(m: pyo.ConcreteModel, c: str, t: int) -> pyo.Expression:
        if c in coupled:
            return m.ore[c, t]
        if c in separators:
            return m.stage_yield[SEPARATION] * m.processed[c, t]
        if c in magnet_types:
            return sum(m.mag[c, mt, t] for mt in magnet_types[c])
        return sum(m.out[c, e, t] for e in plant_elements.get(c, []))

    def capacity_rule(m: pyo.ConcreteModel, c: str, t: int) -> pyo.Constraint:
        flow = throughput(m, c, t)
        if isinstance(flow, (int, float)):
            return pyo.Constraint.Skip
        project = structure.components[c].project
        limit = structure.history_output.get((c, t))
        available = m.capacity[c] * m.availability[project, t] if limit is None else limit
        if c in coupled and not (scrap_limited and structure.components[c].role == "recycling"):
            return flow == available
        return flow <= available

    model.capacity_limit = pyo.Constraint(model.COMPONENTS, model.YEARS, rule=capacity_rule)
