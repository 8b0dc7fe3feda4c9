"""What a run report shows, as tidy tables computed from a stored result directory (and its inputs).

Figures only draw: every number they show comes from a function here, so the PNG and the interactive chart
of one figure cannot disagree, and each derivation (capex spread, binding stage) is tested once. The
definitions are in ``docs/reports.md``.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..inputs.data import InputData
from ..inputs.schema import TABLES
from ..model.parameters import ModelStructure, build_structure, construction_span, construction_years
from ..portfolios.result_dir import read_result
from ..result_format import DEPENDENCE_GROUPS
from ..scenario import Scenario
from ..store import read_result_csv

logger = logging.getLogger(__name__)

PLAN = "plan"
BASELINE = "baseline"
SELF_SUFFICIENT = "self-sufficient"
"""Binding-stage value where ROW imports nothing of the element and nothing is unmet."""

RELATIVE_TOLERANCE = 1e-3
"""A flow counts (imports, shortfall, surplus) above this share of the stage's total supply of the element."""
ABSOLUTE_TOLERANCE_T = 1e-3
"""... and above this many tonnes: solver round-off is not a decision."""

STATUS_WORDS: dict[str, str] = {
    "optimal": "Optimal: the solver proved this plan the best under the scenario.",
    "time_limit": "No plan: the solver reached its time limit before it found and proved an optimal plan.",
    "infeasible": "No plan: no plan satisfies every constraint of this scenario.",
    "error": "No plan: the solve failed, or its result broke an invariant check (a bug).",
}
"""Each status of ``optimiser.solve.STATUSES`` in words, for the report's headline (the solver's own message
is shown beside it)."""

DUAL_METHOD_WORDS: dict[str, str] = {
    "lp_dual": "from the LP duals of the budget and yearly caps",
    "finite_difference": "from re-solves at the budget ± US$1B (integer builds have no dual)",
    "right_slope": (
        "the right-hand slope from a re-solve at the budget + US$0.001B: what the next dollar buys "
        "(the LP dual is not unique at this budget)"
    ),
}
"""How the budget dual was obtained, in words."""


@dataclass
class SourceTable:
    """One input table's provenance: file, its sha256, row count, and each distinct source with the number of
    rows citing it and the first few of their keys (``sources`` columns: source, rows, cited_by)."""

    table: str
    filename: str
    sha256: str
    rows: int
    sources: pd.DataFrame


