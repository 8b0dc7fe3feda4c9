"""Lead time and units (MODEL.md constraint 1, and the unit limits of "Decisions").

A unit of project p started in year τ produces from τ + lead[p] (+ the scenario's shift), at its ramp:

    avail[p, t] = existing[p, t] + Σ_{τ ≤ t} online[p, τ, t] · build[p, τ]
    online[p, τ, t] = ramp[p, t - τ - lead[p]]   (0 before the first output year, 1 after the ramp)
    Σ_τ build[p, τ] ≤ max_units[p]               (1 for a named project)

Existing and committed projects come online in their stated year (``existing``). Starts whose output would
fall after the horizon are not offered: their ``build`` upper bound is 0. ``online`` and that bound are
mutable, so a lead-time shift is a parameter change, not a rebuild.
"""

from __future__ import annotations

import pyomo.environ as pyo


def add_availability(model: pyo.ConcreteModel) -> None:
    """avail[p, t]: units of p able to produce in year t."""
    starts: dict[tuple[str, int], list[int]] = {}
    for p, tau, t in model.ONLINE:
        starts.setdefault((p, t), []).append(tau)

    def availability(m: pyo.ConcreteModel, p: str, t: int) -> pyo.Expression:
        return m.existing[p, t] + sum(m.online_coefficient[p, tau, t] * m.build[p, tau] for tau in starts.get((p, t), []))

    model.availability = pyo.Expression(model.PROJECTS, model.YEARS, rule=availability)


def add_unit_limits(model: pyo.ConcreteModel) -> None:
    """Σ_τ build[p, τ] ≤ max_units[p]."""
    if not len(model.BUILD):
        return
    starts: dict[str, list[int]] = {}
    for p, tau in model.BUILD:
        starts.setdefault(p, []).append(tau)
    model.unit_limit = pyo.Constraint(
        model.BUILDABLE,
        rule=lambda m, p: (
            sum(m.build[p, tau] for tau in starts[p]) <= m.max_units[p] if p in starts else pyo.Constraint.Skip
        ),
    )
