"""The tables a sweep report shows, read from a sweep's results directory (``optimiser sweep``'s output).

Which figures a sweep has follows from its kind and what it varied (docs/reports.md):

- the dependence-versus-budget frontier and its budget dual: a grid that varies ``budget_busd`` over at
  least :data:`FRONTIER_MIN_BUDGETS` values, one line per combination of the other grid axes;
- the tornado: a one-at-a-time sweep (``tornado.csv``); the Morris ranking: a Morris sweep (``morris.csv``);
- the fan chart of dependence over time and the distribution of the objective: Monte Carlo and Latin
  hypercube sweeps, over their optimal samples;
- the heatmap of the objective: a grid with two or more axes (the first two in the sweep file's order; a
  third and fourth axis make rows and columns of small panels).

Only optimal scenarios enter a figure; the page counts the others and lists them.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, InputIssue
from ..store import read_json_object
from ..sweep.store import DEPENDENCE, read_detail
from ..result_format import DEPENDENCE_GROUPS

logger = logging.getLogger(__name__)

FRONTIER_MIN_BUDGETS = 4
"""A frontier needs at least this many budgets; fewer are a comparison, shown by the heatmap instead."""

MAX_SERIES = 8
"""Frontier lines drawn at most (one per combination of the other grid axes); the rest are counted."""

MAX_PANELS = 12
"""Small heatmap panels at most (combinations of a grid's third and fourth axes)."""

SAMPLING_KINDS: tuple[str, ...] = ("monte_carlo", "latin_hypercube")

PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
"""The fan chart's bands: 5-95 % and 25-75 % of the samples, and the median."""

GROUPS: tuple[str, ...] = DEPENDENCE_GROUPS
"""The element aggregates the sweep's dependence detail carries beside each element."""

PARAMETER_LABELS: dict[str, str] = {
    "budget_busd": "Budget (US$ billion)",
    "yearly_cap_fraction": "Yearly capex cap (fraction of budget)",
    "lead_time_shift_years": "Lead-time shift (years)",
    "capex_multiplier": "Capex multiplier",
    "demand_multiplier": "Demand multiplier",
    "demand_growth_shift": "Demand growth shift (per year)",
    "row_demand_share": "ROW demand share",
    "unmet_weight": "Unmet-demand weight K",
    "discount_rate": "Discount rate (per year)",
    "export_control.fraction": "Export cap (fraction of ROW requirement)",
    "export_control.start_year": "Export cap: first year",
    "export_control.duration_years": "Export cap: duration (years)",
    "export_control.end_year": "Export cap: last year",
}
"""Readable axis labels, with units, for the parameters sweeps vary; others show their own name."""

SHORT_LABELS: dict[str, str] = {
    "budget_busd": "budget US$B",
    "yearly_cap_fraction": "yearly cap",
    "lead_time_shift_years": "lead shift",
    "capex_multiplier": "capex x",
    "demand_multiplier": "demand x",
    "demand_growth_shift": "growth shift",
    "unmet_weight": "K",
    "discount_rate": "discount",
    "export_control.fraction": "cap fraction",
    "export_control.start_year": "cap from",
    "export_control.duration_years": "cap years",
    "export_control.end_year": "cap until",
}
"""Compact names for small-panel titles, where the full label does not fit."""


def parameter_label(name: str) -> str:
    """A swept parameter's axis label (its name where no label is known)."""
    return PARAMETER_LABELS.get(name, name)


def value_text(value: object) -> str:
    """A parameter value as a short label: whole numbers without decimals, others to four significant digits."""
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return f"{number:.0f}" if number.is_integer() else f"{number:.4g}"
    return str(value)


@dataclass
class SweepReport:
    """A sweep's results directory read back: its specification, runs table and sensitivity table."""

    directory: Path
    record: dict
    runs: pd.DataFrame
    sensitivity: pd.DataFrame | None = None
    _dependence: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def spec(self) -> dict:
        return self.record.get("sweep", {})

    @property
    def name(self) -> str:
        return str(self.spec.get("name", self.directory.name))

    @property
    def kind(self) -> str:
        return str(self.spec.get("kind", ""))

    @property
    def description(self) -> str:
        return str(self.spec.get("description", ""))

    @property
    def optimal(self) -> pd.DataFrame:
        """The runs that ended optimal: the only ones any figure shows."""
        return self.runs[self.runs["status"] == "optimal"]

    @property
    def any_optimal(self) -> bool:
        return bool(len(self.optimal))

    @property
    def grid_axes(self) -> list[str]:
        """A grid sweep's axes in the sweep file's order, those with two or more values."""
        grid = self.spec.get("grid") or {}
        return [name for name, values in grid.items() if len(values) > 1] if self.kind == "grid" else []

    @property
    def swept_parameters(self) -> list[str]:
        """Every parameter the sweep varies, whatever its kind."""
        spec = self.spec
        names = list(spec.get("grid") or {}) + list(spec.get("ranges") or {}) + list(spec.get("distributions") or {})
        return list(dict.fromkeys(names))

    @property
    def status_counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.runs["status"].value_counts().items()}

    @property
    def not_optimal(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] != "optimal"]

    def dependence(self) -> pd.DataFrame:
        """The ``all`` and ``restricted`` dependence rows of every scenario (read once, on first use)."""
        if self._dependence is None:
            detail = read_detail(self.directory, DEPENDENCE)
            if len(detail):
                detail = detail.astype({"element": str, "stage": str})
                detail = detail[detail["element"].isin(GROUPS)]
            self._dependence = detail
        return self._dependence


