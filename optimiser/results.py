"""Tidy result tables from a solved model, and the invariants every result must satisfy.

Tables are long format with sorted rows in t REO-eq and US$ million (the solver's kt and $B converted
back). Invariants (budget respected, nothing produced before it is online, balances closed, dependence in
0-1) are checked before anything is written; a violation is a bug and is reported as such.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from .inputs.data import InputData
from .result_format import DEPENDENCE_GROUPS as DEPENDENCE_GROUPS  # re-exported: named from here too
from .model.parameters import MUSD_PER_BUSD, TONNES_PER_KT, ModelStructure, Project, online_year
from .model.constraints.balance import demand_avoided, magnet_demand_avoided, stock_draw
from .model.constraints.budget import instrument_spend
from .model.solution import value_of
from .model.constraints.recycling_scrap import scrap_problems
from .model.constraints.stockpile import stockpile_problems
from .model.constraints.substitution import substitution_problems

logger = logging.getLogger(__name__)

BUILD_COLUMNS = ["project", "stage", "country", "start_year", "online_year", "share", "capex_musd"]
DEPENDENCE_COLUMNS = ["year", "element", "stage", "dependence", "unmet", "china_world_share"]
FLOW_COLUMNS = ["year", "element", "stage", "row_output", "china_imports", "shortfall", "surplus"]
BUILD_THRESHOLD = 1e-6
"""Build shares below this are solver noise, not decisions."""
SHARE_DECIMALS = 6
"""Shares are reported to a millionth of a unit: the capex tie-break may leave 1e-8 of slack, which is noise."""
TOLERANCE_KT = 1e-6
"""Absolute tolerance of the invariant checks on flows (kt, i.e. 1 kg)."""
BUDGET_RELATIVE_TOLERANCE = 1e-6
BUDGET_ABSOLUTE_TOLERANCE_BUSD = 1e-6
"""Spending counts as over a budget or yearly cap only beyond ``limit · (1 + relative) + absolute`` ($B)."""


@dataclass
class ResultTables:
    """The result tables of one solved scenario (``supply_by_country`` absent in results read back from
    directories written before it existed)."""

    builds: pd.DataFrame
    dependence: pd.DataFrame
    flows: pd.DataFrame
    supply_by_country: pd.DataFrame | None = None


_value = value_of


def build_values(model: pyo.ConcreteModel) -> dict[tuple[str, int], float]:
    """Every build variable's value keyed by (project, start year): the Pyomo model's solution in the form
    a sweep's solution array gives."""
    return {(p, int(tau)): _value(model.build[p, tau]) for p, tau in model.BUILD}


def chosen_builds(shares: Mapping[tuple[str, int], float]) -> dict[tuple[str, int], float]:
    """The builds that are decisions: shares above :data:`BUILD_THRESHOLD` (the rest is solver noise)."""
    return {key: float(share) for key, share in shares.items() if share > BUILD_THRESHOLD}


def capex_musd(share: float, project: Project, capex_multiplier: float) -> float:
    """Undiscounted capex of ``share`` units of ``project`` at the capex multiplier, US$ million."""
    return share * project.capex_busd * capex_multiplier * MUSD_PER_BUSD


def build_rows(
    structure: ModelStructure, shares: Mapping[tuple[str, int], float], capex_multiplier: float, lead_shift: int
) -> list[tuple]:
    """The rows of builds.csv (in :data:`BUILD_COLUMNS` order, by start year then project) from the build
    values of a solution: runs, sweeps and portfolio commands all report builds through this function."""
    rows = []
    for (p, tau), share in chosen_builds(shares).items():
        project = structure.projects[p]
        rounded = round(share, SHARE_DECIMALS)
        rows.append(
            (
                p,
                "+".join(project.stages),
                project.country,
                int(tau),
                online_year(project, tau, lead_shift),
                rounded,
                capex_musd(rounded, project, capex_multiplier),
            )
        )
    rows.sort(key=lambda row: (row[3], row[0]))
    return rows


def extract_builds(model: pyo.ConcreteModel, structure: ModelStructure, capex_multiplier: float, lead_shift: int) -> pd.DataFrame:
    """builds.csv: one row per project and start year with a non-zero build."""
    rows = build_rows(structure, build_values(model), capex_multiplier, lead_shift)
    return pd.DataFrame(rows, columns=BUILD_COLUMNS)


