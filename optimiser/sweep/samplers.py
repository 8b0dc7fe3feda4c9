"""The points of a sweep (parameter values, one dict per scenario), and the sensitivity tables built from
their results.

Every sampler is deterministic: grids and one-at-a-time by construction, Monte Carlo, Latin hypercube and
Morris from the sweep's seed (numpy's ``default_rng``, scipy's ``LatinHypercube``, SALib's Morris sampler).
Whole-number parameters are rounded to the nearest whole number (halves away from zero).
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .spec import SweepSpec, is_integer_parameter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Point:
    """One scenario of a sweep: the swept parameters' values, and what the sweep kind says about it
    (``oat_parameter`` and ``oat_level`` for one-at-a-time, ``morris_trajectory`` for Morris): runs-table
    columns."""

    values: dict[str, object]
    meta: dict[str, object] = field(default_factory=dict)


def _whole(value: float) -> int:
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


def _typed(name: str, values: np.ndarray) -> list:
    if is_integer_parameter(name):
        return [_whole(float(v)) if math.isfinite(v) else float(v) for v in values]
    return [float(v) for v in values]


def points(spec: SweepSpec) -> list[Point]:
    """The sweep's points, in the order the kind defines (grid: Cartesian product, first key slowest)."""
    if spec.kind == "grid":
        names = list(spec.grid)
        return [Point(dict(zip(names, combination))) for combination in itertools.product(*spec.grid.values())]
    if spec.kind == "one_at_a_time":
        out = [Point({}, {"oat_parameter": None, "oat_level": "base"})]
        for name, (low, high) in spec.ranges.items():
            for level, value in (("low", low), ("high", high)):
                value = _whole(value) if is_integer_parameter(name) else float(value)
                out.append(Point({name: value}, {"oat_parameter": name, "oat_level": level}))
        return out
    if spec.kind in ("monte_carlo", "latin_hypercube"):
        return [Point(values) for values in _sampled(spec)]
    return [Point(values, {"morris_trajectory": i // (len(spec.ranges) + 1)}) for i, values in enumerate(_morris_rows(spec))]


def unit_samples(spec: SweepSpec) -> np.ndarray:
    """Probabilities in [0, 1), one row per sample and one column per parameter: independent uniforms for
    Monte Carlo, a Latin hypercube (one sample in each of ``samples`` equal strata of every parameter)."""
    dimensions = len(spec.distributions)
    if spec.kind == "monte_carlo":
        return np.random.default_rng(spec.seed).random((spec.samples, dimensions))
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(spec.seed)).random(spec.samples)


def _sampled(spec: SweepSpec) -> list[dict[str, object]]:
    u = unit_samples(spec)
    with np.errstate(over="ignore"):  # a draw past the float range is inf, which the scenario check names
        columns = {
            name: _typed(name, distribution.ppf(u[:, j])) for j, (name, distribution) in enumerate(spec.distributions.items())
        }
    return [{name: columns[name][i] for name in columns} for i in range(spec.samples)]


def morris_problem(spec: SweepSpec) -> dict:
    """The SALib problem definition of a Morris sweep."""
    return {
        "num_vars": len(spec.ranges),
        "names": list(spec.ranges),
        "bounds": [[float(low), float(high)] for low, high in spec.ranges.values()],
    }


def morris_matrix(spec: SweepSpec) -> np.ndarray:
    """SALib's Morris sample: ``trajectories × (parameters + 1)`` rows, on a grid of ``levels`` levels."""
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(morris_problem(spec), spec.trajectories, num_levels=spec.levels, seed=spec.seed)


def _morris_rows(spec: SweepSpec) -> list[dict[str, object]]:
    matrix = morris_matrix(spec)
    names = list(spec.ranges)
    columns = {name: _typed(name, matrix[:, j]) for j, name in enumerate(names)}
    return [{name: columns[name][i] for name in names} for i in range(len(matrix))]


def morris_ranking(spec: SweepSpec, outputs: dict[str, np.ndarray]) -> pd.DataFrame:
    """Morris elementary effects per output (one value per Morris sample row, in sample order) and input.

    ``mu_star`` (mean absolute elementary effect, in output units over the input's whole low-high range)
    ranks the inputs, 1 = matters most; ``sigma`` shows interactions or non-linearity.
    """
    from SALib.analyze import morris as morris_analyze

    problem = morris_problem(spec)
    matrix = morris_matrix(spec)
    frames = []
    for output, values in outputs.items():
        result = morris_analyze.analyze(
            problem, matrix, np.asarray(values, dtype=float), num_levels=spec.levels, seed=spec.seed,
            print_to_console=False,
        )
        frame = pd.DataFrame(
            {
                "output": output,
                "parameter": list(result["names"]),
                "mu": np.asarray(result["mu"], dtype=float),
                "mu_star": np.asarray(result["mu_star"], dtype=float),
                "sigma": np.asarray(result["sigma"], dtype=float),
                "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            }
        )
        frame["rank"] = frame["mu_star"].rank(ascending=False, method="min").astype(int)
        frames.append(frame.sort_values(["rank", "parameter"]))
    return pd.concat(frames, ignore_index=True)


def tornado_table(spec: SweepSpec, values: np.ndarray, output: str = "objective") -> pd.DataFrame:
    """One row per parameter of a one-at-a-time sweep: its low and high, the output there and at the base,
    and the swing ``|output(high) − output(low)|``, largest swing first (the bars of a tornado chart).

    ``values`` holds the output of every point of the sweep, in the order of :func:`points`.
    """
    by_level: dict[tuple[object, object], float] = {}
    for point, value in zip(points(spec), values):
        by_level[point.meta["oat_parameter"], point.meta["oat_level"]] = float(value)
    base_value = by_level.get((None, "base"), math.nan)
    rows = []
    for name, (low, high) in spec.ranges.items():
        value_low = by_level.get((name, "low"), math.nan)
        value_high = by_level.get((name, "high"), math.nan)
        rows.append(
            {
                "parameter": name,
                "low": low,
                "high": high,
                f"{output}_low": value_low,
                f"{output}_base": base_value,
                f"{output}_high": value_high,
                "swing": abs(value_high - value_low),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False, na_position="last").reset_index(drop=True)
