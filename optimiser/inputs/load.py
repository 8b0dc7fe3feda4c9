"""Read the input tables of :mod:`optimiser.inputs.schema` from a directory, check them, and type them.

Every problem found is collected as an :class:`~optimiser.errors.InputIssue` (file, line, column) and all
of them are raised together as one :class:`~optimiser.errors.InputError`, so that a user fixes a data set in
one pass instead of one traceback at a time. The checks run in three layers: the file and its header, each
cell against its column (type, bounds, choices, required), then the rules that tie rows and tables
together (keys, references, sums, years, completeness, project structure). A later layer skips what an
earlier one already reported, so one mistake gives one issue.

CSV files are parsed with :mod:`csv` rather than pandas so that every value keeps its exact line number
(the header is line 1) and nothing is coerced silently; pandas is used only for the typed tables returned.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, InputIssue
from ..toml_file import did_you_mean
from .data import InputData
from .schema import (
    BUILT_STATUSES,
    COFINANCE_DEFAULT,
    DEFAULT_DEMAND_CASE,
    EXISTING_STATUSES,
    FIRST_POSSIBLE_YEAR,
    LAST_POSSIBLE_YEAR,
    PARAMETER_NAMES,
    RECYCLING_SCRAP_PARAMETERS,
    STAGES,
    TABLES,
    Column,
    Table,
)

logger = logging.getLogger(__name__)

GRADE_SUM_TOLERANCE = 1e-9
"""Grades of one component may exceed 1 by this much (rounding in the source figures)."""

RECIPE_SUM_TOLERANCE = 1e-6
"""A magnet recipe's shares must sum to 1 within this."""

ALL_ELEMENTS = "ALL"
"""The element name ``china_production.csv`` uses for a stage total."""

TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})

DEMAND_STAGES: tuple[str, ...] = STAGES[:-1]
"""Stages ``demand.csv`` covers per element; magnet demand is per type in ``magnet_demand.csv``."""

STAGES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "mine": ("mining",),
    "plant": ("separation", "metal", "magnet"),
    "recycling": ("mining", "separation", "metal"),
}
"""The stages a component of each role may sit at."""

GRADED_ROLES: tuple[str, ...] = ("mine", "recycling")
"""Roles whose output is fixed by grades (``grades.csv``) rather than chosen within a scope."""

PROJECT_LEVEL_COLUMNS: tuple[str, ...] = (
    "name",
    "country",
    "status",
    "lead_time_years",
    "online_year",
    "earliest_start",
    "max_units",
    "include",
)
"""``projects.csv`` columns that describe the project (its one build decision), equal on all its rows."""

DEFAULTS: dict[tuple[str, str], object] = {
    ("projects", "include"): True,
    ("projects", "max_units"): 1,
    ("demand", "case"): DEFAULT_DEMAND_CASE,
    ("magnet_demand", "case"): DEFAULT_DEMAND_CASE,
    ("stockpile", "initial_stock_t"): 0.0,
}
"""Values an empty optional cell, or a column left out of the header (``Table.optional_columns``), takes, by
(table, column)."""

REQUIRES_ROWS: tuple[str, ...] = ("elements", "countries", "magnet_recipes")
"""Tables that may not be empty (the others are checked through what refers to them)."""

MAX_LISTED = 5
"""How many missing combinations an issue names before summarising the rest."""

@dataclass
class _Row:
    """One data row: parsed values (``None`` when empty or unparseable) and the columns already reported."""

    line: int
    values: dict[str, object]
    flagged: set[str] = field(default_factory=set)

    def ok(self, *columns: str) -> bool:
        """True when every named column holds a valid, present value (so a check on it makes sense)."""
        values, flagged = self.values, self.flagged
        for column in columns:
            if values.get(column) is None or (flagged and column in flagged):
                return False
        return True


@dataclass
class _Table:
    """One table as read: its rows, where it came from, and whether all its columns are there."""

    spec: Table
    file: str
    rows: list[_Row]
    complete: bool

    def valid_values(self, column: str) -> set[object]:
        return {row.values[column] for row in self.rows if row.ok(column)}


class _Issues:
    """The issues found so far; adding one against a row marks that cell as reported."""

    def __init__(self) -> None:
        self.found: list[InputIssue] = []

    def add(self, file: str, message: str, line: int | None = None, column: str | None = None) -> None:
        self.found.append(InputIssue(file=file, message=message, line=line, column=column))

    def on(self, table: _Table, row: _Row, column: str, message: str) -> None:
        row.flagged.add(column)
        self.add(table.file, message, row.line, column)


