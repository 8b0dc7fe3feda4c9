"""Co-finance (issue 13): what a public dollar buys when the planner may lend, take equity or set a price floor.

Each build decision ``p`` may be financed by one instrument ``i`` the scenario allows
(``cofinance_instruments``; grants only by default). ``cofinance.csv`` gives each instrument's terms, per
project or for every build (``project = *``): the share of the capex it puts in, ``funded[p, i]`` (a grant's
whole capex, a loan's principal, an equity stake), the expected share of that money which returns in present
value, ``recovery[p, i]`` (repayment net of the credit subsidy cost, the stake's value), and any expected
cost that is not put into the capex, ``cost[p, i]`` (a price floor's payouts). The budget carries

    public[p, i] = funded[p, i] · (1 − recovery[p, i]) + cost[p, i]                    0 < public ≤ 1

of the capex; the rest, ``1 − public[p, i]``, is private money that follows (a loan's repaid principal
included: the borrower repays it). The LP keeps its variables and rows: every build takes the cheapest
allowed instrument, ``s[p] = min_{i allowed} public[p, i]``, and the capex coefficients of the budget rows
(``capex_total``, ``capex_draw``; ``parameters.mutable_values``) are scaled by ``s[p]``:

    Σ_{p, τ} s[p] · capex_total[p, τ] · build[p, τ] + Σ spend  ≤ B            (and the yearly caps alike)

That is exact, not a heuristic. Splitting ``build[p, τ]`` into ``build[p, τ, i]`` would give the same
optimum: ``i`` enters only the budget rows, where a lower coefficient relaxes every row at once, so an
optimum never uses a dearer instrument for the same build. The split is needed only for per-instrument
caps (a lending authority), which the data do not give. A build no allowed instrument has terms for
(``cofinance_instruments = ["loan"]`` and no loan row for it) is not offered. The capex tie-break then
minimises public money, and ``budget_used_musd`` is public money.

Leverage is private per public dollar over the plan's builds: ``Σ (1 − s[p]) · capex / Σ s[p] · capex``
(undiscounted capex at the capex multiplier, as ``builds.csv``'s ``capex_musd``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..inputs.schema import COFINANCE_DEFAULT, COFINANCE_INSTRUMENTS

if TYPE_CHECKING:
    from ..inputs.data import InputData
    from ..scenario import Scenario
    from .parameters import ModelStructure

logger = logging.getLogger(__name__)

NAME = "cofinance"
"""The instrument's key in ``ModelStructure.instruments`` and in summary.json."""

MUSD_PER_BUSD = 1000.0


@dataclass(frozen=True)
class Terms:
    """How one instrument finances one build, as shares of its capex."""

    instrument: str
    funded_share: float
    recovery_share: float
    cost_share: float

    @property
    def public_share(self) -> float:
        """The share of the capex the planner's budget carries: ``funded · (1 − recovery) + cost``."""
        return self.funded_share * (1.0 - self.recovery_share) + self.cost_share

    @property
    def returning_share(self) -> float:
        """The share of the capex lent or invested that is expected back: ``funded · recovery``."""
        return self.funded_share * self.recovery_share


GRANT = Terms("grant", 1.0, 0.0, 0.0)
"""A grant's terms: it carries the whole capex (the model without co-finance)."""


@dataclass(frozen=True)
class CofinanceData:
    """The instruments a scenario allows and the terms each build takes (the cheapest allowed)."""

    instruments: tuple[str, ...]
    terms: Mapping[str, Terms]
    """Build project → the terms it is financed on; a build absent here has no allowed instrument."""

    def public_share(self, project: str) -> float:
        """``s[p]``: the share of ``project``'s capex its budget rows carry (0 when it cannot be financed)."""
        terms = self.terms.get(project)
        return 0.0 if terms is None else terms.public_share


