"""The tables a comparison, stress-test or robust report shows, read from the directory its command wrote.

Every kind is read into one :class:`PortfolioSet`: the portfolios (their names in the command's order), the
scenarios, the objective of each portfolio under each scenario it was evaluated under, the regret matrix
where every portfolio was evaluated under every scenario, each portfolio's builds, and its China dependence
over time under each scenario. Where each kind keeps these:

- comparison (``optimiser compare``): ``comparison.csv`` and ``comparison.json`` (which result directories
  were compared); each result's ``summary.json``, ``builds.csv`` and ``dependence.csv``. Each result was
  solved under its own scenario, so there is no regret matrix.
- stress test (``optimiser stress``): ``stress.csv`` (objectives), and ``evaluations/<portfolio>__<scenario>/``.
- robust run (``optimiser robust``): ``summary.json`` (its ``robust`` block), ``builds.csv``,
  ``scenarios/<scenario>/`` (the robust portfolio under each scenario), ``benchmark.csv`` (the robust
  portfolio and each scenario's own optimum scored under every scenario) and ``benchmark/<scenario>/`` (that
  optimum's result).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, InputIssue
from ..portfolios.result_dir import StoredResult, read_result
from ..store import read_csv_table, read_json_object
from ..portfolios.stress import regret_table
from ..result_format import DEPENDENCE_GROUPS
from . import style

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("comparison", "stress", "robust")
GROUPS: tuple[str, ...] = DEPENDENCE_GROUPS
"""The element aggregates dependence.csv carries beside each element."""

BUILD_COLUMNS = ["portfolio", "project", "stage", "country", "start_year", "online_year", "share", "capex_musd"]
DEPENDENCE_COLUMNS = ["portfolio", "scenario", "group", "stage", "year", "dependence"]
BENCHMARK_PREFIX = "optimal for "
"""How ``optimiser robust`` names each scenario's own optimum in benchmark.csv."""

KIND_WORDS: dict[str, str] = {
    "comparison": "Comparison of stored results",
    "stress": "Stress test: every portfolio under every scenario",
    "robust": "Robust portfolio across scenarios",
}

MEASURE_WORDS: dict[str, str] = {
    "expected": "expected objective (probability-weighted mean over the scenarios)",
    "worst": "worst-case objective (the largest over the scenarios)",
    "cvar": "CVaR of the objective (mean of the worst 1 - alpha of probability)",
}


@dataclass
class Source:
    """One file the page's numbers come from, and what they are."""

    what: str
    path: Path


@dataclass
class PortfolioSet:
    """Portfolios and scenarios of a comparison, stress test or robust run, as the report shows them.

    ``objective`` and ``status`` are portfolio x scenario (NaN and "" where a portfolio was not evaluated
    under a scenario); ``regret`` is the same shape, or None where not every portfolio met every scenario.
    ``builds`` has :data:`BUILD_COLUMNS`, ``dependence`` :data:`DEPENDENCE_COLUMNS` (dependence 0-1).
    """

    kind: str
    directory: Path
    portfolios: list[str]
    scenarios: list[str]
    objective: pd.DataFrame
    status: pd.DataFrame
    regret: pd.DataFrame | None
    min_max_regret: str | None
    builds: pd.DataFrame
    dependence: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    robust: dict | None = None
    measures: dict[str, float] = field(default_factory=dict)
    """Robust runs: each portfolio's value of the robust measure over the scenarios (benchmark.csv)."""
    record: dict = field(default_factory=dict)
    """inputs_sha256 and versions of the results read (from their summary.json)."""

    @property
    def optimal(self) -> bool:
        """True when at least one portfolio has an objective under at least one scenario."""
        return bool(self.objective.notna().to_numpy().any())

    @property
    def kind_words(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)

    @property
    def stages(self) -> list[str]:
        """Stages in chain order: the default four in theirs, then others as the tables list them."""
        seen = list(self.dependence["stage"]) + [part for category in self.builds["stage"] for part in str(category).split("+")]
        seen = list(dict.fromkeys(seen))
        known = [s for s in style.STAGE_COLOURS if s in seen]
        return known + [s for s in seen if s not in style.STAGE_COLOURS]

    @property
    def years(self) -> list[int]:
        """Every year of the horizon the trajectories span."""
        years = sorted({int(y) for y in self.dependence["year"]})
        return list(range(years[0], years[-1] + 1)) if years else []

    @property
    def colours(self) -> dict[str, str]:
        """Each portfolio's colour, the same in every figure and table."""
        return {name: style.portfolio_colour(name, self.portfolios) for name in self.portfolios}

    def capex(self, portfolio: str) -> float:
        """Total capex (US$ million, undiscounted) of ``portfolio``'s builds."""
        return float(self.builds.loc[self.builds["portfolio"] == portfolio, "capex_musd"].sum())

    def max_regret(self) -> pd.Series | None:
        """Each portfolio's largest regret over the scenarios (NaN where no scenario has a regret)."""
        return None if self.regret is None else self.regret.max(axis=1, skipna=True)


