"""Substitution and thrifting (issue 13): demand-reduction options that compete with builds for the budget.

For every option o (``substitution_data``), the programme's avoided-demand capacity is bought in kt/yr and
kept: ``add[o, τ] ≥ 0`` in the years τ it can be funded, and

    capacity[o, t] = Σ_{τ ≤ t} add[o, τ] ≤ limit[o, t] = min(cap[o], ramp[o] · (t − start[o] + 1))
    avoided[o, t]  ≤ capacity[o, t]
    avoided[o, t]  ≤ max_share[o] · flow[o, t]
    Σ_{o cutting one flow} avoided[o, t] ≤ flow[o, t]

where the flow an option cuts is

* for a substitute (``target = magnet``, iron-nitride or ferrite magnets in place of type m):
  ``flow = demand_mag[m, t]``, and ``avoided_mag[m, t] = Σ_o avoided[o, t]`` lowers the magnet balance's
  demand (``recipes``: ``… = demand_mag[m, t] − avoided_mag[m, t] + surplus_mag[m, t]``);
* for thrifting (``target = element``, element e of type m: grain-boundary diffusion, heavy-rare-earth-free
  or Ce-substituted magnets): the metal ROW magnet makers draw for the e in the m magnets they make,
  ``flow = recipe[m, e] · Σ_c mag[c, m, t] / yield[magnet]``, and
  ``avoided[e, metal, t] = Σ_o avoided[o, t]`` lowers the use side of the metal-stage balance
  (``balance``: ``… = demand[e, metal, t] − avoided[e, metal, t] + feed[e, magnet, t] + surplus``): the
  magnets keep their type and the magnet feed row its recipe, and the metal actually drawn,
  ``feed − avoided``, is what a leaner recipe would need. A recipe that is itself a decision would multiply
  two variables; this is the linear form. Thrifting acts on ROW-made magnets only: a magnet imported from
  China carries China's recipe, and its rare earths stay Chinese whatever they are.

Avoided amounts never exceed the flow they cut (the last row), so every balance keeps a non-negative use.
Dependence keeps its denominator (the requirement of the demand before substitution): avoiding a tonne of
imports lowers dependence as ROW output replacing it would.

Spend, in the budget rows with build capex (``budget``, ``substitution_spend``): a one-off programme cost
per kt/yr of capacity added, discounted like capex,

    spend[y] = Σ_o cost[o] · add[o, y] / (1 + r)^(y − first year)
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..parameters import MUSD_PER_BUSD, TONNES_PER_KT, ModelStructure
from ..substitution_data import SubstitutionData, SubstitutionOption
from ..solution import value_of

NAME = "substitution"


def _data(structure: ModelStructure) -> SubstitutionData | None:
    data = structure.instruments.get(NAME)
    return data if isinstance(data, SubstitutionData) else None


def thrift_stage(structure: ModelStructure) -> str:
    """The stage whose balance thrifting relieves: the one feeding the magnet stage (metal)."""
    return structure.stages[-2]


def _flow(m: pyo.ConcreteModel, option: SubstitutionOption, t: int, makers: dict[str, list[str]]) -> object:
    """The ROW flow ``option`` cuts in year ``t``, kt (an expression for thrifting, a parameter for substitutes)."""
    if option.target == "magnet":
        return m.magnet_demand[option.magnet_type, t]
    made = sum(m.mag[c, option.magnet_type, t] for c in makers.get(option.magnet_type, []))
    return m.recipe[option.magnet_type, option.element] * made / m.stage_yield["magnet"]


def add_substitution(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """Variables, rows and the ``demand_avoided``, ``magnet_demand_avoided`` and ``substitution_spend``
    components the balances and budget read (nothing without the instrument)."""
    data = _data(structure)
    if data is None:
        return
    options = data.options
    years = list(structure.years)
    fund = data.fund_pairs(years)
    use = [(o, t) for o, option in options.items() for t in years if t >= option.start]
    makers: dict[str, list[str]] = {}
    for c, mt in model.MAGNET_OUTPUT:
        makers.setdefault(mt, []).append(c)

    model.SUBSTITUTION_FUND = pyo.Set(initialize=fund, dimen=2, ordered=True)
    model.SUBSTITUTION_USE = pyo.Set(initialize=use, dimen=2, ordered=True)
    model.substitution_added = pyo.Var(model.SUBSTITUTION_FUND, domain=pyo.NonNegativeReals)
    model.substitution_avoided = pyo.Var(model.SUBSTITUTION_USE, domain=pyo.NonNegativeReals)
    funded: dict[str, list[int]] = {}
    for o, tau in fund:
        funded.setdefault(o, []).append(tau)

    def capacity(m: pyo.ConcreteModel, o: str, t: int) -> pyo.Expression:
        return sum(m.substitution_added[o, tau] for tau in funded.get(o, []) if tau <= t)

    model.substitution_capacity = pyo.Expression(model.SUBSTITUTION_USE, rule=capacity)
    model.substitution_limit = pyo.Constraint(
        model.SUBSTITUTION_USE, rule=lambda m, o, t: m.substitution_capacity[o, t] <= options[o].limit(t)
    )
    model.substitution_use = pyo.Constraint(
        model.SUBSTITUTION_USE, rule=lambda m, o, t: m.substitution_avoided[o, t] <= m.substitution_capacity[o, t]
    )
    model.substitution_share = pyo.Constraint(
        model.SUBSTITUTION_USE,
        rule=lambda m, o, t: m.substitution_avoided[o, t] <= options[o].max_share * _flow(m, options[o], t, makers),
    )

    groups: dict[tuple[str, str, str | None], list[str]] = {}
    for o, option in options.items():
        groups.setdefault((option.target, option.magnet_type, option.element), []).append(o)
    keys = [(g, t) for g, members in groups.items() for t in years if any((o, t) in model.SUBSTITUTION_USE for o in members)]

    def total(m: pyo.ConcreteModel, index: int) -> pyo.Constraint:
        group, t = keys[index]
        members = [o for o in groups[group] if (o, t) in m.SUBSTITUTION_USE]
        return sum(m.substitution_avoided[o, t] for o in members) <= _flow(m, options[members[0]], t, makers)

    model.substitution_total = pyo.Constraint(range(len(keys)), rule=total)

    stage = thrift_stage(structure)
    element_cells = sorted({(option.element, stage, t) for o, option in options.items() if option.target == "element"
                            for t in years if (o, t) in model.SUBSTITUTION_USE})
    magnet_cells = sorted({(option.magnet_type, t) for o, option in options.items() if option.target == "magnet"
                           for t in years if (o, t) in model.SUBSTITUTION_USE})

    def element_avoided(m: pyo.ConcreteModel, e: str, s: str, t: int) -> pyo.Expression:
        return sum(m.substitution_avoided[o, t] for o, option in options.items()
                   if option.target == "element" and option.element == e and (o, t) in m.SUBSTITUTION_USE)

    def magnet_avoided(m: pyo.ConcreteModel, mt: str, t: int) -> pyo.Expression:
        return sum(m.substitution_avoided[o, t] for o, option in options.items()
                   if option.target == "magnet" and option.magnet_type == mt and (o, t) in m.SUBSTITUTION_USE)

    model.DEMAND_AVOIDED_CELLS = pyo.Set(initialize=element_cells, dimen=3, ordered=True)
    model.MAGNET_AVOIDED_CELLS = pyo.Set(initialize=magnet_cells, dimen=2, ordered=True)
    model.demand_avoided = pyo.Expression(model.DEMAND_AVOIDED_CELLS, rule=element_avoided)
    model.magnet_demand_avoided = pyo.Expression(model.MAGNET_AVOIDED_CELLS, rule=magnet_avoided)

    def spend(m: pyo.ConcreteModel, y: int) -> pyo.Expression:
        return sum(options[o].cost * data.discount[y] * m.substitution_added[o, y]
                   for o in options if (o, y) in m.SUBSTITUTION_FUND)

    model.substitution_spend = pyo.Expression(model.YEARS, rule=spend)


def summary_substitution(model: pyo.ConcreteModel, structure: ModelStructure) -> dict | None:
    """Per option: what it cuts, its capacity and avoided demand per year (t), and its spend (US$ million,
    discounted like capex); with the totals. ``None`` without the instrument."""
    data = _data(structure)
    if data is None:
        return None

    options: dict[str, dict] = {}
    for o, option in data.options.items():
        years = [t for t in structure.years if (o, t) in model.SUBSTITUTION_USE]
        avoided = {t: value_of(model.substitution_avoided[o, t]) * TONNES_PER_KT for t in years}
        capacity = {t: value_of(model.substitution_capacity[o, t]) * TONNES_PER_KT for t in years}
        spent = sum(option.cost * data.discount[t] * value_of(model.substitution_added[o, t])
                    for t in structure.years if (o, t) in model.SUBSTITUTION_FUND)
        options[o] = {
            "target": option.target,
            "magnet_type": option.magnet_type,
            "element": option.element,
            "spend_musd": spent * MUSD_PER_BUSD,
            "capacity_t": {str(t): round(v, 6) + 0.0 for t, v in capacity.items()},
            "avoided_t": {str(t): round(v, 6) + 0.0 for t, v in avoided.items()},
            "avoided_total_t": sum(avoided.values()),
            "final_capacity_t": capacity[years[-1]] if years else 0.0,
        }
    return {
        "stage_thrifted": thrift_stage(structure),
        "spend_musd": sum(item["spend_musd"] for item in options.values()),
        "avoided_total_t": sum(item["avoided_total_t"] for item in options.values()),
        "options": options,
    }


def substitution_problems(model: pyo.ConcreteModel, structure: ModelStructure) -> list[str]:
    """Options whose avoided demand exceeds their capacity, their limit or the flow they cut, from variable
    values (result invariants; empty without the instrument)."""
    data = _data(structure)
    if data is None:
        return []
    makers: dict[str, list[str]] = {}
    for c, mt in model.MAGNET_OUTPUT:
        makers.setdefault(mt, []).append(c)
    problems: list[str] = []
    for o, t in model.SUBSTITUTION_USE:
        option = data.options[o]
        avoided = pyo.value(model.substitution_avoided[o, t], exception=False) or 0.0
        capacity = pyo.value(model.substitution_capacity[o, t], exception=False) or 0.0
        flow = pyo.value(_flow(model, option, t, makers), exception=False) or 0.0
        tolerance = 1e-6 + 1e-7 * max(abs(flow), abs(capacity))
        if avoided > min(capacity, option.max_share * flow) + tolerance or capacity > option.limit(t) + tolerance:
            problems.append(f"substitution option {o} in {t}: avoided {avoided:.6f} kt with capacity {capacity:.6f}, "
                            f"limit {option.limit(t):.6f} and {option.max_share:g} × flow {flow:.6f} kt")
    return problems