def _row_output(model: pyo.ConcreteModel, structure: ModelStructure) -> dict[tuple[str, str, int], float]:
    """ROW output in kt per (element, stage, year); the magnet stage's through the recipes."""
    output: dict[tuple[str, str, int], float] = {}
    for c, comp in structure.components.items():
        if comp.stage == "magnet":
            continue
        for e in structure.elements:
            for t in structure.years:
                amount = _value(model.element_output[c, e, t])
                if amount:
                    output[e, comp.stage, t] = output.get((e, comp.stage, t), 0.0) + amount
    for c, m in model.MAGNET_OUTPUT:
        for t in structure.years:
            made = _value(model.mag[c, m, t])
            for e in structure.elements:
                share = structure.recipe.get((m, e), 0.0)
                if share and made:
                    output[e, "magnet", t] = output.get((e, "magnet", t), 0.0) + share * made
    return output


def _mined_ore(model: pyo.ConcreteModel, structure: ModelStructure, t: int) -> float:
    """ROW mine and mining-stage recycling throughput in kt TREO (grades below 1 leave other oxides, which
    USGS's mine output counts too)."""
    return sum(_value(model.ore[c, t]) for c in structure.components_at(structure.stages[0]) if c in model.COUPLED)


def _china_production(data: InputData) -> dict[tuple[str, str, int], float]:
    return {
        (row.stage, row.element, int(row.year)): float(row.production_t) / TONNES_PER_KT
        for row in data.china_production.itertuples(index=False)
    }


def _other_mining(data: InputData) -> dict[int, float]:
    """Ore mined outside China and outside the model's projects (sold to China), kt per year."""
    totals: dict[int, float] = {}
    for row in data.row_other_mining.itertuples(index=False):
        totals[int(row.year)] = totals.get(int(row.year), 0.0) + float(row.production_t) / TONNES_PER_KT
    return totals


def extract_flows(model: pyo.ConcreteModel, structure: ModelStructure) -> pd.DataFrame:
    """flows.csv: ROW output, imports from China, shortfall and surplus per element, stage and year (t)."""
    output = _row_output(model, structure)
    rows = []
    for t in structure.years:
        for e in structure.elements:
            for s in structure.stages:
                if s == "magnet":
                    imports = sum(structure.recipe.get((m, e), 0.0) * _value(model.impmag[m, t]) for m in structure.magnet_types)
                    surplus = sum(structure.recipe.get((m, e), 0.0) * _value(model.surplus_mag[m, t]) for m in structure.magnet_types)
                else:
                    imports = _value(model.imp[e, s, t]) if s in model.IMPORT_STAGES else 0.0
                    surplus = _value(model.surplus[e, s, t])
                rows.append(
                    {
                        "year": t,
                        "element": e,
                        "stage": s,
                        "row_output": output.get((e, s, t), 0.0) * TONNES_PER_KT,
                        "china_imports": imports * TONNES_PER_KT,
                        "shortfall": _value(model.shortfall[e, s, t]) * TONNES_PER_KT,
                        "surplus": surplus * TONNES_PER_KT,
                    }
                )
    return _sorted(pd.DataFrame(rows, columns=FLOW_COLUMNS), structure)


def _sorted(frame: pd.DataFrame, structure: ModelStructure) -> pd.DataFrame:
    stage_order = {s: i for i, s in enumerate(structure.stages)}
    element_order = {e: i for i, e in enumerate(list(structure.elements) + list(DEPENDENCE_GROUPS))}
    keyed = frame.assign(
        _stage=frame["stage"].map(stage_order), _element=frame["element"].map(element_order)
    ).sort_values(["year", "_stage", "_element"])
    return keyed.drop(columns=["_stage", "_element"]).reset_index(drop=True)


def aggregate_dependence(cells: np.ndarray, restricted: np.ndarray) -> np.ndarray:
    """An element × stage × year array with the :data:`DEPENDENCE_GROUPS` aggregates appended as two more
    elements: the sum over every element, and over the ``restricted`` ones (a boolean mask over elements)."""
    return np.concatenate([cells, cells.sum(0, keepdims=True), cells[restricted].sum(0, keepdims=True)])


