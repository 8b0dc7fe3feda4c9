"""The column-at-a-time loader gives what a plain reading gives: the typed tables of a cell-by-cell reading of
every file with :mod:`csv`, and, whichever reader splits a file (pandas' C reader when the bytes are plain,
:mod:`csv` otherwise), the same tables and the same issues, in the same order."""

from __future__ import annotations

import csv
import io
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimiser.errors import InputError
from optimiser.inputs import load
from optimiser.inputs.schema import TABLES, Column

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
CORPUS = ROOT / "tests" / "data" / "bad" / "inputs"
VALID_SETS = [ROOT / "inputs", TINY, CORPUS / "elements_with_bom_is_valid"]


# A plain reading: every cell by csv, typed by the schema -----------------------------------------------------


def _plain_records(path: Path) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), strict=True)
    records, next_line = [], 1
    for record in reader:
        if "".join(record).strip():
            records.append((next_line, record))
        next_line = reader.line_num + 1
    return records


def _typed(column: Column, text: str) -> object:
    if column.kind == "bool":
        return text.lower() in load.TRUE_WORDS
    if column.kind == "int":
        return int(float(text))
    if column.kind == "float":
        return float(text)
    return text


def _plain_series(column: Column, values: list[object], always_present: bool) -> pd.Series:
    if column.kind == "bool" and always_present:
        return pd.Series(values, dtype="bool")
    if column.kind == "int" and always_present:
        return pd.Series(values, dtype="int64")
    if column.kind in ("int", "float"):
        return pd.Series([np.nan if value is None else value for value in values], dtype="float64")
    return pd.Series(values) if values else pd.Series(values, dtype="object")


def _plain_frames(directory: Path) -> dict[str, pd.DataFrame]:
    """Each table of a valid input directory as load_inputs documents it, read one cell at a time."""
    frames = {}
    for name, spec in TABLES.items():
        path = directory / spec.filename
        records = _plain_records(path) if path.exists() else [(1, [column.name for column in spec.columns])]
        positions = {cell.strip(): position for position, cell in enumerate(records[0][1])}
        rows = records[1:]
        columns = {}
        for column in spec.columns:
            default = load.DEFAULTS.get((name, column.name))
            position = positions.get(column.name)
            cells = [record[position].strip() if position is not None and position < len(record) else "" for _, record in rows]
            values = [_typed(column, cell) if cell else default for cell in cells]
            columns[column.name] = _plain_series(column, values, column.required or default is not None)
        columns["line"] = pd.Series([line for line, _ in rows], dtype="int64")
        frames[name] = pd.DataFrame(columns)
    return frames


def _valid_set(directory: Path, tmp_path: Path) -> Path:
    """``directory`` itself, or for a corpus case the tiny set with the case's files laid over it."""
    if not (directory / "case.toml").exists():
        return directory
    target = tmp_path / "inputs"
    shutil.copytree(TINY, target)
    for source in (directory / "inputs").iterdir():
        shutil.copyfile(source, target / source.name)
    return target


