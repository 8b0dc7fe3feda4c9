"""Read the input tables of :mod:`optimiser.inputs.schema` from a directory, check them, and type them.

Every problem found is collected as an :class:`~optimiser.errors.InputIssue` (file, line, column) and all
of them are raised together as one :class:`~optimiser.errors.InputError`, so that a user fixes a data set in
one pass instead of one traceback at a time. The checks run in three layers: the file and its header, each
cell against its column (type, bounds, choices, required), then the rules that tie rows and tables
together (keys, references, sums, years, completeness, project structure). A later layer skips what an
earlier one already reported, so one mistake gives one issue.

Tables are held column by column (:class:`_Table`) and each check runs over whole columns: it finds its bad
rows with a mask, a set or a grouping, and words a message only for those, so loading grows linearly with
the rows (``benchmarks/validate_scale.py``). Issues are sorted by table and line at the end,
so within a line they come in the order of the checks, as a row-by-row reading would give them.

CSV text is split into cells by pandas' C reader when its bytes show that it splits them exactly as
:mod:`csv` does (every quote opens or closes a quoted field, no lone carriage return, no NUL), and by
:mod:`csv`, strict, otherwise; either way every value keeps its exact line number (the header is line 1) and
nothing is coerced silently: every cell is read as text and typed here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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

BOM = b"\xef\xbb\xbf"
QUOTE, COMMA, LF, CR = (ord(character) for character in '",\n\r')

EMPTY_VALUES: dict[str, Callable[[int], np.ndarray]] = {
    "str": lambda rows: np.full(rows, None, dtype=object),
    "int": lambda rows: np.zeros(rows, dtype=np.int64),
    "float": lambda rows: np.full(rows, np.nan),
    "bool": lambda rows: np.zeros(rows, dtype=bool),
}
"""A column of each kind with no value on any row (``present`` says which cells hold one)."""


class _Table:
    """One table as read, column by column: where it came from, the line of each row, and whether all its
    columns are there.

    For every schema column: ``values`` (``str`` columns an ``object`` array of ``str`` or ``None``, the
    others ``int64``, ``float64`` or ``bool``), ``present`` (the cell holds a value: parsed, or its column's
    default) and ``flagged`` (an issue names the cell). A column missing from the header holds nothing."""

    def __init__(self, spec: Table, file: str, lines: np.ndarray, complete: bool) -> None:
        self.spec = spec
        self.file = file
        self.lines = lines
        self.complete = complete
        self.values: dict[str, np.ndarray] = {}
        self.present: dict[str, np.ndarray] = {}
        self.flagged: dict[str, np.ndarray] = {}
        for column in spec.columns:
            self.values[column.name] = EMPTY_VALUES[column.kind](len(lines))
            self.present[column.name] = np.zeros(len(lines), dtype=bool)
            self.flagged[column.name] = np.zeros(len(lines), dtype=bool)

    def __len__(self) -> int:
        return len(self.lines)

    def ok(self, *columns: str) -> np.ndarray:
        """Rows where every named column holds a valid, present value (so a check on it makes sense)."""
        mask = np.ones(len(self), dtype=bool)
        for column in columns:
            mask &= self.present[column] & ~self.flagged[column]
        return mask

    def ok_at(self, row: int, *columns: str) -> bool:
        return all(self.present[column][row] and not self.flagged[column][row] for column in columns)

    def value(self, row: int, column: str) -> object:
        """The cell as a Python value, ``None`` when it holds none."""
        if not self.present[column][row]:
            return None
        value = self.values[column][row]
        return value.item() if isinstance(value, np.generic) else value

    def cells(self, column: str, rows: np.ndarray) -> list[object]:
        """The cells of ``rows`` as Python values, ``None`` where a cell holds none."""
        values = self.values[column][rows].tolist()
        return [value if present else None for value, present in zip(values, self.present[column][rows].tolist())]

    def valid_values(self, column: str) -> set[object]:
        return set(self.values[column][self.ok(column)].tolist())


class _Issues:
    """The issues found so far; adding one against a row marks that cell as reported."""

    def __init__(self) -> None:
        self.found: list[InputIssue] = []

    def add(self, file: str, message: str, line: int | None = None, column: str | None = None) -> None:
        self.found.append(InputIssue(file=file, message=message, line=line, column=column))

    def on(self, table: _Table, row: int, column: str, message: str) -> None:
        table.flagged[column][row] = True
        self.add(table.file, message, int(table.lines[row]), column)

    def on_rows(self, table: _Table, rows: Iterable[int], column: str, message: Callable[[int], str]) -> None:
        """One issue on ``column`` of each of ``rows``, worded by ``message(row)``."""
        for row in rows:
            self.on(table, int(row), column, message(int(row)))


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

    parameters = tables["parameters"]
    data = InputData(
        directory=Path(directory),
        parameters={str(name): float(value) for name, value in zip(parameters.values["name"], parameters.values["value"])},
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


@dataclass
class _Grid:
    """A CSV file's non-blank records, header first, as columns: the line each record starts on and, per
    position, every record's cell stripped of surrounding whitespace ('' past the end of a shorter record)."""

    lines: np.ndarray
    cells: list[np.ndarray]
    widths: np.ndarray | None
    """How many values each record has; ``None`` when no record is longer than the first (the header)."""
    parsed: bool
    """False when a CSV syntax error (reported) ended the file early."""


