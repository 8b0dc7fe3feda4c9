"""Project risk (issue 13): expected capacity, drawn failures, and the minimum efficient scale.

Expected capacity and failures change no row of their own: the factor ``f[p]`` (the probability of success
``π[p]`` under ``project_risk``, 0 for a project in ``failed_projects``, else 1) scales every unit's ramp in
the mutable ``online_coefficient`` (``parameters.mutable_values``), so that

    avail[p, t] = existing[p, t] + Σ_τ f[p] · ramp[p, t - τ - lead[p]] · build[p, τ]

and the capacity rows bind on a candidate's expected (or drawn) capacity, while its capex is paid in full.

The minimum efficient scale (``minimum_scale = true``) adds a binary ``built[p]`` for every build decision
with a ``min_share`` m[p] > 0, so that a project is built at 0 or at least m[p] units:

    m[p] · built[p]  ≤  Σ_τ build[p, τ]  ≤  max_units[p] · built[p]                          (minimum_scale)

Without ``minimum_scale`` the model stays a linear programme. With it the model is a MIP; the solve sequence
then takes the budget dual by finite difference (``solve.solve_sequence``).
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from ..parameters import ModelStructure
from ..project_risk_data import ProjectRisk


def add_project_risk(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """The binaries and rows of the minimum efficient scale, when the scenario asks for it."""
    risk = structure.instruments.get("project_risk")
    if not isinstance(risk, ProjectRisk) or not risk.minimum_scale:
        return
    starts: dict[str, list[int]] = {}
    for p, tau in model.BUILD:
        starts.setdefault(p, []).append(tau)
    projects = [p for p in structure.buildable_projects if p in risk.min_share and p in starts]
    model.MIN_SCALE_PROJECTS = pyo.Set(initialize=projects, ordered=True)
    model.min_share = pyo.Param(model.MIN_SCALE_PROJECTS, initialize={p: risk.min_share[p] for p in projects})
    model.built = pyo.Var(model.MIN_SCALE_PROJECTS, domain=pyo.Binary)

    def units(m: pyo.ConcreteModel, p: str) -> pyo.Expression:
        return sum(m.build[p, tau] for tau in starts[p])

    model.minimum_scale_lower = pyo.Constraint(
        model.MIN_SCALE_PROJECTS, rule=lambda m, p: m.min_share[p] * m.built[p] <= units(m, p)
    )
    model.minimum_scale_upper = pyo.Constraint(
        model.MIN_SCALE_PROJECTS, rule=lambda m, p: units(m, p) <= m.max_units[p] * m.built[p]
    )


def summary_project_risk(
    structure: ModelStructure, failed: tuple[str, ...] | None, builds: pd.DataFrame | None
) -> dict | None:
    """What project risk did to the plan (None when no part of it is on): per project built (``builds``, the
    builds table), its units, maturity, probability of success and minimum share; the plan's capex-weighted
    probability of success (the share of its capex expected to deliver); the failed projects of a drawn
    outcome."""
    risk = structure.instruments.get("project_risk")
    if not isinstance(risk, ProjectRisk) and failed is None:
        return None
    maturity = risk.maturity if isinstance(risk, ProjectRisk) else {}
    probability = risk.probability if isinstance(risk, ProjectRisk) else {}
    min_share = risk.min_share if isinstance(risk, ProjectRisk) else {}
    units: dict[str, float] = {}
    capex: dict[str, float] = {}
    for row in (builds if builds is not None else pd.DataFrame(columns=["project", "share", "capex_musd"])).itertuples():
        units[row.project] = units.get(row.project, 0.0) + float(row.share)
        capex[row.project] = capex.get(row.project, 0.0) + float(row.capex_musd)
    dropped = set(failed or ())
    built = [
        {
            "project": p,
            "units": round(units[p], 6),
            "maturity": maturity.get(p),
            "probability": 0.0 if p in dropped else probability.get(p, 1.0),
            "min_share": min_share.get(p),
        }
        for p in sorted(units)
    ]
    total = sum(capex.values())
    chance = {entry["project"]: entry["probability"] for entry in built}
    weighted = sum(capex[p] * chance[p] for p in capex) / total if total > 0 else None
    return {
        "expected_capacity": bool(isinstance(risk, ProjectRisk) and risk.expected_capacity),
        "minimum_scale": bool(isinstance(risk, ProjectRisk) and risk.minimum_scale),
        "failed_projects": list(failed) if failed is not None else None,
        "capex_weighted_probability": weighted,
        "projects_built": built,
    }
