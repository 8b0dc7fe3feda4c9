"""From validated tables and a scenario to the numbers the model is built from.

All data wrangling happens here, so that constraint code reads like the algebra. Two parts:

* :class:`ModelStructure`: sets and fixed data. It changes only with the inputs or with the structural
  scenario settings (horizon, partner countries, objective, integer builds); a change means a rebuild.
* :func:`mutable_values`: every value a sweep may vary without rebuilding (budget, yearly cap, capex
  multiplier and discounting, lead-time shift, demand level and growth, weights, ``K``, export caps),
  keyed by the name of the mutable Pyomo parameter that holds it.

Units inside the solver (MODEL.md, "Units"): flows in kt REO-eq, money in US$ billion, the objective in
percentage points. Inputs are t and US$ million; conversion happens only here and in ``results``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..inputs.data import InputData
from ..inputs.schema import BUILT_STATUSES, STAGES
from ..scenario import Scenario
from .cofinance_data import public_capex_share
from .project_risk_data import capacity_factors

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

TONNES_PER_KT = 1000.0
MUSD_PER_BUSD = 1000.0
PERCENT = 100.0
PROCESSING_STAGES = STAGES[1:3]
"""Stages whose plants output per element from feed (separation, metal); the magnet stage works by type."""


@dataclass(frozen=True)
class Component:
    """One stage of one project: capacity in kt per year of its stage's output (ore for mines)."""

    id: str
    project: str
    stage: str
    role: str
    capacity_kt: float
    scope: tuple[str, ...]
    grades: dict[str, float]


@dataclass(frozen=True)
class Project:
    """One build decision (or one existing asset) and its timing and cost data."""

    id: str
    name: str
    country: str
    status: str
    stages: tuple[str, ...]
    capex_busd: float
    lead_time_years: int
    earliest_start: int | None
    online_year: int | None
    max_units: int
    build_years: int | None
    ramp: tuple[float, ...]

    @property
    def buildable(self) -> bool:
        return self.status in BUILT_STATUSES


@dataclass
class ModelStructure:
    """Sets and fixed data of one built model."""

    years: list[int]
    elements: list[str]
    restricted: list[str]
    stages: list[str]
    magnet_types: list[str]
    recipe: dict[tuple[str, str], float]
    stage_yield: dict[str, float]
    phi: dict[tuple[str, str], float]
    china_mined_share: float
    projects: dict[str, Project]
    components: dict[str, Component]
    start_years: dict[str, list[int]]
    existing: dict[tuple[str, int], float]
    objective: str
    integer_builds: bool
    first_decision_year: int
    excluded_projects: dict[str, str] = field(default_factory=dict)
    history_output: dict[tuple[str, int], float] = field(default_factory=dict)
    """(component, year) → published actual output in kt, replacing capacity × availability in that year."""
    partners: frozenset[str] = frozenset()
    """The bloc: countries whose projects may be funded and whose supply is not dependence."""
    supplier_weight: dict[str, float] = field(default_factory=dict)
    """component → risk weight, for the components of existing projects outside the bloc: their output counts
    in dependence at this weight (China's imports at 1)."""
    instruments: dict[str, object] = field(default_factory=dict)
    """Prepared data of each instrument the scenario turns on (issue 13), by instrument name; an instrument
    absent here adds nothing to the model. Filled by :func:`optimiser.model.instrument_data.prepare_instruments`."""

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    @property
    def history_years(self) -> list[int]:
        """Planning years before the first decision year: only projects that are data run in them."""
        return [t for t in self.years if t < self.first_decision_year]

    @property
    def buildable_projects(self) -> list[str]:
        return [p for p, project in self.projects.items() if project.buildable]

    def components_at(self, stage: str, roles: tuple[str, ...] | None = None) -> list[str]:
        return [
            c for c, comp in self.components.items() if comp.stage == stage and (roles is None or comp.role in roles)
        ]

    def build_pairs(self) -> list[tuple[str, int]]:
        """Every (project, start year) a build variable exists for."""
        return [(p, tau) for p in self.buildable_projects for tau in self.start_years[p]]