def load_sweep(directory: str | Path) -> SweepReport:
    """Read ``sweep.json``, the runs table and the sensitivity table of a sweep's results directory.

    Raises InputError naming the file when the directory is not a finished sweep's.
    """
    from ..sweep.api import read_sensitivity

    directory = Path(directory)
    record_path = directory / "sweep.json"
    if not record_path.is_file():
        raise InputError(InputIssue(str(directory), "not a sweep results directory: sweep.json is missing"))
    record = read_json_object(record_path)
    runs = _read_runs(directory)
    kind = str(record.get("sweep", {}).get("kind", ""))
    return SweepReport(directory=directory, record=record, runs=runs, sensitivity=read_sensitivity(directory, kind))


def _read_runs(directory: Path) -> pd.DataFrame:
    parquet, csv = directory / "runs.parquet", directory / "runs.csv"
    try:
        if parquet.is_file():
            runs = pd.read_parquet(parquet)
        elif csv.is_file():
            runs = pd.read_csv(csv)
        else:
            raise InputError(
                InputIssue(str(directory), "has no runs table (runs.parquet or runs.csv): rerun the sweep to finish it")
            )
    except (OSError, ValueError) as error:
        raise InputError(InputIssue(str(parquet if parquet.is_file() else csv), f"cannot be read: {error}")) from None
    missing = [column for column in ("scenario_id", "status", "objective") if column not in runs.columns]
    if missing:
        raise InputError(InputIssue(str(parquet if parquet.is_file() else csv), f"lacks the columns {', '.join(missing)}"))
    return runs


# Frontier -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frontier:
    """Objective and budget dual against budget, one series per combination of the other grid axes."""

    points: pd.DataFrame
    """Columns ``series``, ``budget_busd``, ``objective``, ``budget_dual``, sorted by series then budget."""
    series: list[str]
    left_out: int
    """Combinations of the other axes beyond :data:`MAX_SERIES`, not drawn."""


def frontier(report: SweepReport) -> Frontier | None:
    """The dependence-versus-budget frontier, or None when the sweep does not vary the budget on a grid."""
    if "budget_busd" not in report.grid_axes:
        return None
    optimal = report.optimal
    if optimal["budget_busd"].nunique() < FRONTIER_MIN_BUDGETS:
        return None
    others = [name for name in report.grid_axes if name != "budget_busd"]
    points = optimal[["budget_busd", "objective", "budget_dual", *others]].copy()
    if others:
        points["series"] = [
            ", ".join(f"{parameter_label(name)} = {value_text(value)}" for name, value in zip(others, values))
            for values in points[others].itertuples(index=False, name=None)
        ]
        order = points.sort_values(others)["series"].drop_duplicates().tolist()
    else:
        points["series"] = "all scenarios"
        order = ["all scenarios"]
    shown = order[:MAX_SERIES]
    points = points[points["series"].isin(shown)]
    points["series"] = pd.Categorical(points["series"], categories=shown, ordered=True)
    points = points.sort_values(["series", "budget_busd"])[["series", "budget_busd", "objective", "budget_dual"]]
    points["series"] = points["series"].astype(str)
    return Frontier(points=points.reset_index(drop=True), series=shown, left_out=len(order) - len(shown))