@dataclass
class RunReport:
    """A stored run result with what the report needs from its inputs.

    ``inputs`` is set only when the input tables given are the ones the result was solved on (same inputs
    sha256); otherwise ``inputs_note`` says why sources are not shown and capex is spread by the default
    construction years.
    """

    directory: Path
    summary: dict
    builds: pd.DataFrame | None
    dependence: pd.DataFrame | None
    baseline: pd.DataFrame | None
    flows: pd.DataFrame | None
    supply_by_country: pd.DataFrame | None = None
    inputs: InputData | None = None
    inputs_note: str | None = None
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    structure: ModelStructure | None = field(default=None, repr=False, compare=False)
    """The run's model structure when the caller already holds it (the workbench's built model), so that
    :func:`capex_spread` does not build it again."""

    @property
    def name(self) -> str:
        return str(self.summary.get("scenario", {}).get("name", self.directory.name))

    @property
    def status(self) -> str:
        return str(self.summary.get("status", "unknown"))

    @property
    def optimal(self) -> bool:
        return self.status == "optimal" and self.dependence is not None

    @property
    def incumbent(self) -> bool:
        """The plan is a MIP's best found when the time limit stopped it, not proven optimal."""
        return bool(self.summary.get("incumbent")) and self.dependence is not None

    @property
    def has_plan(self) -> bool:
        """Whether there is a plan to show: the optimum or a time-limited MIP's best plan."""
        return self.optimal or self.incumbent

    @property
    def status_words(self) -> str:
        if self.incumbent:
            gap = self.summary.get("mip_gap")
            within = "" if gap is None else (
                f" it is within {100 * gap:.3g} % of the best possible (the solver's bound "
                f"{self.summary.get('objective_bound'):.4f} points)."
            )
            return "Best plan found, not proven optimal: the solver reached its time limit first;" + (within or " no bound is known.")
        return STATUS_WORDS.get(self.status, f"No plan: the solve ended with status '{self.status}'.")

    @property
    def stages(self) -> list[str]:
        """Stages in chain order: from the inputs, else the order of the result tables' rows."""
        if self.inputs is not None:
            return list(self.inputs.stages.sort_values("order")["stage"])
        frame = self.any_dependence
        return [] if frame is None else list(dict.fromkeys(frame["stage"]))

    @property
    def elements(self) -> list[str]:
        """Elements in data order (aggregates ``all`` and ``restricted`` left out)."""
        if self.inputs is not None:
            return self.inputs.element_names
        frame = self.flows if self.flows is not None else self.any_dependence
        if frame is None:
            return []
        return [e for e in dict.fromkeys(frame["element"]) if e not in DEPENDENCE_GROUPS]

    @property
    def restricted(self) -> list[str] | None:
        """Export-controlled elements, known only from the inputs."""
        return None if self.inputs is None else self.inputs.restricted_elements

    @property
    def years(self) -> list[int]:
        horizon = self.summary.get("horizon")
        if horizon:
            return list(range(int(horizon[0]), int(horizon[1]) + 1))
        frame = self.any_dependence
        return [] if frame is None else sorted(int(y) for y in frame["year"].unique())

    @property
    def export_controls(self) -> list[dict]:
        return list(self.summary.get("scenario", {}).get("export_controls", []))

    @property
    def budget_musd(self) -> float | None:
        value = self.summary.get("budget_musd")
        return None if value is None else float(value)

    @property
    def yearly_cap_musd(self) -> float | None:
        fraction = self.summary.get("scenario", {}).get("yearly_cap_fraction")
        budget = self.budget_musd
        return None if fraction is None or budget is None else float(fraction) * budget

    @property
    def any_dependence(self) -> pd.DataFrame | None:
        """The plan's dependence table, else the baseline's (a result without a plan may still have it)."""
        return self.dependence if self.dependence is not None else self.baseline


def _per_report(compute: Callable) -> Callable:
    """Compute a table once per report: the PNG and the interactive chart of a figure share it (callers must
    not modify the returned table)."""

    @functools.wraps(compute)
    def cached(report: RunReport, *args: object):
        key = (compute.__name__, *args)
        if key not in report.memo:
            report.memo[key] = compute(report, *args)
        return report.memo[key]

    return cached


def load_run(directory: str | Path, inputs: InputData | None = None) -> RunReport:
    """Read a run result directory; ``inputs`` are used only if their sha256 is the one the run recorded.

    Any directory ``optimiser.store.write_result`` wrote qualifies (runs, and the evaluations and robust
    plans of the portfolio commands); InputError for one without summary.json or of another result format.
    """
    stored = read_result(directory)
    baseline_path = stored.directory / "baseline_dependence.csv"
    baseline = read_result_csv(baseline_path) if baseline_path.is_file() else None
    supply_path = stored.directory / "supply_by_country.csv"
    report = RunReport(
        directory=stored.directory,
        summary=stored.summary,
        builds=stored.builds,
        dependence=stored.dependence,
        baseline=baseline,
        flows=stored.flows,
        supply_by_country=read_result_csv(supply_path) if supply_path.is_file() else None,
    )
    recorded = str(stored.summary.get("inputs_sha256", ""))
    if inputs is None:
        report.inputs_note = (
            "No input tables were given, so the sources table is left out, restricted elements are not marked and "
            "capex is spread over the default construction years, min(lead time, 3)."
        )
    elif inputs.inputs_sha256 != recorded:
        report.inputs_note = (
            f"The input tables in {inputs.directory} (sha256 {inputs.inputs_sha256[:12]}) are not the ones this "
            f"result was solved on (sha256 {recorded[:12]}): the sources table is left out, restricted elements are "
            "not marked and capex is spread over the default construction years, min(lead time, 3)."
        )
        logger.warning("report for %s: %s", stored.directory, report.inputs_note)
    else:
        report.inputs = inputs
    return report


