"""A writable copy of the tiny input set, with helpers to corrupt one thing and read back the issues."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from optimiser.errors import InputError, InputIssue
from optimiser.inputs import load_inputs

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


class TinyInputs:
    """The tiny input set copied to a temporary directory; edits address cells by line and column name."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def file(self, filename: str) -> str:
        """The file name issues carry: the directory as given, joined with the file name."""
        return os.path.join(str(self.directory), filename)

    def rows(self, filename: str) -> list[list[str]]:
        with open(self.file(filename), newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle))

    def write(self, filename: str, rows: list[list[str]]) -> None:
        with open(self.file(filename), "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)

    def cell(self, filename: str, line: int, column: str) -> str:
        rows = self.rows(filename)
        return rows[line - 1][rows[0].index(column)]

    def set_cell(self, filename: str, line: int, column: str, value: str) -> None:
        rows = self.rows(filename)
        rows[line - 1][rows[0].index(column)] = value
        self.write(filename, rows)

    def drop_line(self, filename: str, line: int) -> None:
        rows = self.rows(filename)
        del rows[line - 1]
        self.write(filename, rows)

    def append(self, filename: str, **values: str) -> int:
        """Append a row (unnamed columns empty, ``source`` filled); returns its line number."""
        rows = self.rows(filename)
        values.setdefault("source", "ASSUMPTION: test")
        rows.append([values.pop(column, "") for column in rows[0]])
        assert not values, f"not columns of {filename}: {sorted(values)}"
        self.write(filename, rows)
        return len(rows)

    def drop_column(self, filename: str, column: str) -> None:
        rows = self.rows(filename)
        position = rows[0].index(column)
        self.write(filename, [row[:position] + row[position + 1 :] for row in rows])

    def add_column(self, filename: str, column: str, value: str) -> None:
        rows = self.rows(filename)
        self.write(filename, [rows[0] + [column]] + [row + [value] for row in rows[1:]])

    def issues(self) -> list[InputIssue]:
        """The issues ``load_inputs`` raises on the directory (fails the test if it loads)."""
        with pytest.raises(InputError) as raised:
            load_inputs(self.directory)
        return raised.value.issues

    def assert_only(self, *expected: tuple[str, int | None, str | None]) -> list[InputIssue]:
        """Exactly these (file name, line, column) issues are reported, in this order."""
        issues = self.issues()
        found = [(issue.file, issue.line, issue.column) for issue in issues]
        assert found == [(self.file(name), line, column) for name, line, column in expected], "\n".join(
            str(issue) for issue in issues
        )
        return issues


@pytest.fixture
def tiny(tmp_path: Path) -> TinyInputs:
    directory = tmp_path / "inputs"
    shutil.copytree(TINY, directory)
    return TinyInputs(directory)
