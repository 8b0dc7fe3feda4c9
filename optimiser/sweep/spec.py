"""The sweep file: one TOML file naming a base scenario and one kind of sweep over scenario parameters.

Read with :func:`load_spec` (or :func:`spec_from_dict`). Every problem is raised together as one
:class:`~optimiser.errors.InputError` naming the sweep file and the key (dotted, ``grid.budget_busd[3]``),
with the line where it can be found; unknown keys get a "did you mean" hint. The format is documented in
``docs/sweeps.md``.

A *parameter* is a scenario key (``budget_busd``, ``lead_time_shift_years``, ``export_controls`` ...) or a
field of the sweep's own export control, ``export_control.<field>`` (``elements``, ``start_year``,
``end_year``, ``duration_years``, ``fraction``), which is added to the base scenario's controls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError, InputIssue
from ..inputs.schema import STAGES
from ..scenario import OVERRIDES_SOURCE, RESULT_FIELDS, RULES, SCENARIO_NAME, Scenario
from ..toml_file import IssueCollector, describe_value, did_you_mean, read_toml, with_key_lines
from ..results import DEPENDENCE_GROUPS

KINDS: tuple[str, ...] = ("grid", "one_at_a_time", "monte_carlo", "latin_hypercube", "morris")
"""The kinds of sweep; a sweep file has exactly one of these tables."""

TOP_KEYS: tuple[str, ...] = ("name", "description", "base", "export_control", *KINDS)

EXPORT_CONTROL_FIELDS: tuple[str, ...] = ("elements", "start_year", "end_year", "duration_years", "fraction")
"""Fields of the sweep's export control; ``duration_years`` sets ``end_year = start_year + duration - 1``."""

INTEGER_EXPORT_CONTROL_FIELDS = ("start_year", "end_year", "duration_years")

DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("mean", "std"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "sigma"),
    "discrete": ("values",),
}
"""Sampling distributions and their required keys; all but ``discrete`` also take ``min`` and ``max``
(truncation), ``discrete`` takes ``probabilities``."""

RUN_OUTPUTS: tuple[str, ...] = ("objective", "tie_break_capex_busd", "budget_used_musd", "budget_dual", "total_shortfall_t")
"""Runs-table outputs a Morris analysis may rank inputs by, besides the dependence metrics."""

MAX_SCENARIOS = 100_000
"""The most scenarios one sweep file may ask for (about an hour of warm re-solves on the default data):
larger grids, sample counts and Morris designs are refused when the file is read, not while planning."""

MORRIS_DEFAULTS = {"trajectories": 10, "levels": 4, "seed": 0, "outputs": ("objective",)}


def dependence_metrics() -> tuple[str, ...]:
    """The dependence metric columns of the runs table (for the standard stages)."""
    return tuple(
        f"dependence_{group}_{stat}_{stage}" for group in DEPENDENCE_GROUPS for stat in ("mean", "final") for stage in STAGES
    )