def _ramp(text: object) -> tuple[float, ...]:
    if text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == "":
        return ()
    return tuple(float(part) for part in str(text).split(";") if part.strip())


def _optional_int(value: object) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def ramp_factor(ramp: tuple[float, ...], years_since_online: int) -> float:
    """Fraction of capacity available ``years_since_online`` years after first output (0 before it)."""
    if years_since_online < 0:
        return 0.0
    if years_since_online < len(ramp):
        return ramp[years_since_online]
    return 1.0


def yield_chain(stages: list[str], stage_yield: dict[str, float]) -> dict[tuple[str, str], float]:
    """φ[s, s'] = Π_{k=s+1..s'} 1/yield[k]: tonnes needed at stage s per tonne delivered at stage s' ≥ s."""
    phi: dict[tuple[str, str], float] = {}
    for i, upstream in enumerate(stages):
        factor = 1.0
        phi[upstream, upstream] = 1.0
        for downstream in stages[i + 1 :]:
            factor /= stage_yield[downstream]
            phi[upstream, downstream] = factor
    return phi


RECIPE_OVERRIDES: dict[str, str] = {"Dy": "magnet_dy_share", "Tb": "magnet_tb_share"}
"""Elements whose share of a magnet's rare-earth content a scenario may set, and the setting that does."""


def magnet_recipe(data: InputData, scenario: Scenario) -> dict[tuple[str, str], float]:
    """(magnet type, element) → share of the magnet's rare-earth content, with the scenario's Dy and Tb shares.

    In every magnet type whose recipe has the element, the element takes the scenario's share and the type's
    other elements share the rest in their recipe proportions, so each recipe still sums to 1 (Dy-lean magnets
    from grain-boundary diffusion, or Dy-rich ones for high-temperature motors, are more or less NdPr).
    """
    recipe = {(row.magnet_type, row.element): float(row.share) for row in data.magnet_recipes.itertuples(index=False)}
    overrides = {e: getattr(scenario, key) for e, key in RECIPE_OVERRIDES.items() if getattr(scenario, key) is not None}
    if not overrides:
        return recipe
    for magnet_type in dict.fromkeys(m for m, _ in recipe):
        shares = {e: share for (m, e), share in recipe.items() if m == magnet_type}
        fixed = {e: overrides[e] for e in shares if e in overrides}
        if not fixed:
            continue
        rest_before = sum(share for e, share in shares.items() if e not in fixed)
        rest_after = 1.0 - sum(fixed.values())
        for e, share in shares.items():
            if e in fixed:
                recipe[magnet_type, e] = fixed[e]
            elif rest_before > 0:
                recipe[magnet_type, e] = share * rest_after / rest_before
    return recipe