def _read_table(directory: str, spec: Table, issues: _Issues) -> tuple[_Table | None, str | None]:
    """The table with every cell parsed, and the file's sha256; ``None`` where the file is unusable."""
    file = os.path.join(directory, spec.filename)
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError:
        if not spec.required_file:
            return _Table(spec, file, np.zeros(0, dtype=np.int64), complete=True), None
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

    grid = _plain_grid(raw[len(BOM) :] if raw.startswith(BOM) else raw)
    if grid is None:
        grid = _csv_grid(text, file, issues)
    if not len(grid.lines):
        issues.add(file, "the file is empty: it needs a header row naming the columns")
        return None, digest
    width = int(grid.widths[0]) if grid.widths is not None else len(grid.cells)
    header = [str(grid.cells[position][0]) for position in range(width)]
    positions, complete = _check_header(spec, file, int(grid.lines[0]), header, issues)
    if grid.widths is not None:
        for row in np.flatnonzero(grid.widths > width):
            if any(grid.cells[position][row] for position in range(width, int(grid.widths[row]))):
                issues.add(file, f"the row has {grid.widths[row]} values for {width} columns", int(grid.lines[row]))

    table = _Table(spec, file, grid.lines[1:], complete=complete and grid.parsed)
    for column in spec.columns:
        default = DEFAULTS.get((spec.name, column.name))
        if column.name in positions:
            _parse_column(table, column, grid.cells[positions[column.name]][1:], default, issues)
        elif column.name in spec.optional_columns and default is not None:
            table.values[column.name][:] = default
            table.present[column.name][:] = True
    return table, digest


