"""The data of substitution and thrifting (issue 13), prepared once per built model from ``substitution.csv``
and the scenario.

An option cuts one flow of ROW demand:

* ``target = element`` (thrifting: grain-boundary diffusion, heavy-rare-earth-free or Ce-substituted
  magnets): the option lowers the content of ``element`` in the ``magnet_type`` magnets made in ROW, so ROW
  magnet makers need less of that element's metal;
* ``target = magnet`` (substitutes: iron-nitride or ferrite magnets, rare-earth-free motors): the option
  lowers ROW demand for ``magnet_type`` magnets.

The public budget pays a one-off programme cost per t/yr of avoided demand capacity (a grant for retooled
lines or redesigned motors, the way build capex buys capacity); the capacity stays for the rest of the horizon.
Amounts are turned into the model's units here: t → kt, and US$ per t/yr → US$ billion per kt/yr (× 10⁻⁶).
A programme can be funded from the option's ``first_year`` (never before the first decision year), and its
capacity can grow by at most ``ramp_t_per_year`` a year up to ``cap_t``. Spend is discounted like capex, so
the discount rate (a setting a sweep could otherwise re-solve without a rebuild) is in :func:`structure_key`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..inputs.data import InputData
from ..scenario import Scenario
from .parameters import TONNES_PER_KT, ModelStructure

USD_PER_TPA_TO_BUSD_PER_KTPA = TONNES_PER_KT / 1e9
"""US$ per t/yr → US$ billion per kt/yr (10³ t per kt, 10⁹ US$ per billion)."""


@dataclass(frozen=True)
class SubstitutionOption:
    """One option: what it cuts, how much, from when, and what a kt/yr of it costs."""

    id: str
    target: str
    magnet_type: str
    element: str | None
    max_share: float
    cost: float
    """US$ billion per kt/yr of avoided demand capacity (undiscounted)."""
    cap: float
    """kt/yr."""
    ramp: float
    """kt/yr of capacity that can be added per year."""
    start: int
    """First year the programme can be funded: the option's first_year, never before the first decision year."""

    def limit(self, year: int) -> float:
        """Largest avoided-demand capacity (kt/yr) the option can have in ``year``: min(cap, ramp · years
        since start, counting the start year), 0 before the start."""
        if year < self.start:
            return 0.0
        return min(self.cap, self.ramp * (year - self.start + 1))


@dataclass(frozen=True)
class SubstitutionData:
    """The options a scenario allows, and the years' discount factors."""

    options: dict[str, SubstitutionOption]
    discount: dict[int, float]
    """Year → 1 / (1 + discount_rate)^(year − first planning year), as capex."""

    def fund_pairs(self, years: list[int]) -> list[tuple[str, int]]:
        """(option, year) in which capacity can be added: from the option's start, while its limit grows."""
        return [(o, t) for o, option in self.options.items() for t in years if option.limit(t) > 0]


def structure_key(scenario: Scenario) -> tuple:
    """The settings outside the structural fields that this instrument builds into the model (empty when off)."""
    if not scenario.substitution:
        return ()
    return (scenario.discount_rate,)


def prepare(data: InputData, scenario: Scenario, structure: ModelStructure) -> SubstitutionData | None:
    """The options the scenario allows, or ``None`` when it leaves substitution off."""
    if not scenario.substitution:
        return None
    allowed = set(scenario.substitution_options) if scenario.substitution_options is not None else None
    options: dict[str, SubstitutionOption] = {}
    for row in data.substitution.itertuples(index=False):
        if allowed is not None and row.option not in allowed:
            continue
        if row.magnet_type not in structure.magnet_types:
            continue
        element = str(row.element) if row.target == "element" else None
        if element is not None and structure.recipe.get((row.magnet_type, element), 0.0) <= 0:
            continue
        options[str(row.option)] = SubstitutionOption(
            id=str(row.option),
            target=str(row.target),
            magnet_type=str(row.magnet_type),
            element=element,
            max_share=float(row.max_share),
            cost=float(row.cost_usd_per_tpa) * USD_PER_TPA_TO_BUSD_PER_KTPA,
            cap=float(row.cap_t) / TONNES_PER_KT,
            ramp=float(row.ramp_t_per_year) / TONNES_PER_KT,
            start=max(int(row.first_year), structure.first_decision_year),
        )
    first = structure.first_year
    return SubstitutionData(
        options=options,
        discount={t: 1.0 / (1.0 + scenario.discount_rate) ** (t - first) for t in structure.years},
    )