@dataclass
class DependenceCells:
    """The defined cells of the dependence table (requirement > 0) in its row order: year, stage, element.

    ``year``, ``stage`` and ``element`` are positions into the structure's years, stages and elements
    followed by :data:`DEPENDENCE_GROUPS`. ``china`` and ``requirement`` hold every cell, defined or not,
    as year × stage × (elements and aggregates) arrays.
    """

    year: np.ndarray
    stage: np.ndarray
    element: np.ndarray
    dependence: np.ndarray
    unmet: np.ndarray
    china: np.ndarray
    requirement: np.ndarray


def dependence_cells(structure: ModelStructure, china: np.ndarray, shortfall: np.ndarray, requirement: np.ndarray) -> DependenceCells:
    """Dependence (China content / requirement) and unmet share (shortfall / requirement) of every element
    and aggregate, from element × stage × year arrays of a solution (kt). Runs and sweeps both use it."""
    restricted = np.array([e in structure.restricted for e in structure.elements], dtype=bool)
    china_t, short_t, req_t = (
        aggregate_dependence(cells, restricted).transpose(2, 1, 0) for cells in (china, shortfall, requirement)
    )
    defined = req_t > 0
    years, stages, elements = np.nonzero(defined)
    return DependenceCells(
        year=years,
        stage=stages,
        element=elements,
        dependence=china_t[defined] / req_t[defined],
        unmet=short_t[defined] / req_t[defined],
        china=china_t,
        requirement=req_t,
    )


def _cell_values(component: pyo.Component, structure: ModelStructure) -> np.ndarray:
    """An element × stage × year array of a component's values."""
    return np.array(
        [[[_value(component[e, s, t]) for t in structure.years] for s in structure.stages] for e in structure.elements],
        dtype=float,
    ).reshape(len(structure.elements), len(structure.stages), len(structure.years))


def extract_dependence(model: pyo.ConcreteModel, structure: ModelStructure, data: InputData) -> pd.DataFrame:
    """dependence.csv: dep and unmet per element, stage and year where req > 0, plus 'all' and 'restricted'.

    ``china_world_share`` = China's production / (China's + ROW output [at mining: ROW ore throughput plus
    ore mined outside the bloc]) where China production data exist for that stage, element (or ALL) and year. World output is
    independent of the scenario's bloc: ore in ``row_other_mining.csv`` counts whoever it is sold to.
    """
    china_production = _china_production(data)
    other_mining = _other_mining(data)
    output = _row_output(model, structure)
    cells = dependence_cells(
        structure,
        _cell_values(model.dependent, structure),
        _cell_values(model.shortfall, structure),
        _cell_values(model.requirement, structure),
    )
    labels = list(structure.elements) + list(DEPENDENCE_GROUPS)
    members = {"all": structure.elements, "restricted": structure.restricted}
    years = [structure.years[i] for i in cells.year]
    stages = [structure.stages[i] for i in cells.stage]
    elements = [labels[i] for i in cells.element]
    world_shares = []
    for t, s, e, position in zip(years, stages, elements, cells.element):
        if position < len(structure.elements):
            world_shares.append(_share(china_production.get((s, e, t)), output.get((e, s, t), 0.0), 0.0))
            continue
        china_prod = china_production.get((s, "ALL", t)) if e == "all" else _sum_elements(china_production, s, members[e], t)
        row_out = sum(output.get((m, s, t), 0.0) for m in members[e])
        extra = 0.0
        if s == structure.stages[0] and e == "all":
            row_out = _mined_ore(model, structure, t)
            extra = other_mining.get(t, 0.0)
        world_shares.append(_share(china_prod, row_out, extra))
    rows = zip(years, elements, stages, cells.dependence.tolist(), cells.unmet.tolist(), world_shares)
    return pd.DataFrame(list(rows), columns=DEPENDENCE_COLUMNS)


def _sum_elements(china_production: dict, stage: str, members: list[str], year: int) -> float | None:
    values = [china_production.get((stage, e, year)) for e in members]
    if any(v is None for v in values) or not values:
        return None
    return float(sum(values))


def _share(china: float | None, row_output: float, other: float) -> float | None:
    if china is None:
        return None
    world = china + row_output + other
    return china / world if world > 0 else None


def extract_tables(
    model: pyo.ConcreteModel,
    structure: ModelStructure,
    data: InputData,
    capex_multiplier: float,
    lead_shift: int,
) -> ResultTables:
    """Every result table from the loaded solution."""
    return ResultTables(
        builds=extract_builds(model, structure, capex_multiplier, lead_shift),
        dependence=extract_dependence(model, structure, data),
        flows=extract_flows(model, structure),
        supply_by_country=extract_supply_by_country(model, structure),
    )


