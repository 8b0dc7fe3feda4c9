"""Ore coupling (MODEL.md constraint 3).

A mine (or a recycling plant) yields its elements in fixed grades of its throughput:

    out[c, e, t] = grade[c, e] · ore[c, t],   Σ_e grade[c, e] ≤ 1

the rest being other oxides. Capacity binds on ``ore`` (constraint 2), never on the listed elements: mines
whose listed grades sum below 1 would otherwise process more ore than nameplate. The coupling is written as
an expression substituted into the balances, which states the equality without extra rows.
"""

from __future__ import annotations

import pyomo.environ as pyo


def add_coupled_output(model: pyo.ConcreteModel) -> None:
    """element_output[c, e, t] for every component: grade · ore for mines and recyclers, out for plants."""
    plant_elements: dict[str, set[str]] = {}
    for c, e in model.PLANT_OUTPUT:
        plant_elements.setdefault(c, set()).add(e)
    coupled = set(model.COUPLED)

    def element_output(m: pyo.ConcreteModel, c: str, e: str, t: int) -> pyo.Expression:
        if c in coupled:
            grade = pyo.value(m.grade[c, e])
            return grade * m.ore[c, t] if grade > 0 else 0.0
        if e in plant_elements.get(c, ()):
            return m.out[c, e, t]
        return 0.0

    model.element_output = pyo.Expression(model.COMPONENTS, model.ELEMENTS, model.YEARS, rule=element_output)
