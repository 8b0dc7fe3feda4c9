"""The data of the recycling scrap limit (issue 13), prepared once per built model from
``recycling_scrap.csv``, ``magnet_lifetime.csv`` and the scenario.

Recyclers cannot recycle more than reaches them: end-of-life magnets, a lifetime after they were put in use,
and the swarf of magnet making. Per year t, in kt REO-eq,

    scrap[t] = recovery · Σ_m Σ_L share[m, L] · in_use[m, t − L]  +  swarf · Σ_{c, m} mag[c, m, t]

over the magnet types m of ``magnet_lifetime.csv``, with ``in_use[m, y]`` the ROW demand for m magnets in year
y (``magnet_demand``: the rare-earth content of magnets put in use) and, before the first planning year,
that year's demand extended backwards at ``history_growth`` a year. ``swarf`` is the share of the magnet
stage's manufacturing loss that is recovered, per tonne of magnets made: ``swarf_recovery · (1 − yield) /
yield`` (the magnet stage takes ``mag / yield`` of metal and loses the rest as swarf and sludge).

The demand a scrap year reads is the model's mutable ``magnet_demand`` (so a sweep over the demand level
needs no rebuild); this module only says which (type, year) each scrap year reads, with what weight.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..inputs.data import InputData
from ..scenario import Scenario
from .parameters import ModelStructure


@dataclass(frozen=True)
class RecyclingScrapData:
    """The weights of the scrap limit: which past demand each year's end-of-life scrap comes from."""

    recovery_rate: float
    swarf_per_magnet: float
    """kt of recoverable swarf per kt (REO-eq) of magnets made in ROW."""
    history_growth: float
    magnet_types: tuple[str, ...]
    lifetimes: dict[str, dict[int, float]]
    """magnet type → lifetime in years → share of the type's magnets reaching end of life then."""
    recyclers: tuple[str, ...]
    """The recycling components the limit covers."""

    def end_of_life_weights(self, year: int, first_year: int) -> dict[tuple[str, int], float]:
        """(magnet type, planning year) → weight on ``magnet_demand`` in ``year``'s end-of-life scrap (kt per
        kt): recovery × lifetime share, put-in-use years before ``first_year`` folded onto ``first_year``
        through the backward growth ``(1 + g)^−(first_year − y)``."""
        weights: dict[tuple[str, int], float] = {}
        for magnet_type in self.magnet_types:
            for lifetime, share in self.lifetimes[magnet_type].items():
                used = year - lifetime
                factor = 1.0 if used >= first_year else (1.0 + self.history_growth) ** (used - first_year)
                key = (magnet_type, max(used, first_year))
                weights[key] = weights.get(key, 0.0) + self.recovery_rate * share * factor
        return weights


def prepare(data: InputData, scenario: Scenario, structure: ModelStructure) -> RecyclingScrapData | None:
    """The scrap limit's data, or ``None`` when the scenario leaves it off."""
    if not scenario.recycling_scrap_limit:
        return None
    parameters = {str(row.parameter): float(row.value) for row in data.recycling_scrap.itertuples(index=False)}
    lifetimes: dict[str, dict[int, float]] = {}
    for row in data.magnet_lifetime.itertuples(index=False):
        if row.magnet_type in structure.magnet_types:
            lifetimes.setdefault(str(row.magnet_type), {})[int(row.lifetime_years)] = float(row.share)
    magnet_yield = structure.stage_yield[structure.stages[-1]]
    return RecyclingScrapData(
        recovery_rate=parameters["recovery_rate"],
        swarf_per_magnet=parameters["swarf_recovery"] * (1.0 - magnet_yield) / magnet_yield,
        history_growth=parameters["history_growth"],
        magnet_types=tuple(lifetimes),
        lifetimes=lifetimes,
        recyclers=tuple(c for c, component in structure.components.items() if component.role == "recycling"),
    )
