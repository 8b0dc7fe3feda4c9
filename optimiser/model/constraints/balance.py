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
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..parameters import ModelStructure


def add_stage_balance(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """One row per element, stage before magnets and year."""
    stages = structure.stages
    next_stage = {s: stages[i + 1] for i, s in enumerate(stages[:-1])}
    at_stage = {s: structure.components_at(s) for s in stages}
    imports = set(model.IMPORT_STAGES)

    def rule(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Constraint:
        supply = sum(m.element_output[c, e, t] for c in at_stage[s]) + m.short[e, s, t]
        if s in imports:
            supply += m.imp[e, s, t]
        use = m.demand[e, s, t] + m.feed[e, next_stage[s], t] + m.surplus[e, s, t]
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