def load_inputs(directory: str | Path) -> InputData:
    """Read, check and type every input table in ``directory``.

    Raises one :class:`InputError` with every issue found. Returned tables have the schema's columns in its
    order plus ``line``; ``int`` columns are ``int64`` when required or defaulted and ``float64`` (``NaN``
    when empty) when optional, ``float`` columns ``float64``, ``bool`` columns ``bool``, ``str`` columns
    strings with empty cells missing. ``inputs_sha256`` depends only on the file names and their bytes.
    """
    directory_text = os.fspath(directory)
    issues = _Issues()
    if not os.path.isdir(directory_text):
        why = "is a file, not the inputs directory" if os.path.exists(directory_text) else "the inputs directory does not exist"
        issues.add(directory_text, why)
        raise InputError(issues.found)

    tables: dict[str, _Table] = {}
    file_sha256: dict[str, str] = {}
    for name, spec in TABLES.items():
        table, digest = _read_table(directory_text, spec, issues)
        if digest is not None:
            file_sha256[spec.filename] = digest
        if table is not None:
            tables[name] = table
            _check_keys(table, issues)

    _check_cross_table(tables, issues)

    if issues.found:
        raise InputError(_sorted(issues.found, directory_text))

    data = InputData(
        directory=Path(directory),
        parameters={str(row.values["name"]): float(row.values["value"]) for row in tables["parameters"].rows},
        file_sha256=dict(sorted(file_sha256.items())),
        inputs_sha256=inputs_hash(file_sha256),
        **{name: _frame(table) for name, table in tables.items() if name != "parameters"},
    )
    logger.info(
        "loaded %d input tables from %s (inputs sha256 %s)", len(tables), directory_text, data.inputs_sha256[:12]
    )
    return data


def inputs_hash(file_sha256: dict[str, str]) -> str:
    """One sha256 over the sorted (file name, file sha256) pairs: the identity of a data set, not of its path."""
    digest = hashlib.sha256()
    for filename, file_digest in sorted(file_sha256.items()):
        digest.update(f"{filename}\t{file_digest}\n".encode())
    return digest.hexdigest()


def _sorted(found: list[InputIssue], directory: str) -> list[InputIssue]:
    """Issues in table order, then line order (file-level issues first), keeping discovery order on ties."""
    order = {os.path.join(directory, spec.filename): index for index, spec in enumerate(TABLES.values())}
    return sorted(found, key=lambda issue: (order.get(issue.file, -1), issue.line or 0))


# Reading one file -------------------------------------------------------------------------------------------


def _read_table(directory: str, spec: Table, issues: _Issues) -> tuple[_Table | None, str | None]:
    """The table's rows with every cell parsed, and the file's sha256; ``None`` where the file is unusable."""
    file = os.path.join(directory, spec.filename)
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError:
        if not spec.required_file:
            return _Table(spec=spec, file=file, rows=[], complete=True), None
        issues.add(file, f"the file is missing: every input directory needs {spec.filename} ({spec.name} table)")
        return None, None
    except OSError as error:
        issues.add(file, f"the file cannot be read: {error.strerror or error}")
        return None, None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        issues.add(file, f"the file is not UTF-8 text (byte {raw[error.start]:#04x})", line)
        return None, digest

    records, parsed = _records(text, file, issues)
    header_record = records.pop(0) if records else None
    if header_record is None:
        issues.add(file, "the file is empty: it needs a header row naming the columns")
        return None, digest
    header_line, header = header_record
    positions, complete = _check_header(spec, file, header_line, header, issues)

    table = _Table(spec=spec, file=file, rows=[], complete=complete and parsed)
    present = [(column, positions[column.name], DEFAULTS.get((spec.name, column.name)))
               for column in spec.columns if column.name in positions]
    absent = {column.name: DEFAULTS.get((spec.name, column.name))
              for column in spec.columns if column.name not in positions and column.name in spec.optional_columns}
    width = len(header)
    for line, record in records:
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            issues.add(file, f"the row has {len(record)} values for {width} columns", line)
        row = _Row(line=line, values=dict(absent))
        values = row.values
        for column, position, default in present:
            text_value = record[position].strip() if position < len(record) else ""
            if text_value and column.kind == "str" and column.choices is None:
                values[column.name] = text_value
                continue
            value, problem = _parse_cell(column, text_value)
            if problem is not None:
                issues.on(table, row, column.name, problem)
            elif value is None:
                value = default
            values[column.name] = value
        table.rows.append(row)
    return table, digest


def _records(text: str, file: str, issues: _Issues) -> tuple[list[tuple[int, list[str]]], bool]:
    """Non-blank CSV records with the line each starts on, and False when a CSV syntax error (reported) ended
    the file early: the rows before it are still checked, but the table is not used to check other tables.

    The reader is strict: a quote left open would otherwise swallow the rest of the file into one cell, and
    text after a closing quote would silently lose the quote."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for record in reader:
            if "".join(record).strip():
                records.append((next_line, record))
            next_line = reader.line_num + 1
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            issues.add(file, "a quoted value opened on this line is never closed (unbalanced '\"')", next_line)
        else:
            issues.add(file, f"the CSV cannot be parsed: {error}", reader.line_num)
        return records, False
    return records, True


def _check_header(
    spec: Table, file: str, line: int, header: list[str], issues: _Issues
) -> tuple[dict[str, int], bool]:
    """Column name → position for the schema's columns found; False when a schema column is missing."""
    expected = [column.name for column in spec.columns]
    positions: dict[str, int] = {}
    for position, raw_name in enumerate(header):
        name = raw_name.strip()
        if not name:
            issues.add(file, f"column {position + 1} of the header has no name", line)
        elif name in positions:
            issues.add(file, f"column '{name}' appears twice in the header (only the first is read)", line, name)
        elif name not in expected:
            issues.add(file, f"unknown column '{name}'{did_you_mean(name, expected)}", line, name)
            positions.setdefault(name, position)
        else:
            positions[name] = position
    complete = True
    for name in expected:
        if name not in positions and name not in spec.optional_columns:
            issues.add(file, f"the column '{name}' is missing from the header", line, name)
            complete = False
    return {name: position for name, position in positions.items() if name in expected}, complete