# Dependence ---------------------------------------------------------------------------------------------


@_per_report
def dependence_trajectories(report: RunReport, group: str) -> pd.DataFrame:
    """Dependence (%) of an aggregate (``all`` or ``restricted``) per year and stage, baseline and plan.

    Columns: year, stage, case (``baseline`` or ``plan``), percent. A case whose table is missing (no
    baseline solve, or no optimal plan) has no rows.
    """
    parts = []
    for case, frame in ((BASELINE, report.baseline), (PLAN, report.dependence)):
        if frame is None:
            continue
        rows = frame[frame["element"] == group]
        parts.append(
            pd.DataFrame(
                {"year": rows["year"].astype(int), "stage": rows["stage"], "case": case, "percent": 100 * rows["dependence"]}
            )
        )
    if not parts:
        return pd.DataFrame(columns=["year", "stage", "case", "percent"])
    return pd.concat(parts, ignore_index=True)


def dependence_groups(report: RunReport) -> list[str]:
    """The aggregates present in the result (``all``, and ``restricted`` when the data name any)."""
    frame = report.any_dependence
    if frame is None:
        return []
    present = set(frame["element"])
    return [g for g in DEPENDENCE_GROUPS if g in present]


@_per_report
def dependence_matrix(report: RunReport, stage: str) -> pd.DataFrame:
    """The plan's dependence (%) at ``stage``: one row per element (data order), one column per year.

    ``NaN`` where the element has no requirement at that stage in that year (dependence is undefined).
    """
    if report.dependence is None:
        return pd.DataFrame(index=report.elements, columns=report.years, dtype=float)
    rows = report.dependence[(report.dependence["stage"] == stage) & report.dependence["element"].isin(report.elements)]
    matrix = rows.pivot(index="element", columns="year", values="dependence") * 100
    return matrix.reindex(index=report.elements, columns=report.years).astype(float)


# Builds and capex ---------------------------------------------------------------------------------------


@_per_report
def build_timeline(report: RunReport) -> pd.DataFrame:
    """builds.csv with a unique row label and the project's name (from the inputs; else its id).

    Labels are the project id, with the start year added where a project starts in several years and the
    units where a generic module builds more (or a named project less) than one unit.
    """
    columns = ["label", "project", "name", "stage", "country", "start_year", "online_year", "share", "capex_musd"]
    if report.builds is None or report.builds.empty:
        return pd.DataFrame(columns=columns)
    builds = report.builds.copy()
    names = {}
    if report.inputs is not None:
        names = dict(zip(report.inputs.projects["project"], report.inputs.projects["name"]))
    repeated = builds["project"].duplicated(keep=False)
    labels = []
    for row, repeat in zip(builds.itertuples(index=False), repeated):
        label = str(row.project)
        if abs(float(row.share) - 1.0) > 1e-6:
            label += f" ×{float(row.share):.2f}"
        if repeat:
            label += f" ({int(row.start_year)})"
        labels.append(label)
    builds["label"] = labels
    builds["name"] = [names.get(p, p) for p in builds["project"]]
    return builds[columns].reset_index(drop=True)


def _scenario(report: RunReport) -> Scenario | None:
    settings = report.summary.get("scenario")
    if not isinstance(settings, dict):
        return None
    try:
        return Scenario.from_dict(settings, source=str(report.directory / "summary.json"))
    except InputError as error:
        logger.warning("scenario in %s cannot be read back (%s); capex uses default construction years", report.directory, error)
        return None


