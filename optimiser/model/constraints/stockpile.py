"""Strategic stockpile (issue 13): buy oxide before an export cap, draw it while the cap bites.

For every element e the stockpile holds (``stockpile_data``) and planning year t, in kt of separated oxide:

    level[e, t] = level[e, t−1] + buy[e, t] − draw[e, t]          stock_balance; level[e, first − 1] = initial[e]
    0 ≤ level[e, t] ≤ max_stock[e]                                 (bounds)
    level[e, t] ≤ max_cover · req[e, separation, t]                stock_max_cover, when the scenario sets it
    level[e, t] ≥ min_cover · req[e, separation, t]   t ∈ buy[e]   stock_min_cover, when the scenario sets it

``buy[e, t]`` exists only in the years without an export cap on e from the first buying year on, and
``draw[e, t]`` only in the years where a cap bites (``export_cap_fraction[e, t] < 1``); elsewhere each is 0.
The cover rows measure the stock in years of ROW's requirement of the element at separation (all ROW demand
downstream of it, ``requirement``), so a cover of 0.25 is three months of ROW's need that year.

Spend, in US$ billion and discounted like capex (d[t] = 1 / (1 + discount_rate)^(t − first planning year)):

    stockpile_spend[t] = d[t] · Σ_e (price[e] · buy[e, t] + holding[e] · level[e, t])

Holding is paid on the stock at the end of each year. The budget rows count ``stockpile_spend`` with build
capex (``budget.SPEND_EXPRESSIONS``).

Accounting choices. A draw enters the separation balance as supply (``balance.stock_draw``) and counts as
China content there and upstream, as an import would (``objective``): the oxide was bought abroad, mostly
from China. A purchase is not China content: it is not consumption, and the tonnes count when they are used.
The export cap row leaves draws out (``export_controls``): they were exported before the cap. So a stockpile
never lowers dependence in a year without a cap (a draw counts as an import would, and costs its purchase and
holding), and the optimiser buys one only to fill demand a cap would leave unmet.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..parameters import MUSD_PER_BUSD, TONNES_PER_KT, ModelStructure
from ..stockpile_data import StockpileData
from ..solution import value_of

NAME = "stockpile"
"""The instrument's name in ``ModelStructure.instruments`` and in summary.json."""


def add_stockpile(model: pyo.ConcreteModel, structure: ModelStructure) -> None:
    """The stock variables, balance, cover rows and the ``stockpile_spend`` expression (nothing when off)."""
    data: StockpileData | None = structure.instruments.get(NAME)  # type: ignore[assignment]
    if data is None:
        return
    model.STOCK_ELEMENTS = pyo.Set(initialize=list(data.elements), ordered=True)
    model.STOCK_BUY = pyo.Set(dimen=2, initialize=data.buy_pairs(), ordered=True)
    model.STOCK_DRAW = pyo.Set(dimen=2, initialize=data.draw_pairs(), ordered=True)
    model.stock_buy = pyo.Var(model.STOCK_BUY, domain=pyo.NonNegativeReals)
    model.stock_draw = pyo.Var(model.STOCK_DRAW, domain=pyo.NonNegativeReals)
    model.stock_level = pyo.Var(
        model.STOCK_ELEMENTS, model.YEARS, domain=pyo.NonNegativeReals, bounds=lambda m, e, t: (0, data.max_stock[e])
    )
    years = list(structure.years)

    def bought(m: pyo.ConcreteModel, e: str, t: int) -> pyo.Expression | float:
        return m.stock_buy[e, t] if (e, t) in m.STOCK_BUY else 0.0

    def drawn(m: pyo.ConcreteModel, e: str, t: int) -> pyo.Expression | float:
        return m.stock_draw[e, t] if (e, t) in m.STOCK_DRAW else 0.0

    def balance(m: pyo.ConcreteModel, e: str, t: int) -> pyo.Constraint:
        before = data.initial_stock[e] if t == years[0] else m.stock_level[e, years[years.index(t) - 1]]
        return m.stock_level[e, t] == before + bought(m, e, t) - drawn(m, e, t)

    model.stock_balance = pyo.Constraint(model.STOCK_ELEMENTS, model.YEARS, rule=balance)
    if data.max_cover_years is not None:
        cover = data.max_cover_years
        model.stock_max_cover = pyo.Constraint(
            model.STOCK_ELEMENTS,
            model.YEARS,
            rule=lambda m, e, t: m.stock_level[e, t] <= cover * m.requirement[e, "separation", t],
        )
    if data.min_cover_years is not None:
        floor = data.min_cover_years
        model.stock_min_cover = pyo.Constraint(
            model.STOCK_BUY, rule=lambda m, e, t: m.stock_level[e, t] >= floor * m.requirement[e, "separation", t]
        )
    model.stockpile_spend = pyo.Expression(
        model.YEARS,
        rule=lambda m, t: data.discount[t]
        * sum(data.price[e] * bought(m, e, t) + data.holding[e] * m.stock_level[e, t] for e in data.elements),
    )