def _parse_cell(column: Column, text: str) -> tuple[object, str | None]:
    """The cell's typed value (``None`` when empty) and what is wrong with it, if anything."""
    if text == "":
        return None, ("a value is required" if column.required else None)
    value: object
    if column.kind == "bool":
        word = text.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            return None, f"'{text}' is not a yes/no value (use true/false, yes/no or 1/0)"
        return word in TRUE_WORDS, None
    if column.kind in ("int", "float"):
        try:
            number = float(text)
        except ValueError:
            kind = "a whole number" if column.kind == "int" else "a number"
            return None, f"'{text}' is not {kind}"
        if not math.isfinite(number):
            return None, f"'{text}' is not a finite number"
        if column.kind == "int":
            if not number.is_integer():
                return None, f"'{text}' is not a whole number"
            value = int(number)
        else:
            value = number
        if column.minimum is not None and number < column.minimum:
            return None, f"{text} is below the minimum {column.minimum:g}"
        if column.maximum is not None and number > column.maximum:
            return None, f"{text} is above the maximum {column.maximum:g}"
        return value, None
    if column.choices is not None and text not in column.choices:
        return None, f"'{text}' is not one of: {', '.join(column.choices)}{did_you_mean(text, column.choices)}"
    return text, None


def _check_keys(table: _Table, issues: _Issues) -> None:
    """Each combination of key values appears once."""
    key = table.spec.key
    first_line: dict[tuple[object, ...], int] = {}
    for row in table.rows:
        if not row.ok(*key):
            continue
        values = tuple(row.values[column] for column in key)
        if values in first_line:
            described = ", ".join(
                f"{column}={value}" for column, value in zip(key, values)
                if not (column == "case" and value == DEFAULT_DEMAND_CASE)
            )
            issues.on(table, row, key[0], f"duplicate key ({described}): already on line {first_line[values]}")
        else:
            first_line[values] = row.line


# Rules across rows and tables -------------------------------------------------------------------------------


@dataclass
class _Known:
    """What other tables define, for reference checks; ``None`` where that table could not be read."""

    elements: set[str] | None
    countries: set[str] | None
    magnet_types: set[str] | None
    years: tuple[int, int] | None


def _check_cross_table(tables: dict[str, _Table], issues: _Issues) -> None:
    complete = {name: table for name, table in tables.items() if table.complete}
    known = _Known(
        elements=_strings(complete["elements"].valid_values("element")) if "elements" in complete else None,
        countries=_strings(complete["countries"].valid_values("country")) if "countries" in complete else None,
        magnet_types=(
            _strings(complete["magnet_recipes"].valid_values("magnet_type")) if "magnet_recipes" in complete else None
        ),
        years=_check_parameters(complete["parameters"], issues) if "parameters" in complete else None,
    )
    for name in REQUIRES_ROWS:
        if name in complete and not complete[name].rows:
            issues.add(complete[name].file, "the table has a header but no rows")
    if "elements" in complete:
        _check_elements(complete["elements"], issues)
    if "stages" in complete:
        _check_stages(complete["stages"], issues)
    if "magnet_recipes" in complete:
        _check_recipes(complete["magnet_recipes"], known, issues)
    if "projects" in complete:
        _check_projects(complete["projects"], complete.get("grades"), known, issues)
    if "grades" in complete:
        _check_grades(complete["grades"], complete.get("projects"), known, issues)
    cases = _cases(complete["demand"]) if "demand" in complete else None
    if "demand" in complete:
        _check_references(complete["demand"], "element", known.elements, "elements.csv", issues)
        _check_years(complete["demand"], known.years, issues)
        if known.elements is not None and cases is not None:
            _check_complete(
                complete["demand"], {**_case_dimension(cases), "element": known.elements, "stage": DEMAND_STAGES},
                known, issues,
            )
    if "magnet_demand" in complete:
        _check_references(complete["magnet_demand"], "case", set(cases) if cases is not None else None,
                          "demand.csv's cases", issues)
        _check_references(complete["magnet_demand"], "magnet_type", known.magnet_types, "magnet_recipes.csv", issues)
        _check_years(complete["magnet_demand"], known.years, issues)
        if known.magnet_types is not None and cases is not None:
            _check_complete(
                complete["magnet_demand"], {**_case_dimension(cases), "magnet_type": known.magnet_types}, known, issues
            )
    if "china_production" in complete:
        elements = known.elements | {ALL_ELEMENTS} if known.elements is not None else None
        _check_references(complete["china_production"], "element", elements, "elements.csv (or ALL)", issues)
        _check_years(complete["china_production"], known.years, issues)
    if "row_other_mining" in complete:
        _check_references(complete["row_other_mining"], "country", known.countries, "countries.csv", issues)
        _check_years(complete["row_other_mining"], known.years, issues)
    if "history_output" in complete:
        _check_history_output(complete["history_output"], complete.get("projects"), known, issues)
    if "substitution" in complete:
        _check_substitution(complete["substitution"], complete.get("magnet_recipes"), known, issues)
    if "recycling_scrap" in complete:
        _check_recycling_scrap(complete["recycling_scrap"], issues)
    if "magnet_lifetime" in complete:
        _check_magnet_lifetime(complete["magnet_lifetime"], known, issues)
    if "cofinance" in complete:
        _check_cofinance(complete["cofinance"], complete.get("projects"), issues)
    if "stockpile" in complete:
        _check_stockpile(complete["stockpile"], known, issues)
    if "project_risk" in complete:
        _check_project_risk(complete["project_risk"], complete.get("projects"), tables.get("maturity_probability"), issues)


