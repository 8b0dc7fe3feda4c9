"""Stage balance and yields (MODEL.md constraint 6).

For every element e, stage s before magnets and year t:

    Σ_{c at s} out[c, e, t] + imp[e, s, t] + short[e, s, t]
        = demand[e, s, t] + feed[e, s+1, t] + surplus[e, s, t]

with no ``imp`` at mining (China exports no mine concentrate), ``short ≤ demand``, and for stages past
mining the virgin output is the yielded feed:

    Σ_{plants c at s} out[c, e, t] = yield[s] · feed[e, s, t]

MODEL.md writes this row as ``≤``. Any plan under ``≤`` maps to one under ``=`` with the same objective (move
the unprocessed feed to the upstream stage's surplus), so the optimum is the same; ``=`` makes every tonne
that is not used visible as ``surplus`` (at mining: ore sold out of the bloc) instead of vanishing into a feed
no plant processes. Recycling plants add to the stage they feed without drawing virgin feed. The magnet
stage balances per type (``recipes``).

Two instruments (issue 13) enter the row where a model has them: a strategic stockpile's draws add to the
supply of the stage it holds (``+ draw[e, t]``, :func:`stock_draw`), and substitution and thrifting cut the
final demand (``demand[e, s, t] − avoided[e, s, t]``, :func:`demand_avoided`); each is 0 without it.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..parameters import ModelStructure


STOCK_STAGE = "separation"
"""The stage a strategic stockpile holds: separated oxide, the form stockpiles buy and the first stage
China's export licences apply to."""


def stock_draw(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression | float:
    """Stockpile draws of ``e`` entering stage ``s`` in year ``t`` (0 without a stockpile, or at other stages)."""
    draw = m.component("stock_draw")
    if draw is None or s != STOCK_STAGE or (e, t) not in draw:
        return 0.0
    return draw[e, t]


def demand_avoided(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression | float:
    """Final demand for ``e`` at ``s`` in ``t`` that substitution or thrifting avoids (0 without them)."""
    avoided = m.component("demand_avoided")
    if avoided is None or (e, s, t) not in avoided:
        return 0.0
    return avoided[e, s, t]


def magnet_demand_avoided(m: pyo.ConcreteModel, magnet_type: str, t: int) -> pyo.Expression | float:
    """Magnet demand of ``magnet_type`` in ``t`` that substitution avoids (ferrite or iron-nitride motors)."""
    avoided = m.component("magnet_demand_avoided")
    if avoided is None or (magnet_type, t) not in avoided:
        return 0.0
    return avoided[magnet_type, t]


def add_stage_balance(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """One row per element, stage before magnets and year."""
    stages = structure.stages
    next_stage = {s: stages[i + 1] for i, s in enumerate(stages[:-1])}
    at_stage = {s: structure.components_at(s) for s in stages}
    imports = set(model.IMPORT_STAGES)

    def rule(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Constraint:
        supply = sum(m.element_output[c, e, t] for c in at_stage[s]) + m.short[e, s, t] + stock_draw(m, e, s, t)
        if s in imports:
            supply += m.imp[e, s, t]
        use = m.demand[e, s, t] - demand_avoided(m, e, s, t) + m.feed[e, next_stage[s], t] + m.surplus[e, s, t]
        return supply == use

    model.stage_balance = pyo.Constraint(model.ELEMENTS, model.ELEMENT_STAGES, model.YEARS, rule=rule)


def add_yield_limits(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """Virgin output of separation and metal plants equals yield × feed (feed is 0 where no plant can use it)."""
    plants = {s: [c for c in structure.components_at(s, roles=("plant",))] for s in model.IMPORT_STAGES}
    scoped = set(model.PLANT_OUTPUT)

    def rule(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Constraint:
        produced = sum(m.out[c, e, t] for c in plants[s] if (c, e) in scoped)
        return produced == m.stage_yield[s] * m.feed[e, s, t]

    model.yield_balance = pyo.Constraint(model.ELEMENTS, model.IMPORT_STAGES, model.YEARS, rule=rule)
