"""Property-based fuzzing of the three parsers a user feeds files to (issue 9): the input tables
(:func:`optimiser.inputs.load_inputs`), the scenario file (:meth:`optimiser.scenario.Scenario.from_toml`) and
the sweep file (:func:`optimiser.sweep.load_spec`).

Each property writes a generated file (a mutation of a valid one, or structured random TOML) and allows only
two outcomes: a valid load, or an :class:`~optimiser.errors.InputError` whose every issue names the file
it is about. A value that is accepted must also be usable: valid inputs and scenarios build the model, and
valid sweeps expand into their scenarios. Anything else (any other exception) is a fault.

Examples are derandomised so that CI runs the same files every time; ``EXAMPLES`` fixes how many.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.errors import InputError
from optimiser.inputs import load_inputs
from optimiser.inputs.schema import TABLES
from optimiser.model import build_model
from optimiser.scenario import EXPORT_CONTROL_KEYS, RULES, Scenario
from optimiser.sweep import load_spec
from optimiser.sweep.plan import build_tasks
from optimiser.sweep.spec import DISTRIBUTIONS, KINDS

TINY = Path(__file__).resolve().parent / "data" / "tiny"
EXAMPLES = {"tables": 500, "scenario": 400, "sweep": 300}
"""Generated files per property per run; the total is checked to stay at least ``MINIMUM_FILES``."""
MINIMUM_FILES = 1000
LARGEST_SWEEP_EXPANDED = 200
"""Valid sweeps with at most this many scenarios are expanded (bigger ones only parse, to bound the time)."""


def _settings(name: str) -> settings:
    return settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def test_the_fuzzing_covers_enough_files():
    assert sum(EXAMPLES.values()) >= MINIMUM_FILES


# Generated values ---------------------------------------------------------------------------------------------

AWKWARD_TEXT = [
    "", " ", "nan", "NaN", "inf", "-inf", "1e308", "1e400", "-1", "-0", "0", "1", "0.5", "2025", "2030", "99999999",
    "100000000000000000000", "1.5", "true", "false", "yes", "ALL", "Nd", "Dy", "NdFeB", "mining", "magnet", "plant",
    "mine", "candidate", "generic", "Australia", "ROW", "0.25;0.5", ";", "x;y", '"', "'", ",", "\n", "\x00",
    "\ufeff", "é", "\u202e",
]


def _cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(AWKWARD_TEXT),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.text(max_size=12),
    )


def _plausible_cell(original: str) -> st.SearchStrategy[str]:
    """A value of the kind the cell holds (a number for a number, a known name for a name), often valid."""
    try:
        number = float(original)
    except ValueError:
        return st.sampled_from(NAMES)
    return st.one_of(
        st.sampled_from([repr(number * factor) for factor in (0.0, 0.5, 2.0, 1e3, 1e6)] + ["0", "1", "2027"]),
        st.floats(min_value=0.0, max_value=1.0).map(repr),
        st.floats(min_value=0.0, max_value=1e9).map(repr),
        st.integers(min_value=1900, max_value=2200).map(str),
    )


def _rows(filename: str) -> list[list[str]]:
    with open(TINY / filename, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


NAMES = sorted(
    {cell for table in TABLES.values() for row in _rows(table.filename)[1:] for cell in row if cell and len(cell) < 40}
    - {cell for table in TABLES.values() for row in _rows(table.filename)[1:] for cell in row if cell.replace(".", "").isdigit()}
)
"""Every name (element, stage, country, project, type, status ...) the tiny data set uses."""


@st.composite
def mutated_table(draw) -> tuple[str, bytes]:
    """One input table with a few row, column, cell and byte mutations."""
    filename = draw(st.sampled_from(sorted(table.filename for table in TABLES.values())))
    rows = _rows(filename)
    for _ in range(draw(st.integers(1, 2))):
        operation = draw(st.sampled_from(["plausible_cell"] * 6 + ["cell"] * 2 + [
            "drop_row", "duplicate_row", "drop_column", "duplicate_column", "rename_column", "ragged"]))
        row = draw(st.integers(min(1, len(rows) - 1), len(rows) - 1))
        column = draw(st.integers(0, max(len(rows[row]) - 1, 0)))
        if operation == "plausible_cell" and rows[row]:
            rows[row][column] = draw(_plausible_cell(rows[row][column]))
        elif operation == "cell" and rows[row]:
            rows[row][column] = draw(_cell())
        elif operation == "drop_row":
            del rows[row]
        elif operation == "duplicate_row":
            rows.insert(row, list(rows[row]))
        elif operation == "drop_column":
            rows = [r[:column] + r[column + 1 :] for r in rows]
        elif operation == "duplicate_column":
            rows = [r + r[column : column + 1] for r in rows]
        elif operation == "rename_column" and rows[0]:
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(_cell())
        elif operation == "ragged":
            rows[row] = rows[row][: draw(st.integers(0, len(rows[row]) + 2))] + [draw(_cell())]
        if not rows:
            break
    data = _csv(rows).encode("utf-8")
    byte_operation = draw(st.sampled_from(["none"] * 7 + ["inject", "truncate", "delete"]))
    position = draw(st.integers(0, len(data)))
    if byte_operation == "inject":
        data = data[:position] + draw(st.binary(min_size=1, max_size=8)) + data[position:]
    elif byte_operation == "truncate":
        data = data[:position]
    elif byte_operation == "delete":
        data = data[:position] + data[position + draw(st.integers(1, 20)) :]
    return filename, data


TOML_KEYS = st.one_of(st.sampled_from(sorted(RULES)), st.text(min_size=1, max_size=8))
TOML_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 2024, 2025, 2027, 2030, 2031, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 0.5, 1.0, -0.5, 1.5, 1e-300, 1e300, 15.5]),
    st.text(max_size=8),
    st.sampled_from(["Dy", "Nd", "Tb", "weighted", "peak", "mining", "magnet", "Australia", "base", "../x"]),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TOML_KEYS, inner, max_size=4),
    max_leaves=10,
)


def _export_controls() -> st.SearchStrategy[list[dict[str, object]]]:
    control = st.dictionaries(
        st.one_of(st.sampled_from(EXPORT_CONTROL_KEYS), st.text(min_size=1, max_size=8)),
        st.one_of(TOML_SCALARS, st.lists(st.sampled_from(["Dy", "Nd", "La", "Tb", ""]), max_size=3)),
        max_size=5,
    )
    return st.lists(control, max_size=3)


def _plausible_number(kind: str) -> st.SearchStrategy[object]:
    if kind == "int":
        return st.one_of(st.integers(-3, 10), st.integers(2020, 2035))
    return st.one_of(st.floats(min_value=-1.0, max_value=2.0), st.floats(min_value=0.0, max_value=100.0),
                     st.sampled_from([0.0, 1e-9, 0.99, 1.0, 1000.0, 1e6]))


def _plausible_value(key: str) -> st.SearchStrategy[object]:
    """A value of the right type for a scenario key, often within range."""
    rule = RULES[key]
    if rule.kind in ("int", "float"):
        return _plausible_number(rule.kind)
    if rule.kind == "bool":
        return st.booleans()
    if rule.kind in ("str", "name"):
        return st.sampled_from([*(rule.choices or ()), "base", "x-1", "peak", "weighted"])
    if rule.kind == "strings":
        return st.lists(st.sampled_from(["Australia", "ROW", "Burma", "Atlantis"]), max_size=3)
    if rule.kind == "weights":
        names = st.sampled_from(["Nd", "Dy", "La", "Tb", "mining", "separation", "metal", "magnet"])
        return st.dictionaries(names, _plausible_number("float"), max_size=3)
    control = st.fixed_dictionaries({
        "elements": st.lists(st.sampled_from(["Dy", "Nd", "La", "Tb"]), min_size=1, max_size=3),
        "start_year": st.integers(2023, 2032),
        "end_year": st.integers(2023, 2032),
        "fraction": st.floats(min_value=-0.1, max_value=1.1),
    })
    return st.lists(control, max_size=3)


SCENARIO_SETTINGS = st.one_of(
    st.dictionaries(TOML_KEYS, TOML_VALUES, max_size=6).flatmap(
        lambda settings: st.one_of(st.just(settings), _export_controls().map(lambda c: {**settings, "export_controls": c}))
    ),
    st.lists(st.sampled_from(sorted(RULES)), max_size=6, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: _plausible_value(key) for key in keys})
    ),
    st.lists(st.sampled_from(sorted(RULES)), max_size=6, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: _plausible_value(key) for key in keys})
    ),
)


def _toml(settings: dict[str, object]) -> str:
    """A TOML document of ``settings`` (every value written inline)."""
    return "".join(f"{_key(key)} = {_literal(value)}\n" for key, value in settings.items())


def _key(key: str) -> str:
    return json.dumps(key)


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_literal(v)}" for k, v in value.items()) + "}"


def _mutated_text(draw, text: str) -> bytes:
    """``text`` with random bytes injected, a piece deleted or the end cut off (or untouched)."""
    data = text.encode("utf-8")
    operation = draw(st.sampled_from(["inject", "truncate", "delete", "none"]))
    position = draw(st.integers(0, len(data)))
    if operation == "inject":
        return data[:position] + draw(st.binary(min_size=1, max_size=8)) + data[position:]
    if operation == "truncate":
        return data[:position]
    if operation == "delete":
        return data[:position] + data[position + draw(st.integers(1, 12)) :]
    return data


@st.composite
def scenario_file(draw) -> bytes:
    if draw(st.booleans()):
        return _toml(draw(SCENARIO_SETTINGS)).encode("utf-8")
    valid = (TINY / "scenarios" / draw(st.sampled_from(["base.toml", "embargo.toml"]))).read_text(encoding="utf-8")
    return _mutated_text(draw, valid)


def _distribution() -> st.SearchStrategy[dict[str, object]]:
    def settings_for(kind: str) -> st.SearchStrategy[dict[str, object]]:
        keys = [*DISTRIBUTIONS[kind], "min", "max", "probabilities"]
        numbers = st.one_of(TOML_SCALARS, st.lists(TOML_SCALARS, max_size=4))
        return st.dictionaries(st.sampled_from(keys), numbers, max_size=5).map(lambda s: {"distribution": kind, **s})

    return st.sampled_from(sorted(DISTRIBUTIONS)).flatmap(settings_for)


PARAMETERS = st.sampled_from(
    ["budget_busd", "lead_time_shift_years", "capex_multiplier", "demand_growth_shift", "objective",
     "export_control.fraction", "export_control.start_year", "export_control.duration_years", "horizon_end", "nope"]
)


NUMERIC_PARAMETERS = ["budget_busd", "lead_time_shift_years", "capex_multiplier", "demand_multiplier",
                      "demand_growth_shift", "unmet_weight", "discount_rate", "export_control.fraction",
                      "export_control.start_year", "export_control.duration_years"]


def _parameter_number(name: str) -> st.SearchStrategy[object]:
    if name.endswith(("_year", "years")):
        return st.one_of(st.integers(-2, 6), st.integers(2024, 2031))
    return st.floats(min_value=-0.5, max_value=3.0).map(lambda value: round(value, 3))


def _plausible_distribution(name: str) -> st.SearchStrategy[dict[str, object]]:
    number = _parameter_number(name)
    return st.one_of(
        st.fixed_dictionaries({"distribution": st.just("uniform"), "low": number, "high": number}),
        st.fixed_dictionaries({"distribution": st.just("normal"), "mean": number, "std": number},
                              optional={"min": number, "max": number}),
        st.fixed_dictionaries({"distribution": st.just("triangular"), "low": number, "mode": number, "high": number}),
        st.fixed_dictionaries({"distribution": st.just("lognormal"), "median": number, "sigma": number},
                              optional={"min": number, "max": number}),
        st.fixed_dictionaries({"distribution": st.just("discrete"), "values": st.lists(number, min_size=1, max_size=4)},
                              optional={"probabilities": st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4)}),
    )


@st.composite
def plausible_sweep_settings(draw) -> dict[str, object]:
    """A sweep of a valid shape: a known kind over known parameters, with numbers that are often valid."""
    settings: dict[str, object] = {"name": "fuzz", "base": {"scenario": "base.toml"}}
    if draw(st.booleans()):
        settings["export_control"] = {"elements": ["Dy"], "start_year": 2027, "end_year": 2029, "fraction": 0.5}
    kind = draw(st.sampled_from(KINDS))
    names = draw(st.lists(st.sampled_from(NUMERIC_PARAMETERS), min_size=1, max_size=3, unique=True))
    if "export_control" in settings:
        settings["export_control"] = {
            key: value for key, value in settings["export_control"].items()
            if f"export_control.{key}" not in names and not (key == "end_year" and "export_control.duration_years" in names)
        }
    if kind == "grid":
        table = {name: draw(st.lists(_parameter_number(name), min_size=1, max_size=3)) for name in names}
    elif kind == "one_at_a_time":
        table = {name: {"low": draw(_parameter_number(name)), "high": draw(_parameter_number(name))} for name in names}
    elif kind == "morris":
        table = {"levels": draw(st.integers(2, 5)), "trajectories": draw(st.integers(2, 4)), "seed": draw(st.integers(0, 9)),
                 "parameters": {name: {"low": draw(_parameter_number(name)), "high": draw(_parameter_number(name))}
                                for name in names}}
    else:
        table = {"samples": draw(st.integers(1, 12)), "seed": draw(st.integers(0, 9)),
                 "parameters": {name: draw(_plausible_distribution(name)) for name in names}}
    settings[kind] = _nest(table)
    return settings


def _nest(table: dict[str, object]) -> dict[str, object]:
    """``export_control.x`` keys as the nested table TOML dotted keys make."""
    nested: dict[str, object] = {}
    for key, value in table.items():
        if key.startswith("export_control."):
            nested.setdefault("export_control", {})[key.split(".", 1)[1]] = value  # type: ignore[index]
        elif isinstance(value, dict) and key == "parameters":
            nested[key] = _nest(value)
        else:
            nested[key] = value
    return nested


@st.composite
def sweep_settings(draw) -> dict[str, object]:
    settings: dict[str, object] = {"name": draw(st.sampled_from(["fuzz", "", "../x", "a b"]))}
    if draw(st.booleans()):
        settings["base"] = draw(st.one_of(
            st.just({"scenario": "base.toml"}),
            st.dictionaries(st.sampled_from(["scenario", "budget_busd", "objective", "budjet"]), TOML_SCALARS, max_size=2),
        ))
    if draw(st.booleans()):
        settings["export_control"] = draw(st.dictionaries(
            st.sampled_from(["elements", "start_year", "end_year", "duration_years", "fraction", "x"]),
            st.one_of(TOML_SCALARS, st.just(["Dy"])),
            max_size=4,
        ))
    kind = draw(st.sampled_from([*KINDS, "gird"]))
    range_spec = st.one_of(
        st.lists(TOML_SCALARS, max_size=4),
        st.dictionaries(st.sampled_from(["start", "stop", "step", "low", "high"]), TOML_SCALARS, max_size=3),
    )
    if kind in ("grid", "one_at_a_time", "gird"):
        table = draw(st.dictionaries(PARAMETERS, range_spec, max_size=3))
    elif kind in ("monte_carlo", "latin_hypercube"):
        table = {"samples": draw(st.one_of(st.integers(-1, 20), TOML_SCALARS)),
                 "parameters": draw(st.dictionaries(PARAMETERS, _distribution(), max_size=3))}
    else:
        table = {"levels": draw(st.one_of(st.integers(1, 6), TOML_SCALARS)),
                 "trajectories": draw(st.one_of(st.integers(1, 4), TOML_SCALARS)),
                 "parameters": draw(st.dictionaries(PARAMETERS, range_spec, max_size=3))}
    table = {**table, **draw(st.dictionaries(st.text(min_size=1, max_size=6), TOML_SCALARS, max_size=1))}
    settings[kind] = table
    return settings


VALID_SWEEP = """name = "fuzz"