def _check_stockpile(table: _Table, known: _Known, issues: _Issues) -> None:
    """Stockpile terms name an element of elements.csv, and the initial stock fits under the maximum."""
    _check_references(table, "element", known.elements, "elements.csv", issues)
    for row in table.rows:
        if row.ok("initial_stock_t", "max_stock_t") and float(row.values["initial_stock_t"]) > float(
            row.values["max_stock_t"]
        ):
            issues.on(table, row, "initial_stock_t", f"initial stock {row.values['initial_stock_t']:g} t is above "
                      f"max_stock_t {row.values['max_stock_t']:g} t")


def _check_cofinance(table: _Table, projects: _Table | None, issues: _Issues) -> None:
    """Co-finance terms name a build decision (or '*' for all), a grant carries the whole capex, and the share
    the budget carries, funded_share x (1 - recovery_share) + cost_share, lies in (0, 1]: zero would make a
    build free to the planner, and above 1 the instrument costs more than a grant."""
    statuses: dict[object, object] = {}
    for row in projects.rows if projects is not None else ():
        if row.ok("project") and row.values.get("component") == 0:
            statuses[row.values["project"]] = row.values.get("status")
    names = _strings(set(statuses))
    for row in table.rows:
        project = row.values.get("project")
        if row.ok("project") and project != COFINANCE_DEFAULT and projects is not None:
            if project not in statuses:
                issues.on(table, row, "project", f"unknown project '{project}' (not in projects.csv; "
                          f"'{COFINANCE_DEFAULT}' gives the terms for every build){did_you_mean(str(project), names)}")
            elif statuses[project] is not None and statuses[project] not in BUILT_STATUSES:
                issues.on(table, row, "project", f"'{project}' is a {statuses[project]} project, not a build decision: "
                          f"co-finance terms are for {', '.join(BUILT_STATUSES)} projects")
        if not row.ok("instrument", "funded_share", "recovery_share", "cost_share"):
            continue
        funded, recovery, cost = (float(row.values[c]) for c in ("funded_share", "recovery_share", "cost_share"))
        if row.values["instrument"] == "grant" and (funded, recovery, cost) != (1.0, 0.0, 0.0):
            issues.on(table, row, "funded_share", "a grant carries the whole capex: funded_share 1, recovery_share 0, "
                      "cost_share 0")
            continue
        public = funded * (1.0 - recovery) + cost
        if not 0.0 < public <= 1.0:
            issues.on(table, row, "cost_share", f"the budget would carry {public:g} of the capex (funded_share x "
                      "(1 - recovery_share) + cost_share): it must be above 0 (a build is never free to the planner) "
                      "and at most 1 (beyond that a grant is cheaper)")


def _check_project_risk(table: _Table, projects: _Table | None, maturities: _Table | None, issues: _Issues) -> None:
    """Project risk names a build decision, a min_share within its max_units, and a maturity with a
    probability (its own, or the maturity's row in maturity_probability.csv)."""
    heads: dict[object, dict[str, object]] = {}
    for row in projects.rows if projects is not None else ():
        if row.ok("project") and row.values.get("component") == 0:
            heads[row.values["project"]] = row.values
    names = _strings(set(heads))
    defined = _strings(maturities.valid_values("maturity")) if maturities is not None and maturities.complete else None
    for row in table.rows:
        project = row.values.get("project")
        if row.ok("project") and projects is not None:
            head = heads.get(project)
            if head is None:
                issues.on(table, row, "project", f"unknown project '{project}' (not in projects.csv)"
                          f"{did_you_mean(str(project), names)}")
                continue
            status = head.get("status")
            if status is not None and status not in BUILT_STATUSES:
                issues.on(table, row, "project", f"'{project}' is a {status} project, not a build decision: project "
                          f"risk is for {', '.join(BUILT_STATUSES)} projects (projects that are data succeed)")
                continue
            units = head.get("max_units")
            share = row.values.get("min_share")
            if row.ok("min_share") and share is not None and isinstance(units, int) and share > units:
                issues.on(table, row, "min_share", f"min_share {share:g} is above the project's max_units {units}: "
                          "it could never be built")
        given = "probability" in row.flagged or row.values.get("probability") is not None
        if row.ok("maturity") and not given and defined is not None:
            maturity = row.values["maturity"]
            if maturity not in defined:
                issues.on(table, row, "maturity", f"no probability for maturity '{maturity}': give the row a "
                          "probability, or the maturity a row in maturity_probability.csv")