def _issue(path: Path, words: str) -> InputError:
    return InputError(InputIssue(str(path), words))


def _builds(result: StoredResult, portfolio: str) -> pd.DataFrame:
    if result.builds is None or result.builds.empty:
        return pd.DataFrame(columns=BUILD_COLUMNS)
    frame = result.builds.copy()
    frame["portfolio"] = portfolio
    return frame.reindex(columns=BUILD_COLUMNS)


def _trajectories(result: StoredResult, portfolio: str, scenario: str) -> pd.DataFrame:
    """The aggregate (all, restricted) dependence of one result by stage and year."""
    if result.dependence is None:
        return pd.DataFrame(columns=DEPENDENCE_COLUMNS)
    frame = result.dependence[result.dependence["element"].isin(GROUPS)].rename(columns={"element": "group"}).copy()
    frame["portfolio"] = portfolio
    frame["scenario"] = scenario
    return frame.reindex(columns=DEPENDENCE_COLUMNS)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(frames, ignore_index=True)
    for column in ("start_year", "online_year", "year"):
        if column in frame:
            frame[column] = frame[column].astype(int)
    return frame


def _regrets(objective: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The regret matrix of a full objective matrix (the stress test's rule: objective minus the column's
    best), and the min-max-regret portfolio."""
    long = objective.rename_axis(index="portfolio", columns="scenario").stack(future_stack=True).rename("objective").reset_index()
    table, best = regret_table(long)
    regret = table.pivot(index="portfolio", columns="scenario", values="regret")
    return regret.reindex(index=objective.index, columns=objective.columns), best


def _record(results: list[StoredResult]) -> dict:
    hashes = list(dict.fromkeys(r.inputs_sha256 for r in results if r.inputs_sha256))
    versions = next((r.summary.get("versions") for r in results if r.summary.get("versions")), None)
    return {"inputs_sha256": ", ".join(hashes), "versions": versions or {}, "years": None}


def _status_frame(objective: pd.DataFrame, known: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    known = known or {}
    cells = {
        scenario: [
            known.get((portfolio, scenario), "optimal" if not math.isnan(objective.loc[portfolio, scenario]) else "")
            for portfolio in objective.index
        ]
        for scenario in objective.columns
    }
    return pd.DataFrame(cells, index=objective.index, columns=objective.columns)


def _scenario_name(result: StoredResult) -> str:
    scenario = result.summary.get("scenario")
    if isinstance(scenario, dict) and scenario.get("name"):
        return str(scenario["name"])
    return "(unnamed scenario)"


def _resolve(given: str, absolute: str | None) -> Path:
    """A compared result's directory: as given to ``optimiser compare`` (relative to where it ran, so a
    moved results folder still works from the project root), else the absolute path recorded beside it."""
    path = Path(given)
    if path.is_dir() or absolute is None:
        return path
    return Path(absolute)


def load_comparison(directory: Path) -> PortfolioSet:
    """A comparison directory: comparison.json names the results, each read in full."""
    read_csv_table(directory / "comparison.csv", ["section", "result"])
    record_path = directory / "comparison.json"
    record = read_json_object(record_path)
    entries = record.get("results")
    if not isinstance(entries, dict) or not entries:
        raise _issue(record_path, "names no results: run optimiser compare again")
    absolute = record.get("absolute") if isinstance(record.get("absolute"), dict) else {}
    results: dict[str, StoredResult] = {}
    for name, given in entries.items():
        results[str(name)] = read_result(_resolve(str(given), absolute.get(name)))
    portfolios = list(results)
    scenario_of = {name: _scenario_name(result) for name, result in results.items()}
    scenarios = list(dict.fromkeys(scenario_of.values()))
    objective = pd.DataFrame(float("nan"), index=portfolios, columns=scenarios)
    known = {}
    for name, result in results.items():
        value = result.summary.get("objective")
        status = str(result.summary.get("status", "unknown"))
        known[name, scenario_of[name]] = status
        if status == "optimal" and value is not None:
            objective.loc[name, scenario_of[name]] = float(value)
    notes = [
        "Each result was solved under its own scenario, so every portfolio has an objective under that scenario "
        "only and there is no regret matrix. To evaluate every portfolio under every scenario, run "
        "optimiser stress --portfolios DIR... --scenarios FILE...",
    ]
    sources = [Source("what was compared, and the years", record_path), Source("the comparison table", directory / "comparison.csv")]
    for name, result in results.items():
        sources.append(Source(f"'{name}' (scenario '{scenario_of[name]}'): objective, builds, dependence", result.directory))
    return PortfolioSet(
        kind="comparison",
        directory=directory,
        portfolios=portfolios,
        scenarios=scenarios,
        objective=objective,
        status=_status_frame(objective, known),
        regret=None,
        min_max_regret=None,
        builds=_concat([_builds(r, n) for n, r in results.items()], BUILD_COLUMNS),
        dependence=_concat([_trajectories(r, n, scenario_of[n]) for n, r in results.items()], DEPENDENCE_COLUMNS),
        notes=notes,
        sources=sources,
        record=_record(list(results.values())) | {"years": record.get("years")},
    )


def load_stress(directory: Path) -> PortfolioSet:
    """A stress test: stress.csv for the matrices, evaluations/<portfolio>__<scenario>/ for the rest."""
    table_path = directory / "stress.csv"
    table = read_csv_table(table_path, ["portfolio", "scenario", "objective"])
    table["portfolio"] = table["portfolio"].astype(str)
    table["scenario"] = table["scenario"].astype(str)
    portfolios = list(dict.fromkeys(table["portfolio"]))
    scenarios = list(dict.fromkeys(table["scenario"]))
    objective = (
        table.pivot(index="portfolio", columns="scenario", values="objective").reindex(index=portfolios, columns=scenarios).astype(float)
    )
    regret, best = _regrets(objective)
    known = {}
    if "status" in table:
        known = {(r.portfolio, r.scenario): str(r.status) for r in table.itertuples(index=False)}
    evaluations: dict[tuple[str, str], StoredResult] = {}
    for row in table.itertuples(index=False):
        evaluations[row.portfolio, row.scenario] = read_result(directory / "evaluations" / f"{row.portfolio}__{row.scenario}")
    builds = []
    for portfolio in portfolios:
        first = next((evaluations[portfolio, s] for s in scenarios if (portfolio, s) in evaluations and evaluations[portfolio, s].builds is not None), None)
        if first is not None:
            builds.append(_builds(first, portfolio))
    notes = []
    if len(scenarios) > 1:
        notes.append(
            f"Builds are shown as evaluated under the first scenario ('{scenarios[0]}'); a scenario that delays "
            "projects or raises capex moves their online years and capex (see each evaluation's builds.csv)."
        )
    if objective.isna().to_numpy().any():
        notes.append("Some evaluations did not end optimal: their scenario has no regret for any portfolio (its best is unknown).")
    return PortfolioSet(
        kind="stress",
        directory=directory,
        portfolios=portfolios,
        scenarios=scenarios,
        objective=objective,
        status=_status_frame(objective, known),
        regret=regret,
        min_max_regret=best,
        builds=_concat(builds, BUILD_COLUMNS),
        dependence=_concat([_trajectories(r, p, s) for (p, s), r in evaluations.items()], DEPENDENCE_COLUMNS),
        notes=notes,
        sources=[
            Source("objective of each portfolio under each scenario (regret: objective minus the scenario's best)", table_path),
            Source("each evaluation's builds and dependence", directory / "evaluations"),
        ],
        record=_record(list(evaluations.values())),
    )


def load_robust(directory: Path) -> PortfolioSet:
    """A robust run: the robust portfolio under every scenario, beside each scenario's own optimum (when
    benchmarked)."""
    reference = read_result(directory)
    summary_path = directory / "summary.json"
    info = reference.summary.get("robust")
    if not isinstance(info, dict) or not isinstance(info.get("scenario_objectives"), dict):
        raise _issue(summary_path, "has no 'robust' block with scenario_objectives: not written by optimiser robust")
    scenarios = [str(s) for s in info["scenario_objectives"]]
    evaluations = {s: read_result(directory / "scenarios" / s) for s in scenarios}
    sources = [
        Source("the robust measure, weights and portfolio", summary_path),
        Source("the robust portfolio under each scenario", directory / "scenarios"),
    ]
    notes: list[str] = []
    benchmark_path = directory / "benchmark.csv"
    measures: dict[str, float] = {}
    benchmarks: dict[str, StoredResult] = {}
    if benchmark_path.is_file():
        table = read_csv_table(benchmark_path, ["portfolio", *scenarios])
        table["portfolio"] = table["portfolio"].astype(str)
        portfolios = list(dict.fromkeys(table["portfolio"]))
        objective = table.drop_duplicates("portfolio").set_index("portfolio")[scenarios].astype(float).reindex(portfolios)
        if "measure" in table:
            measures = {str(p): float(m) for p, m in zip(table["portfolio"], table["measure"])}
        if "fits_reference_budget" in table:
            misfits = [str(p) for p, fits in zip(table["portfolio"], table["fits_reference_budget"]) if not bool(fits)]
            if misfits:
                notes.append(
                    f"{', '.join(misfits)} breaks the first scenario's budget rows: the robust LP could not have chosen it."
                )
        sources.append(Source("each portfolio's objective under each scenario, and its measure", benchmark_path))
        for portfolio in portfolios:
            if not portfolio.startswith(BENCHMARK_PREFIX):
                continue
            scenario = portfolio[len(BENCHMARK_PREFIX):]
            stored = directory / "benchmark" / scenario
            if (stored / "summary.json").is_file():
                benchmarks[portfolio] = read_result(stored)
            else:
                notes.append(f"'{portfolio}' has no stored result ({stored} is missing: a robust run of an older version); its builds and dependence are not shown.")
        if benchmarks:
            sources.append(Source("each scenario's own optimum: builds and dependence", directory / "benchmark"))
        regret, best = _regrets(objective)
    else:
        portfolios = ["robust"]
        objective = pd.DataFrame([[float(info["scenario_objectives"][s]) for s in scenarios]], index=portfolios, columns=scenarios)
        regret, best = None, None
        notes.append(
            "No benchmark (optimiser robust --no-benchmark): only the robust portfolio is shown, without a regret matrix."
        )
    if info.get("measure_value") is not None:
        measures.setdefault("robust", float(info["measure_value"]))
    builds = [_builds(reference, "robust")] + [_builds(result, name) for name, result in benchmarks.items()]
    dependence = [_trajectories(result, "robust", scenario) for scenario, result in evaluations.items()]
    dependence += [_trajectories(result, name, name[len(BENCHMARK_PREFIX):]) for name, result in benchmarks.items()]
    if benchmarks:
        notes.append(
            "Dependence over time: the robust portfolio under every scenario; each scenario's own optimum under "
            "its scenario only (its objective under the others is in the matrix)."
        )
    return PortfolioSet(
        kind="robust",
        directory=directory,
        portfolios=portfolios,
        scenarios=scenarios,
        objective=objective,
        status=_status_frame(objective),
        regret=regret,
        min_max_regret=best,
        builds=_concat(builds, BUILD_COLUMNS),
        dependence=_concat(dependence, DEPENDENCE_COLUMNS),
        notes=notes,
        sources=sources,
        robust=info,
        measures=measures,
        record=_record([reference, *evaluations.values(), *benchmarks.values()]),
    )


def load_portfolio_set(directory: str | Path, kind: str) -> PortfolioSet:
    """Read a comparison, stress-test or robust directory (``kind``) into a :class:`PortfolioSet`.

    Raises InputError naming the file when one the report needs is missing or cannot be read.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise _issue(directory, "is not a directory")
    loaders = {"comparison": load_comparison, "stress": load_stress, "robust": load_robust}
    if kind not in loaders:
        raise ValueError(f"unknown portfolio report kind {kind!r}; choose one of {', '.join(KINDS)}")
    loaded = loaders[kind](directory)
    logger.debug("read %s %s: %d portfolios, %d scenarios", kind, directory, len(loaded.portfolios), len(loaded.scenarios))
    return loaded


def builds_matrix(portfolio_set: PortfolioSet) -> pd.DataFrame:
    """Projects (rows, by first start) x portfolios: each cell ``start→online ×share $capex`` for every start
    of the project in that portfolio, '' where it has none; plus ``stage`` and ``in`` (portfolios funding it)."""
    builds = portfolio_set.builds
    if builds.empty:
        return pd.DataFrame(columns=["project", "stage", "in", *portfolio_set.portfolios])
    order = builds.sort_values(["start_year", "project"]).drop_duplicates("project")
    rows = []
    for project, stage in zip(order["project"], order["stage"]):
        row = {"project": project, "stage": stage}
        present = 0
        for portfolio in portfolio_set.portfolios:
            part = builds[(builds["project"] == project) & (builds["portfolio"] == portfolio)].sort_values("start_year")
            row[portfolio] = "; ".join(
                f"{int(r.start_year)}→{int(r.online_year)} ×{float(r.share):.2f} {style.musd(float(r.capex_musd))}"
                for r in part.itertuples(index=False)
            )
            present += bool(len(part))
        row["in"] = present
        rows.append(row)
    return pd.DataFrame(rows, columns=["project", "stage", "in", *portfolio_set.portfolios])