@dataclass(frozen=True)
class Distribution:
    """A sampling distribution of one parameter, optionally truncated to ``[minimum, maximum]``."""

    kind: str
    settings: Mapping[str, object]
    minimum: float | None = None
    maximum: float | None = None

    def _frozen(self):
        """The scipy distribution (imported here: scipy.stats takes a second to import, and only sampling
        sweeps need it)."""
        from scipy import stats

        s = self.settings
        if self.kind == "uniform":
            return stats.uniform(loc=s["low"], scale=s["high"] - s["low"])
        if self.kind == "normal":
            return stats.norm(loc=s["mean"], scale=s["std"])
        if self.kind == "triangular":
            width = s["high"] - s["low"]
            return stats.triang(c=(s["mode"] - s["low"]) / width, loc=s["low"], scale=width)
        return stats.lognorm(s=s["sigma"], scale=s["median"])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities ``u`` in [0, 1) (inverse CDF; truncation rescales ``u``)."""
        if self.kind == "discrete":
            values = np.asarray(self.settings["values"], dtype=float)
            probabilities = np.asarray(self.settings.get("probabilities") or [1.0] * len(values), dtype=float)
            cumulative = np.cumsum(probabilities / probabilities.sum())
            return values[np.minimum(np.searchsorted(cumulative, u, side="right"), len(values) - 1)]
        frozen = self._frozen()
        low = frozen.cdf(self.minimum) if self.minimum is not None else 0.0
        high = frozen.cdf(self.maximum) if self.maximum is not None else 1.0
        return frozen.ppf(low + np.asarray(u) * (high - low))


@dataclass(frozen=True)
class SweepSpec:
    """A parsed, validated sweep file.

    ``grid``: parameter → values (grid); ``ranges``: parameter → (low, high) (one-at-a-time and Morris);
    ``distributions``: parameter → distribution (Monte Carlo and Latin hypercube). ``export_control`` is the
    sweep's export control template (its fields not swept), or None.
    """

    name: str
    kind: str
    base: Scenario
    source: str = "<sweep>"
    description: str = ""
    grid: Mapping[str, tuple] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    distributions: Mapping[str, Distribution] = field(default_factory=dict)
    samples: int = 0
    seed: int = 0
    trajectories: int = 0
    levels: int = 0
    outputs: tuple[str, ...] = ()
    export_control: Mapping[str, object] | None = None
    project_risk: str | None = None
    """``"draw"``: a Monte Carlo sweep draws each candidate's success as go/no-go per sample
    (``failed_projects``; ``model/project_risk_data.draw_failures``)."""

    @property
    def parameters(self) -> list[str]:
        """The swept parameters, in the file's order."""
        if self.kind == "grid":
            return list(self.grid)
        if self.kind in ("monte_carlo", "latin_hypercube"):
            return list(self.distributions)
        return list(self.ranges)

    def to_dict(self) -> dict[str, object]:
        """The sweep as plain data (for ``sweep.json``), with the resolved base scenario."""
        return {
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "source": self.source,
            "base": self.base.to_dict(),
            "export_control": dict(self.export_control) if self.export_control is not None else None,
            "grid": {k: list(v) for k, v in self.grid.items()},
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "distributions": {
                k: {"distribution": d.kind, **dict(d.settings), "min": d.minimum, "max": d.maximum}
                for k, d in self.distributions.items()
            },
            "samples": self.samples,
            "seed": self.seed,
            "trajectories": self.trajectories,
            "levels": self.levels,
            "outputs": list(self.outputs),
            "project_risk": self.project_risk,
        }


def is_integer_parameter(name: str) -> bool:
    """Whether a parameter takes whole numbers (sampled values are rounded to the nearest)."""
    if name.startswith("export_control."):
        return name.split(".", 1)[1] in INTEGER_EXPORT_CONTROL_FIELDS
    return RULES[name].kind == "int"