@_per_report
def capex_spread(report: RunReport) -> pd.DataFrame:
    """Each build's capex drawn evenly over its construction years (US$ million, undiscounted).

    Columns: project, start_year, stage, country, year, capex_musd, method. With the inputs it is the model's own
    ``construction_years`` (the project's ``build_years``, default ``min(lead, 3)``, under the scenario's
    lead-time shift); without them, ``min(online - start, 3)`` years before the online year.
    """
    columns = ["project", "start_year", "stage", "country", "year", "capex_musd", "method"]
    if report.builds is None or report.builds.empty:
        return pd.DataFrame(columns=columns)
    projects = {}
    scenario = _scenario(report) if report.inputs is not None else None
    if report.inputs is not None and scenario is not None:
        structure = report.structure if report.structure is not None else build_structure(report.inputs, scenario)
        projects = structure.projects
    rows = []
    for build in report.builds.itertuples(index=False):
        start, online = int(build.start_year), int(build.online_year)
        project = projects.get(build.project)
        if project is not None and scenario is not None:
            years, method = construction_years(project, start, scenario), "project data"
        else:
            years, method = construction_span(start, online - start), "default min(lead, 3)"
        for year in years:
            rows.append(
                {
                    "project": build.project,
                    "start_year": start,
                    "stage": build.stage,
                    "country": build.country,
                    "year": year,
                    "capex_musd": float(build.capex_musd) / len(years),
                    "method": method,
                }
            )
    return pd.DataFrame(rows, columns=columns)


@_per_report
def capex_by_year(report: RunReport) -> pd.DataFrame:
    """Capex drawn per year and build stage category (rows: years of the horizon; columns: categories)."""
    spread = capex_spread(report)
    if spread.empty:
        return pd.DataFrame(index=pd.Index(report.years, name="year"))
    table = spread.pivot_table(index="year", columns="stage", values="capex_musd", aggfunc="sum", fill_value=0.0)
    years = sorted(set(report.years) | set(table.index))
    return table.reindex(years, fill_value=0.0)


@_per_report
def capex_by_country(report: RunReport) -> pd.DataFrame:
    """Capex per country and build stage category, countries by total capex, largest first."""
    if report.builds is None or report.builds.empty:
        return pd.DataFrame()
    table = report.builds.pivot_table(index="country", columns="stage", values="capex_musd", aggfunc="sum", fill_value=0.0)
    return table.loc[table.sum(axis=1).sort_values(ascending=False).index]


# Binding stage and shortfall ----------------------------------------------------------------------------


def _significant(amount: float, scale: float) -> bool:
    return amount > ABSOLUTE_TOLERANCE_T and amount > RELATIVE_TOLERANCE * scale


@_per_report
def binding_stages(report: RunReport) -> pd.DataFrame:
    """The stage that limits ROW's own supply of each element in each year of the plan.

    Start at the most upstream stage where a supply gap opens (imports from China or unmet demand); walk
    upstream while the stage above left nothing over (no surplus): the binding stage is the first stage
    below the last one with material to spare, or the first stage (mining) if none had any. Columns:
    element, year, binding (a stage, ``self-sufficient``, or ``None`` where the element moves through no
    stage that year).
    """
    columns = ["element", "year", "binding"]
    if report.flows is None:
        return pd.DataFrame(columns=columns)
    stages = report.stages
    cells_by_key: dict[tuple[str, int], dict[str, dict[str, float]]] = {}
    for row in report.flows.itertuples(index=False):
        cells_by_key.setdefault((row.element, int(row.year)), {})[row.stage] = {
            "row_output": float(row.row_output),
            "china_imports": float(row.china_imports),
            "shortfall": float(row.shortfall),
            "surplus": float(row.surplus),
        }
    rows = []
    for element in report.elements:
        for year in report.years:
            cells = cells_by_key.get((element, year), {})
            rows.append({"element": element, "year": year, "binding": _binding(stages, cells) if cells else None})
    return pd.DataFrame(rows, columns=columns)


