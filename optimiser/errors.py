"""Errors a user can act on, and the CLI exit statuses they map to.

Bad input never surfaces as a traceback: every problem found in an input table or a scenario file is an
:class:`InputIssue` naming the file, the line and the column (or the scenario key), and all issues found in
one pass are raised together as an :class:`InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NOT_OPTIMAL = 3


@dataclass(frozen=True)
class InputIssue:
    """One problem in one place of one input file.

    ``line`` is the line number in the file as a text editor shows it (the CSV header is line 1), or
    ``None`` for a problem with the whole file or table; ``column`` is a CSV column or a scenario key.
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'" if self.file.endswith(".csv") else f"key '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """Raised with every issue found in the inputs or the scenario."""

    def __init__(self, issues: list[InputIssue] | InputIssue):
        self.issues = [issues] if isinstance(issues, InputIssue) else list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class OutputError(Exception):
    """A result could not be written (a full disk, no permission): exit 3, the previous result unchanged."""


class SolveError(Exception):
    """Raised when the solver could not be run at all (not for a non-optimal termination, which is a status)."""