def is_numeric_parameter(name: str) -> bool:
    """Whether a parameter can be sampled or given a low and a high (a number)."""
    if name.startswith("export_control."):
        return name.split(".", 1)[1] != "elements"
    return name in RULES and RULES[name].kind in ("int", "float")


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; the base scenario path is relative to the sweep file."""
    file = str(path)
    settings, text = read_toml(path, "sweep file")
    if "name" not in settings and SCENARIO_NAME.fullmatch(Path(path).stem):
        settings["name"] = Path(path).stem
    try:
        return spec_from_dict(settings, source=file, directory=Path(path).resolve().parent)
    except InputError as error:
        raise InputError(with_key_lines(error.issues, file, text)) from None


def spec_from_dict(settings: Mapping[str, object], source: str = "<sweep>", directory: Path | None = None) -> SweepSpec:
    """A sweep from a mapping shaped like the TOML file; ``directory`` resolves the base scenario path."""
    issues = IssueCollector(source)
    if not isinstance(settings, Mapping):
        raise InputError(InputIssue(source, f"a sweep must be a table of settings, not {describe_value(settings)}"))
    issues.unknown(settings, TOP_KEYS, "")
    name = settings.get("name")
    if not isinstance(name, str) or not SCENARIO_NAME.fullmatch(name):
        issues.add("name", f"expected a name usable as a results directory (letters, digits, '_', '-', '.'; at most 100), got {name!r}")
    description = settings.get("description", "")
    if not isinstance(description, str):
        issues.add("description", f"expected a string, got {describe_value(description)}")
    kinds = [kind for kind in KINDS if kind in settings]
    if len(kinds) != 1:
        found = ", ".join(f"[{kind}]" for kind in kinds) or "none"
        issues.add(kinds[1] if len(kinds) > 1 else "grid", f"a sweep has exactly one of [{'], ['.join(KINDS)}] (found {found})")
    base = _base(settings.get("base", {}), source, directory, issues)
    control = _export_control(settings.get("export_control"), issues)
    fields: dict[str, object] = {}
    if len(kinds) == 1 and isinstance(settings[kinds[0]], Mapping):
        kind = kinds[0]
        table = settings[kind]
        if kind == "grid":
            fields["grid"] = _grid(table, base, issues)
        elif kind == "one_at_a_time":
            fields["ranges"] = _ranges(table, "one_at_a_time.", base, issues)
        elif kind in ("monte_carlo", "latin_hypercube"):
            issues.unknown(table, ("samples", "seed", "parameters", "project_risk"), f"{kind}.")
            fields["samples"] = _integer(table, "samples", kind, issues, minimum=1, required=True, maximum=MAX_SCENARIOS)
            fields["seed"] = _integer(table, "seed", kind, issues, minimum=0, default=0)
            fields["project_risk"] = _project_risk_draw(table, kind, base, issues)
            drawn_only = fields["project_risk"] is not None and "parameters" not in table
            fields["distributions"] = {} if drawn_only else _distributions(table.get("parameters"), f"{kind}.parameters.", issues)
        else:
            issues.unknown(table, ("trajectories", "levels", "seed", "outputs", "parameters"), "morris.")
            fields["trajectories"] = _integer(
                table, "trajectories", kind, issues, minimum=2, default=MORRIS_DEFAULTS["trajectories"], maximum=MAX_SCENARIOS // 2
            )
            fields["levels"] = _integer(table, "levels", kind, issues, minimum=2, default=MORRIS_DEFAULTS["levels"], maximum=1000)
            fields["seed"] = _integer(table, "seed", kind, issues, minimum=0, default=MORRIS_DEFAULTS["seed"])
            fields["outputs"] = _outputs(table.get("outputs", list(MORRIS_DEFAULTS["outputs"])), issues)
            parameters = table.get("parameters")
            if not isinstance(parameters, Mapping) or not parameters:
                issues.add("morris.parameters", "expected a table of parameters, each { low = ..., high = ... }")
            else:
                fields["ranges"] = _ranges(parameters, "morris.parameters.", base, issues, numeric=True)
                _check_morris_levels(fields["ranges"], fields["levels"], issues)
                design = fields["trajectories"] * (len(fields["ranges"]) + 1)
                if design > MAX_SCENARIOS:
                    issues.add("morris.trajectories", f"{fields['trajectories']} trajectories × {len(fields['ranges']) + 1} points make "
                               f"{design:,} scenarios; a sweep has at most {MAX_SCENARIOS:,}")
        swept_controls = [p for p in fields_parameters(fields) if p.startswith("export_control.")]
        if swept_controls and control is None:
            issues.add(f"{kind}.{swept_controls[0]}", "sweeping export_control fields needs an [export_control] table "
                       "with the fields not swept (elements, start_year, end_year or duration_years, fraction)")
    elif len(kinds) == 1:
        issues.add(kinds[0], f"expected a table, got {describe_value(settings[kinds[0]])}")
    if issues.items or base is None:
        raise InputError(issues.items)
    return SweepSpec(
        name=name, kind=kinds[0], base=base, source=source, description=description, export_control=control, **fields
    )


def fields_parameters(fields: Mapping[str, object]) -> list[str]:
    """The parameters named in parsed kind fields."""
    names: list[str] = []
    for key in ("grid", "ranges", "distributions"):
        names += list(fields.get(key, {}) or {})
    return names


def _base(table: object, source: str, directory: Path | None, issues: IssueCollector) -> Scenario | None:
    """The base scenario: ``scenario`` (a path relative to the sweep file) plus inline overrides."""
    if not isinstance(table, Mapping):
        issues.add("base", f"expected a table ([base]), got {describe_value(table)}")
        return None
    overrides = {key: value for key, value in table.items() if key != "scenario"}
    issues.unknown(overrides, [key for key in RULES if key != "name"], "base.")
    try:
        path = table.get("scenario")
        if path is None:
            scenario = Scenario()
        elif not isinstance(path, str):
            issues.add("base.scenario", f"expected a path to a scenario TOML file, got {describe_value(path)}")
            return None
        else:
            base_file = (directory or Path.cwd()) / path
            problem = _base_file_problem(base_file, source)
            if problem:
                issues.add("base.scenario", problem)
                return None
            scenario = Scenario.from_toml(base_file)
        known = {key: value for key, value in overrides.items() if key in RULES and key != "name"}
        return scenario.with_overrides(**known) if known else scenario
    except InputError as error:
        from_file = [issue for issue in error.issues if issue.file != OVERRIDES_SOURCE]
        if from_file:
            issues.add("base.scenario", f"the base scenario file {from_file[0].file} is not a valid scenario "
                       f"({len(from_file)} problem{'s' if len(from_file) > 1 else ''} in it, reported below)")
        for issue in error.issues:
            if issue.file == OVERRIDES_SOURCE:
                issues.add(f"base.{issue.column}", issue.message)
            else:
                issues.items.append(issue)
        return None


def _base_file_problem(base_file: Path, source: str) -> str | None:
    """Why ``base_file`` cannot be the base scenario of the sweep file ``source`` (None when it may be)."""
    if not base_file.exists():
        return f"the base scenario file {base_file} does not exist"
    if base_file.is_dir():
        return f"the base scenario {base_file} is a directory, not a scenario TOML file"
    try:
        if base_file.resolve() == Path(source).resolve():
            return f"the base scenario {base_file} is this sweep file itself; name a scenario TOML file"
    except OSError:
        return None
    return None


def _export_control(table: object, issues: IssueCollector) -> dict[str, object] | None:
    if table is None:
        return None
    if not isinstance(table, Mapping):
        issues.add("export_control", f"expected a table ([export_control]), got {describe_value(table)}")
        return None
    issues.unknown(table, EXPORT_CONTROL_FIELDS, "export_control.")
    if "end_year" in table and "duration_years" in table:
        issues.add("export_control.duration_years", "give end_year or duration_years, not both")
    return {key: (tuple(value) if isinstance(value, list) else value) for key, value in table.items()}


def _known_parameter(key: str, where: str, issues: IssueCollector, numeric: bool = False) -> bool:
    """Whether ``key`` names a parameter (a numeric one when ``numeric``); an issue when not."""
    if key.startswith("export_control."):
        field_name = key.split(".", 1)[1]
        if field_name not in EXPORT_CONTROL_FIELDS:
            issues.add(where, f"unknown export control field '{field_name}'{did_you_mean(field_name, EXPORT_CONTROL_FIELDS)}")
            return False
    elif key not in RESULT_FIELDS:
        choices = [*RESULT_FIELDS, *(f"export_control.{f}" for f in EXPORT_CONTROL_FIELDS)]
        issues.add(where, f"unknown parameter '{key}'{did_you_mean(key, choices)}")
        return False
    if numeric and not is_numeric_parameter(key):
        issues.add(where, f"'{key}' is not a number: it can be listed in a [grid], not sampled or ranged")
        return False
    return True


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """``{export_control = {fraction = [...]}}`` (TOML dotted keys) → ``{"export_control.fraction": [...]}``."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        if key == "export_control" and isinstance(value, Mapping) and not prefix:
            for inner, inner_value in value.items():
                flat[f"export_control.{inner}"] = inner_value
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _check_value(name: str, value: object, base: Scenario | None, where: str, issues: IssueCollector) -> object:
    """``value`` converted as the scenario would hold it, with an issue (at ``where``) if it is invalid (not
    checked against the scenario when the base scenario is itself invalid: that is reported already)."""
    if name.startswith("export_control."):
        field_name = name.split(".", 1)[1]
        if field_name == "elements":
            if not isinstance(value, (list, tuple)) or not value or not all(isinstance(e, str) and e for e in value):
                issues.add(where, f"expected a non-empty array of element names, got {value!r}")
            return tuple(value) if isinstance(value, list) else value
        if field_name == "fraction":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                issues.add(where, f"expected a fraction within 0-1, got {describe_value(value)}")
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            issues.add(where, f"expected a whole number, got {describe_value(value)}")
        elif field_name == "duration_years" and value < 1:
            issues.add(where, f"must be at least 1, got {value}")
        return value
    if base is None:
        return value
    try:
        return getattr(base.with_overrides(**{name: value}), name)
    except InputError as error:
        for issue in error.issues:
            issues.add(where, issue.message)
        return value


