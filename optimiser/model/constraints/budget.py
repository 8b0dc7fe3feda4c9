"""Budget with its yearly cap (MODEL.md constraint 7).

Capex is drawn evenly over a unit's construction years, the last ``build_years[p]`` (default
``min(lead[p], 3)``) before its first output, optionally discounted to the first planning year:

    Σ_{p, τ} capex_total[p, τ] · build[p, τ]          ≤ B
    Σ_{p, τ ≤ y} capex_draw[p, τ, y] · build[p, τ]    ≤ cap_frac · B     for every year y

The yearly cap (default 25 % of B, a stated assumption) makes timing a real decision. Existing and
committed projects' capex is spent already and is not counted. Every coefficient is mutable.

Instruments other than builds spend from the same budget (issue 13): each adds an Expression indexed by
year, in US$ billion already discounted like capex, named in :data:`SPEND_EXPRESSIONS` (a stockpile's
purchases and holding, substitution programmes). Both rows then read

    Σ_{p, τ} capex_total[p, τ] · build[p, τ] + Σ_i Σ_y spend_i[y]                ≤ B
    Σ_{p, τ ≤ y} capex_draw[p, τ, y] · build[p, τ] + Σ_i spend_i[y]              ≤ cap_frac · B
"""

from __future__ import annotations

import pyomo.environ as pyo


SPEND_EXPRESSIONS: tuple[str, ...] = ("stockpile_spend", "substitution_spend")
"""Names of the per-year public-spend Expressions instruments add (US$ billion, discounted); those present
in a model enter its budget rows and its capex tie-break."""


def instrument_spend(model: pyo.ConcreteModel) -> list[pyo.Expression]:
    """The instruments' per-year spend Expressions the model has (none when no instrument spends)."""
    found = (model.component(name) for name in SPEND_EXPRESSIONS)
    return [component for component in found if component is not None]


def public_spend(model: pyo.ConcreteModel) -> pyo.Expression | float:
    """Everything the plan charges to the budget: build capex plus every instrument's spend over the years."""
    capex = sum(model.capex_total[p, tau] * model.build[p, tau] for p, tau in model.BUILD)
    return capex + sum(spend[y] for spend in instrument_spend(model) for y in model.YEARS)


def add_budget(model: pyo.ConcreteModel) -> None:
    """The total budget row and one yearly-cap row per year."""
    spends = instrument_spend(model)
    if not len(model.BUILD) and not spends:
        return
    model.budget_limit = pyo.Constraint(expr=public_spend(model) <= model.budget)
    spending: dict[int, list[tuple[str, int]]] = {}
    for p, tau, y in model.ONLINE:
        spending.setdefault(y, []).append((p, tau))

    def yearly(m: pyo.ConcreteModel, y: int) -> pyo.Constraint:
        if not spending.get(y) and not spends:
            return pyo.Constraint.Skip
        drawn = sum(m.capex_draw[p, tau, y] * m.build[p, tau] for p, tau in spending.get(y, []))
        return drawn + sum(spend[y] for spend in spends) <= m.yearly_cap_fraction * m.budget

    model.yearly_budget_limit = pyo.Constraint(model.YEARS, rule=yearly)
