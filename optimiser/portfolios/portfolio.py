"""A portfolio: which projects start in which year, at what share. Read from a run or written by hand.

A portfolio file is a CSV with at least ``project, start_year, share`` (a run's ``builds.csv`` has these and
more; the other columns of builds.csv are accepted and ignored, since they are recomputed from the inputs).
A result directory may be given instead of a file: its ``builds.csv`` is read and its own budget applies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, InputIssue, ResultDirectoryError
from ..inputs.data import InputData
from ..model.parameters import MUSD_PER_BUSD, ModelStructure, mutable_values
from ..results import budget_violations, build_values, capex_musd, chosen_builds, exceeds_budget

REQUIRED = ("project", "start_year", "share")
ACCEPTED = REQUIRED + ("stage", "country", "online_year", "capex_musd")


@dataclass(frozen=True)
class Portfolio:
    """Fixed builds: ``shares[(project, start_year)]`` units (a fraction of a named project)."""

    name: str
    source: str
    shares: dict[tuple[str, int], float]

    @classmethod
    def from_model(cls, model: object, name: str, source: str) -> Portfolio:
        """The builds of a solved model, at full precision (builds.csv rounds them for reading)."""
        return cls(name=name, source=source, shares=chosen_builds(build_values(model)))

    def budget_violations(self, data: InputData, scenario: object, structure: ModelStructure) -> list[str]:
        """Where this portfolio breaks ``scenario``'s budget or yearly cap, in words (empty when it fits)."""
        values = mutable_values(data, scenario, structure)
        return budget_violations(
            self.shares,
            values["capex_total"],
            values["capex_draw"],
            scenario.budget_busd,
            scenario.yearly_cap_fraction,
            structure.years,
        )

    def capex_musd(self, structure: ModelStructure, capex_multiplier: float = 1.0) -> float:
        """Undiscounted capex of the portfolio at the given multiplier, US$ million."""
        return sum(capex_musd(share, structure.projects[p], capex_multiplier) for (p, _), share in self.shares.items())


def _portfolio_file(path: Path) -> tuple[Path, float | None, str]:
    """The CSV to read, the budget a run directory was solved under (None for a hand-written file), a name."""
    if path.is_dir():
        from .result_dir import read_result

        stored = read_result(path)
        builds = path / "builds.csv"
        if not builds.is_file():
            raise ResultDirectoryError(InputIssue(str(path), f"has no builds.csv (its run ended '{stored.summary.get('status')}')"))
        return builds, stored.summary.get("budget_musd"), path.name
    return path, None, path.stem


def read_portfolio(path: str | Path, data: InputData, structure: ModelStructure, budget_musd: float) -> Portfolio:
    """Read and check a portfolio against the inputs; every problem names the file, line and column.

    A hand-written portfolio must fit ``budget_musd`` at base capex; one read from a run directory must fit
    the budget that run was solved under.
    """
    csv_path, run_budget, name = _portfolio_file(Path(path))
    file = str(csv_path)
    if not csv_path.is_file():
        raise InputError(InputIssue(file, "portfolio file not found"))
    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(InputIssue(file, f"cannot be read as CSV: {error}")) from None
    issues = [InputIssue(file, f"missing column '{c}'", line=1, column=c) for c in REQUIRED if c not in frame.columns]
    issues += [
        InputIssue(file, f"unknown column '{c}' (a portfolio has {', '.join(ACCEPTED)})", line=1, column=c)
        for c in frame.columns
        if c not in ACCEPTED
    ]
    if issues:
        raise InputError(issues)

    shares: dict[tuple[str, int], float] = {}
    totals: dict[str, float] = {}
    known = set(data.projects["project"])
    for index, row in frame.iterrows():
        line = int(index) + 2
        project = row["project"].strip()
        if project not in known:
            issues.append(InputIssue(file, f"unknown project '{project}'", line=line, column="project"))
            continue
        if project not in structure.projects:
            why = structure.excluded_projects.get(project, "not in the model")
            issues.append(InputIssue(file, f"project '{project}' is left out of this scenario ({why})", line=line, column="project"))
            continue
        if not structure.projects[project].buildable:
            issues.append(
                InputIssue(file, f"project '{project}' is {structure.projects[project].status}, not a build decision", line=line, column="project")
            )
            continue
        try:
            start = int(row["start_year"])
        except ValueError:
            issues.append(InputIssue(file, f"start year must be a whole year, got '{row['start_year']}'", line=line, column="start_year"))
            continue
        if start not in structure.start_years[project]:
            years = structure.start_years[project]
            when = f"can start in {years[0]}-{years[-1]}" if years else "cannot start at all"
            issues.append(InputIssue(file, f"{project} {when} in this scenario, not {start}", line=line, column="start_year"))
            continue
        try:
            share = float(row["share"])
        except ValueError:
            issues.append(InputIssue(file, f"share must be a number, got '{row['share']}'", line=line, column="share"))
            continue
        if not math.isfinite(share) or share <= 0:
            issues.append(InputIssue(file, f"share must be positive, got {row['share']}", line=line, column="share"))
            continue
        shares[project, start] = shares.get((project, start), 0.0) + share
        totals[project] = totals.get(project, 0.0) + share
        if totals[project] > structure.projects[project].max_units + 1e-6:
            issues.append(
                InputIssue(
                    file,
                    f"{project} totals {totals[project]:g} units, more than its max_units {structure.projects[project].max_units}",
                    line=line,
                    column="share",
                )
            )
    if issues:
        raise InputError(issues)
    portfolio = Portfolio(name=name, source=str(path), shares=shares)
    limit = run_budget if run_budget is not None else budget_musd
    cost = portfolio.capex_musd(structure)
    if exceeds_budget(cost / MUSD_PER_BUSD, limit / MUSD_PER_BUSD):
        raise InputError(
            InputIssue(file, f"the portfolio costs ${cost:,.1f}M at base capex, more than the budget of ${limit:,.1f}M")
        )
    return portfolio