def build_structure(data: InputData, scenario: Scenario) -> ModelStructure:
    """Sets and fixed data for ``scenario`` (structural settings only) on ``data``."""
    first, last = scenario.horizon(data)
    years = list(range(first, last + 1))
    elements = data.element_names
    stages_table = data.stages.sort_values("order")
    stages = list(stages_table["stage"])
    stage_yield = dict(zip(stages_table["stage"], stages_table["yield"].astype(float)))
    recipe = magnet_recipe(data, scenario)

    partners = scenario.bloc(data)
    grades: dict[tuple[str, int], dict[str, float]] = {}
    for row in data.grades.itertuples(index=False):
        grades.setdefault((row.project, int(row.component)), {})[row.element] = float(row.grade)

    projects: dict[str, Project] = {}
    components: dict[str, Component] = {}
    excluded: dict[str, str] = {}
    for project_id, rows in data.projects.groupby("project", sort=False):
        rows = rows.sort_values("component")
        head = rows.iloc[0]
        if not bool(head["include"]):
            excluded[project_id] = "include = false in projects.csv"
            continue
        if str(head["status"]) == "generic" and set(rows["role"]) == {"recycling"} and not scenario.recycling_scrap_limit:
            excluded[project_id] = "a generic recycling module is built only under recycling_scrap_limit = true "
            "(without the scrap limit its feed would be unlimited)"
            continue
        if head["country"] not in partners and str(head["status"]) in BUILT_STATUSES:
            excluded[project_id] = (
                f"{head['country']} is not a partner country in this scenario (only partners' projects are funded)"
            )
            continue
        lead = _optional_int(head["lead_time_years"]) or 0
        delay = scenario.equipment_delay
        if delay is not None and str(head["status"]) in BUILT_STATUSES and delay.applies_to(project_id, rows["stage"]):
            lead += delay.years
        project = Project(
            id=project_id,
            name=str(head["name"]),
            country=str(head["country"]),
            status=str(head["status"]),
            stages=tuple(rows["stage"]),
            capex_busd=float(0.0 if _missing(head["capex_musd"]) else head["capex_musd"]) / MUSD_PER_BUSD,
            lead_time_years=lead,
            earliest_start=_optional_int(head["earliest_start"]),
            online_year=_optional_int(head["online_year"]),
            max_units=int(head["max_units"]),
            build_years=_optional_int(head["build_years"]),
            ramp=_ramp(head["ramp"]),
        )
        projects[project_id] = project
        for row in rows.itertuples(index=False):
            component_id = f"{project_id}/{int(row.component)}"
            scope = tuple(str(row.scope).split()) if not _missing(row.scope) else ()
            components[component_id] = Component(
                id=component_id,
                project=project_id,
                stage=str(row.stage),
                role=str(row.role),
                capacity_kt=float(row.capacity) / TONNES_PER_KT,
                scope=scope,
                grades=grades.get((project_id, int(row.component)), {}),
            )
    for project_id, why in excluded.items():
        logger.info("project %s left out: %s", project_id, why)

    decision_start = scenario.decision_start(data)
    start_years: dict[str, list[int]] = {}
    existing: dict[tuple[str, int], float] = {}
    for project in projects.values():
        if project.buildable:
            earliest = max(decision_start, project.earliest_start or decision_start)
            start_years[project.id] = list(range(earliest, last + 1))
        else:
            online = project.online_year if project.online_year is not None else first
            for t in years:
                existing[project.id, t] = ramp_factor(project.ramp, t - online)

    history_output = {
        (f"{row.project}/{int(row.component)}", int(row.year)): float(row.output_t) / TONNES_PER_KT
        for row in data.history_output.itertuples(index=False)
        if f"{row.project}/{int(row.component)}" in components and first <= int(row.year) <= last
    }

    supplier_weight = {
        c: scenario.risk_weight(data, projects[comp.project].country)
        for c, comp in components.items()
        if projects[comp.project].country not in partners
    }
    structure = ModelStructure(
        years=years,
        elements=elements,
        restricted=data.restricted_elements,
        stages=stages,
        magnet_types=data.magnet_types,
        recipe=recipe,
        stage_yield=stage_yield,
        phi=yield_chain(stages, stage_yield),
        china_mined_share=float(data.parameters["china_mined_share"]),
        projects=projects,
        components=components,
        start_years=start_years,
        existing=existing,
        objective=scenario.objective,
        integer_builds=scenario.integer_builds,
        first_decision_year=decision_start,
        excluded_projects=excluded,
        history_output=history_output,
        partners=partners,
        supplier_weight=supplier_weight,
    )
    from .instrument_data import prepare_instruments

    structure.instruments = prepare_instruments(data, scenario, structure)
    return structure


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value)


def shifted_lead(project: Project, lead_shift: int) -> int:
    """Years from decision to first output with ``lead_shift`` years added (never negative)."""
    return max(0, project.lead_time_years + lead_shift)


def effective_lead(project: Project, scenario: Scenario) -> int:
    """Years from decision to first output under the scenario's lead-time shift (never negative)."""
    return shifted_lead(project, scenario.lead_time_shift_years)


def online_year(project: Project, start_year: int, lead_shift: int) -> int:
    """The first year a unit started in ``start_year`` produces, under a lead-time shift of ``lead_shift``."""
    return int(start_year + shifted_lead(project, lead_shift))


