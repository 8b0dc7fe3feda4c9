"""The tiny input set loads cleanly into typed tables, and its hash identifies its content, not its path."""

from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from optimiser.inputs import InputData, load_inputs
from optimiser.inputs.load import inputs_hash
from optimiser.inputs.schema import TABLES

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def data() -> InputData:
    return load_inputs(TINY)


def test_tiny_set_has_every_table(data):
    assert sorted(data.file_sha256) == sorted(table.filename for table in TABLES.values())
    for name, table in TABLES.items():
        if name == "parameters":
            continue
        frame = getattr(data, name)
        assert list(frame.columns) == [column.name for column in table.columns] + ["line"]
        assert len(frame) > 0


def test_typed_columns(data):
    projects = data.projects
    assert projects["component"].dtype == "int64"
    assert projects["capacity"].dtype == "float64"
    assert projects["max_units"].dtype == "int64"
    assert projects["include"].dtype == "bool"
    assert projects["online_year"].dtype == "float64"
    assert data.elements["restricted"].dtype == "bool"
    assert data.stages["order"].dtype == "int64"
    assert data.demand["year"].dtype == "int64"
    assert data.grades["grade"].dtype == "float64"
    assert pd.api.types.is_string_dtype(projects["project"])


def test_values_and_defaults(data):
    projects = data.projects.set_index("project")
    assert projects.loc["gen_magnet", "max_units"] == 2
    assert projects.loc["op_mine", "max_units"] == 1
    assert bool(projects.loc["op_mine", "include"]) is True
    assert projects.loc["op_mine", "online_year"] == 2020
    assert math.isnan(projects.loc["op_mine", "capex_musd"])
    assert pd.isna(projects.loc["op_mine", "scope"])
    assert data.restricted_elements == ["Dy"]
    assert data.magnet_types == ["NdFeB"]


def test_line_column_is_the_file_line(data):
    assert list(data.projects["line"]) == [2, 3, 4, 5, 6, 7]
    assert data.demand["line"].iloc[-1] == 55


def test_parameters_are_a_mapping(data):
    assert data.parameters == {
        "first_year": 2025.0,
        "last_year": 2030.0,
        "china_mined_share": 0.84,
        "row_demand_share": 0.3,
    }
    assert (data.first_year, data.last_year) == (2025, 2030)


def test_file_hashes_are_of_the_bytes(data):
    for filename, digest in data.file_sha256.items():
        assert digest == hashlib.sha256((TINY / filename).read_bytes()).hexdigest()
    assert data.inputs_sha256 == inputs_hash(data.file_sha256)


def test_hash_is_the_same_for_copies_elsewhere(tmp_path, data):
    copy = tmp_path / "somewhere" / "else"
    shutil.copytree(TINY, copy)
    assert load_inputs(copy).inputs_sha256 == data.inputs_sha256
    assert load_inputs(str(copy)).directory == copy


def test_hash_changes_when_a_cell_changes(tiny, data):
    tiny.set_cell("projects.csv", 3, "capacity", "801")
    changed = load_inputs(tiny.directory)
    assert changed.inputs_sha256 != data.inputs_sha256
    assert changed.file_sha256["projects.csv"] != data.file_sha256["projects.csv"]
    assert changed.file_sha256["grades.csv"] == data.file_sha256["grades.csv"]


def test_extra_files_are_not_hashed(tiny, data):
    (tiny.directory / "notes.txt").write_text("not an input table")
    assert load_inputs(tiny.directory).inputs_sha256 == data.inputs_sha256


def test_whole_number_written_as_float_is_an_int(tiny):
    tiny.set_cell("projects.csv", 3, "lead_time_years", "3.0")
    assert load_inputs(tiny.directory).projects["lead_time_years"].iloc[1] == 3


def test_a_file_given_as_the_inputs_directory_is_named_as_such(tmp_path):
    from optimiser import load_inputs
    from optimiser.errors import InputError

    path = tmp_path / "projects.csv"
    path.write_text("project\n")
    with pytest.raises(InputError, match="is a file, not the inputs directory"):
        load_inputs(path)
