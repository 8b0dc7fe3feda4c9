"""Processing scope (MODEL.md constraint 5).

    out[c, e, t] = 0   for e ∉ scope[c]      (separation and metal plants)
    mag[c, m, t] = 0   for m ∉ types[c]      (magnet plants)

A light-only separator cannot separate Dy; a magnet plant makes only the types it lists. The model never
creates the variables outside a component's scope, which states the same constraint without rows: these
functions give the index sets the output variables are declared over.
"""

from __future__ import annotations

from ..parameters import PROCESSING_STAGES, ModelStructure


def plant_scope_pairs(structure: ModelStructure) -> list[tuple[str, str]]:
    """(component, element) pairs a separation or metal plant may output."""
    return [
        (c, e)
        for c, comp in structure.components.items()
        if comp.role == "plant" and comp.stage in PROCESSING_STAGES
        for e in structure.elements
        if e in comp.scope
    ]


def magnet_scope_pairs(structure: ModelStructure) -> list[tuple[str, str]]:
    """(component, magnet type) pairs a magnet plant may make."""
    return [
        (c, m)
        for c, comp in structure.components.items()
        if comp.stage == "magnet"
        for m in structure.magnet_types
        if m in comp.scope
    ]