def _grid(table: Mapping[str, object], base: Scenario | None, issues: IssueCollector) -> dict[str, tuple]:
    grid: dict[str, tuple] = {}
    flat = _flatten(table)
    if not flat:
        issues.add("grid", "expected at least one parameter with a list of values")
    for name, spec in flat.items():
        where = f"grid.{name}"
        if not _known_parameter(name, where, issues):
            continue
        if isinstance(spec, Mapping):
            values = _range_values(spec, where, is_integer_parameter(name) if is_numeric_parameter(name) else False, issues)
        elif isinstance(spec, list) and spec:
            values = list(spec)
        else:
            issues.add(where, "expected a non-empty array of values or a table { start, stop, step }")
            continue
        if len(values) > MAX_SCENARIOS:
            issues.add(where, f"{len(values):,} values; a sweep has at most {MAX_SCENARIOS:,} scenarios")
            continue
        checked = [_check_value(name, value, base, f"{where}[{i}]", issues) for i, value in enumerate(values)]
        seen: set[str] = set()
        for i, value in enumerate(checked):
            if repr(value) in seen:
                issues.add(f"{where}[{i}]", f"the value {values[i]!r} is listed twice")
            seen.add(repr(value))
        grid[name] = tuple(checked)
    combinations = math.prod(len(values) for values in grid.values()) if grid else 0
    if combinations > MAX_SCENARIOS:
        issues.add("grid", f"the axes make {combinations:,} scenarios; a sweep has at most {MAX_SCENARIOS:,}")
    return grid


