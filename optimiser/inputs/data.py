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
    history_output: pd.DataFrame = field(default_factory=lambda: _empty("history_output"))
    cofinance: pd.DataFrame = field(default_factory=lambda: _empty("cofinance"))
    stockpile: pd.DataFrame = field(default_factory=lambda: _empty("stockpile"))
    project_risk: pd.DataFrame = field(default_factory=lambda: _empty("project_risk"))
    maturity_probability: pd.DataFrame = field(default_factory=lambda: _empty("maturity_probability"))
    substitution: pd.DataFrame = field(default_factory=lambda: _empty("substitution"))
    recycling_scrap: pd.DataFrame = field(default_factory=lambda: _empty("recycling_scrap"))
    magnet_lifetime: pd.DataFrame = field(default_factory=lambda: _empty("magnet_lifetime"))
    file_sha256: dict[str, str] = field(default_factory=dict)
    inputs_sha256: str = ""

    def __post_init__(self) -> None:
        """Demand rows built in code without a case (no ``case`` column, or an empty cell) belong to the one
        default case, as the rows of a file without the column do."""
        from .schema import DEFAULT_DEMAND_CASE

        for name in ("demand", "magnet_demand"):
            table = getattr(self, name)
            if "case" not in table.columns or table["case"].isna().any():
                cases = table["case"] if "case" in table.columns else pd.Series(index=table.index, dtype="object")
                setattr(self, name, table.assign(case=cases.astype("object").where(cases.notna(), DEFAULT_DEMAND_CASE)))

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
    def demand_cases(self) -> list[str]:
        """The named demand cases of ``demand.csv``, in order of first appearance; the first is the default."""
        return list(dict.fromkeys(self.demand["case"]))

    @property
    def default_demand_case(self) -> str:
        """The case a scenario without ``demand_case`` runs: the first row's of ``demand.csv``."""
        return str(self.demand["case"].iloc[0])

    @property
    def first_year(self) -> int:
        return int(self.parameters["first_year"])

    @property
    def last_year(self) -> int:
        return int(self.parameters["last_year"])


def _empty(name: str) -> pd.DataFrame:
    """The optional table ``name`` with no rows: data sets (and hand-made ones in tests) without that file."""
    from .schema import TABLES

    return pd.DataFrame({**{column.name: [] for column in TABLES[name].columns}, "line": []})
