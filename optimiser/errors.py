"""Errors a user can act on, one hierarchy under :class:`OptimiserError`, and the CLI exit statuses.

Every error the command line reports derives from :class:`OptimiserError` and carries its exit status;
``optimiser.cli`` prints its :meth:`~OptimiserError.lines` (one ``error: ...`` line each, never a traceback)
and exits with ``exit_status``:

====  =====================  ==========================================================================
0     ``EXIT_OK``            optimal (or valid)
2     ``EXIT_BAD_INPUT``     :class:`InputError` (a table, a scenario or a portfolio file),
                             :class:`ResultDirectoryError` (a result directory that is missing, incomplete
                             or from another version or input set), :class:`UsageError` (a command argument
                             out of range or arguments that do not fit together); argparse's own errors too
3     ``EXIT_NOT_OPTIMAL``   a solve that is not optimal (a status, not an exception), :class:`SolveError`,
                             :class:`OutputError` (a result that could not be written, e.g. a full disk)
4     ``EXIT_CANNOT_SOLVE``  :class:`SolverUnavailableError` (HiGHS missing) or :class:`CompileError` (the
                             model holds an expression the sweep's LP compiler cannot write)
====  =====================  ==========================================================================

Every problem found in an input table or a scenario file is an :class:`InputIssue` naming the file, the line
and the column (or the scenario key), and all issues found in one pass are raised together as an
:class:`InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NOT_OPTIMAL = 3
EXIT_CANNOT_SOLVE = 4


class OptimiserError(Exception):
    """The base of every error the command line reports as ``error: ...`` lines and an exit status."""

    exit_status: int = EXIT_BAD_INPUT

    def lines(self) -> list[str]:
        """What the user reads, one line each (no traceback)."""
        return [line for line in str(self).splitlines() if line.strip()] or [type(self).__name__]


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


class InputError(OptimiserError):
    """Raised with every issue found in the inputs or the scenario (exit 2)."""

    exit_status = EXIT_BAD_INPUT

    def __init__(self, issues: list[InputIssue] | InputIssue):
        self.issues = [issues] if isinstance(issues, InputIssue) else list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    def lines(self) -> list[str]:
        return [str(issue) for issue in self.issues]


class ResultDirectoryError(InputError):
    """A result directory given to a command is missing, incomplete, or of another version or input set
    (exit 2). An :class:`InputError`, so code that catches bad input catches it too."""


class UsageError(OptimiserError):
    """A command's arguments are out of range or do not fit together, e.g. ``--slack -1`` or ``compare``
    with one directory (exit 2). Raised before any solve."""

    exit_status = EXIT_BAD_INPUT


class SolveError(OptimiserError):
    """A solve could not produce a result (exit 3, the 'not optimal' family; a non-optimal termination
    itself is a status on the result, not an exception)."""

    exit_status = EXIT_NOT_OPTIMAL


class OutputError(OptimiserError):
    """A result could not be written (a full disk, no permission): exit 3, the previous result unchanged."""

    exit_status = EXIT_NOT_OPTIMAL


class SolverUnavailableError(SolveError):
    """HiGHS cannot be loaded (exit 4): nothing can be solved until it is installed. A :class:`SolveError`,
    so code that catches a failed solve catches it too."""

    exit_status = EXIT_CANNOT_SOLVE


class CompileError(OptimiserError):
    """The model holds an expression of mutable parameters the sweep's LP compiler cannot write as a
    polynomial (exit 4): a fault of the model code, not of the inputs."""

    exit_status = EXIT_CANNOT_SOLVE