@pytest.mark.parametrize("directory", VALID_SETS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_tables_equal_a_plain_reading(directory, tmp_path):
    directory = _valid_set(directory, tmp_path)
    data = load.load_inputs(directory)
    plain = _plain_frames(directory)
    parameters = plain.pop("parameters")
    assert data.parameters == dict(zip(parameters["name"], parameters["value"]))
    for name, expected in plain.items():
        frame = getattr(data, name)
        assert list(frame.dtypes) == list(expected.dtypes), name
        pd.testing.assert_frame_equal(frame, expected, check_exact=True, obj=name)


# Either reader, the same result ------------------------------------------------------------------------------


def _outcome(directory: Path) -> tuple[str, object]:
    try:
        data = load.load_inputs(directory)
    except InputError as error:
        return "issues", [(issue.file, issue.line, issue.column, issue.message) for issue in error.issues]
    return "data", data


def _assert_same(fast: tuple[str, object], plain: tuple[str, object]) -> None:
    assert fast[0] == plain[0]
    if fast[0] == "issues":
        assert fast[1] == plain[1]
        return
    for name in TABLES:
        if name == "parameters":
            assert fast[1].parameters == plain[1].parameters
        else:
            pd.testing.assert_frame_equal(getattr(fast[1], name), getattr(plain[1], name), check_exact=True, obj=name)


def _with_csv_module_only(monkeypatch, directory: Path) -> tuple[str, object]:
    with monkeypatch.context() as patch:
        patch.setattr(load, "_plain_grid", lambda body: None)
        return _outcome(directory)


def _corpus_input_cases() -> list[Path]:
    cases = []
    for spec in sorted(CORPUS.glob("*/case.toml")):
        case = tomllib.loads(spec.read_text(encoding="utf-8"))
        if (spec.parent / "inputs").is_dir() and not {"remove", "directory", "truncate"} & set(case):
            cases.append(spec.parent)
    return cases


@pytest.mark.parametrize("case", _corpus_input_cases(), ids=lambda path: path.name)
def test_either_reader_gives_the_same_issues_on_the_bad_corpus(case, tmp_path, monkeypatch):
    directory = tmp_path / "inputs"
    shutil.copytree(TINY, directory)
    for source in (case / "inputs").rglob("*"):
        if source.is_file():
            shutil.copyfile(source, directory / source.relative_to(case / "inputs"))
    _assert_same(_outcome(directory), _with_csv_module_only(monkeypatch, directory))


@pytest.mark.parametrize("directory", [ROOT / "inputs", TINY], ids=["inputs", "tiny"])
def test_either_reader_gives_the_same_tables(directory, monkeypatch):
    _assert_same(_outcome(directory), _with_csv_module_only(monkeypatch, directory))


PLAIN_EDITS = {
    "quoted commas, escaped quotes": ('"Zed, the ""first""",false,"a, b"\n', True),
    "a value over three lines": ('Zed,false,"one\ntwo\nthree"\n', True),
    "CRLF line ends": ("Zed,false,x\r\n", True),
    "blank and whitespace-only records": ("\n  ,  \nZed,false,x\n\n", True),
    "a short record": ("Zed,false\n", True),
    "a quote inside an unquoted value": ('Ze"d,false,x\n', False),
    "text after a closing quote": ('"Zed"x,false,x\n', False),
    "a quote left open": ('"Zed,false,x\n', False),
    "a lone carriage return": ("Zed,false,x\rYon,true,y\n", False),
    "a NUL byte": ("Zed,false,x\x00\n", False),
    "a record longer than the header": ("Zed,false,x,surplus\n", False),
}


@pytest.mark.parametrize("edit", PLAIN_EDITS, ids=list(PLAIN_EDITS))
def test_plain_text_goes_to_pandas_and_the_rest_to_csv_with_the_same_result(edit, tiny, monkeypatch):
    appended, plain = PLAIN_EDITS[edit]
    countries = (TINY / "countries.csv").read_bytes().rstrip(b"\n") + b"\n" + appended.encode()
    Path(tiny.file("countries.csv")).write_bytes(countries)
    assert (load._plain_grid(countries) is not None) == plain
    _assert_same(_outcome(tiny.directory), _with_csv_module_only(monkeypatch, tiny.directory))


def test_line_numbers_of_the_pandas_reader_count_quoted_line_feeds():
    grid = load._plain_grid(b'a,b\n1,"x\ny"\n\n2,"p\r\nq\r\nr"\r\n3,z\n')
    assert grid is not None
    assert grid.lines.tolist() == [1, 2, 5, 8]
    assert grid.cells[1].tolist() == ["b", "x\ny", "p\r\nq\r\nr", "z"]


def test_sums_are_added_in_row_order():
    codes = np.array([0, 1, 0, 0, 1, 2, 0] * 3)
    values = np.array([0.1, 0.7, 0.2, 0.3, 1e-17, 5.0, 0.4] * 3)
    expected = [0.0, 0.0, 0.0]
    for code, value in zip(codes.tolist(), values.tolist()):
        expected[code] += value
    assert load._sums_in_order(codes, values).tolist() == expected


def test_every_int_column_is_bounded():
    """Whole numbers are typed as int64 after their bounds are checked, so every int column needs bounds
    inside int64's range."""
    for spec in TABLES.values():
        for column in spec.columns:
            if column.kind == "int":
                assert column.minimum is not None and column.maximum is not None, (spec.name, column.name)
                assert -(2**63) < column.minimum <= column.maximum < 2**63, (spec.name, column.name)
