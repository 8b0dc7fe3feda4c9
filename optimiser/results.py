"""Tidy result tables from a solved model, and the invariants every result must satisfy.

Tables are long format with sorted rows in t REO-eq and US$ million (the solver's kt and $B converted
back). Invariants (budget respected, nothing produced before it is online, balances closed, dependence in
0-1) are checked before anything is written; a violation is a bug and is reported as such.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from .inputs.data import InputData
from .model.parameters import MUSD_PER_BUSD, TONNES_PER_KT, ModelStructure

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


@dataclass
class ResultTables:
    """The three result tables of one solved scenario."""

    builds: pd.DataFrame
    dependence: pd.DataFrame
    flows: pd.DataFrame


def _value(component: object) -> float:
    value = pyo.value(component, exception=False)
    return 0.0 if value is None else float(value)


def extract_builds(model: pyo.ConcreteModel, structure: ModelStructure, capex_multiplier: float, lead_shift: int) -> pd.DataFrame:
    """builds.csv: one row per project and start year with a non-zero build."""
    rows = []
    for p, tau in model.BUILD:
        share = _value(model.build[p, tau])
        if share <= BUILD_THRESHOLD:
            continue
        project = structure.projects[p]
        rows.append(
            {
                "project": p,
                "stage": "+".join(project.stages),
                "country": project.country,
                "start_year": int(tau),
                "online_year": int(tau + max(0, project.lead_time_years + lead_shift)),
                "share": round(share, SHARE_DECIMALS),
                "capex_musd": round(share, SHARE_DECIMALS) * project.capex_busd * capex_multiplier * MUSD_PER_BUSD,
            }
        )
    frame = pd.DataFrame(rows, columns=BUILD_COLUMNS)
    return frame.sort_values(["start_year", "project"]).reset_index(drop=True)


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
    element_order = {e: i for i, e in enumerate(structure.elements + ["all", "restricted"])}
    keyed = frame.assign(
        _stage=frame["stage"].map(stage_order), _element=frame["element"].map(element_order)
    ).sort_values(["year", "_stage", "_element"])
    return keyed.drop(columns=["_stage", "_element"]).reset_index(drop=True)


def extract_dependence(model: pyo.ConcreteModel, structure: ModelStructure, data: InputData) -> pd.DataFrame:
    """dependence.csv: dep and unmet per element, stage and year where req > 0, plus 'all' and 'restricted'.

    ``china_world_share`` = China's production / (China's + ROW output [at mining: ROW ore throughput plus
    ore mined outside the bloc]) where China production data exist for that stage, element (or ALL) and year. World output is
    independent of the scenario's bloc: ore in ``row_other_mining.csv`` counts whoever it is sold to.
    """
    china_production = _china_production(data)
    other_mining = _other_mining(data)
    output = _row_output(model, structure)
    rows = []
    groups = {"all": structure.elements, "restricted": structure.restricted}
    for t in structure.years:
        for s in structure.stages:
            cells = {}
            for e in structure.elements:
                req = _value(model.requirement[e, s, t])
                cells[e] = (req, _value(model.china[e, s, t]), _value(model.shortfall[e, s, t]))
            for e in structure.elements:
                req, china, short = cells[e]
                if req <= 0:
                    continue
                rows.append(
                    {
                        "year": t,
                        "element": e,
                        "stage": s,
                        "dependence": china / req,
                        "unmet": short / req,
                        "china_world_share": _share(china_production.get((s, e, t)), output.get((e, s, t), 0.0), 0.0),
                    }
                )
            for group, members in groups.items():
                req = sum(cells[e][0] for e in members)
                if req <= 0:
                    continue
                china_prod = china_production.get((s, "ALL", t)) if group == "all" else _sum_elements(china_production, s, members, t)
                row_out = sum(output.get((e, s, t), 0.0) for e in members)
                extra = 0.0
                if s == structure.stages[0] and group == "all":
                    row_out = _mined_ore(model, structure, t)
                    extra = other_mining.get(t, 0.0)
                rows.append(
                    {
                        "year": t,
                        "element": group,
                        "stage": s,
                        "dependence": sum(cells[e][1] for e in members) / req,
                        "unmet": sum(cells[e][2] for e in members) / req,
                        "china_world_share": _share(china_prod, row_out, extra),
                    }
                )
    return _sorted(pd.DataFrame(rows, columns=DEPENDENCE_COLUMNS), structure)


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
    """All three tables from the loaded solution."""
    return ResultTables(
        builds=extract_builds(model, structure, capex_multiplier, lead_shift),
        dependence=extract_dependence(model, structure, data),
        flows=extract_flows(model, structure),
    )


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
            if produced > comp.capacity_kt * available + TOLERANCE_KT:
                problems.append(
                    f"{c} produced {produced * TONNES_PER_KT:.3f} t in {t} with {available:.4f} units online"
                )
    problems += _balance_problems(model, structure)
    dep = tables.dependence
    for column in ("dependence", "unmet"):
        outside = dep[(dep[column] < -1e-6) | (dep[column] > 1 + 1e-6)]
        if len(outside):
            first = outside.iloc[0]
            problems.append(
                f"{column} outside 0-1: {first[column]:.6f} for {first['element']} at {first['stage']} in {first['year']}"
            )
    return problems


def _budget_problems(model: pyo.ConcreteModel, structure: ModelStructure) -> list[str]:
    """Budget, yearly cap and offered starts (skipped where a portfolio is evaluated with builds fixed)."""
    problems: list[str] = []
    budget = _value(model.budget)
    spent = sum(_value(model.capex_total[p, tau]) * _value(model.build[p, tau]) for p, tau in model.BUILD)
    if spent > budget * (1 + 1e-6) + 1e-6:
        problems.append(f"budget exceeded: {spent:.6f} $B spent against {budget:.6f} $B")
    cap = _value(model.yearly_cap_fraction) * budget
    for y in structure.years:
        drawn = sum(
            _value(model.capex_draw[p, tau, y]) * _value(model.build[p, tau]) for p, tau in model.BUILD if tau <= y
        )
        if drawn > cap * (1 + 1e-6) + 1e-6:
            problems.append(f"yearly cap exceeded in {y}: {drawn:.6f} $B against {cap:.6f} $B")
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
                supply += _value(model.short[e, s, t])
                if s in model.IMPORT_STAGES:
                    supply += _value(model.imp[e, s, t])
                use = _value(model.demand[e, s, t]) + _value(model.feed[e, stages[i + 1], t]) + _value(model.surplus[e, s, t])
                if abs(supply - use) > TOLERANCE_KT + 1e-7 * max(abs(supply), abs(use)):
                    problems.append(f"balance of {e} at {s} in {t} does not close: {supply:.6f} ≠ {use:.6f} kt")
        for m in structure.magnet_types:
            made = sum(_value(model.mag[c, mt, t]) for c, mt in model.MAGNET_OUTPUT if mt == m)
            supply = made + _value(model.impmag[m, t]) + _value(model.short_mag[m, t])
            use = _value(model.magnet_demand[m, t]) + _value(model.surplus_mag[m, t])
            if abs(supply - use) > TOLERANCE_KT + 1e-7 * max(abs(supply), abs(use)):
                problems.append(f"magnet balance of {m} in {t} does not close: {supply:.6f} ≠ {use:.6f} kt")
    return problems[:20]