def _check_substitution(table: _Table, recipes: _Table | None, known: _Known, issues: _Issues) -> None:
    """Substitution options name a magnet type of magnet_recipes.csv; a thrifting option ('element') names an
    element of that type's recipe, a substitute ('magnet') none; and each can start within the data's years."""
    _check_references(table, "magnet_type", known.magnet_types, "magnet_recipes.csv", issues)
    contents: dict[str, set[str]] = {}
    for row in recipes.rows if recipes is not None else ():
        if row.ok("magnet_type", "element", "share") and float(row.values["share"]) > 0:
            contents.setdefault(str(row.values["magnet_type"]), set()).add(str(row.values["element"]))
    if recipes is None or not all(row.ok("magnet_type", "element", "share") for row in recipes.rows):
        contents = {}
    for row in table.rows:
        target, element = row.values.get("target"), row.values.get("element")
        if row.ok("target") and target == "magnet" and row.ok("element"):
            issues.on(table, row, "element", "a 'magnet' option cuts a magnet type's demand: leave element empty")
        if not row.ok("target") or target != "element":
            continue
        if not row.ok("element"):
            issues.on(table, row, "element", "an 'element' option needs the element it thrifts")
        elif known.elements is not None and element not in known.elements:
            issues.on(table, row, "element", f"unknown element '{element}' (not in elements.csv)"
                      f"{did_you_mean(str(element), known.elements)}")
        elif recipes is not None and row.ok("magnet_type") and row.values["magnet_type"] in contents and (
            element not in contents[str(row.values["magnet_type"])]
        ):
            issues.on(table, row, "element", f"{row.values['magnet_type']} magnets contain no {element} "
                      "(magnet_recipes.csv): there is nothing to thrift")
    if known.years is not None:
        for row in table.rows:
            if row.ok("first_year") and int(row.values["first_year"]) > known.years[1]:
                issues.on(table, row, "first_year", f"first_year {row.values['first_year']} is after the data's last "
                          f"year {known.years[1]}: the option could never be used")


def _check_recycling_scrap(table: _Table, issues: _Issues) -> None:
    """A recycling_scrap.csv with rows defines every parameter of the scrap limit."""
    if not table.rows:
        return
    given = {row.values["parameter"] for row in table.rows if row.ok("parameter")}
    for name, meaning in RECYCLING_SCRAP_PARAMETERS.items():
        if name not in given:
            issues.add(table.file, f"missing parameter '{name}' ({meaning})")


def _check_magnet_lifetime(table: _Table, known: _Known, issues: _Issues) -> None:
    """Lifetimes name a magnet type of magnet_recipes.csv, and each type's shares sum to 1."""
    _check_references(table, "magnet_type", known.magnet_types, "magnet_recipes.csv", issues)
    totals: dict[str, tuple[float, _Row]] = {}
    for row in table.rows:
        if row.ok("magnet_type", "share"):
            total, first = totals.get(str(row.values["magnet_type"]), (0.0, row))
            totals[str(row.values["magnet_type"])] = (total + float(row.values["share"]), first)
    for magnet_type, (total, row) in totals.items():
        if abs(total - 1.0) > 1e-6:
            issues.on(table, row, "share", f"the lifetime shares of {magnet_type} sum to {total:.6g}, not 1")


def _check_history_output(table: _Table, projects: _Table | None, known: _Known, issues: _Issues) -> None:
    """Published output refers to a component of a project that is data (not a build decision), in the data's
    years."""
    _check_years(table, known.years, issues)
    if projects is None:
        return
    statuses: dict[object, object] = {}
    components: set[tuple[object, object]] = set()
    for row in projects.rows:
        if row.ok("project"):
            statuses.setdefault(row.values["project"], None)
        if row.ok("project", "component"):
            components.add((row.values["project"], row.values["component"]))
            if row.values["component"] == 0 and row.ok("status"):
                statuses[row.values["project"]] = row.values["status"]
    names = _strings(set(statuses))
    for row in table.rows:
        if not row.ok("project"):
            continue
        project = row.values["project"]
        if project not in statuses:
            issues.on(table, row, "project", f"unknown project '{project}' (not in projects.csv)"
                      f"{did_you_mean(str(project), names)}")
        elif statuses[project] is None:
            continue
        elif statuses[project] not in EXISTING_STATUSES:
            issues.on(table, row, "project", f"'{project}' is a {statuses[project]} project, a build decision: "
                      f"published output is for {', '.join(EXISTING_STATUSES)} projects")
        elif row.ok("component") and (project, row.values["component"]) not in components:
            issues.on(table, row, "component", f"'{project}' has no component {row.values['component']}")


def _cases(demand: _Table) -> list[str] | None:
    """The demand cases ``demand.csv`` defines, in order of first appearance (the first is the data's default
    case); ``None`` while a case cell is reported, since the list would then be incomplete."""
    if any(not row.ok("case") for row in demand.rows):
        return None
    return list(dict.fromkeys(str(row.values["case"]) for row in demand.rows))


def _case_dimension(cases: list[str]) -> dict[str, list[str]]:
    """The case as a dimension of the completeness check, left out for a table with only the default case (no
    ``case`` column) so that its messages name only the columns the file has."""
    return {} if cases == [DEFAULT_DEMAND_CASE] else {"case": cases}