def construction_span(start: int, lead: int, build_years: int | None = None) -> list[int]:
    """Years over which a unit started in ``start`` with ``lead`` years to output draws its capex.

    The last ``build_years`` years before output, ``build_years`` defaulting to ``min(lead, 3)`` (MODEL.md
    constraint 7); the years before are permitting. With no lead time the whole capex falls in the start year.
    """
    if lead <= 0:
        return [start]
    span = min(build_years or min(lead, 3), lead)
    online = start + lead
    return list(range(online - span, online))


def construction_years(project: Project, start: int, scenario: Scenario) -> list[int]:
    """Years over which a unit of ``project`` started in ``start`` draws its capex under ``scenario``."""
    return construction_span(start, effective_lead(project, scenario), project.build_years)


def demand_tables(
    data: InputData, scenario: Scenario, structure: ModelStructure
) -> tuple[dict[tuple[str, str, int], float], dict[tuple[str, int], float]]:
    """ROW final demand in kt: per (element, stage, year) before magnets and per (magnet type, year).

    The rows of the scenario's demand case (``demand_case``, else the data's first), scaled by the demand
    multiplier, the ROW-share override (relative to the share the tables were
    derived with) and the extra growth ``(1 + g)^(t - first planning year)``.
    """
    scale = scenario.demand_multiplier
    if scenario.row_demand_share is not None:
        scale *= scenario.row_demand_share / float(data.parameters["row_demand_share"])
    first = structure.first_year

    def factor(year: int) -> float:
        return scale * (1.0 + scenario.demand_growth_shift) ** (year - first)

    factors = {year: factor(year) for year in structure.years}
    case = scenario.demand_case_in(data)
    demand = _scaled_demand(data.demand, ("element", "stage"), case, factors)
    magnet = _scaled_demand(data.magnet_demand, ("magnet_type",), case, factors)
    return demand, magnet


def _scaled_demand(frame: pd.DataFrame, keys: tuple[str, ...], case: str, factors: dict[int, float]) -> dict[tuple, float]:
    """``{(*keys, year): demand_t / 1000 · factors[year]}`` over the rows of ``case`` in the years of
    ``factors``: column operations, not a loop over rows (a sweep computes this for every scenario)."""
    years = frame["year"].to_numpy(dtype=np.int64)
    chosen = (frame["case"].to_numpy(dtype=object) == case) & np.isin(years, list(factors))
    years = years[chosen]
    amounts = frame["demand_t"].to_numpy(dtype=float)[chosen] / TONNES_PER_KT
    scale = np.array([factors[year] for year in years.tolist()], dtype=float)
    columns = [frame[key].to_numpy(dtype=object)[chosen].tolist() for key in keys]
    return dict(zip(zip(*columns, years.tolist()), (amounts * scale).tolist()))


def element_stage_demand(
    structure: ModelStructure,
    demand: dict[tuple[str, str, int], float],
    magnet_demand: dict[tuple[str, int], float],
) -> dict[tuple[str, str, int], float]:
    """demand[e, s, t] for every stage, the magnet stage's through the recipes."""
    full: dict[tuple[str, str, int], float] = {}
    for e in structure.elements:
        for t in structure.years:
            for s in structure.stages[:-1]:
                full[e, s, t] = demand.get((e, s, t), 0.0)
            full[e, "magnet", t] = sum(
                structure.recipe.get((m, e), 0.0) * magnet_demand.get((m, t), 0.0) for m in structure.magnet_types
            )
    return full


def requirement(
    structure: ModelStructure, demand_by_stage: dict[tuple[str, str, int], float]
) -> dict[tuple[str, str, int], float]:
    """req[e, s, t] = Σ_{s' ≥ s} demand[e, s', t] · φ[s, s']: material needed at stage s for all demand."""
    stages = structure.stages
    req: dict[tuple[str, str, int], float] = {}
    for e in structure.elements:
        for t in structure.years:
            for i, s in enumerate(stages):
                req[e, s, t] = sum(demand_by_stage[e, d, t] * structure.phi[s, d] for d in stages[i:])
    return req