def summary_stockpile(model: pyo.ConcreteModel, structure: ModelStructure) -> dict | None:
    """What the stockpile did, for summary.json: tonnes bought, drawn and held per element and year, and its
    spend (US$ million, discounted as in the budget); ``None`` when the scenario has no stockpile."""
    data: StockpileData | None = structure.instruments.get(NAME)  # type: ignore[assignment]
    if data is None or model.component("stock_level") is None:
        return None
    elements: dict[str, dict] = {}
    for e in data.elements:
        buy = {t: value_of(model.stock_buy[e, t]) * TONNES_PER_KT for t in data.buy_years[e]}
        draw = {t: value_of(model.stock_draw[e, t]) * TONNES_PER_KT for t in data.draw_years[e]}
        level = {t: value_of(model.stock_level[e, t]) * TONNES_PER_KT for t in structure.years}
        elements[e] = {
            "bought_t": sum(buy.values()),
            "drawn_t": sum(draw.values()),
            "peak_stock_t": max(level.values(), default=0.0),
            "spend_musd": sum(
                data.discount[t] * (data.price[e] * buy.get(t, 0.0) + data.holding[e] * level[t])
                for t in structure.years
            )
            * MUSD_PER_BUSD
            / TONNES_PER_KT,
            "bought_t_by_year": {str(t): v for t, v in buy.items() if v > 0},
            "drawn_t_by_year": {str(t): v for t, v in draw.items() if v > 0},
            "stock_t_by_year": {str(t): v for t, v in level.items() if v > 0},
            "buy_years": list(data.buy_years[e]),
            "draw_years": list(data.draw_years[e]),
        }
    spend = {t: value_of(model.stockpile_spend[t]) * MUSD_PER_BUSD for t in structure.years}
    return {
        "elements": elements,
        "bought_t": sum(row["bought_t"] for row in elements.values()),
        "drawn_t": sum(row["drawn_t"] for row in elements.values()),
        "spend_musd": sum(spend.values()),
        "spend_musd_by_year": {str(t): v for t, v in spend.items() if v != 0.0},
        "min_cover_years": data.min_cover_years,
        "max_cover_years": data.max_cover_years,
    }


TOLERANCE_KT = 1e-6
"""How far a recomputed stock may be from the solver's (kt), as the stage balances' tolerance."""


def stockpile_problems(model: pyo.ConcreteModel, structure: ModelStructure) -> list[str]:
    """The stock balance recomputed from the variable values, and the stock within 0 and its maximum."""
    data: StockpileData | None = structure.instruments.get(NAME)  # type: ignore[assignment]
    if data is None or model.component("stock_level") is None:
        return []
    problems: list[str] = []
    for e in data.elements:
        stock = data.initial_stock[e]
        for t in structure.years:
            stock += value_of(model.stock_buy[e, t]) if (e, t) in model.STOCK_BUY else 0.0
            stock -= value_of(model.stock_draw[e, t]) if (e, t) in model.STOCK_DRAW else 0.0
            level = value_of(model.stock_level[e, t])
            if abs(stock - level) > TOLERANCE_KT + 1e-7 * abs(stock):
                problems.append(f"stock of {e} in {t} does not close: {stock:.6f} kt from purchases and draws, "
                                f"{level:.6f} kt held")
            if level < -TOLERANCE_KT or level > data.max_stock[e] + TOLERANCE_KT:
                problems.append(f"stock of {e} in {t} is {level:.6f} kt, outside 0-{data.max_stock[e]:.6f} kt")
            stock = level
    return problems[:20]