[base]
scenario = "base.toml"
budget_busd = 0.5

[export_control]
elements = ["Dy"]

[grid]
budget_busd = [0.1, 0.3]
export_control.fraction = [0.0, 0.5]
export_control.start_year = [2027]
export_control.duration_years = [2]
"""


@st.composite
def sweep_file(draw) -> bytes:
    shape = draw(st.sampled_from(["random", "plausible", "plausible", "mutated"]))
    if shape == "random":
        return _toml(draw(sweep_settings())).encode("utf-8")
    if shape == "plausible":
        return _toml(draw(plausible_sweep_settings())).encode("utf-8")
    return _mutated_text(draw, VALID_SWEEP)


# The properties -----------------------------------------------------------------------------------------------


def _names_the_file(error: InputError, *files: Path) -> None:
    assert error.issues, "an InputError without issues"
    for issue in error.issues:
        assert any(str(issue).startswith(str(file)) for file in files), f"the issue does not name its file: {issue}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(TINY, directory / "inputs")
    return directory


@pytest.fixture(scope="module")
def tiny_data():
    return load_inputs(TINY)


@_settings("tables")
@given(mutation=mutated_table())
def test_a_mutated_table_loads_or_is_named(workspace: Path, mutation: tuple[str, bytes]):
    inputs = workspace / "inputs"
    filename, data = mutation
    (inputs / filename).write_bytes(data)
    try:
        loaded = load_inputs(inputs)
    except InputError as error:
        _names_the_file(error, inputs)
    else:
        build_model(loaded, Scenario())
    finally:
        shutil.copyfile(TINY / filename, inputs / filename)


@_settings("scenario")
@given(content=scenario_file())
def test_a_generated_scenario_loads_or_is_named(workspace: Path, tiny_data, content: bytes):
    path = workspace / "scenario.toml"
    path.write_bytes(content)
    try:
        scenario = Scenario.from_toml(path)
        scenario.check_against(tiny_data)
    except InputError as error:
        _names_the_file(error, path)
    else:
        build_model(tiny_data, scenario)


@_settings("sweep")
@given(content=sweep_file())
def test_a_generated_sweep_file_loads_or_is_named(workspace: Path, tiny_data, content: bytes):
    path = workspace / "sweep.toml"
    path.write_bytes(content)
    shutil.copyfile(TINY / "scenarios" / "base.toml", workspace / "base.toml")
    try:
        spec = load_spec(path)
    except InputError as error:
        _names_the_file(error, path, workspace / "base.toml")
        return
    if _size(spec) <= LARGEST_SWEEP_EXPANDED:
        try:
            build_tasks(spec, tiny_data)
        except InputError as error:
            _names_the_file(error, path, workspace / "base.toml")


def _size(spec) -> int:
    """How many scenarios a parsed sweep has, without expanding it."""
    if spec.kind == "grid":
        return math.prod(len(values) for values in spec.grid.values())
    if spec.kind == "one_at_a_time":
        return 1 + 2 * len(spec.ranges)
    if spec.kind == "morris":
        return spec.trajectories * (len(spec.ranges) + 1)
    return spec.samples