def _binding(stages: list[str], cells: dict[str, dict[str, float]]) -> str | None:
    """The binding stage of one element and year from its flows per stage (see :func:`binding_stages`)."""

    def total(stage: str) -> float:
        cell = cells.get(stage)
        if cell is None:
            return 0.0
        return cell["row_output"] + cell["china_imports"] + cell["shortfall"]

    if all(total(s) <= ABSOLUTE_TOLERANCE_T for s in stages):
        return None
    gap_at = None
    for i, stage in enumerate(stages):
        cell = cells.get(stage)
        if cell is not None and _significant(cell["china_imports"] + cell["shortfall"], total(stage)):
            gap_at = i
            break
    if gap_at is None:
        return SELF_SUFFICIENT
    above = gap_at - 1
    while above >= 0:
        cell = cells.get(stages[above])
        if cell is not None and _significant(cell["surplus"], cell["row_output"]):
            break
        above -= 1
    return stages[above + 1]


@_per_report
def shortfall(report: RunReport) -> pd.DataFrame:
    """Unmet demand where it is significant: year, element, stage, shortfall (t REO-eq)."""
    columns = ["year", "element", "stage", "shortfall"]
    if report.flows is None:
        return pd.DataFrame(columns=columns)
    flows = report.flows
    supply = flows["row_output"] + flows["china_imports"] + flows["shortfall"]
    keep = (flows["shortfall"] > ABSOLUTE_TOLERANCE_T) & (flows["shortfall"] > RELATIVE_TOLERANCE * supply)
    return flows.loc[keep, columns].reset_index(drop=True)


def history_span(report: RunReport) -> tuple[int, int] | None:
    """(first, last) of the history years (before the first decision year, run by projects that are data
    only), or ``None`` when the plan decides from its first year (or the run predates the field)."""
    years = [int(year) for year in report.summary.get("history_years") or []]
    return (min(years), max(years)) if years else None


def china_world_share_rows(report: RunReport) -> list[dict]:
    """China's share of world output for all elements, per stage and reported year, in %: without new builds
    and with the plan (summary.json ``china_world_share``)."""
    shares = report.summary.get("china_world_share") or {}
    years = [str(year) for year in shares.get("years", [])]
    plan, baseline = shares.get("plan", {}), shares.get("baseline", {})
    stages = list(dict.fromkeys(stage for year in years for stage in plan.get(year, {}).get("all", {})))

    def percent(table: dict, year: str, stage: str) -> float | None:
        value = table.get(year, {}).get("all", {}).get(stage)
        return None if value is None else 100 * value

    return [
        {
            "stage": stage,
            "baseline": [percent(baseline, year, stage) for year in years],
            "plan": [percent(plan, year, stage) for year in years],
        }
        for stage in stages
    ]


SUPPLIER_MINIMUM_SHARE = 0.01
"""Countries supplying less than this share of a stage's requirement at every stage are left out of the
report's supplier table (all of them stay in supply_by_country.csv)."""


def supplier_rows(report: RunReport, year: int | None = None) -> tuple[int | None, list[str], list[dict]]:
    """Who supplies each stage in ``year`` (default: the last year): (year, stages, one row per country with
    its share and risk-weighted share of each stage's requirement, in %), China first, then by total share."""
    table = report.supply_by_country
    if table is None or table.empty:
        return None, [], []
    year = int(table["year"].max()) if year is None else year
    part = table[table["year"] == year]
    stages = list(dict.fromkeys(part["stage"]))
    rows = []
    for country, group in part.groupby("country", sort=False):
        shares = dict(zip(group["stage"], group["share"].fillna(0.0)))
        weighted = dict(zip(group["stage"], group["weighted_share"].fillna(0.0)))
        if max(shares.values(), default=0.0) < SUPPLIER_MINIMUM_SHARE:
            continue
        rows.append({
            "country": country,
            "in_bloc": bool(group["in_bloc"].iloc[0]),
            "risk_weight": float(group["risk_weight"].iloc[0]),
            "share": [100 * shares.get(stage, 0.0) for stage in stages],
            "weighted": [100 * weighted.get(stage, 0.0) for stage in stages],
            "total": sum(shares.values()),
        })
    rows.sort(key=lambda row: (row["country"] != "China", -row["total"]))
    return year, stages, rows


