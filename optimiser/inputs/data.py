"""The validated input data set, as the model builder receives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class InputData:
    """Every input table, typed and checked, plus where it came from.

    Each DataFrame has exactly the columns of its :mod:`optimiser.inputs.schema` table (optional cells as
    ``NaN``/``None``), rows in file order, and a ``line`` column with the row's line number in its file.
    ``parameters`` is the ``parameters.csv`` table as a name → value mapping.
    """

    directory: Path
    elements: pd.DataFrame
    stages: pd.DataFrame
    countries: pd.DataFrame
    magnet_recipes: pd.DataFrame
    parameters: dict[str, float]
    projects: pd.DataFrame
    grades: pd.DataFrame
    demand: pd.DataFrame
    magnet_demand: pd.DataFrame
    china_production: pd.DataFrame
    row_other_mining: pd.DataFrame
    history_output: pd.DataFrame = field(default_factory=lambda: _empty_history_output())
    file_sha256: dict[str, str] = field(default_factory=dict)
    inputs_sha256: str = ""

    @property
    def element_names(self) -> list[str]:
        return list(self.elements["element"])

    @property
    def restricted_elements(self) -> list[str]:
        return list(self.elements.loc[self.elements["restricted"], "element"])

    @property
    def magnet_types(self) -> list[str]:
        return list(dict.fromkeys(self.magnet_recipes["magnet_type"]))

    @property
    def first_year(self) -> int:
        return int(self.parameters["first_year"])

    @property
    def last_year(self) -> int:
        return int(self.parameters["last_year"])


def _empty_history_output() -> pd.DataFrame:
    """``history_output`` with no rows: data sets (and hand-made ones in tests) without published output."""
    from .schema import TABLES

    return pd.DataFrame({**{column.name: [] for column in TABLES["history_output"].columns}, "line": []})