def _range_values(spec: Mapping[str, object], where: str, integer: bool, issues: IssueCollector) -> list:
    """The values ``start, start + step, ...`` up to and including ``stop`` (within rounding)."""
    unknown = [key for key in spec if key not in ("start", "stop", "step")]
    for key in unknown:
        issues.add(f"{where}.{key}", f"unknown key '{key}'{did_you_mean(str(key), ('start', 'stop', 'step'))}")
    numbers = {}
    for key in ("start", "stop", "step"):
        value = spec.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            issues.add(f"{where}.{key}", f"expected a number, got {describe_value(value) if key in spec else 'nothing'}")
            return []
        numbers[key] = value
    start, stop, step = numbers["start"], numbers["stop"], numbers["step"]
    if step <= 0 or stop < start:
        issues.add(where, f"a range needs step > 0 and stop ≥ start, got start {start}, stop {stop}, step {step}")
        return []
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > MAX_SCENARIOS:
        issues.add(where, f"the range has {count:,} values; a sweep has at most {MAX_SCENARIOS:,} scenarios")
        return []
    values = [round(start + i * step, 12) for i in range(count)]
    return [int(round(v)) for v in values] if integer else values


def _ranges(
    table: Mapping[str, object], prefix: str, base: Scenario | None, issues: IssueCollector, numeric: bool = True
) -> dict[str, tuple[float, float]]:
    ranges: dict[str, tuple[float, float]] = {}
    flat = _flatten(table)
    if not flat:
        issues.add(prefix.rstrip("."), "expected at least one parameter { low = ..., high = ... }")
    for name, spec in flat.items():
        where = f"{prefix}{name}"
        if not _known_parameter(name, where, issues, numeric=numeric):
            continue
        if isinstance(spec, Mapping):
            for key in spec:
                if key not in ("low", "high"):
                    issues.add(f"{where}.{key}", f"unknown key '{key}'{did_you_mean(str(key), ('low', 'high'))}")
            pair = (spec.get("low"), spec.get("high"))
        elif isinstance(spec, list) and len(spec) == 2:
            pair = (spec[0], spec[1])
        else:
            issues.add(where, "expected { low = ..., high = ... }")
            continue
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in pair):
            issues.add(where, f"low and high must be numbers, got {pair[0]!r} and {pair[1]!r}")
            continue
        if pair[0] >= pair[1]:
            issues.add(where, f"low ({pair[0]}) must be below high ({pair[1]})")
            continue
        if is_integer_parameter(name) and any(float(v) != int(v) for v in pair):
            issues.add(where, f"'{name}' takes whole numbers; low and high must be whole")
            continue
        for label, value in zip(("low", "high"), pair):
            _check_value(name, int(value) if is_integer_parameter(name) else value, base, f"{where}.{label}", issues)
        ranges[name] = (pair[0], pair[1])
    return ranges


