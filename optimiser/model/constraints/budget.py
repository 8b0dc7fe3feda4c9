"""Budget with its yearly cap (MODEL.md constraint 7).

Capex is drawn evenly over a unit's construction years, the last ``build_years[p]`` (default
``min(lead[p], 3)``) before its first output, optionally discounted to the first planning year:

    Σ_{p, τ} capex_total[p, τ] · build[p, τ]          ≤ B
    Σ_{p, τ ≤ y} capex_draw[p, τ, y] · build[p, τ]    ≤ cap_frac · B     for every year y

The yearly cap (default 25 % of B, a stated assumption) makes timing a real decision. Existing and
committed projects' capex is spent already and is not counted. Every coefficient is mutable.
"""

from __future__ import annotations

import pyomo.environ as pyo


def add_budget(model: pyo.ConcreteModel) -> None:
    """The total budget row and one yearly-cap row per year."""
    if not len(model.BUILD):
        return
    model.budget_limit = pyo.Constraint(
        expr=sum(model.capex_total[p, tau] * model.build[p, tau] for p, tau in model.BUILD) <= model.budget
    )
    spending: dict[int, list[tuple[str, int]]] = {}
    for p, tau, y in model.ONLINE:
        spending.setdefault(y, []).append((p, tau))

    def yearly(m: pyo.ConcreteModel, y: int) -> pyo.Constraint:
        if not spending.get(y):
            return pyo.Constraint.Skip
        return sum(m.capex_draw[p, tau, y] * m.build[p, tau] for p, tau in spending[y]) <= m.yearly_cap_fraction * m.budget

    model.yearly_budget_limit = pyo.Constraint(model.YEARS, rule=yearly)
