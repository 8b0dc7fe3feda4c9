"""Export controls (MODEL.md constraint 8).

For the elements, years and fraction a scenario names, China content through separation is capped:

    china[e, separation, t] ≤ cap_frac[e, t] · req[e, separation, t]

A cap per stage would let 50 % become 75 % over the chain; capping the content through separation counts a
magnet or a metal bought from China once. Magnet imports enter ``china`` through their recipe, so a zero
cap on any element of a recipe bars imports of that magnet type. A stockpile's draws (issue 13) are China
content too but were exported before the cap, so the row leaves them out:
``china[e, separation, t] − draw[e, t] ≤ cap_frac[e, t] · req[e, separation, t]``. ``cap_frac`` is 1 (no cap) by default and
mutable, so export-control scenarios re-solve one model.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .balance import stock_draw


def add_export_caps(model: pyo.ConcreteModel) -> None:
    """One row per element and year, non-binding at the default fraction 1."""
    if "separation" not in model.STAGES:
        return
    model.export_cap = pyo.Constraint(
        model.ELEMENTS,
        model.YEARS,
        rule=lambda m, e, t: m.china[e, "separation", t] - stock_draw(m, e, "separation", t)
        <= m.export_cap_fraction[e, t] * m.requirement[e, "separation", t],
    )
