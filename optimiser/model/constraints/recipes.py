"""Magnet recipes (MODEL.md constraint 4).

Magnets are made, imported and demanded by type m, and the magnet stage balances per type:

    Σ_c mag[c, m, t] + impmag[m, t] + short_mag[m, t] = demand_mag[m, t] − avoided_mag[m, t] + surplus_mag[m, t]

and the elements they take come from the magnet stage's feed, in the recipe's fixed shares:

    Σ_{c, m} recipe[m, e] · mag[c, m, t] = yield[magnet] · feed[e, magnet, t]

(``=`` where MODEL.md writes ``≤``, for the reason given in ``balance``: unused metal shows as surplus.)

A plant cannot pick a Dy-rich mix, and magnet types cannot cover for each other. ``avoided_mag`` is the
magnet demand substitution avoids (issue 13; 0 without it).
"""

from __future__ import annotations

import pyomo.environ as pyo

from .balance import magnet_demand_avoided


def _makers(model: pyo.ConcreteModel) -> dict[str, list[str]]:
    makers: dict[str, list[str]] = {}
    for c, mt in model.MAGNET_OUTPUT:
        makers.setdefault(mt, []).append(c)
    return makers


def add_magnet_balance(model: pyo.ConcreteModel) -> None:
    """The per-type magnet balance."""
    if not len(model.MAGNET_TYPES):
        return
    makers = _makers(model)
    model.magnet_balance = pyo.Constraint(
        model.MAGNET_TYPES,
        model.YEARS,
        rule=lambda m, mt, t: sum(m.mag[c, mt, t] for c in makers.get(mt, []))
        + m.impmag[mt, t]
        + m.short_mag[mt, t]
        == m.magnet_demand[mt, t] - magnet_demand_avoided(m, mt, t) + m.surplus_mag[mt, t],
    )


def add_magnet_feed(model: pyo.ConcreteModel) -> None:
    """Elements taken by ROW magnet making, through the recipes, equal to the magnet stage's yielded feed."""

    def rule(m: pyo.ConcreteModel, e: str, t: int) -> pyo.Constraint:
        taken = sum(m.recipe[mt, e] * m.mag[c, mt, t] for c, mt in m.MAGNET_OUTPUT if pyo.value(m.recipe[mt, e]) > 0)
        return taken == m.stage_yield["magnet"] * m.feed[e, "magnet", t]

    model.magnet_feed = pyo.Constraint(model.ELEMENTS, model.YEARS, rule=rule)
