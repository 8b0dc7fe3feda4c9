"""The data of a strategic stockpile (issue 13), prepared once per built model from ``stockpile.csv`` and the
scenario.

A stockpile holds separated oxide of some elements. It may buy an element in the years without an export cap
on it (from the scenario's first buying year on) and draw it in the years where a cap bites (China's exports
capped below the whole ROW requirement, ``export_cap_fraction < 1``). Prices and holding costs are turned into
US$ billion per kt (US$/kg ÷ 1000) and stocks into kt, the model's units; the discount factors are those of
capex (``1 / (1 + discount_rate)^(t − first planning year)``).

Which years are cap years and the discount factors depend on two settings a sweep could otherwise re-solve
without a rebuild (``export_controls``, ``discount_rate``): :func:`structure_key` gives them, so that the sweep
builds one model per value while a stockpile is on (``instrument_data.instrument_structure_key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..inputs.data import InputData
from ..scenario import Scenario
from .parameters import TONNES_PER_KT, ModelStructure

USD_PER_KG_TO_BUSD_PER_KT = 1e6 / 1e9
"""US$ per kg → US$ billion per kt (10⁶ kg per kt, 10⁹ US$ per billion)."""


@dataclass(frozen=True)
class StockpileData:
    """A stockpile's terms per element, the years it may buy and draw each, and the years' discount factors."""

    elements: tuple[str, ...]
    price: dict[str, float]
    """US$ billion per kt of oxide bought."""
    holding: dict[str, float]
    """US$ billion per kt held for a year (on the stock at the end of the year)."""
    max_stock: dict[str, float]
    """kt."""
    initial_stock: dict[str, float]
    """kt held before the first planning year."""
    buy_years: dict[str, tuple[int, ...]]
    """Years without a cap on the element, from the first buying year on."""
    draw_years: dict[str, tuple[int, ...]]
    """Years in which an export cap on the element bites (fraction below 1)."""
    discount: dict[int, float]
    """Year → 1 / (1 + discount_rate)^(year − first planning year), as capex."""
    min_cover_years: float | None
    max_cover_years: float | None

    def buy_pairs(self) -> list[tuple[str, int]]:
        return [(e, t) for e in self.elements for t in self.buy_years[e]]

    def draw_pairs(self) -> list[tuple[str, int]]:
        return [(e, t) for e in self.elements for t in self.draw_years[e]]


def cap_years(scenario: Scenario, elements: list[str], years: list[int]) -> dict[str, set[int]]:
    """element → the years in which the scenario caps China's exports of it below the whole requirement (the
    same controls ``parameters.mutable_values`` turns into ``export_cap_fraction``)."""
    horizon = set(years)
    capped: dict[str, set[int]] = {e: set() for e in elements}
    for control in scenario.export_controls:
        if control.fraction >= 1.0:
            continue
        for e in control.elements:
            if e in capped:
                capped[e].update(t for t in range(control.start_year, control.end_year + 1) if t in horizon)
    return capped


def structure_key(scenario: Scenario) -> tuple:
    """The settings outside the structural fields that this instrument builds into the model (empty when off)."""
    if not scenario.stockpile:
        return ()
    return (scenario.export_controls, scenario.discount_rate)


def prepare(data: InputData, scenario: Scenario, structure: ModelStructure) -> StockpileData | None:
    """The stockpile's data, or ``None`` when the scenario leaves it off."""
    if not scenario.stockpile:
        return None
    table = data.stockpile
    known = set(structure.elements)
    offered = [e for e in table["element"] if e in known]
    elements = tuple(scenario.stockpile_elements) if scenario.stockpile_elements is not None else tuple(offered)
    rows = {row.element: row for row in table.itertuples(index=False) if row.element in elements}
    capped = cap_years(scenario, structure.elements, structure.years)
    first_buy = scenario.stockpile_first_buy_year or structure.first_decision_year
    first = structure.first_year
    return StockpileData(
        elements=elements,
        price={e: float(rows[e].price_usd_per_kg) * USD_PER_KG_TO_BUSD_PER_KT for e in elements},
        holding={e: float(rows[e].holding_usd_per_kg_year) * USD_PER_KG_TO_BUSD_PER_KT for e in elements},
        max_stock={e: float(rows[e].max_stock_t) / TONNES_PER_KT for e in elements},
        initial_stock={e: _tonnes(rows[e].initial_stock_t) / TONNES_PER_KT for e in elements},
        buy_years={e: tuple(t for t in structure.years if t >= first_buy and t not in capped[e]) for e in elements},
        draw_years={e: tuple(t for t in structure.years if t in capped[e]) for e in elements},
        discount={t: 1.0 / (1.0 + scenario.discount_rate) ** (t - first) for t in structure.years},
        min_cover_years=scenario.stockpile_min_cover_years,
        max_cover_years=scenario.stockpile_max_cover_years,
    )


def _tonnes(value: object) -> float:
    """An optional tonnage cell: missing (None or NaN) is 0."""
    if value is None:
        return 0.0
    number = float(value)  # type: ignore[arg-type]
    return 0.0 if number != number else number
