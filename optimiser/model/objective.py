"""Dependence and the objectives (MODEL.md, "Dependence (the objective)").

With φ[s, s'] = Π_{k=s+1..s'} 1/yield[k], China content of ROW supply at stage s is

    china[e, s, t] = Σ_{s' ≥ s} imp[e, s', t] · φ[s, s']                      for s past mining
    china[e, mining, t] = china_mined_share · Σ_{s' ≥ separation} imp[e, s', t] · φ[mining, s']

where magnet imports enter through their recipe (imp[e, magnet, t] = Σ_m recipe[m, e] · impmag[m, t]), and a
strategic stockpile's draws (bought abroad, mostly from China, in earlier years) count with the imports of
their stage: stocked material is of Chinese origin whenever it is used.
Supply from outside the bloc (issue 13) counts at its country's risk weight w (0-1; China's imports at 1):
existing projects in countries outside the bloc stay in the model, and their output at stage s adds to the
dependent supply,

    dependent[e, s, t] = china[e, s, t] + Σ_{c at s outside the bloc} w[country(c)] · out[c, e, t]

(magnets through their recipe). Dependence is dep = dependent / req and unmet = short / req (short at the
magnet stage through the recipes); with every country in the bloc (the default) dependent = china.

Named objectives, in percentage points (0-100), with cell weights w[e, s] normalised over the cells where
req > 0 (the normalisation lives in ``dependence_coefficient``):

    weighted    Σ_{e,s,t} w · (dep + K · unmet) / Σ w
    restricted  the same over the export-controlled elements only
    final_year  the same over the last planning year only
    peak        max_t of each year's weighted mean (an epigraph variable ``peak_dependence``)

Ties are broken lexicographically. Under a named objective other than ``weighted``, the cells it does not
weigh would be left arbitrary, so a second solve minimises the ``weighted`` objective over every cell
(``secondary``, coefficients ``weighted_coefficient``) with the named objective held at its optimum
(``primary_bound``: optimum × (1 + tol) + a tiny absolute tolerance). The last solve minimises capex with
every earlier objective held the same way (``secondary_bound`` too).
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..scenario import OBJECTIVES
from .constraints.balance import stock_draw
from .constraints.budget import public_spend
from .parameters import ModelStructure


def add_dependence_expressions(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """china[e, s, t], dependent[e, s, t] and shortfall[e, s, t] for every element, stage and year."""
    stages = structure.stages
    magnet = stages[-1]

    def imports(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression:
        if s == magnet:
            return sum(m.recipe[mt, e] * m.impmag[mt, t] for mt in m.MAGNET_TYPES if pyo.value(m.recipe[mt, e]) > 0)
        if s in m.IMPORT_STAGES:
            return m.imp[e, s, t] + stock_draw(m, e, s, t)
        return 0.0

    def china(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression:
        position = stages.index(s)
        downstream = stages[max(position, 1) :]
        content = sum(m.phi[s, d] * imports(m, e, d, t) for d in downstream)
        return m.china_mined_share * content if position == 0 else content

    def shortfall(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression:
        if s == magnet:
            return sum(m.recipe[mt, e] * m.short_mag[mt, t] for mt in m.MAGNET_TYPES if pyo.value(m.recipe[mt, e]) > 0)
        return m.short[e, s, t]

    outside = {s: [c for c in structure.components_at(s) if c in structure.supplier_weight] for s in stages}

    def dependent(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression:
        if s == magnet:
            risky = sum(
                structure.supplier_weight[c] * m.recipe[mt, e] * m.mag[c, mt, t]
                for c, mt in m.MAGNET_OUTPUT
                if c in structure.supplier_weight and pyo.value(m.recipe[mt, e]) > 0
            )
        else:
            risky = sum(structure.supplier_weight[c] * m.element_output[c, e, t] for c in outside[s])
        return m.china[e, s, t] + risky

    model.china = pyo.Expression(model.ELEMENTS, model.STAGES, model.YEARS, rule=china)
    model.dependent = pyo.Expression(model.ELEMENTS, model.STAGES, model.YEARS, rule=dependent)
    model.shortfall = pyo.Expression(model.ELEMENTS, model.STAGES, model.YEARS, rule=shortfall)


def _cell_terms(m: pyo.ConcreteModel, t: int, coefficient: pyo.Param | None = None) -> pyo.Expression:
    coefficient = m.dependence_coefficient if coefficient is None else coefficient
    return sum(
        coefficient[e, s, t] * (m.dependent[e, s, t] + m.unmet_weight * m.shortfall[e, s, t])
        for e in m.ELEMENTS
        for s in m.STAGES
    )


def add_objectives(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """The primary (dependence) objective; inactive: the secondary (``weighted`` over every cell, only when the
    primary is another objective) and capex tie-break objectives with the rows that hold earlier optima."""
    if structure.objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {structure.objective!r}; choose one of {', '.join(OBJECTIVES)}")
    if structure.objective == "peak":
        model.peak_dependence = pyo.Var(domain=pyo.NonNegativeReals)
        model.peak_definition = pyo.Constraint(model.YEARS, rule=lambda m, t: _cell_terms(m, t) <= m.peak_dependence)
        model.primary_expression = pyo.Expression(expr=model.peak_dependence)
    else:
        model.primary_expression = pyo.Expression(expr=sum(_cell_terms(model, t) for t in model.YEARS))
    model.primary = pyo.Objective(expr=model.primary_expression, sense=pyo.minimize)

    model.total_capex = pyo.Expression(expr=public_spend(model))
    model.primary_bound = pyo.Param(initialize=0.0, mutable=True)
    model.tie_break_bound = pyo.Constraint(expr=model.primary_expression <= model.primary_bound)
    model.tie_break_bound.deactivate()
    if structure.objective != "weighted":
        model.secondary_expression = pyo.Expression(
            expr=sum(_cell_terms(model, t, model.weighted_coefficient) for t in model.YEARS)
        )
        model.secondary = pyo.Objective(expr=model.secondary_expression, sense=pyo.minimize)
        model.secondary.deactivate()
        model.secondary_bound = pyo.Param(initialize=0.0, mutable=True)
        model.secondary_hold = pyo.Constraint(expr=model.secondary_expression <= model.secondary_bound)
        model.secondary_hold.deactivate()
    model.tie_break = pyo.Objective(expr=model.total_capex, sense=pyo.minimize)
    model.tie_break.deactivate()