def _integer(
    table: Mapping[str, object], key: str, kind: str, issues: IssueCollector, minimum: int, default: int | None = None,
    required: bool = False, maximum: int = 2**32 - 1,
) -> int:
    value = table.get(key, default)
    if value is None or (required and key not in table):
        issues.add(f"{kind}.{key}", f"missing: a whole number from {minimum} to {maximum:,}")
        return minimum
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else describe_value(value)
        issues.add(f"{kind}.{key}", f"expected a whole number from {minimum} to {maximum:,}, got {shown}")
        return minimum
    return value


def _number(spec: Mapping[str, object], key: str, where: str, issues: IssueCollector) -> float | None:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        issues.add(f"{where}.{key}", f"expected a number, got {describe_value(value) if key in spec else 'nothing'}")
        return None
    return float(value)


def _distributions(table: object, prefix: str, issues: IssueCollector) -> dict[str, Distribution]:
    distributions: dict[str, Distribution] = {}
    if not isinstance(table, Mapping) or not table:
        issues.add(prefix.rstrip("."), "expected a table of parameters, each { distribution = ..., ... }")
        return distributions
    for name, spec in _flatten(table).items():
        where = f"{prefix}{name}"
        if not _known_parameter(name, where, issues, numeric=True):
            continue
        if not isinstance(spec, Mapping):
            issues.add(where, f"expected {{ distribution = ..., ... }}, got {describe_value(spec)}")
            continue
        kind = spec.get("distribution")
        if kind not in DISTRIBUTIONS:
            issues.add(f"{where}.distribution", f"expected one of {', '.join(DISTRIBUTIONS)}, got {kind!r}"
                       f"{did_you_mean(str(kind), DISTRIBUTIONS)}")
            continue
        optional = ("probabilities",) if kind == "discrete" else ("min", "max")
        known = ("distribution", *DISTRIBUTIONS[kind], *optional)
        before = len(issues.items)
        issues.unknown(spec, known, f"{where}.")
        distribution = _distribution(kind, spec, where, issues)
        if distribution is not None and len(issues.items) == before:
            distributions[name] = distribution
    return distributions


