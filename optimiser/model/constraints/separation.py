"""Separation takes whole concentrate by source (MODEL.md constraint 5, and the feed of constraint 6).

A separation plant cannot pick elements out of a concentrate. It takes concentrate from sources, measured by
rare-earth content (kt REO of the listed elements), and every source has a fixed composition ``x[src, e]``
(shares of its content, summing to 1):

* a mined source: a mining-stage mine or recycler ``c``, ``x[c, e] = grade[c, e] / Σ_e' grade[c, e']``,
  whose concentrate holds ``Σ_e grade[c, e] · ore[c, t]`` of content;
* a by-product ``b = (c, L)``: the elements ``L`` of ``c`` that a plant's scope leaves out, which leave the
  plant as a concentrate in ``c``'s proportions (a light separator's heavy SEG concentrate),
  ``x[b, e] = x[c, e] / Σ_{e' ∈ L} x[c, e']`` for ``e ∈ L``; offered only where some plant's scope holds an
  element of ``L``.

Plants with the same scope are interchangeable but for their capacity, so concentrate is tracked per scope
class ``k`` (the plants whose scope is ``k``): ``conc[src, k, t] ≥ 0`` is the content of ``src`` the class
takes, created only where ``k`` holds an element of ``src``, and ``processed[p, t]`` the content plant ``p``
takes. Any class plan is carried out by giving each member the same mix, so nothing is lost, and the model
is several times smaller than with one ``conc`` per plant. With ``P_b`` the classes whose scope leaves
exactly ``L`` of ``c`` out:

    Σ_k conc[c, k, t]                ≤ Σ_e grade[c, e] · ore[c, t]                    mined source c
    Σ_k conc[b, k, t]                ≤ Σ_{e ∈ L} x[c, e] · Σ_{k' ∈ P_b} conc[c, k', t]  by-product b = (c, L)
    Σ_src conc[src, k, t]            = Σ_{p ∈ k} processed[p, t]                        class_content
    Σ_{p ∈ k} out[p, e, t]           = yield[separation] · Σ_src x[src, e] · conc[src, k, t]    e ∈ k
    Σ_e out[p, e, t]                 ≤ yield[separation] · processed[p, t]
    yield[separation] · processed[p, t]  ≤ cap[p] · avail[p, t]                          (``capacity``)

so products keep their sources' proportions (a 3:1 Nd:Pr ore gives 3:1 Nd:Pr oxide) and capacity binds on
the whole content processed, the elements a plant cannot separate included. Capacity is stated, as at every
stage, in the unit of the stage's output: separated oxide when the whole feed is in scope, i.e. content
processed times the yield (Lynas's heavy expansion: 5,000 t of feed × 0.9 = 4,500 t).

What no plant takes leaves ROW: the per-element mining balance (``balance``) closes with
``surplus[e, mining, t]`` = the element's mined content minus what separation processes of it (the
separation ``yield_balance`` makes ``feed[e, separation, t]`` exactly that content), i.e. unsold concentrate
plus unused by-product. By-products are offered one level deep: the by-product of a by-product (elements
outside both plants' scopes) leaves as surplus, not offered again. Two levels cover the chains the data
describe (a light separator whose heavy SEG concentrate feeds a heavy circuit, as at Mountain Pass); a third
would multiply the variables for residues of residues.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from ..expressions import linear_sum
from ..parameters import ModelStructure

SEPARATION = "separation"
BYPRODUCT_SEPARATOR = ":"
"""A by-product source is named ``<source component>:<its elements>`` (component ids hold no ':')."""


@dataclass(frozen=True)
class ConcentrateSource:
    """A concentrate a separation plant may take: its composition, and where it comes from.

    ``parents`` is empty for a mined source (``origin`` is the mine or recycler component). A by-product is
    the part of ``origin``'s concentrate outside the scope of each plant in ``parents``: plants whose scopes
    leave the same elements of ``origin`` out make the same by-product, so they share one source. ``share`` is
    the by-product's content per unit of ``origin``'s concentrate a parent takes.
    """

    id: str
    origin: str
    parents: tuple[str, ...]
    composition: dict[str, float]
    share: float = 1.0


def separation_plants(structure: ModelStructure) -> list[str]:
    """Separation plant components (recyclers at the separation stage add to it directly, as at other stages)."""
    if SEPARATION not in structure.stages:
        return []
    return structure.components_at(SEPARATION, roles=("plant",))


def scope_classes(structure: ModelStructure) -> dict[str, list[str]]:
    """Separation plants grouped by scope, keyed by the scope's elements joined with '+' in element order."""
    classes: dict[str, list[str]] = {}
    for p in separation_plants(structure):
        scope = set(structure.components[p].scope)
        key = "+".join(e for e in structure.elements if e in scope)
        if key:
            classes.setdefault(key, []).append(p)
    return classes


def _elements(scope_class: str) -> set[str]:
    return set(scope_class.split("+"))