SUPPLY_COLUMNS = [
    "year", "stage", "country", "in_bloc", "risk_weight", "supply_t", "requirement_t", "share", "weighted_share",
]
CHINA = "China"


def extract_supply_by_country(model: pyo.ConcreteModel, structure: ModelStructure) -> pd.DataFrame:
    """supply_by_country.csv: who supplies each stage, all elements together, per year (t REO-eq).

    China's row is its content of ROW supply (imports, and what they embody upstream); every other row is
    the output of the model's projects in that country at that stage (magnets by weight of rare-earth
    content). ``share`` = supply / ROW requirement at the stage; ``weighted_share`` = share × risk weight
    (China 1, the bloc 0, other countries their weight): the stage's dependence is the sum of the
    ``weighted_share`` column (plus nothing else), so the table splits dependence by supplying country.
    """
    country_of = {c: structure.projects[comp.project].country for c, comp in structure.components.items()}
    rows = []
    for t in structure.years:
        for s in structure.stages:
            requirement = sum(_value(model.requirement[e, s, t]) for e in structure.elements) * TONNES_PER_KT
            supply: dict[str, float] = {CHINA: sum(_value(model.china[e, s, t]) for e in structure.elements)}
            weight: dict[str, float] = {CHINA: 1.0}
            for c in structure.components_at(s):
                if s == structure.stages[-1]:
                    amount = sum(_value(model.mag[c, mt, t]) for cc, mt in model.MAGNET_OUTPUT if cc == c)
                else:
                    amount = sum(_value(model.element_output[c, e, t]) for e in structure.elements)
                country = country_of[c]
                supply[country] = supply.get(country, 0.0) + amount
                weight[country] = structure.supplier_weight.get(c, 0.0)
            for country, amount in supply.items():
                tonnes = amount * TONNES_PER_KT
                share = tonnes / requirement if requirement > 0 else float("nan")
                rows.append({
                    "year": t, "stage": s, "country": country,
                    "in_bloc": country in structure.partners, "risk_weight": weight[country],
                    "supply_t": tonnes, "requirement_t": requirement,
                    "share": share, "weighted_share": share * weight[country],
                })
    return pd.DataFrame(rows, columns=SUPPLY_COLUMNS)


def check_invariants(model: pyo.ConcreteModel, structure: ModelStructure, tables: ResultTables) -> list[str]:
    """Every violated invariant, in words (an empty list for a sound result)."""
    problems: list[str] = []
    if hasattr(model, "budget_limit") and model.budget_limit.active:
        problems += _budget_problems(model, structure)
    for c, comp in structure.components.items():
        for t in structure.years:
            available = _value(model.availability[comp.project, t])
            if comp.stage == "magnet":
                produced = sum(_value(model.mag[c, m, t]) for m in comp.scope if (c, m) in model.MAGNET_OUTPUT)
            elif c in model.COUPLED:
                produced = _value(model.ore[c, t])
            else:
                produced = sum(_value(model.out[c, e, t]) for e in comp.scope if (c, e) in model.PLANT_OUTPUT)
            published = structure.history_output.get((c, t))
            limit = comp.capacity_kt * available if published is None else published
            if produced > limit + TOLERANCE_KT:
                held = f"with {available:.4f} units online" if published is None else "above its published output"
                problems.append(f"{c} produced {produced * TONNES_PER_KT:.3f} t in {t} {held}")
    problems += _balance_problems(model, structure)
    problems += stockpile_problems(model, structure)
    problems += substitution_problems(model, structure) + scrap_problems(model, structure)
    dep = tables.dependence
    for column in ("dependence", "unmet"):
        outside = dep[(dep[column] < -1e-6) | (dep[column] > 1 + 1e-6)]
        if len(outside):
            first = outside.iloc[0]
            problems.append(
                f"{column} outside 0-1: {first[column]:.6f} for {first['element']} at {first['stage']} in {first['year']}"
            )
    return problems


def exceeds_budget(amount_busd: float, limit_busd: float) -> bool:
    """Whether spending ``amount_busd`` breaks a limit of ``limit_busd`` beyond the solver's tolerance."""
    return amount_busd > limit_busd * (1 + BUDGET_RELATIVE_TOLERANCE) + BUDGET_ABSOLUTE_TOLERANCE_BUSD