def export_control_years(report: RunReport) -> list[tuple[int, int, str]]:
    """(first year, last year, description) of each export cap the scenario imposes."""
    spans = []
    for control in report.export_controls:
        elements = " ".join(control.get("elements", []))
        fraction = float(control.get("fraction", 0.0))
        spans.append(
            (int(control["start_year"]), int(control["end_year"]), f"China's content of {elements} capped at {fraction:.0%}")
        )
    return spans


# Headline and sources -----------------------------------------------------------------------------------


def headline_rows(report: RunReport) -> list[dict]:
    """Final-year dependence per aggregate and stage: baseline, plan and the change, in %."""
    headline = report.summary.get("headline") or {}
    baseline, plan = headline.get("baseline", {}), headline.get("plan", {})
    rows = []
    for group in DEPENDENCE_GROUPS:
        stages = list(dict.fromkeys(list(baseline.get(group, {})) + list(plan.get(group, {}))))
        for stage in stages:
            before = baseline.get(group, {}).get(stage)
            after = plan.get(group, {}).get(stage)
            rows.append(
                {
                    "group": group,
                    "stage": stage,
                    "baseline": None if before is None else 100 * before,
                    "plan": None if after is None else 100 * after,
                    "change": None if before is None or after is None else 100 * (after - before),
                }
            )
    return rows


SOURCE_TABLE_ORDER: tuple[str, ...] = (
    "projects", "demand", "magnet_demand", "china_production", "parameters", "row_other_mining",
    "grades", "magnet_recipes", "elements", "stages", "countries",
)
"""Sources table order: the tables a planner questions first come first."""


@_per_report
def source_tables(report: RunReport) -> list[SourceTable]:
    """Every input table's distinct sources with the rows citing each, from the inputs the run was solved on.

    ``parameters`` is read from its file (``InputData`` keeps it as a name → value mapping), after checking the
    file is still the one loaded.
    """
    data = report.inputs
    if data is None:
        return []
    tables = []
    for name in SOURCE_TABLE_ORDER:
        spec = TABLES[name]
        if name == "parameters":
            frame = _parameters_frame(data)
            if frame is None:
                continue
        else:
            frame = getattr(data, name)
        tables.append(
            SourceTable(
                table=name,
                filename=spec.filename,
                sha256=data.file_sha256.get(spec.filename, ""),
                rows=len(frame),
                sources=_sources(frame, spec.key[0]),
            )
        )
    return tables


def _sources(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Each distinct ``source`` of ``frame`` in order of first appearance (a missing one as '(no source)'),
    with the rows citing it and the first few of their ``key`` values. A plain loop: a pandas group-by with a
    function per group took 8 ms a table, 0.1 s of every report."""
    cited: dict[object, list] = {}
    for source, value in zip(frame["source"].tolist(), frame[key].tolist()):
        cited.setdefault("(no source)" if pd.isna(source) else source, []).append(value)
    return pd.DataFrame(
        {
            "source": list(cited),
            "rows": [len(values) for values in cited.values()],
            "cited_by": [_cited_by(list(dict.fromkeys(values))) for values in cited.values()],
        },
        columns=["source", "rows", "cited_by"],
    )


def _cited_by(keys: list, shown: int = 5) -> str:
    """The first few distinct keys of the rows citing a source: 'La, Ce, Pr, … (11)'."""
    text = ", ".join(str(k) for k in keys[:shown])
    return text if len(keys) <= shown else f"{text}, … ({len(keys)})"


def _parameters_frame(data: InputData) -> pd.DataFrame | None:
    path = Path(data.directory) / TABLES["parameters"].filename
    try:
        raw = path.read_bytes()
    except OSError as error:
        logger.warning("parameters sources not shown: %s", error)
        return None
    if hashlib.sha256(raw).hexdigest() != data.file_sha256.get(path.name):
        logger.warning("parameters sources not shown: %s changed since the inputs were loaded", path)
        return None
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    return pd.DataFrame(rows, columns=["name", "value", "unit", "source"])