def _strings(values: set[object]) -> set[str]:
    return {str(value) for value in values}


def _check_references(
    table: _Table, column: str, known: set[str] | None, where: str, issues: _Issues, label: str | None = None
) -> None:
    """Every value of ``column`` is among ``known`` (skipped when the defining table is unusable)."""
    if known is None:
        return
    for row in table.rows:
        if row.ok(column) and row.values[column] not in known:
            value = str(row.values[column])
            issues.on(table, row, column, f"unknown {label or column} '{value}' (not in {where}){did_you_mean(value, known)}")


def _check_years(table: _Table, years: tuple[int, int] | None, issues: _Issues, column: str = "year") -> None:
    if years is None:
        return
    first, last = years
    for row in table.rows:
        if row.ok(column) and not first <= int(row.values[column]) <= last:
            issues.on(table, row, column, _outside(row.values[column], years))


def _outside(year: object, years: tuple[int, int]) -> str:
    return f"year {year} is outside the data's years {years[0]}-{years[1]} (first_year, last_year in parameters.csv)"


def _check_parameters(table: _Table, issues: _Issues) -> tuple[int, int] | None:
    """Every parameter once, each in its range; returns (first_year, last_year) when both are usable."""
    rows = {row.values["name"]: row for row in table.rows if row.ok("name")}
    for name in PARAMETER_NAMES:
        if name not in rows:
            issues.add(table.file, f"the parameter '{name}' is missing ({PARAMETER_NAMES[name]})", column="name")

    def value_of(name: str) -> float | None:
        row = rows.get(name)
        return float(row.values["value"]) if row is not None and row.ok("value") else None

    years: dict[str, int] = {}
    for name in ("first_year", "last_year"):
        value = value_of(name)
        if value is None:
            continue
        if not value.is_integer():
            issues.on(table, rows[name], "value", f"{name} must be a whole year, not {value:g}")
        elif not FIRST_POSSIBLE_YEAR <= value <= LAST_POSSIBLE_YEAR:
            issues.on(
                table,
                rows[name],
                "value",
                f"{name} {int(value)} is outside the years the tool accepts ({FIRST_POSSIBLE_YEAR}-{LAST_POSSIBLE_YEAR})",
            )
        else:
            years[name] = int(value)
    usable_years: tuple[int, int] | None = None
    if len(years) == 2:
        if years["first_year"] > years["last_year"]:
            issues.on(
                table,
                rows["last_year"],
                "value",
                f"last_year {years['last_year']} is before first_year {years['first_year']}",
            )
        else:
            usable_years = (years["first_year"], years["last_year"])

    share = value_of("china_mined_share")
    if share is not None and not 0.0 <= share <= 1.0:
        issues.on(table, rows["china_mined_share"], "value", f"china_mined_share must be within 0-1, not {share:g}")
    share = value_of("row_demand_share")
    if share is not None and not 0.0 < share <= 1.0:
        issues.on(
            table,
            rows["row_demand_share"],
            "value",
            f"row_demand_share must be above 0 and at most 1, not {share:g} (scenarios rescale demand by it)",
        )
    return usable_years


def _check_elements(table: _Table, issues: _Issues) -> None:
    for row in table.rows:
        if row.ok("element") and row.values["element"] == ALL_ELEMENTS:
            issues.on(table, row, "element", f"'{ALL_ELEMENTS}' is reserved for stage totals in china_production.csv")


def _check_stages(table: _Table, issues: _Issues) -> None:
    """All four stages, ordered as the chain runs, with a positive yield past mining (φ divides by it)."""
    rows = {row.values["stage"]: row for row in table.rows if row.ok("stage")}
    for stage in STAGES:
        if stage not in rows:
            message = f"the stage '{stage}' is missing: the model needs all of {', '.join(STAGES)}"
            issues.add(table.file, message, column="stage")
    ordered = [stage for stage in STAGES if stage in rows and rows[stage].ok("order")]
    for before, after in zip(ordered, ordered[1:]):
        if rows[after].values["order"] <= rows[before].values["order"]:
            issues.on(
                table,
                rows[after],
                "order",
                f"order {rows[after].values['order']} of {after} must be above that of {before} "
                f"({rows[before].values['order']}): the chain runs {' → '.join(STAGES)}",
            )
    for stage in STAGES[1:]:
        row = rows.get(stage)
        if row is not None and row.ok("yield") and row.values["yield"] <= 0:
            issues.on(table, row, "yield", f"the yield of {stage} must be above 0 (feed needed = output / yield)")


def _check_recipes(table: _Table, known: _Known, issues: _Issues) -> None:
    _check_references(table, "element", known.elements, "elements.csv", issues)
    by_type: dict[str, list[_Row]] = {}
    for row in table.rows:
        if row.ok("magnet_type"):
            by_type.setdefault(str(row.values["magnet_type"]), []).append(row)
    for magnet_type, rows in by_type.items():
        if any(not row.ok("share") for row in rows):
            continue
        total = sum(float(row.values["share"]) for row in rows)
        if abs(total - 1.0) > RECIPE_SUM_TOLERANCE:
            issues.on(
                table, rows[0], "share", f"the shares of magnet type {magnet_type} sum to {total:.9g}, not 1"
            )