def concentrate_sources(structure: ModelStructure) -> dict[str, ConcentrateSource]:
    """Every mined source with rare-earth content, then every by-product some plant can separate.

    A by-product is named ``<source>:<its elements>`` (``mp_mine/0:Sm+Gd+Tb+Dy+Y``); its ``parents`` are the
    scope classes whose plants leave it.
    """
    mining = structure.stages[0]
    classes = list(scope_classes(structure))
    mined: dict[str, ConcentrateSource] = {}
    for c in structure.components_at(mining, roles=("mine", "recycling")):
        grades = {e: g for e, g in structure.components[c].grades.items() if g > 0 and e in structure.elements}
        total = sum(grades.values())
        if total > 0:
            mined[c] = ConcentrateSource(c, c, (), {e: g / total for e, g in grades.items()})
    sources = dict(mined)
    for c, source in mined.items():
        parents: dict[tuple[str, ...], list[str]] = {}
        for k in classes:
            scope = _elements(k)
            left = tuple(e for e in source.composition if e not in scope)
            if scope & set(source.composition) and left and any(_elements(q) & set(left) for q in classes):
                parents.setdefault(left, []).append(k)
        for left, makers in parents.items():
            share = sum(source.composition[e] for e in left)
            byproduct = f"{c}{BYPRODUCT_SEPARATOR}{'+'.join(left)}"
            composition = {e: source.composition[e] / share for e in left}
            sources[byproduct] = ConcentrateSource(byproduct, c, tuple(makers), composition, share)
    return sources


def concentrate_takes(structure: ModelStructure) -> list[tuple[str, str]]:
    """(source, scope class) pairs with a ``conc`` variable: the class's scope holds an element of the source."""
    classes = list(scope_classes(structure))
    return [
        (src, k)
        for src, source in concentrate_sources(structure).items()
        for k in classes
        if _elements(k) & set(source.composition)
    ]


def add_concentrate(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """Compositions, ``conc`` and ``processed``, and the supply, content and output rows."""
    sources = concentrate_sources(structure)
    classes = scope_classes(structure)
    model.composition = pyo.Param(
        model.CONCENTRATE_SOURCES,
        model.ELEMENTS,
        initialize={(src, e): x for src, source in sources.items() for e, x in source.composition.items()},
        default=0.0,
    )
    model.conc = pyo.Var(model.CONCENTRATE_TAKE, model.YEARS, domain=pyo.NonNegativeReals)
    model.processed = pyo.Var(model.SEPARATION_PLANTS, model.YEARS, domain=pyo.NonNegativeReals)
    takers: dict[str, list[str]] = {}
    taken: dict[str, list[str]] = {}
    for src, k in model.CONCENTRATE_TAKE:
        takers.setdefault(src, []).append(k)
        taken.setdefault(k, []).append(src)

    def supply(m: pyo.ConcreteModel, src: str, t: int) -> pyo.Constraint:
        if not takers.get(src):
            return pyo.Constraint.Skip
        used = sum(m.conc[src, k, t] for k in takers[src])
        source = sources[src]
        if not source.parents:
            return used <= sum(m.grade[src, e] * m.ore[src, t] for e in source.composition)
        return used <= source.share * sum(m.conc[source.origin, k, t] for k in source.parents)

    model.concentrate_supply = pyo.Constraint(model.CONCENTRATE_SOURCES, model.YEARS, rule=supply)
    model.SCOPE_CLASSES = pyo.Set(initialize=list(classes), ordered=True)
    model.class_content = pyo.Constraint(
        model.SCOPE_CLASSES,
        model.YEARS,
        rule=lambda m, k, t: sum(m.conc[src, k, t] for src in taken.get(k, [])) == sum(m.processed[p, t] for p in classes[k]),
    )
    scoped = set(model.PLANT_OUTPUT)

    def class_output(m: pyo.ConcreteModel, k: str, e: str, t: int) -> pyo.Constraint:
        members = [p for p in classes[k] if (p, e) in scoped]
        if e not in _elements(k) or not members:
            return pyo.Constraint.Skip
        holding = [src for src in taken.get(k, []) if e in sources[src].composition]
        content = linear_sum([m.composition[src, e] for src in holding], [m.conc[src, k, t] for src in holding])
        return sum(m.out[p, e, t] for p in members) == m.stage_yield[SEPARATION] * content

    model.separation_output = pyo.Constraint(model.SCOPE_CLASSES, model.ELEMENTS, model.YEARS, rule=class_output)

    def plant_output(m: pyo.ConcreteModel, p: str, t: int) -> pyo.Constraint:
        made = [m.out[p, e, t] for e in structure.components[p].scope if (p, e) in scoped]
        if not made:
            return pyo.Constraint.Skip
        return sum(made) <= m.stage_yield[SEPARATION] * m.processed[p, t]

    model.separation_plant_output = pyo.Constraint(model.SEPARATION_PLANTS, model.YEARS, rule=plant_output)
