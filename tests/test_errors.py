"""One error hierarchy: every command given a bad argument exits 2 with one ``error:`` line and no traceback,
HiGHS missing exits 4, and every error class derives from OptimiserError with its documented exit status."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optimiser import errors
from optimiser.cli import main
from optimiser.errors import (
    EXIT_BAD_INPUT,
    EXIT_CANNOT_SOLVE,
    EXIT_NOT_OPTIMAL,
    CompileError,
    InputError,
    InputIssue,
    OptimiserError,
    OutputError,
    ResultDirectoryError,
    SolveError,
    SolverUnavailableError,
    UsageError,
)

SOLVE_MODULE = importlib.import_module("optimiser.solve")  # ``optimiser.solve`` the attribute is a function
ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """The tiny inputs, a second scenario file named like the first, and one solved run under two parents."""
    root = tmp_path_factory.mktemp("errors")
    inputs = root / "inputs"
    shutil.copytree(TINY, inputs)
    base = inputs / "scenarios" / "base.toml"
    (root / "same-name.toml").write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    run = root / "first" / "plan"
    assert main(["run", "--inputs", str(inputs), "--scenario", str(base), "--out", str(run), "--no-report"]) == 0
    shutil.copytree(run, root / "second" / "plan")
    return root


def _bad_arguments(root: Path) -> dict[str, list[str]]:
    """command -> a command line with one bad argument (all paths inside ``root``)."""
    inputs, base = root / "inputs", root / "inputs" / "scenarios" / "base.toml"
    common = ["--inputs", str(inputs)]
    return {
        "validate": ["validate", *common, "--scenario", str(root / "missing.toml")],
        "run": ["run", *common, "--scenario", str(base), "--budget", "nan", "--out", str(root / "out-run")],
        "report": ["report", str(root / "missing-result")],
        "compare": ["compare", str(root / "first" / "plan"), "--out", str(root / "out-compare")],
        "compare --years": ["compare", str(root / "first" / "plan"), str(root / "second" / "plan"),
                            "--years", "1900", "--out", str(root / "out-compare-years")],
        "evaluate": ["evaluate", *common, "--scenario", str(base), "--portfolio", str(root / "missing.csv"),
                     "--out", str(root / "out-evaluate")],
        "stress": ["stress", *common, "--portfolios", str(root / "first" / "plan"),
                   "--scenarios", str(base), str(root / "same-name.toml"), "--out", str(root / "out-stress")],
        "stress portfolios": ["stress", *common, "--portfolios", str(root / "first" / "plan"), str(root / "second" / "plan"),
                              "--scenarios", str(base), "--out", str(root / "out-stress-portfolios")],
        "robust": ["robust", *common, "--scenarios", str(base), "--weights", "1", "2", "--out", str(root / "out-robust")],
        "alternatives --slack": ["alternatives", *common, "--scenario", str(base), "--slack", "-1",
                                 "--out", str(root / "out-alternatives")],
        "alternatives --slack nan": ["alternatives", *common, "--scenario", str(base), "--slack", "nan",
                                     "--out", str(root / "out-alternatives-nan")],
        "alternatives --count": ["alternatives", *common, "--scenario", str(base), "--count", "0",
                                 "--out", str(root / "out-alternatives-count")],
        "sweep": ["sweep", str(root / "missing-sweep.toml"), *common, "--out", str(root / "out-sweep")],
    }


BAD = list(_bad_arguments(Path("/")))


@pytest.mark.parametrize("case", BAD)
def test_every_command_refuses_a_bad_argument_with_one_line(case: str, workspace: Path, capsys):
    arguments = _bad_arguments(workspace)[case]
    status = main(arguments)
    captured = capsys.readouterr()
    error_lines = [line for line in captured.err.splitlines() if line.strip()]
    assert status == EXIT_BAD_INPUT, captured.err
    assert len(error_lines) == 1 and error_lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    out = arguments[arguments.index("--out") + 1] if "--out" in arguments else None
    assert out is None or not Path(out).exists(), "a refused command wrote its output"


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("compare", "two or more result directories, got 1"),
        ("compare --years", "--years 1900: outside the results' horizon"),
        ("stress", "both named 'base'"),
        ("stress portfolios", "both named 'plan'"),
        ("alternatives --slack", "--slack must be a number from 0"),
        ("alternatives --slack nan", "got nan"),
        ("alternatives --count", "--count must be at least 1, got 0"),
    ],
)
def test_the_refusal_says_what_is_wrong(case: str, fragment: str, workspace: Path, capsys):
    main(_bad_arguments(workspace)[case])
    assert fragment in capsys.readouterr().err


def test_an_argparse_error_is_its_usage_message_and_exit_2(workspace: Path, capsys):
    status = main(["sweep", str(workspace / "missing-sweep.toml"), "--workers", "0"])
    err = capsys.readouterr().err
    assert status == EXIT_BAD_INPUT
    assert err.startswith("usage: optimiser sweep")
    assert [line for line in err.splitlines() if "error:" in line] == ["optimiser sweep: error: argument --workers: must be at least 1, got 0"]


def test_no_traceback_from_the_installed_command(workspace: Path):
    """The real process: a bad --slack is one line on stderr and exit 2 (not a traceback and exit 1)."""
    completed = subprocess.run(
        [sys.executable, "-m", "optimiser", "alternatives", "--inputs", str(workspace / "inputs"), "--slack", "-1"],
        capture_output=True, text=True, cwd=workspace, timeout=120,
    )
    assert completed.returncode == EXIT_BAD_INPUT
    assert completed.stderr.strip().splitlines() == [
        "error: --slack must be a number from 0 to 100 (a relative loss, 0.05 is 5 %), got -1.0"
    ]


class _MissingHighs:
    """A HiGHS interface that reports the solver as not installed."""

    def available(self) -> bool:
        return False


def test_highs_unavailable_exits_4_with_one_line(workspace: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr(SOLVE_MODULE, "Highs", _MissingHighs)
    monkeypatch.setitem(sys.modules, "highspy", None)  # `import highspy` fails, as where it is not installed
    base = workspace / "inputs" / "scenarios" / "base.toml"
    status = main(["run", "--inputs", str(workspace / "inputs"), "--scenario", str(base), "--out", str(tmp_path / "r"), "--no-report"])
    err = capsys.readouterr().err
    assert status == EXIT_CANNOT_SOLVE == 4
    assert err.strip().splitlines() == ["error: HiGHS is not available: install the 'highspy' package"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InputError(InputIssue("projects.csv", "bad", line=2, column="capacity")), 2),
        (ResultDirectoryError(InputIssue("results/x", "not a result directory")), 2),
        (UsageError("--slack must be a number"), 2),
        (SolveError("the solve failed"), 3),
        (OutputError("disk full"), 3),
        (SolverUnavailableError("no HiGHS"), 4),
        (CompileError("cannot compile"), 4),
    ],
)
def test_every_error_is_an_optimiser_error_with_its_documented_status(error: OptimiserError, status: int):
    assert isinstance(error, OptimiserError)
    assert error.exit_status == status
    assert str(status) in (errors.__doc__ or "") and type(error).__name__ in (errors.__doc__ or "")


def test_the_hierarchy_keeps_existing_catches_working():
    assert issubclass(ResultDirectoryError, InputError)
    assert issubclass(SolverUnavailableError, SolveError)
    assert not issubclass(CompileError, ValueError)
    assert (EXIT_BAD_INPUT, EXIT_NOT_OPTIMAL, EXIT_CANNOT_SOLVE) == (2, 3, 4)
    from optimiser.sweep import lp

    assert lp.CompileError is CompileError


def test_every_error_line_is_printed(capsys, monkeypatch):
    """An InputError with several issues prints one ``error:`` line per issue; others print their message."""
    from optimiser.commands import validate

    issues = [InputIssue("a.csv", "first", line=2, column="x"), InputIssue("b.toml", "second", column="y")]

    def refuse(_args):
        raise ResultDirectoryError(issues)

    monkeypatch.setattr(validate, "execute", refuse)
    assert main(["validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: a.csv, line 2, column 'x': first",
        "error: b.toml, key 'y': second",
    ]


def test_result_directory_errors_are_their_own_class(workspace: Path):
    from optimiser.portfolios.result_dir import read_result

    with pytest.raises(ResultDirectoryError, match="summary.json is missing"):
        read_result(workspace / "missing-result")