def _check_complete(
    table: _Table, dimensions: dict[str, Iterable[str]], known: _Known, issues: _Issues
) -> None:
    """One row per combination of ``dimensions`` and year; skipped when a key cell is already reported,
    since the missing combination is then most likely that row."""
    if known.years is None:
        return
    key = (*dimensions, "year")
    if any(not row.ok(*key) for row in table.rows):
        return
    present = {tuple(row.values[column] for column in key) for row in table.rows}
    ordered = [sorted(values) if isinstance(values, set) else list(values) for values in dimensions.values()]
    years = range(known.years[0], known.years[1] + 1)
    missing = [(*combination, year) for combination in _product(ordered) for year in years]
    missing = [combination for combination in missing if combination not in present]
    if not missing:
        return
    listed = ", ".join("(" + ", ".join(str(part) for part in combination) + ")" for combination in missing[:MAX_LISTED])
    more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
    issues.add(
        table.file,
        f"{len(missing)} ({', '.join(key)}) combination(s) have no row: {listed}{more}; "
        f"every combination over {known.years[0]}-{known.years[1]} needs one (0 where there is no demand)",
    )


def _product(lists: list[list[str]]) -> list[tuple[str, ...]]:
    combinations: list[tuple[str, ...]] = [()]
    for values in lists:
        combinations = [(*combination, value) for combination in combinations for value in values]
    return combinations


def _check_grades(table: _Table, projects: _Table | None, known: _Known, issues: _Issues) -> None:
    """Grades name known elements of known mine or recycling components, and sum to at most 1 per component."""
    _check_references(table, "element", known.elements, "elements.csv", issues)
    if projects is not None:
        project_ids = _strings(projects.valid_values("project"))
        roles = {
            (row.values["project"], row.values["component"]): row.values.get("role") if row.ok("role") else None
            for row in projects.rows
            if row.ok("project", "component")
        }
        _check_references(table, "project", project_ids, "projects.csv", issues, label="project")
        for row in table.rows:
            if not row.ok("project", "component"):
                continue
            project, component = row.values["project"], row.values["component"]
            if (project, component) not in roles:
                issues.on(table, row, "component", f"project '{project}' has no component {component} in projects.csv")
            elif roles[project, component] is not None and roles[project, component] not in GRADED_ROLES:
                issues.on(
                    table,
                    row,
                    "component",
                    f"component {component} of '{project}' is a {roles[project, component]}: grades apply only to "
                    f"{' and '.join(GRADED_ROLES)} components",
                )
    by_component: dict[tuple[object, object], list[_Row]] = {}
    for row in table.rows:
        if row.ok("project", "component"):
            by_component.setdefault((row.values["project"], row.values["component"]), []).append(row)
    for (project, component), rows in by_component.items():
        total = sum(float(row.values["grade"]) for row in rows if row.ok("grade"))
        if total > 1.0 + GRADE_SUM_TOLERANCE:
            issues.on(
                table,
                rows[0],
                "grade",
                f"the grades of '{project}' component {component} sum to {total:.9g}, more than 1 "
                "(grades are fractions of the throughput)",
            )


def _check_projects(projects: _Table, grades: _Table | None, known: _Known, issues: _Issues) -> None:
    _check_references(projects, "country", known.countries, "countries.csv", issues)
    graded = (
        {(row.values["project"], row.values["component"]) for row in grades.rows if row.ok("project", "component")}
        if grades is not None
        else None
    )
    for row in projects.rows:
        _check_component(projects, row, graded, known, issues)
    by_project: dict[str, list[_Row]] = {}
    for row in projects.rows:
        if row.ok("project"):
            by_project.setdefault(str(row.values["project"]), []).append(row)
    for project, rows in by_project.items():
        _check_project(projects, project, rows, issues)