def cell_weights(data: InputData, scenario: Scenario, structure: ModelStructure) -> dict[tuple[str, str], float]:
    """w[e, s] = element weight × stage weight, with the scenario's overrides."""
    element_weight = dict(zip(data.elements["element"], data.elements["weight"].astype(float)))
    element_weight.update(scenario.element_weights)
    stage_weight = dict(zip(data.stages["stage"], data.stages["weight"].astype(float)))
    stage_weight.update(scenario.stage_weights)
    return {(e, s): element_weight[e] * stage_weight[s] for e in structure.elements for s in structure.stages}


def objective_cells(structure: ModelStructure, objective: str) -> set[tuple[str, int]]:
    """The (element, year) pairs a named objective averages over."""
    elements = structure.restricted if objective == "restricted" else structure.elements
    years = [structure.last_year] if objective == "final_year" else structure.years
    return {(e, t) for e in elements for t in years}


def unmet_weight_warnings(data: InputData, scenario: Scenario, structure: ModelStructure) -> list[str]:
    """MODEL.md's condition for an unmet tonne to cost more than an imported one, checked per stage.

    ``K · w[s] > china_mined_share · w[mining] + Σ_{separation ≤ s' ≤ s} w[s']``; the element weight
    multiplies both sides, so stage weights decide. Stages past mining with demand are checked.
    """
    stage_weight = dict(zip(data.stages["stage"], data.stages["weight"].astype(float)))
    stage_weight.update(scenario.stage_weights)
    stages = structure.stages
    warnings: list[str] = []
    for i, s in enumerate(stages[1:], start=1):
        bound = structure.china_mined_share * stage_weight[stages[0]] + sum(stage_weight[k] for k in stages[1 : i + 1])
        if scenario.unmet_weight * stage_weight[s] <= bound:
            warnings.append(
                f"unmet_weight K = {scenario.unmet_weight:g} with stage weight {stage_weight[s]:g} at {s}: "
                f"K·w = {scenario.unmet_weight * stage_weight[s]:.3g} ≤ {bound:.3g}, so leaving {s} demand unmet "
                "can score better than importing it"
            )
    return warnings


def objective_weight_warnings(data: InputData, scenario: Scenario, structure: ModelStructure) -> list[str]:
    """Warn when the objective weighs no cell: every cell it averages over with a requirement has weight 0.

    Validation refuses all-zero element or stage weights; this catches weights that are positive only where
    nothing is required (an element's weight only at a stage it never passes, elements without demand). The
    normalisation then has nothing to divide by, every plan scores 0, and the plan is only the cheapest.
    """
    demand, magnet_demand = demand_tables(data, scenario, structure)
    req = requirement(structure, element_stage_demand(structure, demand, magnet_demand))
    weights = cell_weights(data, scenario, structure)
    cells = objective_cells(structure, structure.objective)
    if any(weights[e, s] > 0 and req[e, s, t] > 0 for (e, t) in cells for s in structure.stages):
        return []
    weighted = [f"{e} at {s}" for e in structure.elements for s in structure.stages if weights[e, s] > 0]
    shown = ", ".join(weighted[:6]) + (f" and {len(weighted) - 6} more" if len(weighted) > 6 else "")
    return [
        f"the '{structure.objective}' objective weighs no cell: the cells with a positive weight ({shown or 'none'}; "
        "element_weights × stage_weights) have no requirement in the years it averages over, so every plan scores 0 "
        "and this plan is merely the cheapest; give a weight to an element at a stage it is required at"
    ]


