"""Compare two or more stored results side by side.

``comparison.csv`` is one long table, ``section, result, item, stage, year, metric, value``:

- ``summary``: status, objective, budget, budget used, budget dual per result;
- ``builds``: share, capex and online year of each project start, per result;
- ``differences``: per project, in how many portfolios it appears and whether they differ on it;
- ``capex_by_stage``, ``capex_by_country``: capex per stage (a project's stages joined with '+') and country;
- ``dependence``: final-year and chosen years' dependence by stage for all and the restricted elements.

``comparison.json`` beside it names the result directories compared (as given, and absolute) and the years,
so that the comparison report can read each result's full tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..result_format import DEPENDENCE_GROUPS
from .result_dir import StoredResult, read_results

COLUMNS = ["section", "result", "item", "stage", "year", "metric", "value"]
SUMMARY_METRICS = ("objective", "budget_musd", "budget_used_musd", "budget_dual")


@dataclass
class Comparison:
    """The comparison table and the results it came from."""

    results: list[StoredResult]
    table: pd.DataFrame
    years: list[int]

    def section(self, name: str) -> pd.DataFrame:
        return self.table[self.table["section"] == name].reset_index(drop=True)

    @property
    def names(self) -> list[str]:
        """The results' names in the table, in the order compared."""
        return _unique_names(self.results)

    def differing_projects(self) -> list[str]:
        rows = self.section("differences")
        return sorted(rows.loc[(rows["metric"] == "differs") & (rows["value"] == 1), "item"])


def _rows(section: str, result: str, item: str, stage: str, year, metric: str, value) -> dict:
    return {"section": section, "result": result, "item": item, "stage": stage, "year": year, "metric": metric, "value": value}


def _default_years(results: list[StoredResult]) -> list[int]:
    finals = [int(r.summary["horizon"][1]) for r in results if r.summary.get("horizon")]
    final = max(finals) if finals else 2045
    return sorted({y for y in (2030, 2035, final) if y <= final})


def check_result_count(results: list) -> None:
    """Refuse fewer than two results before any is read: a comparison needs something to compare with."""
    if len(results) < 2:
        raise UsageError(f"compare needs two or more result directories, got {len(results)}")


def _check_years(years: list[int], results: list[StoredResult]) -> None:
    """Refuse a year outside every result's horizon: it would silently compare no dependence at all."""
    horizons = [(int(r.summary["horizon"][0]), int(r.summary["horizon"][1])) for r in results if r.summary.get("horizon")]
    if not horizons:
        return
    first, last = min(h[0] for h in horizons), max(h[1] for h in horizons)
    outside = sorted({int(y) for y in years if not first <= y <= last})
    if outside:
        raise UsageError(f"--years {' '.join(map(str, outside))}: outside the results' horizon {first}-{last}")


def compare(results: list[str | Path | StoredResult], years: list[int] | None = None) -> Comparison:
    """Compare result directories (or already-read results) that share one input set."""
    check_result_count(results)
    stored = [r for r in results if isinstance(r, StoredResult)]
    paths = [r for r in results if not isinstance(r, StoredResult)]
    stored = stored + read_results(paths) if paths else read_results([r.directory for r in stored])
    if years:
        _check_years(years, stored)
    years = years or _default_years(stored)
    rows: list[dict] = []
    names = _unique_names(stored)
    for name, result in zip(names, stored):
        rows.append(_rows("summary", name, "", "", None, "status", result.summary.get("status")))
        for metric in SUMMARY_METRICS:
            rows.append(_rows("summary", name, "", "", None, metric, result.summary.get(metric)))
        builds = result.builds if result.builds is not None else pd.DataFrame(columns=["project", "stage", "country", "start_year", "online_year", "share", "capex_musd"])
        for row in builds.itertuples(index=False):
            for metric in ("share", "capex_musd", "online_year"):
                rows.append(_rows("builds", name, row.project, row.stage, int(row.start_year), metric, getattr(row, metric)))
        for stage, capex in builds.groupby("stage")["capex_musd"].sum().items():
            rows.append(_rows("capex_by_stage", name, stage, stage, None, "capex_musd", capex))
        for country, capex in builds.groupby("country")["capex_musd"].sum().items():
            rows.append(_rows("capex_by_country", name, country, "", None, "capex_musd", capex))
        if result.dependence is not None:
            dep = result.dependence
            chosen = dep[dep["year"].isin(years) & dep["element"].isin(DEPENDENCE_GROUPS)]
            for row in chosen.itertuples(index=False):
                rows.append(_rows("dependence", name, row.element, row.stage, int(row.year), "dependence", row.dependence))
                rows.append(_rows("dependence", name, row.element, row.stage, int(row.year), "unmet", row.unmet))
    rows += _differences(names, stored)
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["year"] = table["year"].astype("Int64")
    return Comparison(results=stored, table=table, years=years)


def _unique_names(results: list[StoredResult]) -> list[str]:
    names: list[str] = []
    for result in results:
        name = result.name
        while name in names:
            name = f"{result.directory.parent.name}/{name}"
        names.append(name)
    return names


def _signature(builds: pd.DataFrame | None, project: str) -> tuple:
    if builds is None:
        return ()
    rows = builds[builds["project"] == project].sort_values("start_year")
    return tuple((int(r.start_year), round(float(r.share), 6)) for r in rows.itertuples(index=False))


def _differences(names: list[str], results: list[StoredResult]) -> list[dict]:
    projects = sorted({p for r in results if r.builds is not None for p in r.builds["project"]})
    rows = []
    for project in projects:
        signatures = [_signature(r.builds, project) for r in results]
        present = sum(1 for s in signatures if s)
        rows.append(_rows("differences", "", project, "", None, "in_portfolios", present))
        rows.append(_rows("differences", "", project, "", None, "differs", int(len(set(signatures)) > 1)))
    return rows


def write_comparison(comparison: Comparison, out: str | Path) -> Path:
    """Publish ``out`` with ``comparison.csv`` and ``comparison.json`` (the result directories compared, and
    the years); return the CSV's path."""
    from ..store import dump_json, publish, write_csv

    out = Path(out)
    record = {
        "results": {name: str(result.directory) for name, result in zip(comparison.names, comparison.results)},
        "absolute": {name: str(result.directory.resolve()) for name, result in zip(comparison.names, comparison.results)},
        "years": [int(year) for year in comparison.years],
    }
    with publish(out, "compare") as staging:
        dump_json(record, staging / "comparison.json")
        write_csv(comparison.table, staging / "comparison.csv")
    return out / "comparison.csv"