# Tornado and Morris -------------------------------------------------------------------------------------------


def tornado(report: SweepReport) -> pd.DataFrame | None:
    """``tornado.csv`` with a label per parameter ("Budget (US$ billion): 13 to 18"), largest swing first."""
    table = report.sensitivity
    if report.kind != "one_at_a_time" or table is None:
        return None
    table = table.sort_values("swing", ascending=False).reset_index(drop=True)
    table["label"] = [
        f"{parameter_label(row.parameter)}: {value_text(row.low)} to {value_text(row.high)}"
        for row in table.itertuples(index=False)
    ]
    return table


def morris(report: SweepReport) -> pd.DataFrame | None:
    """``morris.csv`` with a label per parameter, ranked within each output."""
    table = report.sensitivity
    if report.kind != "morris" or table is None:
        return None
    outputs = [o for o in report.spec.get("outputs") or [] if o in set(table["output"])]
    outputs += [o for o in dict.fromkeys(table["output"]) if o not in outputs]
    table = table.assign(order=table["output"].map({o: i for i, o in enumerate(outputs)}))
    table = table.sort_values(["order", "rank"]).drop(columns="order").reset_index(drop=True)
    table["label"] = [parameter_label(name) for name in table["parameter"]]
    return table


# Monte Carlo --------------------------------------------------------------------------------------------------


def fan(report: SweepReport) -> pd.DataFrame | None:
    """Percentiles of dependence (%) over the optimal samples, per element group, stage and year.

    Columns ``group``, ``stage``, ``year``, ``samples`` and ``p5`` … ``p95`` (:data:`PERCENTILES`); None for
    a sweep that does not sample, or whose samples stored no dependence.
    """
    if report.kind not in SAMPLING_KINDS or not report.any_optimal:
        return None
    detail = report.dependence()
    if not len(detail):
        return None
    detail = detail[detail["scenario_id"].isin(report.optimal["scenario_id"])]
    grouped = detail.groupby(["element", "stage", "year"], sort=False)["dependence"]
    table = grouped.quantile([p / 100 for p in PERCENTILES]).unstack()
    table.columns = [f"p{p}" for p in PERCENTILES]
    table = table * 100
    table["samples"] = grouped.size()
    table = table.reset_index().rename(columns={"element": "group"})
    stages = list(dict.fromkeys(detail["stage"]))
    table["group"] = pd.Categorical(table["group"], categories=list(GROUPS), ordered=True)
    table["stage"] = pd.Categorical(table["stage"], categories=stages, ordered=True)
    table = table.sort_values(["group", "stage", "year"])
    table["group"] = table["group"].astype(str)
    table["stage"] = table["stage"].astype(str)
    return table.reset_index(drop=True)


def objective_distribution(report: SweepReport) -> pd.Series | None:
    """The objective of every optimal sample of a Monte Carlo or Latin hypercube sweep."""
    if report.kind not in SAMPLING_KINDS or not report.any_optimal:
        return None
    return report.optimal["objective"].astype(float).reset_index(drop=True)


def distribution_summary(report: SweepReport) -> list[dict]:
    """Mean and percentiles of the objective, the budget dual and the final-year dependence by stage."""
    if report.kind not in SAMPLING_KINDS or not report.any_optimal:
        return []
    optimal = report.optimal
    columns = [("objective", "Objective (points)", 1.0), ("budget_dual", "Budget dual (points per US$1B)", 1.0)]
    columns += [
        (column, f"Final-year dependence, {column.rsplit('_', 1)[1]} (%)", 100.0)
        for column in optimal.columns
        if column.startswith("dependence_all_final_")
    ]
    rows = []
    for column, label, scale in columns:
        values = optimal[column].astype(float).dropna() * scale
        if not len(values):
            continue
        rows.append(
            {"quantity": label, "mean": float(values.mean()), **{f"p{p}": float(np.percentile(values, p)) for p in PERCENTILES}}
        )
    return rows