def _check_component(
    table: _Table, row: _Row, graded: set[tuple[object, object]] | None, known: _Known, issues: _Issues
) -> None:
    """The rules on one row of ``projects.csv``."""
    values = row.values
    role, stage = values.get("role"), values.get("stage")
    if row.ok("role", "stage") and stage not in STAGES_BY_ROLE[str(role)]:
        allowed = ", ".join(STAGES_BY_ROLE[str(role)])
        issues.on(table, row, "stage", f"a {role} component cannot be at the {stage} stage (a {role} is at: {allowed})")
    role_fits = row.ok("role", "stage")

    scope = values.get("scope")
    if role_fits and role == "plant":
        if not row.ok("scope") or not str(scope).split():
            what = "magnet types" if stage == "magnet" else "elements"
            issues.on(table, row, "scope", f"a {stage} plant needs a scope: the space-separated {what} it can make")
        elif stage == "magnet":
            _check_scope(table, row, known.magnet_types, "magnet type", "magnet_recipes.csv", issues)
        else:
            _check_scope(table, row, known.elements, "element", "elements.csv", issues)
    if role_fits and role in GRADED_ROLES:
        if row.ok("scope"):
            issues.on(table, row, "scope", f"a {role} component takes its elements from grades.csv: leave scope empty")
        component_key = (values.get("project"), values.get("component"))
        if graded is not None and row.ok("project", "component") and component_key not in graded:
            issues.on(
                table,
                row,
                "role",
                f"a {role} component needs its grades in grades.csv (no rows for project '{values['project']}' "
                f"component {values['component']})",
            )

    if row.ok("ramp"):
        problem = _ramp_problem(str(values["ramp"]))
        if problem:
            issues.on(table, row, "ramp", problem)
    if row.ok("assumed"):
        names = [name.strip() for name in str(values["assumed"]).split(";") if name.strip()]
        columns = [column.name for column in table.spec.columns]
        for name in names:
            if name not in columns:
                issues.on(table, row, "assumed", f"'{name}' is not a column of projects.csv{did_you_mean(name, columns)}")
    if row.ok("max_units", "status") and values["max_units"] > 1 and values["status"] != "generic":
        message = f"max_units {values['max_units']} > 1 is only for generic modules, not a {values['status']} project"
        issues.on(table, row, "max_units", message)
    if known.years is not None:
        first, last = known.years
        if row.ok("online_year") and values["online_year"] > last:
            message = f"online_year {values['online_year']} is after the data's last year {last}"
            issues.on(table, row, "online_year", message)
        if row.ok("earliest_start") and not first <= values["earliest_start"] <= last:
            issues.on(table, row, "earliest_start", _outside(values["earliest_start"], known.years))


def _check_scope(
    table: _Table, row: _Row, known: set[str] | None, label: str, where: str, issues: _Issues
) -> None:
    if known is None:
        return
    unknown = [name for name in str(row.values["scope"]).split() if name not in known]
    if unknown:
        hints = "".join(did_you_mean(name, known) for name in unknown[:1])
        issues.on(table, row, "scope", f"unknown {label}(s) in scope: {', '.join(unknown)} (not in {where}){hints}")


def _ramp_problem(text: str) -> str | None:
    """What is wrong with a ramp such as '0.25;0.5', if anything."""
    parts = [part.strip() for part in text.split(";")]
    for part in parts:
        try:
            fraction = float(part)
        except ValueError:
            return f"ramp '{text}' must be ';'-separated fractions such as '0.25;0.5' ('{part}' is not a number)"
        if not 0.0 <= fraction <= 1.0:
            return f"ramp '{text}': each fraction must be within 0-1 ('{part}' is not)"
    return None


def _check_project(table: _Table, project: str, rows: list[_Row], issues: _Issues) -> None:
    """The rules on all rows of one project: numbering, shared columns, capex placement, status needs."""
    numbered = [row for row in rows if row.ok("component")]
    count = len({row.values["component"] for row in numbered})
    for row in numbered:
        if row.values["component"] >= count:
            issues.on(
                table,
                row,
                "component",
                f"the components of '{project}' must be numbered 0..{count - 1}, not {row.values['component']}",
            )
    head = next((row for row in numbered if row.values["component"] == 0), None)
    if head is None:
        return
    for row in rows:
        if row is head:
            continue
        for column in PROJECT_LEVEL_COLUMNS:
            if column in head.flagged or column in row.flagged:
                continue
            if row.values.get(column) != head.values.get(column):
                issues.on(
                    table,
                    row,
                    column,
                    f"{column} of '{project}' must be the same on all its components: "
                    f"{_shown(row.values.get(column))} here, {_shown(head.values.get(column))} on component 0 "
                    f"(line {head.line})",
                )
        if row.ok("capex_musd"):
            message = f"capex_musd of '{project}' belongs on component 0 only (it is per unit of the whole project)"
            issues.on(table, row, "capex_musd", message)
    status = head.values.get("status") if head.ok("status") else None
    if status in BUILT_STATUSES:
        for column in ("capex_musd", "lead_time_years"):
            if column not in head.flagged and head.values.get(column) is None:
                issues.on(table, head, column, f"a {status} project needs {column} on component 0")
    elif status in EXISTING_STATUSES:
        if "online_year" not in head.flagged and head.values.get("online_year") is None:
            issues.on(table, head, "online_year", f"{status} projects need online_year (their first year of output)")


def _shown(value: object) -> str:
    return "empty" if value is None else f"'{value}'"


# Typed tables ------------------------------------------------------------------------------------------------


def _frame(table: _Table) -> pd.DataFrame:
    """The table as a typed DataFrame with a ``line`` column (every cell is valid by now)."""
    columns: dict[str, pd.Series] = {}
    for column in table.spec.columns:
        values = [row.values.get(column.name) for row in table.rows]
        columns[column.name] = _series(column, values, has_default=(table.spec.name, column.name) in DEFAULTS)
    columns["line"] = pd.Series([row.line for row in table.rows], dtype="int64")
    return pd.DataFrame(columns)


def _series(column: Column, values: list[object], has_default: bool) -> pd.Series:
    always_present = column.required or has_default
    if column.kind == "bool" and always_present:
        return pd.Series(values, dtype="bool")
    if column.kind == "int" and always_present:
        return pd.Series(values, dtype="int64")
    if column.kind in ("int", "float"):
        return pd.Series([math.nan if value is None else value for value in values], dtype="float64")
    if not values:
        return pd.Series(values, dtype="object")
    return pd.Series(values)