def _available_terms(data: InputData, instruments: tuple[str, ...], project: str) -> list[Terms]:
    """The terms of every allowed instrument for ``project``: its own row, else the instrument's ``*`` row,
    else (a grant) the whole capex."""
    table = data.cofinance
    found: list[Terms] = []
    for instrument in instruments:
        rows = table[(table["instrument"] == instrument) & (table["project"] == project)]
        if not len(rows):
            rows = table[(table["instrument"] == instrument) & (table["project"] == COFINANCE_DEFAULT)]
        if len(rows):
            row = rows.iloc[0]
            found.append(Terms(instrument, float(row["funded_share"]), float(row["recovery_share"]),
                               float(row["cost_share"])))
        elif instrument == "grant":
            found.append(GRANT)
    return found


def prepare(data: InputData, scenario: Scenario, structure: ModelStructure) -> CofinanceData | None:
    """The terms each build takes under ``scenario``'s instruments; ``None`` for grants only (no change)."""
    allowed = scenario.cofinance_instruments
    if allowed is None or set(allowed) == {"grant"}:
        return None
    instruments = tuple(i for i in COFINANCE_INSTRUMENTS if i in allowed)
    terms: dict[str, Terms] = {}
    for project in structure.buildable_projects:
        available = _available_terms(data, instruments, project)
        if not available:
            logger.info("co-finance: no allowed instrument has terms for %s, so it is not offered", project)
            continue
        terms[project] = min(available, key=lambda t: (t.public_share, COFINANCE_INSTRUMENTS.index(t.instrument)))
    return CofinanceData(instruments=instruments, terms=terms)


def public_capex_share(structure: ModelStructure, project: str) -> float:
    """The share of ``project``'s capex charged to the budget: 1 without co-finance, ``s[p]`` with it."""
    cofinance = structure.instruments.get(NAME)
    return 1.0 if cofinance is None else cofinance.public_share(project)


def summary_cofinance(structure: ModelStructure, builds: pd.DataFrame | None) -> dict | None:
    """summary.json's ``cofinance``: allowed instruments, public and private capex (US$ billion, undiscounted
    at the capex multiplier), leverage (private per public dollar), the money lent or invested and the part
    expected back, per instrument and per build, and the instrument each build decision would take; ``None``
    when co-finance is off."""
    cofinance: CofinanceData | None = structure.instruments.get(NAME)
    if cofinance is None:
        return None
    rows = []
    for build in (builds if builds is not None else pd.DataFrame()).itertuples(index=False):
        terms = cofinance.terms[build.project]
        capex = float(build.capex_musd)
        rows.append({
            "project": build.project,
            "start_year": int(build.start_year),
            "instrument": terms.instrument,
            "capex_musd": capex,
            "public_musd": capex * terms.public_share,
            "private_musd": capex * (1.0 - terms.public_share),
            "funded_musd": capex * terms.funded_share,
            "returning_musd": capex * terms.returning_share,
        })

    def totals(part: list[dict]) -> dict:
        public = sum(r["public_musd"] for r in part) / MUSD_PER_BUSD
        private = sum(r["private_musd"] for r in part) / MUSD_PER_BUSD
        return {
            "capex_busd": sum(r["capex_musd"] for r in part) / MUSD_PER_BUSD,
            "public_busd": public,
            "private_busd": private,
            "leverage": private / public if public > 0 else None,
            "funded_busd": sum(r["funded_musd"] for r in part) / MUSD_PER_BUSD,
            "returning_busd": sum(r["returning_musd"] for r in part) / MUSD_PER_BUSD,
        }

    by_instrument = {
        instrument: {**totals(part), "builds": len(part)}
        for instrument in cofinance.instruments
        if (part := [r for r in rows if r["instrument"] == instrument])
    }
    return {
        "instruments": list(cofinance.instruments),
        **totals(rows),
        "by_instrument": by_instrument,
        "instrument_by_project": {p: t.instrument for p, t in sorted(cofinance.terms.items())},
        "builds": rows,
        "unit": "US$ billion (per build: US$ million) of undiscounted capex at the capex multiplier; public = "
        "what the budget carries, private = the rest; leverage = private per public dollar",
    }