# Heatmap ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heatmap:
    """The objective over a grid's first two axes; one panel per combination of its third and fourth."""

    x: str
    y: str
    x_values: list
    y_values: list
    panels: list[tuple[str, pd.DataFrame]]
    """(panel title, objective matrix indexed by y value with x-value columns; NaN where not optimal)."""
    panel_rows: int
    panel_columns: int
    facets: tuple[str, ...] = ()
    facet_values: tuple[tuple, ...] = ()
    """The third and fourth axes, and each panel's values of them (in panel order)."""

    def short_panels(self) -> list[tuple[str, pd.DataFrame]]:
        """The panels with compact titles ("cap years 2, budget US$B 13"), for small panels."""
        return [
            (", ".join(f"{SHORT_LABELS.get(name, name)} {value_text(value)}" for name, value in zip(self.facets, values)), matrix)
            for values, (_, matrix) in zip(self.facet_values, self.panels)
        ]


def heatmap(report: SweepReport) -> Heatmap | None:
    """The objective heatmap of a grid with two to four axes, or None (other kinds, or too many panels)."""
    axes = report.grid_axes
    if len(axes) < 2 or len(axes) > 4 or not report.any_optimal:
        return None
    grid = report.spec["grid"]
    x, y, facets = axes[0], axes[1], axes[2:]
    row_values = grid[facets[0]] if len(facets) >= 1 else [None]
    column_values = grid[facets[1]] if len(facets) == 2 else [None]
    if len(row_values) * len(column_values) > MAX_PANELS:
        return None
    runs = report.runs.copy()
    runs.loc[runs["status"] != "optimal", "objective"] = np.nan
    panels = []
    facet_values = []
    for row_value, column_value in itertools.product(row_values, column_values):
        facet_values.append(tuple(v for v in (row_value, column_value) if v is not None))
        selected = runs
        words = []
        for name, value in ((facets[0] if facets else None, row_value), (facets[1] if len(facets) == 2 else None, column_value)):
            if name is None:
                continue
            selected = selected[np.isclose(selected[name].astype(float), float(value))]
            words.append(f"{parameter_label(name)} = {value_text(value)}")
        matrix = selected.pivot_table(index=y, columns=x, values="objective", aggfunc="mean", dropna=False)
        matrix = matrix.reindex(index=grid[y], columns=grid[x])
        panels.append((", ".join(words), matrix))
    return Heatmap(
        x=x, y=y, x_values=list(grid[x]), y_values=list(grid[y]), panels=panels,
        panel_rows=len(row_values), panel_columns=len(column_values),
        facets=tuple(facets), facet_values=tuple(facet_values),
    )


# The page's tables --------------------------------------------------------------------------------------------


def parameter_rows(report: SweepReport) -> list[dict]:
    """What the sweep varied, one row per parameter: the grid's values, the one-at-a-time or Morris range,
    or the sampling distribution."""
    spec = report.spec
    rows = []
    for name, values in (spec.get("grid") or {}).items():
        shown = values if len(values) <= 8 else [values[0], values[1], "…", values[-1]]
        rows.append({"parameter": parameter_label(name), "how": f"grid, {len(values)} values", "levels": ", ".join(value_text(v) for v in shown)})
    for name, (low, high) in (spec.get("ranges") or {}).items():
        rows.append({"parameter": parameter_label(name), "how": "range", "levels": f"{value_text(low)} to {value_text(high)}"})
    for name, settings in (spec.get("distributions") or {}).items():
        words = ", ".join(f"{key} {value_text(value)}" for key, value in settings.items() if key != "distribution" and value is not None)
        rows.append({"parameter": parameter_label(name), "how": str(settings.get("distribution", "")), "levels": words})
    if spec.get("project_risk") == "draw":
        rows.append({"parameter": "Failed projects (failed_projects)", "how": "go/no-go per candidate",
                     "levels": "each named candidate fails with 1 − its probability of success (project_risk.csv); "
                     "the failed set of every sample is in the runs table"})
    return rows
