"""Recycling limited by what can be recycled (issue 13).

The rare earths all recycling components put out in a year cannot exceed the scrap that reaches them
(``recycling_scrap_data``), for every year t:

    Σ_{c recycling} Σ_e grade[c, e] · ore[c, t]
        ≤ recovery · Σ_m Σ_L share[m, L] · in_use[m, t − L]  +  swarf · Σ_{c, m} mag[c, m, t]

``in_use[m, y] = demand_mag[m, y]`` in planning years and ``demand_mag[m, first] · (1 + g)^(y − first)``
before them; the swarf term is the model's own ROW magnet making (a variable, so building magnet plants also
makes scrap). The right-hand side's first term is a constant of the mutable magnet demand; the row is linear.

Under the limit, recycling components run at most at their available capacity (``capacity``: without the
limit they run at it, as mines do), and generic recycling modules become build options
(``parameters.build_structure``: without the limit their feed would be unlimited).
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..parameters import TONNES_PER_KT, ModelStructure
from ..recycling_scrap_data import RecyclingScrapData
from ..solution import value_of

NAME = "recycling_scrap"


def _data(structure: ModelStructure) -> RecyclingScrapData | None:
    data = structure.instruments.get(NAME)
    return data if isinstance(data, RecyclingScrapData) else None


def scrap_limited(structure: ModelStructure) -> bool:
    """Whether the model limits recyclers by scrap (they then run at most, not exactly, at capacity)."""
    return _data(structure) is not None


def add_recycling_scrap(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """``recycled_output``, ``end_of_life_scrap``, ``swarf_scrap`` and the ``scrap_limit`` rows (nothing
    without the instrument)."""
    data = _data(structure)
    if data is None:
        return
    first = structure.first_year
    recyclers = [c for c in data.recyclers if c in model.COUPLED]
    makers = [(c, mt) for c, mt in model.MAGNET_OUTPUT if mt in data.magnet_types]

    def recycled(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        return sum(m.grade[c, e] * m.ore[c, t] for c in recyclers for e in m.ELEMENTS if pyo.value(m.grade[c, e]) > 0)

    def end_of_life(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        weights = data.end_of_life_weights(t, first)
        return sum(weight * m.magnet_demand[mt, y] for (mt, y), weight in weights.items())

    def swarf(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
        return data.swarf_per_magnet * sum(m.mag[c, mt, t] for c, mt in makers)

    model.recycled_output = pyo.Expression(model.YEARS, rule=recycled)
    model.end_of_life_scrap = pyo.Expression(model.YEARS, rule=end_of_life)
    model.swarf_scrap = pyo.Expression(model.YEARS, rule=swarf)

    def limit(m: pyo.ConcreteModel, t: int) -> pyo.Constraint:
        if not recyclers:
            return pyo.Constraint.Skip
        return m.recycled_output[t] <= m.end_of_life_scrap[t] + m.swarf_scrap[t]

    model.scrap_limit = pyo.Constraint(model.YEARS, rule=limit)


def summary_recycling_scrap(model: pyo.ConcreteModel, structure: ModelStructure) -> dict | None:
    """Per year (t REO-eq): recycled output, end-of-life scrap, swarf, and whether the limit binds; the
    parameters; ``None`` without the instrument."""
    data = _data(structure)
    if data is None:
        return None

    years: dict[str, dict] = {}
    for t in structure.years:
        recycled = value_of(model.recycled_output[t]) * TONNES_PER_KT
        end_of_life = value_of(model.end_of_life_scrap[t]) * TONNES_PER_KT
        swarf = value_of(model.swarf_scrap[t]) * TONNES_PER_KT
        years[str(t)] = {
            "recycled_t": round(recycled, 6) + 0.0,
            "end_of_life_scrap_t": round(end_of_life, 6),
            "swarf_t": round(swarf, 6),
            "binding": bool(data.recyclers) and recycled >= end_of_life + swarf - 1e-3,
        }
    return {
        "recovery_rate": data.recovery_rate,
        "swarf_per_magnet": data.swarf_per_magnet,
        "history_growth": data.history_growth,
        "recyclers": list(data.recyclers),
        "years": years,
    }


def scrap_problems(model: pyo.ConcreteModel, structure: ModelStructure) -> list[str]:
    """Years in which the recyclers' output exceeds the scrap available, from variable values (result
    invariants; empty without the instrument)."""
    if _data(structure) is None:
        return []
    problems: list[str] = []
    for t in structure.years:
        recycled = pyo.value(model.recycled_output[t], exception=False) or 0.0
        available = (pyo.value(model.end_of_life_scrap[t], exception=False) or 0.0) + (
            pyo.value(model.swarf_scrap[t], exception=False) or 0.0
        )
        if recycled > available + 1e-6 + 1e-7 * abs(available):
            problems.append(f"recycling in {t} exceeds the scrap available: {recycled:.6f} > {available:.6f} kt")
    return problems
