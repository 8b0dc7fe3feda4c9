"""Write a synthetic input directory with N projects and a longer horizon, shaped like the default data.

The scale benchmark (``benchmarks/scale.py``) needs data sets of 300, 1,000 and 3,000 projects over 2025-2045
and 2025-2065 that keep the structure of ``inputs/``, so that the LP it times is this model's LP at that size.
What is written:

- ``projects.csv``: the generic modules of the source data once each, as they are (four, with gen_rec), plus ``N - G``
  projects drawn from the source's included, non-generic projects (every component of a drawn project comes
  with it). The draw is stratified by (status, stage of component 0): whole copies of the pool first, the
  rest allocated to the strata by largest remainder and sampled without replacement, so the mix of
  statuses, stages, countries, roles, ramps, scopes, lead times and online years follows the source.
  Each drawn project gets the id ``<source id>__<n>``, a capacity and capex factor (one per project, applied
  to all its components so the chain stays consistent) of ``scale x lognormal(0, 0.25)``, capex intensity
  also jittered by ``lognormal(0, 0.1)``, and, for candidates, a lead time moved by -1, 0 or +1 year (at
  least 1). ``--scale existing`` (default) gives operating, construction and committed projects the scale
  ``source count / drawn count`` of their group, so today's industry keeps its total capacity (and 2025
  calibrates as the default does) while the candidate pipeline grows at real project sizes: a planner who
  adds the world's deposits. ``--scale all`` shrinks candidates too (the same economy split finer), ``none``
  keeps every size.
- ``grades.csv``: the source grades of each drawn mine or recycling component, under the new id.
- ``demand.csv``, ``magnet_demand.csv``, ``china_production.csv``, ``row_other_mining.csv``: the source rows
  up to the last year; a series (every column but year, the value and the source) that reaches the source's
  last year with at least two years is continued at its last year-on-year growth rate. Any extra columns
  (a demand ``case``) are copied and become part of the series key.
- ``parameters.csv`` with ``last_year`` set; ``elements``, ``stages``, ``countries``, ``magnet_recipes`` and
  the scenario files copied; ``history_output.csv`` with its header only (its rows name source projects);
  ``generated.json`` with the arguments.

Deterministic for a seed (numpy's PCG64). Nothing under the source directory is modified. Usage::

    .venv/bin/python benchmarks/generate_scale.py --projects 300 --last-year 2065 --out /tmp/scale_300_2065 [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SOURCE = Path(__file__).resolve().parent.parent / "inputs"

COPIED = ("elements.csv", "stages.csv", "countries.csv", "magnet_recipes.csv")
"""Tables copied byte for byte."""

YEAR_TABLES: dict[str, str] = {
    "demand.csv": "demand_t",
    "magnet_demand.csv": "demand_t",
    "china_production.csv": "production_t",
    "row_other_mining.csv": "production_t",
}
"""Year-indexed tables and their value column; every other column but ``year`` and the free text is a key."""

FREE_TEXT = ("source", "note")

EXISTING = ("operating", "construction", "committed")
CANDIDATE, GENERIC = "candidate", "generic"
GRADED_ROLES = ("mine", "recycling")

SIZE_SIGMA = 0.25
"""Spread (log scale) of each drawn project's size around its source's."""

INTENSITY_SIGMA = 0.10
"""Spread (log scale) of each drawn project's capex per unit of capacity."""

SCALES = ("existing", "all", "none")