def dependence_coefficients(
    structure: ModelStructure, weights: dict[tuple[str, str], float], req: dict, objective: str
) -> dict[tuple[str, str, int], float]:
    """Each cell's objective coefficient under the named ``objective``: w / Σw / req in points, 0 where the
    objective does not weigh the cell or nothing is required (for ``peak``, normalised per year)."""
    cells = objective_cells(structure, objective)
    dependence_coefficient: dict[tuple[str, str, int], float] = {}
    if objective == "peak":
        for t in structure.years:
            total = sum(weights[e, s] for e in structure.elements for s in structure.stages if req[e, s, t] > 0)
            for e in structure.elements:
                for s in structure.stages:
                    defined = req[e, s, t] > 0 and total > 0
                    dependence_coefficient[e, s, t] = PERCENT * weights[e, s] / total / req[e, s, t] if defined else 0.0
    else:
        total = sum(
            weights[e, s] for (e, t) in cells for s in structure.stages if req[e, s, t] > 0
        )
        for e in structure.elements:
            for s in structure.stages:
                for t in structure.years:
                    defined = (e, t) in cells and req[e, s, t] > 0 and total > 0
                    dependence_coefficient[e, s, t] = PERCENT * weights[e, s] / total / req[e, s, t] if defined else 0.0
    return dependence_coefficient


def mutable_values(data: InputData, scenario: Scenario, structure: ModelStructure) -> dict[str, dict]:
    """Every mutable parameter's values for ``scenario``, keyed by parameter name then index.

    The keys are the names of the mutable ``Param`` components in the built model; ``build_model`` and a
    sweep's re-solve both set them from this one function, so a re-solved model and a fresh one agree.
    """
    values: dict[str, dict] = {}
    values["budget"] = {None: scenario.budget_busd}
    values["yearly_cap_fraction"] = {None: scenario.yearly_cap_fraction}
    values["unmet_weight"] = {None: scenario.unmet_weight}

    online_coefficient: dict[tuple[str, int, int], float] = {}
    build_upper: dict[tuple[str, int], float] = {}
    capex_total: dict[tuple[str, int], float] = {}
    capex_draw: dict[tuple[str, int, int], float] = {}
    first = structure.first_year
    success = capacity_factors(scenario, structure)
    for p, tau in structure.build_pairs():
        project = structure.projects[p]
        lead = effective_lead(project, scenario)
        public = public_capex_share(structure, p)
        offered = tau + lead <= structure.last_year and public > 0
        build_upper[p, tau] = float(project.max_units) if offered else 0.0
        for t in structure.years:
            if t >= tau:
                online_coefficient[p, tau, t] = success.get(p, 1.0) * ramp_factor(project.ramp, t - tau - lead)
        draw_years = construction_years(project, tau, scenario)
        per_year = project.capex_busd * scenario.capex_multiplier * public / len(draw_years)
        total = 0.0
        for y in structure.years:
            if y < tau:
                continue
            amount = per_year / (1.0 + scenario.discount_rate) ** (y - first) if y in draw_years else 0.0
            capex_draw[p, tau, y] = amount
            total += amount
        capex_total[p, tau] = total
    values["online_coefficient"] = online_coefficient
    values["build_upper"] = build_upper
    values["capex_total"] = capex_total
    values["capex_draw"] = capex_draw

    demand, magnet_demand = demand_tables(data, scenario, structure)
    by_stage = element_stage_demand(structure, demand, magnet_demand)
    req = requirement(structure, by_stage)
    values["demand"] = {(e, s, t): by_stage[e, s, t] for e in structure.elements for s in structure.stages[:-1] for t in structure.years}
    values["magnet_demand"] = {(m, t): magnet_demand.get((m, t), 0.0) for m in structure.magnet_types for t in structure.years}
    values["requirement"] = req

    weights = cell_weights(data, scenario, structure)
    values["dependence_coefficient"] = dependence_coefficients(structure, weights, req, structure.objective)
    values["weighted_coefficient"] = dependence_coefficients(structure, weights, req, "weighted")

    cap: dict[tuple[str, int], float] = {(e, t): 1.0 for e in structure.elements for t in structure.years}
    for control in scenario.export_controls:
        for e in control.elements:
            for t in range(control.start_year, control.end_year + 1):
                if (e, t) in cap:
                    cap[e, t] = min(cap[e, t], control.fraction)
    values["export_cap_fraction"] = cap
    return values