def _distribution(kind: str, spec: Mapping[str, object], where: str, issues: IssueCollector) -> Distribution | None:
    """One distribution with its settings checked (positive spreads, ordered bounds, probabilities)."""
    if kind == "discrete":
        values = spec.get("values")
        if not isinstance(values, list) or not values or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            issues.add(f"{where}.values", f"expected a non-empty array of numbers, got {values!r}")
            return None
        probabilities = spec.get("probabilities")
        if probabilities is not None and (
            not isinstance(probabilities, list)
            or len(probabilities) != len(values)
            or any(isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0 for p in probabilities)
            or sum(probabilities) <= 0
        ):
            issues.add(f"{where}.probabilities", "expected one non-negative number per value, not all zero")
            return None
        return Distribution(kind, {"values": tuple(values), "probabilities": tuple(probabilities) if probabilities else None})
    settings = {key: _number(spec, key, where, issues) for key in DISTRIBUTIONS[kind]}
    if any(value is None for value in settings.values()):
        return None
    bounds = {key: _number(spec, key, where, issues) if key in spec else None for key in ("min", "max")}
    if any(key in spec and bounds[key] is None for key in ("min", "max")):
        return None
    problems = []
    if kind in ("uniform", "triangular") and not settings["low"] < settings["high"]:
        problems.append("low must be below high")
    if kind == "triangular" and not settings["low"] <= settings["mode"] <= settings["high"]:
        problems.append("mode must lie within low-high")
    if kind == "normal" and settings["std"] <= 0:
        problems.append("std must be above 0")
    if kind == "lognormal" and (settings["median"] <= 0 or settings["sigma"] <= 0):
        problems.append("median and sigma must be above 0")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] >= bounds["max"]:
        problems.append("min must be below max")
    if problems:
        issues.add(where, "; ".join(problems))
        return None
    distribution = Distribution(kind, settings, bounds["min"], bounds["max"])
    frozen = distribution._frozen()
    low = frozen.cdf(bounds["min"]) if bounds["min"] is not None else 0.0
    high = frozen.cdf(bounds["max"]) if bounds["max"] is not None else 1.0
    if not high > low:
        issues.add(where, f"min-max holds no probability of this {kind} distribution")
        return None
    return distribution


def _project_risk_draw(table: Mapping[str, object], kind: str, base: Scenario | None, issues: IssueCollector) -> str | None:
    """``project_risk = "draw"`` (Monte Carlo only): each sample draws which candidates fail, so the base
    scenario may set neither expected capacity nor failed projects of its own."""
    if "project_risk" not in table:
        return None
    value = table["project_risk"]
    where = f"{kind}.project_risk"
    if value != "draw":
        issues.add(where, f"expected \"draw\" (each sample draws every candidate's success), got {describe_value(value)}")
        return None
    if kind != "monte_carlo":
        issues.add(where, "go/no-go draws are independent per sample: only a [monte_carlo] sweep takes them")
        return None
    if base is not None and base.project_risk:
        issues.add(where, "the base scenario sets project_risk = true (expected capacity); a drawn outcome replaces "
                   "it: set project_risk = false in the base")
        return None
    if base is not None and base.failed_projects is not None:
        issues.add(where, "the base scenario names failed_projects; the draw sets them per sample")
        return None
    return "draw"


def _outputs(value: object, issues: IssueCollector) -> tuple[str, ...]:
    allowed = RUN_OUTPUTS + dependence_metrics()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        issues.add("morris.outputs", f"expected a non-empty array of runs-table columns, got {value!r}")
        return ()
    for i, name in enumerate(value):
        if name not in allowed:
            issues.add(f"morris.outputs[{i}]", f"'{name}' is not an output of the runs table{did_you_mean(name, allowed)}")
    return tuple(value)


def _check_morris_levels(ranges: Mapping[str, tuple[float, float]], levels: int, issues: IssueCollector) -> None:
    """Whole-number parameters must land on whole numbers at every Morris grid level."""
    for name, (low, high) in ranges.items():
        if is_integer_parameter(name) and (high - low) % (levels - 1) != 0:
            issues.add(f"morris.parameters.{name}", f"'{name}' takes whole numbers: high - low ({high - low:g}) must "
                       f"be a multiple of levels - 1 ({levels - 1}) so that every grid level is whole")