def _plain_grid(body: bytes) -> _Grid | None:
    """The grid as pandas' C reader splits the file, or ``None`` when the bytes are not plain enough for it to
    split them as the strict :mod:`csv` reader does.

    Plain: no NUL, no carriage return outside a CRLF, no second byte-order mark, no field larger than
    :func:`csv.field_size_limit`, and quotes that pair up, each pair opening at the start of a field (or
    right after the previous pair: an escaped quote) and closing at its end (or right before the next
    pair). Text then means the same to both readers; anything else (a quote inside an unquoted field, text
    after a closing quote, a quote left open) is left to :mod:`csv`, which also reports the errors. Line
    feeds inside quotes are counted, so each record keeps the line it starts on."""
    if not body or b"\x00" in body or body.startswith(BOM) or (b"\r" in body and body.count(b"\r") != body.count(b"\r\n")):
        return None
    codes = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(codes == QUOTE)
    if len(quotes) % 2:
        return None
    opens, closes = quotes[0::2], quotes[1::2]
    separators = np.zeros(256, dtype=bool)
    separators[[COMMA, LF, CR]] = True
    escaped = np.zeros(len(opens), dtype=bool)
    escaped[1:] = opens[1:] - 1 == closes[:-1]
    if not np.all((opens == 0) | separators[codes[np.maximum(opens - 1, 0)]] | escaped):
        return None
    escaping = np.zeros(len(closes), dtype=bool)
    escaping[:-1] = closes[:-1] + 1 == opens[1:]
    if not np.all((closes == len(codes) - 1) | separators[codes[np.minimum(closes + 1, len(codes) - 1)]] | escaping):
        return None

    line_feeds = np.flatnonzero(codes == LF)
    record_ends = np.flatnonzero(np.searchsorted(quotes, line_feeds) % 2 == 0)
    records = len(record_ends) + (0 if body.endswith(b"\n") else 1)
    try:
        frame = pd.read_csv(
            io.BytesIO(body), header=None, dtype=object, na_filter=False, skip_blank_lines=False, engine="c",
            encoding="utf-8", quoting=csv.QUOTE_MINIMAL, doublequote=True, escapechar=None, comment=None,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    if len(frame) != records:
        return None
    raw_cells = [frame[position].to_numpy(dtype=object) for position in frame.columns]
    limit = csv.field_size_limit()
    longest_record = np.diff(np.concatenate(([-1], line_feeds[record_ends], [len(codes)]))).max()
    if longest_record > limit and any(max(map(len, cells), default=0) > limit for cells in raw_cells):
        return None
    cells = [np.array([cell.strip() for cell in column], dtype=object) for column in raw_cells]
    filled = np.zeros(records, dtype=bool)
    for column in cells:
        filled |= column != ""
    kept = np.flatnonzero(filled)
    starts = np.concatenate(([1], record_ends + 2))[:records]
    return _Grid(lines=starts[kept], cells=[column[kept] for column in cells], widths=None, parsed=True)


def _csv_grid(text: str, file: str, issues: _Issues) -> _Grid:
    """The grid as the strict :mod:`csv` reader splits the text (syntax errors reported)."""
    records, parsed = _records(text, file, issues)
    widths = np.array([len(record) for _, record in records], dtype=np.int64)
    width = int(widths.max()) if len(records) else 0
    cells = [
        np.array([record[position].strip() if position < len(record) else "" for _, record in records], dtype=object)
        for position in range(width)
    ]
    lines = np.array([line for line, _ in records], dtype=np.int64)
    return _Grid(lines=lines, cells=cells, widths=widths, parsed=parsed)


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


def _parse_column(table: _Table, column: Column, texts: np.ndarray, default: object, issues: _Issues) -> None:
    """Type one column's cells (stripped text) into ``table``, reporting each cell that does not fit it.

    An empty cell is missing: an issue where the column is required, else the column's default (or no
    value). One issue per cell, the first that applies: not of the kind, not finite, not whole, below the
    minimum, above the maximum, not one of the choices."""
    name = column.name
    empty = texts == ""
    given = np.flatnonzero(~empty)
    problems: dict[int, str] = {}
    values = table.values[name]
    if column.kind == "str":
        values[given] = texts[given]
        if column.choices is not None:
            for row in given[~_isin(texts[given], column.choices)]:
                text = texts[row]
                problems[row] = f"'{text}' is not one of: {', '.join(column.choices)}{did_you_mean(text, column.choices)}"
    elif column.kind == "bool":
        words = np.array([text.lower() for text in texts[given]], dtype=object)
        values[given] = _isin(words, TRUE_WORDS)
        for row in given[~_isin(words, TRUE_WORDS | FALSE_WORDS)]:
            problems[row] = f"'{texts[row]}' is not a yes/no value (use true/false, yes/no or 1/0)"
    else:
        numbers, parsed = _floats(texts[given])
        finite = np.isfinite(numbers)
        whole = finite & (np.floor(numbers) == numbers) if column.kind == "int" else finite
        low = whole & (numbers < column.minimum) if column.minimum is not None else np.zeros(len(given), dtype=bool)
        high = whole & ~low & (numbers > column.maximum) if column.maximum is not None else np.zeros(len(given), dtype=bool)
        kind = "a whole number" if column.kind == "int" else "a number"
        for position in np.flatnonzero(~(whole & ~low & ~high)):
            row, text = given[position], texts[given[position]]
            if not parsed[position]:
                problems[row] = f"'{text}' is not {kind}"
            elif not finite[position]:
                problems[row] = f"'{text}' is not a finite number"
            elif not whole[position]:
                problems[row] = f"'{text}' is not a whole number"
            elif low[position]:
                problems[row] = f"{text} is below the minimum {column.minimum:g}"
            else:
                problems[row] = f"{text} is above the maximum {column.maximum:g}"
        good = whole & ~low & ~high
        values[given[good]] = numbers[good].astype(values.dtype)  # int columns are bounded: int64 holds them
    present = table.present[name]
    present[given] = True
    for row, message in problems.items():
        present[row] = False
        if column.kind == "str":
            values[row] = None
        issues.on(table, row, name, message)
    missing = np.flatnonzero(empty)
    if column.required:
        for row in missing:
            issues.on(table, int(row), name, "a value is required")
    elif default is not None:
        values[missing] = default
        present[missing] = True


def _floats(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``float(text)`` of each text (NaN where it is not a number) and where it is one."""
    try:
        return np.fromiter(map(float, texts), dtype=float, count=len(texts)), np.ones(len(texts), dtype=bool)
    except ValueError:
        numbers = np.full(len(texts), np.nan)
        parsed = np.zeros(len(texts), dtype=bool)
        for position, text in enumerate(texts):
            try:
                numbers[position] = float(text)
                parsed[position] = True
            except ValueError:
                pass
        return numbers, parsed


def _isin(values: np.ndarray, known: Collection[object]) -> np.ndarray:
    """Whether each value is among ``known`` (Python equality, as a set lookup)."""
    return np.fromiter((value in known for value in values), dtype=bool, count=len(values))


def _codes(columns: list[np.ndarray]) -> np.ndarray:
    """One integer per row, equal where the rows agree on every column, numbered in order of first appearance."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(column)
        codes = pd.factorize(codes * max(len(uniques), 1) + column_codes)[0]
    return codes


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code (codes numbered from 0 in order of first appearance)."""
    return np.unique(codes, return_index=True)[1]


def _sums_in_order(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per code, the sum of its values added one by one in row order, so that a total on the edge of a
    tolerance comes out as a row-by-row sum gives it."""
    totals = np.zeros(int(codes.max()) + 1 if len(codes) else 0)
    order = np.argsort(codes, kind="stable")
    group_starts = np.flatnonzero(np.diff(codes[order], prepend=-1))
    rank = np.arange(len(codes)) - np.repeat(group_starts, np.diff(np.append(group_starts, len(codes))))
    by_rank = order[np.argsort(rank, kind="stable")]
    bounds = np.searchsorted(np.sort(rank), np.arange(int(rank.max()) + 2 if len(rank) else 0))
    for start, end in zip(bounds[:-1], bounds[1:]):
        rows = by_rank[start:end]
        totals[codes[rows]] += values[rows]
    return totals


def _check_keys(table: _Table, issues: _Issues) -> None:
    """Each combination of key values appears once."""
    key = table.spec.key
    rows = np.flatnonzero(table.ok(*key))
    if len(rows) < 2:
        return
    codes = _codes([table.values[column][rows] for column in key])
    first = _first_rows(codes)[codes]
    for position in np.flatnonzero(first != np.arange(len(rows))):
        row = rows[position]
        values = [table.value(row, column) for column in key]
        described = ", ".join(
            f"{column}={value}" for column, value in zip(key, values)
            if not (column == "case" and value == DEFAULT_DEMAND_CASE)
        )
        issues.on(table, row, key[0], f"duplicate key ({described}): already on line {table.lines[rows[first[position]]]}")


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
        if name in complete and not len(complete[name]):
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


def _heads(projects: _Table) -> dict[object, int]:
    """Project id → its component 0 row (the last such row, as a row-by-row mapping would keep)."""
    component = projects.values["component"]
    rows = np.flatnonzero(projects.ok("project") & projects.present["component"] & (component == 0))
    return dict(zip(projects.values["project"][rows].tolist(), rows.tolist()))


def _check_stockpile(table: _Table, known: _Known, issues: _Issues) -> None:
    """Stockpile terms name an element of elements.csv, and the initial stock fits under the maximum."""
    _check_references(table, "element", known.elements, "elements.csv", issues)
    initial, maximum = table.values["initial_stock_t"], table.values["max_stock_t"]
    above = np.flatnonzero(table.ok("initial_stock_t", "max_stock_t") & (initial > maximum))
    issues.on_rows(table, above, "initial_stock_t", lambda row: f"initial stock {initial[row]:g} t is above "
                   f"max_stock_t {maximum[row]:g} t")


def _check_cofinance(table: _Table, projects: _Table | None, issues: _Issues) -> None:
    """Co-finance terms name a build decision (or '*' for all), a grant carries the whole capex, and the share
    the budget carries, funded_share x (1 - recovery_share) + cost_share, lies in (0, 1]: zero would make a
    build free to the planner, and above 1 the instrument costs more than a grant."""
    statuses: dict[object, object] = {}
    if projects is not None:
        heads = _heads(projects)
        statuses = dict(zip(heads, projects.cells("status", np.array(list(heads.values()), dtype=np.int64))))
        rows = np.flatnonzero(table.ok("project") & (table.values["project"] != COFINANCE_DEFAULT))
        names = _strings(set(statuses))
        for row, project in zip(rows, table.values["project"][rows]):
            if project not in statuses:
                issues.on(table, row, "project", f"unknown project '{project}' (not in projects.csv; "
                          f"'{COFINANCE_DEFAULT}' gives the terms for every build){did_you_mean(str(project), names)}")
            elif statuses[project] is not None and statuses[project] not in BUILT_STATUSES:
                issues.on(table, row, "project", f"'{project}' is a {statuses[project]} project, not a build decision: "
                          f"co-finance terms are for {', '.join(BUILT_STATUSES)} projects")
    termed = table.ok("instrument", "funded_share", "recovery_share", "cost_share")
    funded, recovery, cost = (table.values[column] for column in ("funded_share", "recovery_share", "cost_share"))
    grant = termed & (table.values["instrument"] == "grant")
    issues.on_rows(
        table, np.flatnonzero(grant & ~((funded == 1.0) & (recovery == 0.0) & (cost == 0.0))), "funded_share",
        lambda row: "a grant carries the whole capex: funded_share 1, recovery_share 0, cost_share 0",
    )
    public = funded * (1.0 - recovery) + cost
    issues.on_rows(
        table, np.flatnonzero(termed & ~grant & ~((public > 0.0) & (public <= 1.0))), "cost_share",
        lambda row: f"the budget would carry {public[row]:g} of the capex (funded_share x (1 - recovery_share) + "
        "cost_share): it must be above 0 (a build is never free to the planner) and at most 1 (beyond that a "
        "grant is cheaper)",
    )


def _check_project_risk(table: _Table, projects: _Table | None, maturities: _Table | None, issues: _Issues) -> None:
    """Project risk names a build decision, a min_share within its max_units, and a maturity with a
    probability (its own, or the maturity's row in maturity_probability.csv)."""
    defined = _strings(maturities.valid_values("maturity")) if maturities is not None and maturities.complete else None
    settled = np.zeros(len(table), dtype=bool)  # rows whose project is reported: nothing more is checked on them
    if projects is not None:
        heads = _heads(projects)
        names = _strings(set(heads))
        rows = np.flatnonzero(table.ok("project"))
        head_rows = np.array([heads.get(project, -1) for project in table.values["project"][rows]], dtype=np.int64)
        for row in rows[head_rows < 0]:
            project = table.values["project"][row]
            issues.on(table, row, "project", f"unknown project '{project}' (not in projects.csv)"
                      f"{did_you_mean(str(project), names)}")
            settled[row] = True
        rows, head_rows = rows[head_rows >= 0], head_rows[head_rows >= 0]
        statuses = projects.cells("status", head_rows)
        data = np.array([status is not None and status not in BUILT_STATUSES for status in statuses], dtype=bool)
        for position in np.flatnonzero(data):
            issues.on(table, rows[position], "project", f"'{table.values['project'][rows[position]]}' is a "
                      f"{statuses[position]} project, not a build decision: project risk is for "
                      f"{', '.join(BUILT_STATUSES)} projects (projects that are data succeed)")
        settled[rows[data]] = True
        rows, head_rows = rows[~data], head_rows[~data]
        units, shares = projects.values["max_units"][head_rows], table.values["min_share"][rows]
        above = table.ok("min_share")[rows] & projects.present["max_units"][head_rows] & (shares > units)
        for row, share, unit in zip(rows[above], shares[above], units[above]):
            issues.on(table, row, "min_share", f"min_share {share:g} is above the project's max_units {int(unit)}: "
                      "it could never be built")
    if defined is not None:
        given = table.flagged["probability"] | table.present["probability"]
        rows = np.flatnonzero(~settled & table.ok("maturity") & ~given)
        for row in rows[~_isin(table.values["maturity"][rows], defined)]:
            issues.on(table, row, "maturity", f"no probability for maturity '{table.values['maturity'][row]}': give "
                      "the row a probability, or the maturity a row in maturity_probability.csv")


def _check_substitution(table: _Table, recipes: _Table | None, known: _Known, issues: _Issues) -> None:
    """Substitution options name a magnet type of magnet_recipes.csv; a thrifting option ('element') names an
    element of that type's recipe, a substitute ('magnet') none; and each can start within the data's years."""
    _check_references(table, "magnet_type", known.magnet_types, "magnet_recipes.csv", issues)
    contents: dict[str, set[str]] = {}
    if recipes is not None and recipes.ok("magnet_type", "element", "share").all():
        for magnet_type, element, share in zip(
            recipes.values["magnet_type"], recipes.values["element"], recipes.values["share"]
        ):
            if share > 0:
                contents.setdefault(str(magnet_type), set()).add(str(element))
    for row in range(len(table)):
        target, element = table.value(row, "target"), table.value(row, "element")
        if table.ok_at(row, "target") and target == "magnet" and table.ok_at(row, "element"):
            issues.on(table, row, "element", "a 'magnet' option cuts a magnet type's demand: leave element empty")
        if not table.ok_at(row, "target") or target != "element":
            continue
        magnet_type = table.value(row, "magnet_type")
        if not table.ok_at(row, "element"):
            issues.on(table, row, "element", "an 'element' option needs the element it thrifts")
        elif known.elements is not None and element not in known.elements:
            issues.on(table, row, "element", f"unknown element '{element}' (not in elements.csv)"
                      f"{did_you_mean(str(element), known.elements)}")
        elif recipes is not None and table.ok_at(row, "magnet_type") and magnet_type in contents and (
            element not in contents[str(magnet_type)]
        ):
            issues.on(table, row, "element", f"{magnet_type} magnets contain no {element} "
                      "(magnet_recipes.csv): there is nothing to thrift")
    if known.years is not None:
        first_years = table.values["first_year"]
        late = np.flatnonzero(table.ok("first_year") & (first_years > known.years[1]))
        issues.on_rows(table, late, "first_year", lambda row: f"first_year {first_years[row]} is after the data's "
                       f"last year {known.years[1]}: the option could never be used")


def _check_recycling_scrap(table: _Table, issues: _Issues) -> None:
    """A recycling_scrap.csv with rows defines every parameter of the scrap limit."""
    if not len(table):
        return
    given = table.valid_values("parameter")
    for name, meaning in RECYCLING_SCRAP_PARAMETERS.items():
        if name not in given:
            issues.add(table.file, f"missing parameter '{name}' ({meaning})")


def _check_magnet_lifetime(table: _Table, known: _Known, issues: _Issues) -> None:
    """Lifetimes name a magnet type of magnet_recipes.csv, and each type's shares sum to 1."""
    _check_references(table, "magnet_type", known.magnet_types, "magnet_recipes.csv", issues)
    rows = np.flatnonzero(table.ok("magnet_type", "share"))
    if not len(rows):
        return
    codes = _codes([table.values["magnet_type"][rows]])
    totals = _sums_in_order(codes, table.values["share"][rows])
    for code, first in enumerate(_first_rows(codes)):
        if abs(totals[code] - 1.0) > 1e-6:
            issues.on(table, rows[first], "share", f"the lifetime shares of {table.values['magnet_type'][rows[first]]} "
                      f"sum to {totals[code]:.6g}, not 1")


def _check_history_output(table: _Table, projects: _Table | None, known: _Known, issues: _Issues) -> None:
    """Published output refers to a component of a project that is data (not a build decision), in the data's
    years."""
    _check_years(table, known.years, issues)
    if projects is None:
        return
    project_ids, component_numbers = projects.values["project"], projects.values["component"]
    statuses: dict[object, object] = dict.fromkeys(project_ids[projects.ok("project")].tolist())
    numbered = projects.ok("project", "component")
    components = set(zip(project_ids[numbered].tolist(), component_numbers[numbered].tolist()))
    heads = np.flatnonzero(numbered & (component_numbers == 0) & projects.ok("status"))
    statuses.update(zip(project_ids[heads].tolist(), projects.values["status"][heads].tolist()))
    names = _strings(set(statuses))
    missing = object()
    rows = np.flatnonzero(table.ok("project"))
    found = [statuses.get(project, missing) for project in table.values["project"][rows]]
    for row, status in zip(rows, found):
        project = table.values["project"][row]
        if status is missing:
            issues.on(table, row, "project", f"unknown project '{project}' (not in projects.csv)"
                      f"{did_you_mean(str(project), names)}")
        elif status is not None and status not in EXISTING_STATUSES:
            issues.on(table, row, "project", f"'{project}' is a {status} project, a build decision: "
                      f"published output is for {', '.join(EXISTING_STATUSES)} projects")
    data = np.array([status is not missing and status in EXISTING_STATUSES for status in found], dtype=bool)
    rows = rows[data & table.ok("component")[rows]]
    pairs = zip(table.values["project"][rows].tolist(), table.values["component"][rows].tolist())
    absent = rows[~np.fromiter((pair in components for pair in pairs), dtype=bool, count=len(rows))]
    issues.on_rows(table, absent, "component",
                   lambda row: f"'{table.values['project'][row]}' has no component {table.values['component'][row]}")


def _cases(demand: _Table) -> list[str] | None:
    """The demand cases ``demand.csv`` defines, in order of first appearance (the first is the data's default
    case); ``None`` while a case cell is reported, since the list would then be incomplete."""
    if not demand.ok("case").all():
        return None
    return list(dict.fromkeys(str(case) for case in demand.values["case"]))


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
    rows = np.flatnonzero(table.ok(column))
    for row in rows[~_isin(table.values[column][rows], known)]:
        value = str(table.value(row, column))
        issues.on(table, row, column, f"unknown {label or column} '{value}' (not in {where}){did_you_mean(value, known)}")


def _check_years(table: _Table, years: tuple[int, int] | None, issues: _Issues, column: str = "year") -> None:
    if years is None:
        return
    values = table.values[column]
    outside = np.flatnonzero(table.ok(column) & ((values < years[0]) | (values > years[1])))
    issues.on_rows(table, outside, column, lambda row: _outside(int(values[row]), years))


def _outside(year: object, years: tuple[int, int]) -> str:
    return f"year {year} is outside the data's years {years[0]}-{years[1]} (first_year, last_year in parameters.csv)"


def _check_parameters(table: _Table, issues: _Issues) -> tuple[int, int] | None:
    """Every parameter once, each in its range; returns (first_year, last_year) when both are usable."""
    rows = {table.values["name"][row]: int(row) for row in np.flatnonzero(table.ok("name"))}
    for name in PARAMETER_NAMES:
        if name not in rows:
            issues.add(table.file, f"the parameter '{name}' is missing ({PARAMETER_NAMES[name]})", column="name")

    def value_of(name: str) -> float | None:
        row = rows.get(name)
        return float(table.values["value"][row]) if row is not None and table.ok_at(row, "value") else None

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
    reserved = np.flatnonzero(table.ok("element") & (table.values["element"] == ALL_ELEMENTS))
    issues.on_rows(table, reserved, "element",
                   lambda row: f"'{ALL_ELEMENTS}' is reserved for stage totals in china_production.csv")


def _check_stages(table: _Table, issues: _Issues) -> None:
    """All four stages, ordered as the chain runs, with a positive yield past mining (φ divides by it)."""
    rows = {table.values["stage"][row]: int(row) for row in np.flatnonzero(table.ok("stage"))}
    for stage in STAGES:
        if stage not in rows:
            message = f"the stage '{stage}' is missing: the model needs all of {', '.join(STAGES)}"
            issues.add(table.file, message, column="stage")
    orders = table.values["order"]
    ordered = [stage for stage in STAGES if stage in rows and table.ok_at(rows[stage], "order")]
    for before, after in zip(ordered, ordered[1:]):
        if orders[rows[after]] <= orders[rows[before]]:
            issues.on(
                table,
                rows[after],
                "order",
                f"order {orders[rows[after]]} of {after} must be above that of {before} "
                f"({orders[rows[before]]}): the chain runs {' → '.join(STAGES)}",
            )
    for stage in STAGES[1:]:
        row = rows.get(stage)
        if row is not None and table.ok_at(row, "yield") and table.values["yield"][row] <= 0:
            issues.on(table, row, "yield", f"the yield of {stage} must be above 0 (feed needed = output / yield)")


def _check_recipes(table: _Table, known: _Known, issues: _Issues) -> None:
    _check_references(table, "element", known.elements, "elements.csv", issues)
    rows = np.flatnonzero(table.ok("magnet_type"))
    if not len(rows):
        return
    codes = _codes([table.values["magnet_type"][rows]])
    unshared = np.bincount(codes, weights=~table.ok("share")[rows] * 1.0, minlength=int(codes.max()) + 1) > 0
    totals = _sums_in_order(codes, np.where(table.ok("share")[rows], table.values["share"][rows], 0.0))
    for code, first in enumerate(_first_rows(codes)):
        if not unshared[code] and abs(totals[code] - 1.0) > RECIPE_SUM_TOLERANCE:
            issues.on(table, rows[first], "share",
                      f"the shares of magnet type {table.values['magnet_type'][rows[first]]} sum to {totals[code]:.9g}, not 1")


def _check_complete(
    table: _Table, dimensions: dict[str, Iterable[str]], known: _Known, issues: _Issues
) -> None:
    """One row per combination of ``dimensions`` and year; skipped when a key cell is already reported,
    since the missing combination is then most likely that row."""
    if known.years is None:
        return
    key = (*dimensions, "year")
    if not table.ok(*key).all():
        return
    present = set(zip(*(table.values[column].tolist() for column in key)))
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
    project_ids, component_numbers = table.values["project"], table.values["component"]
    if projects is not None:
        numbered = np.flatnonzero(projects.ok("project", "component"))
        roles = dict(zip(
            zip(projects.values["project"][numbered].tolist(), projects.values["component"][numbered].tolist()),
            np.where(projects.ok("role")[numbered], projects.values["role"][numbered], None).tolist(),
        ))
        _check_references(table, "project", _strings(projects.valid_values("project")), "projects.csv", issues,
                          label="project")
        rows = np.flatnonzero(table.ok("project", "component"))
        missing = object()
        found = [roles.get(pair, missing) for pair in zip(project_ids[rows].tolist(), component_numbers[rows].tolist())]
        for row, role in zip(rows, found):
            project, component = project_ids[row], component_numbers[row]
            if role is missing:
                issues.on(table, row, "component", f"project '{project}' has no component {component} in projects.csv")
            elif role is not None and role not in GRADED_ROLES:
                issues.on(
                    table,
                    row,
                    "component",
                    f"component {component} of '{project}' is a {role}: grades apply only to "
                    f"{' and '.join(GRADED_ROLES)} components",
                )
    rows = np.flatnonzero(table.ok("project", "component"))
    if not len(rows):
        return
    codes = _codes([project_ids[rows], component_numbers[rows]])
    graded = table.ok("grade")[rows]
    totals = _sums_in_order(codes[graded], table.values["grade"][rows[graded]]) if graded.any() else np.zeros(0)
    totals = np.concatenate((totals, np.zeros(int(codes.max()) + 1 - len(totals))))
    first = _first_rows(codes)
    for code in np.flatnonzero(totals > 1.0 + GRADE_SUM_TOLERANCE):
        row = rows[first[code]]
        issues.on(
            table,
            row,
            "grade",
            f"the grades of '{project_ids[row]}' component {component_numbers[row]} sum to {totals[code]:.9g}, more than 1 "
            "(grades are fractions of the throughput)",
        )


def _check_projects(projects: _Table, grades: _Table | None, known: _Known, issues: _Issues) -> None:
    _check_references(projects, "country", known.countries, "countries.csv", issues)
    graded: set[tuple[object, object]] | None = None
    if grades is not None:
        rows = np.flatnonzero(grades.ok("project", "component"))
        graded = set(zip(grades.values["project"][rows].tolist(), grades.values["component"][rows].tolist()))
    _check_components(projects, graded, known, issues)
    _check_project_rows(projects, issues)


def _check_components(table: _Table, graded: set[tuple[object, object]] | None, known: _Known, issues: _Issues) -> None:
    """The rules on each row of ``projects.csv``, one rule at a time over all rows, in the order a row is
    checked (a rule skips a cell an earlier one reported)."""
    values = table.values
    role, stage, scope = values["role"], values["stage"], values["scope"]
    rows = np.flatnonzero(table.ok("role", "stage"))
    placed = np.fromiter((s in STAGES_BY_ROLE[r] for r, s in zip(role[rows], stage[rows])), dtype=bool, count=len(rows))
    issues.on_rows(table, rows[~placed], "stage", lambda row: (
        f"a {role[row]} component cannot be at the {stage[row]} stage (a {role[row]} is at: "
        f"{', '.join(STAGES_BY_ROLE[role[row]])})"
    ))
    fits = table.ok("role", "stage")

    plants = np.flatnonzero(fits & (role == "plant"))
    scoped = table.ok("scope")[plants] & np.array([bool(str(text).split()) for text in scope[plants]], dtype=bool)
    issues.on_rows(table, plants[~scoped], "scope", lambda row: (
        f"a {stage[row]} plant needs a scope: the space-separated "
        f"{'magnet types' if stage[row] == 'magnet' else 'elements'} it can make"
    ))
    magnet_plants = plants[scoped] if known.magnet_types is not None else plants[:0]
    element_plants = plants[scoped] if known.elements is not None else plants[:0]
    _check_scope(table, magnet_plants[stage[magnet_plants] == "magnet"], known.magnet_types or set(), "magnet type",
                 "magnet_recipes.csv", issues)
    _check_scope(table, element_plants[stage[element_plants] != "magnet"], known.elements or set(), "element",
                 "elements.csv", issues)

    graded_rows = np.flatnonzero(fits & _isin(role, GRADED_ROLES))
    issues.on_rows(table, graded_rows[table.ok("scope")[graded_rows]], "scope",
                   lambda row: f"a {role[row]} component takes its elements from grades.csv: leave scope empty")
    if graded is not None:
        rows = graded_rows[table.ok("project", "component")[graded_rows]]
        pairs = zip(values["project"][rows].tolist(), values["component"][rows].tolist())
        ungraded = rows[~np.fromiter((pair in graded for pair in pairs), dtype=bool, count=len(rows))]
        issues.on_rows(table, ungraded, "role", lambda row: (
            f"a {role[row]} component needs its grades in grades.csv (no rows for project '{values['project'][row]}' "
            f"component {values['component'][row]})"
        ))

    rows = np.flatnonzero(table.ok("ramp"))
    ramp_problems = {text: _ramp_problem(str(text)) for text in set(values["ramp"][rows].tolist())}
    for row in rows:
        problem = ramp_problems[values["ramp"][row]]
        if problem:
            issues.on(table, row, "ramp", problem)
    columns = [column.name for column in table.spec.columns]
    rows = np.flatnonzero(table.ok("assumed"))
    unknown_names = {
        text: [name for name in (part.strip() for part in str(text).split(";")) if name and name not in columns]
        for text in set(values["assumed"][rows].tolist())
    }
    for row in rows:
        for name in unknown_names[values["assumed"][row]]:
            issues.on(table, row, "assumed", f"'{name}' is not a column of projects.csv{did_you_mean(name, columns)}")

    units, status = values["max_units"], values["status"]
    shared = np.flatnonzero(table.ok("max_units", "status") & (units > 1) & (status != "generic"))
    issues.on_rows(table, shared, "max_units", lambda row: (
        f"max_units {units[row]} > 1 is only for generic modules, not a {status[row]} project"
    ))
    if known.years is not None:
        first, last = known.years
        online, start = values["online_year"], values["earliest_start"]
        issues.on_rows(table, np.flatnonzero(table.ok("online_year") & (online > last)), "online_year",
                       lambda row: f"online_year {online[row]} is after the data's last year {last}")
        outside = table.ok("earliest_start") & ((start < first) | (start > last))
        issues.on_rows(table, np.flatnonzero(outside), "earliest_start",
                       lambda row: _outside(int(start[row]), known.years))


def _check_scope(table: _Table, rows: np.ndarray, known: set[str], label: str, where: str, issues: _Issues) -> None:
    """Every space-separated name in the scope of ``rows`` is among ``known``."""
    scopes = table.values["scope"]
    unknown_names = {text: [name for name in str(text).split() if name not in known] for text in set(scopes[rows].tolist())}
    for row in rows:
        unknown = unknown_names[scopes[row]]
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


def _check_project_rows(table: _Table, issues: _Issues) -> None:
    """The rules on all rows of each project: numbering, shared columns, capex placement, status needs."""
    rows = np.flatnonzero(table.ok("project"))
    if not len(rows):
        return
    project_ids, component = table.values["project"], table.values["component"]
    groups = _codes([project_ids[rows]])

    numbered = table.ok("component")[rows]
    numbered_rows, numbered_groups = rows[numbered], groups[numbered]
    counts = np.bincount(
        numbered_groups[_first_rows(_codes([numbered_groups, component[numbered_rows]]))] if len(numbered_rows) else rows[:0],
        minlength=int(groups.max()) + 1,
    )
    misnumbered = np.flatnonzero(component[numbered_rows] >= counts[numbered_groups])
    for row, count in zip(numbered_rows[misnumbered], counts[numbered_groups[misnumbered]]):
        issues.on(table, row, "component", f"the components of '{project_ids[row]}' must be numbered 0..{count - 1}, "
                  f"not {component[row]}")

    zero = component[numbered_rows] == 0
    headed, first = np.unique(numbered_groups[zero], return_index=True)
    heads = np.full(int(groups.max()) + 1, -1, dtype=np.int64)
    heads[headed] = numbered_rows[zero][first]
    head_of = heads[groups]
    members = (head_of >= 0) & (rows != head_of)
    member_rows, member_heads = rows[members], head_of[members]
    for column in PROJECT_LEVEL_COLUMNS:
        flagged, present, values = table.flagged[column], table.present[column], table.values[column]
        checked = ~flagged[member_heads] & ~flagged[member_rows]
        both = present[member_rows] & present[member_heads]
        differ = (present[member_rows] != present[member_heads]) | (both & (values[member_rows] != values[member_heads]))
        for row, head in zip(member_rows[checked & differ], member_heads[checked & differ]):
            issues.on(
                table,
                row,
                column,
                f"{column} of '{project_ids[row]}' must be the same on all its components: "
                f"{_shown(table.value(row, column))} here, {_shown(table.value(head, column))} on component 0 "
                f"(line {table.lines[head]})",
            )
    issues.on_rows(table, member_rows[table.ok("capex_musd")[member_rows]], "capex_musd", lambda row: (
        f"capex_musd of '{project_ids[row]}' belongs on component 0 only (it is per unit of the whole project)"
    ))

    heads = heads[heads >= 0]
    statuses = np.where(table.ok("status")[heads], table.values["status"][heads], None)
    for column in ("capex_musd", "lead_time_years"):
        lacking = _isin(statuses, BUILT_STATUSES) & ~table.flagged[column][heads] & ~table.present[column][heads]
        for row in heads[lacking]:
            issues.on(table, row, column, f"a {table.values['status'][row]} project needs {column} on component 0")
    lacking = (_isin(statuses, EXISTING_STATUSES) & ~table.flagged["online_year"][heads]
               & ~table.present["online_year"][heads])
    issues.on_rows(table, heads[lacking], "online_year",
                   lambda row: f"{table.values['status'][row]} projects need online_year (their first year of output)")


def _shown(value: object) -> str:
    return "empty" if value is None else f"'{value}'"


# Typed tables ------------------------------------------------------------------------------------------------


def _frame(table: _Table) -> pd.DataFrame:
    """The table as a typed DataFrame with a ``line`` column (every cell is valid by now)."""
    columns: dict[str, pd.Series] = {}
    for column in table.spec.columns:
        columns[column.name] = _series(table, column, has_default=(table.spec.name, column.name) in DEFAULTS)
    columns["line"] = pd.Series(table.lines, dtype="int64")
    return pd.DataFrame(columns)


def _series(table: _Table, column: Column, has_default: bool) -> pd.Series:
    values, present = table.values[column.name], table.present[column.name]
    always_present = column.required or has_default
    if column.kind == "bool" and always_present:
        return pd.Series(values, dtype="bool")
    if column.kind == "int" and always_present:
        return pd.Series(values, dtype="int64")
    if column.kind in ("int", "float"):
        return pd.Series(np.where(present, values, np.nan), dtype="float64")
    if not len(values):
        return pd.Series([], dtype="object")
    return pd.Series(table.cells(column.name, np.arange(len(values))) if column.kind == "bool" else values)
