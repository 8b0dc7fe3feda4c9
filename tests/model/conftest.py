"""Tiny instances built in code, small enough that their optimum is worked out by hand in each test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimiser.inputs.data import InputData
from optimiser.inputs.schema import TABLES

SOURCE = "ASSUMPTION: hand-worked test instance"


def _table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns of ``name``, missing cells as NaN."""
    columns = [column.name for column in TABLES[name].columns]
    frame = pd.DataFrame([{**{c: np.nan for c in columns}, "source": SOURCE, **row} for row in rows], columns=columns)
    frame["line"] = range(2, len(frame) + 2)
    return frame


def make_data(
    *,
    elements: dict[str, tuple[bool, float]],
    stage_yield: dict[str, float] | None = None,
    stage_weight: dict[str, float] | None = None,
    recipes: dict[tuple[str, str], float] | None = None,
    projects: list[dict],
    grades: dict[tuple[str, int], dict[str, float]] | None = None,
    demand: dict[tuple[str, str], float] | None = None,
    magnet_demand: dict[str, float] | None = None,
    years: tuple[int, int] = (2025, 2027),
    china_mined_share: float = 0.84,
) -> InputData:
    """An InputData with constant yearly demand; every project row gets include=True and max_units 1 by default."""
    stage_yield = stage_yield or {"mining": 1.0, "separation": 1.0, "metal": 1.0, "magnet": 1.0}
    stage_weight = stage_weight or {s: 1.0 for s in stage_yield}
    recipes = recipes or {("NdFeB", "Nd"): 1.0}
    demand = demand or {}
    magnet_demand = magnet_demand or {}
    first, last = years
    year_range = range(first, last + 1)
    project_rows = [{"include": True, "max_units": 1, "component": 0, **row} for row in projects]
    return InputData(
        directory=Path("<tiny>"),
        elements=_table(
            "elements", [{"element": e, "restricted": r, "weight": w} for e, (r, w) in elements.items()]
        ).astype({"restricted": bool}),
        stages=_table(
            "stages",
            [
                {"stage": s, "order": i, "yield": stage_yield[s], "weight": stage_weight[s]}
                for i, s in enumerate(["mining", "separation", "metal", "magnet"])
            ],
        ),
        countries=_table("countries", [{"country": "Testland", "partner": True}]).astype({"partner": bool}),
        magnet_recipes=_table(
            "magnet_recipes", [{"magnet_type": m, "element": e, "share": v} for (m, e), v in recipes.items()]
        ),
        parameters={"first_year": first, "last_year": last, "china_mined_share": china_mined_share, "row_demand_share": 0.3},
        projects=_table("projects", project_rows),
        grades=_table(
            "grades",
            [
                {"project": p, "component": c, "element": e, "grade": g}
                for (p, c), values in (grades or {}).items()
                for e, g in values.items()
            ],
        ),
        demand=_table(
            "demand",
            [
                {"element": e, "stage": s, "year": t, "demand_t": demand.get((e, s), 0.0)}
                for e in elements
                for s in ("mining", "separation", "metal")
                for t in year_range
            ],
        ),
        magnet_demand=_table(
            "magnet_demand",
            [
                {"magnet_type": m, "year": t, "demand_t": magnet_demand.get(m, 0.0)}
                for m in dict.fromkeys(m for m, _ in recipes)
                for t in year_range
            ],
        ),
        china_production=_table("china_production", []),
        row_other_mining=_table("row_other_mining", []),
        inputs_sha256="tiny",
    )


def mine(project: str, capacity: float, **extra) -> dict:
    return {
        "project": project, "name": project, "country": "Testland", "status": "operating", "stage": "mining",
        "role": "mine", "capacity": capacity, "online_year": 2000, **extra,
    }


def plant(project: str, stage: str, capacity: float, scope: str, **extra) -> dict:
    defaults = {"status": "operating", "online_year": 2000}
    if extra.get("status") in ("candidate", "generic"):
        defaults = {}
    return {
        "project": project, "name": project, "country": "Testland", "stage": stage, "role": "plant",
        "capacity": capacity, "scope": scope, **defaults, **extra,
    }


@pytest.fixture
def builders():
    """The instance builders, for tests that assemble their own tiny data."""
    return {"make_data": make_data, "mine": mine, "plant": plant}
