"""The data of the policy instruments a scenario turns on (issue 13), prepared once per built model.

Each instrument has its own module: a ``prepare`` function that returns the instrument's data for the
structure (or ``None`` when the scenario leaves it off or the data cannot support it), a constraint family in
``constraints/`` that adds its variables and rows when its data are present, and its result rows. This module
only calls the ``prepare`` functions in a fixed order; an instrument's data live in
``ModelStructure.instruments[name]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..inputs.data import InputData
    from ..scenario import Scenario
    from .parameters import ModelStructure

Preparer = Callable[["InputData", "Scenario", "ModelStructure"], object | None]


def _preparers() -> dict[str, Preparer]:
    """Every instrument's ``prepare`` function, by instrument name, in the order the model adds them."""
    from . import cofinance_data, project_risk_data, stockpile_data
    from . import recycling_scrap_data, substitution_data

    return {
        "stockpile": stockpile_data.prepare,
        "project_risk": project_risk_data.prepare,
        "cofinance": cofinance_data.prepare,
        "substitution": substitution_data.prepare,
        "recycling_scrap": recycling_scrap_data.prepare,
    }


def instrument_structure_key(scenario: Scenario) -> tuple:
    """The settings outside ``STRUCTURAL_FIELDS`` that the instruments a scenario turns on build into the
    model's structure (a stockpile's cap years and discount factors): a sweep groups scenarios by them too, so
    that a scenario never re-solves a model built with another one's values."""
    from . import stockpile_data, substitution_data

    keys = {"stockpile": stockpile_data.structure_key(scenario),
            "substitution": substitution_data.structure_key(scenario)}
    return tuple((name, key) for name, key in keys.items() if key)


def prepare_instruments(data: InputData, scenario: Scenario, structure: ModelStructure) -> dict[str, object]:
    """name → prepared data for every instrument the scenario turns on."""
    prepared: dict[str, object] = {}
    for name, prepare in _preparers().items():
        value = prepare(data, scenario, structure)
        if value is not None:
            prepared[name] = value
    return prepared