def read_text_table(path: Path) -> pd.DataFrame:
    """A CSV with every cell kept as its text (empty cells as ''), so copied rows are written back unchanged."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _number(value: float, digits: int = 3) -> str:
    return f"{round(value, digits):.{digits}f}"


def extend_years(frame: pd.DataFrame, value_column: str, last_year: int) -> pd.DataFrame:
    """Rows up to ``last_year``; each series reaching the table's last year with two or more years continued
    at its last growth rate (value rounded to 3 decimals). Series keep their order of first appearance (the
    first demand case is the data's default)."""
    years = frame["year"].astype(int)
    kept = frame[years <= last_year]
    source_last = int(years.max())
    if last_year <= source_last:
        return kept.reset_index(drop=True)
    keys = [column for column in frame.columns if column not in ("year", value_column, *FREE_TEXT)]
    added: list[dict[str, str]] = []
    for _, series in frame.assign(_year=years).groupby(keys, sort=False):
        series = series.sort_values("_year")
        if len(series) < 2 or int(series["_year"].iloc[-1]) != source_last:
            continue
        last, before = float(series[value_column].iloc[-1]), float(series[value_column].iloc[-2])
        rate = last / before if before > 0 else 1.0
        template = series.iloc[-1].drop("_year").to_dict()
        for year in range(source_last + 1, last_year + 1):
            row = dict(template)
            row["year"] = str(year)
            row[value_column] = f"{last * rate ** (year - source_last):.3f}"
            if "source" in row:
                row["source"] = (
                    f"SYNTHETIC (benchmarks/generate_scale.py): the {source_last} value x {rate:.6f}^(year - "
                    f"{source_last}), the series' last year-on-year growth"
                )
            added.append(row)
    extended = pd.concat([kept, pd.DataFrame(added, columns=frame.columns)], ignore_index=True)
    series_order = extended.groupby(keys, sort=False).ngroup()
    return (
        extended.assign(_series=series_order, _year=extended["year"].astype(int))
        .sort_values(["_series", "_year"], kind="stable")
        .drop(columns=["_series", "_year"])
        .reset_index(drop=True)
    )


def _strata(projects: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Source project ids that may be drawn, by (status, stage of component 0), in file order."""
    heads = projects[projects["component"] == "0"]
    drawable = heads[(heads["include"].str.lower() != "false") & (heads["status"] != GENERIC)]
    strata: dict[tuple[str, str], list[str]] = {}
    for row in drawable.itertuples(index=False):
        strata.setdefault((row.status, row.stage), []).append(row.project)
    return strata


def draw_projects(strata: dict[tuple[str, str], list[str]], count: int, rng: np.random.Generator) -> list[str]:
    """``count`` source ids: whole copies of the pool, then the rest allocated to the strata by largest
    remainder and sampled without replacement within each."""
    pool = [project for ids in strata.values() for project in ids]
    copies, rest = divmod(count, len(pool))
    drawn = pool * copies
    quotas = {key: rest * len(ids) / len(pool) for key, ids in strata.items()}
    allocation = {key: int(quota) for key, quota in quotas.items()}
    by_remainder = sorted(quotas, key=lambda key: (-(quotas[key] - allocation[key]), list(strata).index(key)))
    for key in by_remainder[: rest - sum(allocation.values())]:
        allocation[key] += 1
    for key, ids in strata.items():
        if allocation[key]:
            drawn += [ids[i] for i in sorted(rng.choice(len(ids), size=allocation[key], replace=False))]
    return drawn


def _scale_factors(status: dict[str, str], pool: list[str], drawn: list[str], scale: str) -> dict[str, float]:
    """The size scale of each drawable source project: ``pool count / drawn count`` of its group (existing
    projects, candidates) where that group is scaled, 1 elsewhere."""
    group = {project: "existing" if status[project] in EXISTING else "candidate" for project in pool}
    factors: dict[str, float] = {}
    for name in ("existing", "candidate"):
        in_pool = sum(1 for project in pool if group[project] == name)
        in_draw = sum(1 for project in drawn if group[project] == name)
        scaled = scale == "all" or (scale == "existing" and name == "existing")
        factor = in_pool / in_draw if scaled and in_draw else 1.0
        factors.update({project: factor for project in pool if group[project] == name})
    return factors


def synthetic_projects(
    projects: pd.DataFrame, grades: pd.DataFrame, count: int, seed: int, scale: str, last_year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """projects.csv and grades.csv rows of ``count`` projects (the generic modules included)."""
    rng = np.random.default_rng(seed)
    generics = projects[projects["status"] == GENERIC]
    generic_ids = list(dict.fromkeys(generics["project"]))
    if count <= len(generic_ids):
        raise ValueError(f"--projects must be above the {len(generic_ids)} generic modules, not {count}")
    strata = _strata(projects)
    drawn = draw_projects(strata, count - len(generic_ids), rng)
    heads = projects[projects["component"] == "0"]
    status = dict(zip(heads["project"], heads["status"]))
    factors = _scale_factors(status, [project for ids in strata.values() for project in ids], drawn, scale)
    components = {project: rows for project, rows in projects.groupby("project", sort=False)}
    graded = {key: rows for key, rows in grades.groupby(["project", "component"], sort=False)}
    project_rows = [generics]
    grade_rows = [grades[grades["project"].isin(generic_ids)]]
    width = len(str(len(drawn)))
    for number, source in enumerate(drawn):
        new_id = f"{source}__{number:0{width}d}"
        size = factors[source] * float(np.exp(rng.normal(0.0, SIZE_SIGMA)))
        intensity = float(np.exp(rng.normal(0.0, INTENSITY_SIGMA)))
        lead_shift = int(rng.choice((-1, 0, 0, 1)))
        rows = components[source].copy()
        rows["project"] = new_id
        rows["name"] = rows["name"] + f" (synthetic {number})"
        rows["capacity"] = [_number(float(value) * size) for value in rows["capacity"]]
        rows["capex_musd"] = [_number(float(value) * size * intensity) if value else "" for value in rows["capex_musd"]]
        if rows["status"].iloc[0] == CANDIDATE:
            rows["lead_time_years"] = [str(max(1, int(value) + lead_shift)) if value else "" for value in rows["lead_time_years"]]
        for column in ("earliest_start", "online_year"):
            rows[column] = [value if not value or int(value) <= last_year else str(last_year) for value in rows[column]]
        rows["source"] = (
            f"SYNTHETIC (benchmarks/generate_scale.py seed {seed}): {source} component "
            + rows["component"]
            + f" of inputs/projects.csv, capacity x {size:.4f}, capex x {size * intensity:.4f}"
        )
        rows["note"] = ""
        project_rows.append(rows)
        for component in rows.loc[rows["role"].isin(GRADED_ROLES), "component"]:
            copied = graded[(source, component)].copy()
            copied["project"] = new_id
            grade_rows.append(copied)
    return pd.concat(project_rows, ignore_index=True), pd.concat(grade_rows, ignore_index=True)


def generate(
    out: Path, projects: int, last_year: int, seed: int = 0, scale: str = "existing", source: Path = SOURCE
) -> None:
    """Write the synthetic input directory ``out`` (created; files in it overwritten)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(source / name, out / name)
    if (source / "scenarios").is_dir():
        shutil.copytree(source / "scenarios", out / "scenarios", dirs_exist_ok=True)

    parameters = read_text_table(source / "parameters.csv")
    first_year = int(float(parameters.loc[parameters["name"] == "first_year", "value"].iloc[0]))
    if last_year < first_year:
        raise ValueError(f"--last-year {last_year} is before the data's first year {first_year}")
    is_last = parameters["name"] == "last_year"
    parameters.loc[is_last, "value"] = str(last_year)
    parameters.loc[is_last, "source"] = f"SYNTHETIC (benchmarks/generate_scale.py): horizon {first_year}-{last_year}"
    write_table(parameters, out / "parameters.csv")

    for name, value_column in YEAR_TABLES.items():
        write_table(extend_years(read_text_table(source / name), value_column, last_year), out / name)

    history = source / "history_output.csv"
    if history.exists():
        write_table(read_text_table(history).iloc[0:0], out / "history_output.csv")

    project_table, grade_table = synthetic_projects(
        read_text_table(source / "projects.csv"), read_text_table(source / "grades.csv"), projects, seed, scale, last_year
    )
    write_table(project_table, out / "projects.csv")
    write_table(grade_table, out / "grades.csv")
    arguments = {"projects": projects, "first_year": first_year, "last_year": last_year, "seed": seed, "scale": scale,
                 "source": str(source)}
    (out / "generated.json").write_text(json.dumps(arguments, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, required=True, help="projects in the data, the generic modules included")
    parser.add_argument("--last-year", type=int, required=True, help="last year of the horizon (the first stays the source's)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write (created)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", choices=SCALES, default="existing",
                        help="which drawn projects shrink so their group keeps the source's total size (default: existing)")
    parser.add_argument("--inputs", type=Path, default=SOURCE, help="source data (default: the repository's inputs/)")
    args = parser.parse_args(argv)
    try:
        generate(args.out, args.projects, args.last_year, args.seed, args.scale, args.inputs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {args.projects} projects, years to {args.last_year}, seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
