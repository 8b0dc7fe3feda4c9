"""Parameters and decision variables (MODEL.md, "Decisions"), in solver units (kt, US$ billion)."""

from __future__ import annotations

import pyomo.environ as pyo

from .parameters import ModelStructure

MUTABLE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "budget": (),
    "yearly_cap_fraction": (),
    "unmet_weight": (),
    "online_coefficient": ("ONLINE",),
    "build_upper": ("BUILD",),
    "capex_total": ("BUILD",),
    "capex_draw": ("ONLINE",),
    "demand": ("ELEMENTS", "ELEMENT_STAGES", "YEARS"),
    "magnet_demand": ("MAGNET_TYPES", "YEARS"),
    "requirement": ("ELEMENTS", "STAGES", "YEARS"),
    "dependence_coefficient": ("ELEMENTS", "STAGES", "YEARS"),
    "weighted_coefficient": ("ELEMENTS", "STAGES", "YEARS"),
    "export_cap_fraction": ("ELEMENTS", "YEARS"),
}
"""Every mutable parameter and the sets it is indexed over: what a sweep may change without a rebuild."""


def add_parameters(model: pyo.ConcreteModel, structure: ModelStructure, values: dict[str, dict]) -> None:
    """Fixed data as plain Params; every value of :data:`MUTABLE_PARAMETERS` as a mutable Param."""
    model.capacity = pyo.Param(
        model.COMPONENTS, initialize={c: comp.capacity_kt for c, comp in structure.components.items()}
    )
    model.existing = pyo.Param(
        model.PROJECTS, model.YEARS, initialize=structure.existing, default=0.0
    )
    model.grade = pyo.Param(
        model.COUPLED,
        model.ELEMENTS,
        initialize={(c, e): g for c in model.COUPLED for e, g in structure.components[c].grades.items()},
        default=0.0,
    )
    model.recipe = pyo.Param(model.MAGNET_TYPES, model.ELEMENTS, initialize=structure.recipe, default=0.0)
    model.stage_yield = pyo.Param(model.STAGES, initialize=structure.stage_yield)
    model.phi = pyo.Param(model.STAGES, model.STAGES, initialize=structure.phi, default=0.0)
    model.china_mined_share = pyo.Param(initialize=structure.china_mined_share)
    model.max_units = pyo.Param(
        model.BUILDABLE, initialize={p: structure.projects[p].max_units for p in structure.buildable_projects}
    )
    for name, index in MUTABLE_PARAMETERS.items():
        sets = [getattr(model, s) for s in index]
        initial = values[name]
        if not index:
            setattr(model, name, pyo.Param(initialize=initial[None], mutable=True))
        else:
            setattr(model, name, pyo.Param(*sets, initialize=initial, default=0.0, mutable=True))


def set_mutable_values(model: pyo.ConcreteModel, values: dict[str, dict]) -> None:
    """Load new values into every mutable parameter (a sweep's re-solve, or a B ± 1 re-solve)."""
    for name, index in MUTABLE_PARAMETERS.items():
        component = getattr(model, name)
        if not index:
            component.set_value(values[name][None])
            continue
        new = values[name]
        for key in component:
            component[key] = new.get(key, 0.0)


def add_variables(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """build, ore, out, mag, imp, impmag, feed, surplus and short, all non-negative."""
    build_domain = pyo.NonNegativeIntegers if structure.integer_builds else pyo.NonNegativeReals
    model.build = pyo.Var(
        model.BUILD, domain=build_domain, bounds=lambda m, p, tau: (0, m.build_upper[p, tau])
    )
    model.ore = pyo.Var(model.COUPLED, model.YEARS, domain=pyo.NonNegativeReals)
    model.out = pyo.Var(model.PLANT_OUTPUT, model.YEARS, domain=pyo.NonNegativeReals)
    model.mag = pyo.Var(model.MAGNET_OUTPUT, model.YEARS, domain=pyo.NonNegativeReals)
    model.imp = pyo.Var(model.ELEMENTS, model.IMPORT_STAGES, model.YEARS, domain=pyo.NonNegativeReals)
    model.impmag = pyo.Var(model.MAGNET_TYPES, model.YEARS, domain=pyo.NonNegativeReals)
    model.feed = pyo.Var(model.ELEMENTS, model.FEED_STAGES, model.YEARS, domain=pyo.NonNegativeReals)
    model.surplus = pyo.Var(model.ELEMENTS, model.ELEMENT_STAGES, model.YEARS, domain=pyo.NonNegativeReals)
    model.surplus_mag = pyo.Var(model.MAGNET_TYPES, model.YEARS, domain=pyo.NonNegativeReals)
    model.short = pyo.Var(
        model.ELEMENTS,
        model.ELEMENT_STAGES,
        model.YEARS,
        domain=pyo.NonNegativeReals,
        bounds=lambda m, e, s, t: (0, m.demand[e, s, t]),
    )
    model.short_mag = pyo.Var(
        model.MAGNET_TYPES, model.YEARS, domain=pyo.NonNegativeReals, bounds=lambda m, mt, t: (0, m.magnet_demand[mt, t])
    )