def budget_violations(
    shares: Mapping[tuple[str, int], float],
    capex_total: Mapping[tuple[str, int], float],
    capex_draw: Mapping[tuple[str, int, int], float],
    budget_busd: float,
    yearly_cap_fraction: float,
    years: Iterable[int],
    other_spend: Mapping[int, float] | None = None,
) -> list[str]:
    """Where builds of ``shares`` units break the budget or a yearly cap, in words (empty when they fit).

    ``capex_total`` and ``capex_draw`` are the model's discounted capex parameters ($B per unit, per start
    and per start and year, as ``mutable_values`` gives them); ``other_spend`` is the instruments' spend per
    year ($B, discounted: stockpiles, substitution). The result invariants and the portfolio commands both
    check budgets here, with one tolerance.
    """
    problems: list[str] = []
    other_spend = other_spend or {}
    spent = sum(capex_total.get(key, 0.0) * share for key, share in shares.items()) + sum(other_spend.values())
    if exceeds_budget(spent, budget_busd):
        problems.append(f"budget exceeded: {spent:.6f} $B spent against {budget_busd:.6f} $B")
    cap = yearly_cap_fraction * budget_busd
    for y in years:
        drawn = sum(capex_draw.get((p, tau, y), 0.0) * share for (p, tau), share in shares.items() if tau <= y)
        drawn += other_spend.get(y, 0.0)
        if exceeds_budget(drawn, cap):
            problems.append(f"yearly cap exceeded in {y}: {drawn:.6f} $B against {cap:.6f} $B")
    return problems


def _budget_problems(model: pyo.ConcreteModel, structure: ModelStructure) -> list[str]:
    """Budget, yearly cap and offered starts (skipped where a portfolio is evaluated with builds fixed)."""
    problems = budget_violations(
        build_values(model),
        {(p, int(tau)): _value(model.capex_total[p, tau]) for p, tau in model.BUILD},
        {(p, int(tau), int(y)): _value(model.capex_draw[p, tau, y]) for p, tau, y in model.ONLINE},
        _value(model.budget),
        _value(model.yearly_cap_fraction),
        structure.years,
        {int(y): sum(_value(spend[y]) for spend in instrument_spend(model)) for y in model.YEARS},
    )
    for p, tau in model.BUILD:
        if _value(model.build[p, tau]) > _value(model.build_upper[p, tau]) + 1e-6:
            problems.append(f"{p} started in {tau}, a start the scenario does not offer")
    return problems


def _balance_problems(model: pyo.ConcreteModel, structure: ModelStructure) -> list[str]:
    """Recompute every stage and magnet balance from variable values; name the first that does not close."""
    problems: list[str] = []
    stages = structure.stages
    for t in structure.years:
        for e in structure.elements:
            for i, s in enumerate(stages[:-1]):
                supply = sum(_value(model.element_output[c, e, t]) for c in structure.components_at(s))
                supply += _value(model.short[e, s, t]) + _value(stock_draw(model, e, s, t))
                if s in model.IMPORT_STAGES:
                    supply += _value(model.imp[e, s, t])
                use = _value(model.demand[e, s, t]) - _value(demand_avoided(model, e, s, t))
                use += _value(model.feed[e, stages[i + 1], t]) + _value(model.surplus[e, s, t])
                if abs(supply - use) > TOLERANCE_KT + 1e-7 * max(abs(supply), abs(use)):
                    problems.append(f"balance of {e} at {s} in {t} does not close: {supply:.6f} ≠ {use:.6f} kt")
        for m in structure.magnet_types:
            made = sum(_value(model.mag[c, mt, t]) for c, mt in model.MAGNET_OUTPUT if mt == m)
            supply = made + _value(model.impmag[m, t]) + _value(model.short_mag[m, t])
            use = _value(model.magnet_demand[m, t]) - _value(magnet_demand_avoided(model, m, t))
            use += _value(model.surplus_mag[m, t])
            if abs(supply - use) > TOLERANCE_KT + 1e-7 * max(abs(supply), abs(use)):
                problems.append(f"magnet balance of {m} in {t} does not close: {supply:.6f} ≠ {use:.6f} kt")
    return problems[:20]
