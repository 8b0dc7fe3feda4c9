"""The corpus of broken inputs in ``tests/data/bad/``: every case exits with its status and a message naming
what is wrong, never a traceback, and writes nothing outside its output folder (issue 9).

Each case is a folder ``tests/data/bad/<group>/<case>/`` holding a ``case.toml`` and only the files that
differ from the tiny data set. The case is built in ``tmp_path``:

* ``inputs/`` is a copy of ``tests/data/tiny`` overlaid with the case's own ``inputs/`` folder;
* ``case/`` holds every other file of the case folder (scenario and sweep files, result directories);
* ``out/`` is the only place the command may write; the working directory is an empty ``cwd/``.

``case.toml`` keys:

* ``command``: argv after ``optimiser``, with the placeholders ``{inputs}``, ``{case}`` and ``{out}``;
* ``exit``: the expected exit status; ``message``: a fragment of stderr (of stdout and stderr when the
  expected status is 0); ``also``: more fragments, optional;
* ``results``: names of result directories to create in ``case/`` from a solve of the tiny data set, before
  the case's own files are laid over them;
* ``remove``: paths (``inputs/...`` or relative to ``case/``) deleted after the overlay;
  ``directory``: paths replaced by an empty directory; ``truncate``: path → byte count to cut a file to;
* ``pending``: why the case fails today while another change is in progress (the test is an expected
  failure until that change lands); ``hangs = true`` with it when the command would not return today.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from optimiser.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny"
CORPUS = ROOT / "tests" / "data" / "bad"
MINIMUM_CASES = 60
CASE_KEYS = {"command", "exit", "message", "also", "results", "remove", "directory", "truncate", "pending", "hangs"}


@dataclass(frozen=True)
class Case:
    """One broken input: where it lives and what the command must do with it."""

    folder: Path
    command: list[str]
    exit: int
    message: str
    also: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    directory: list[str] = field(default_factory=list)
    truncate: dict[str, int] = field(default_factory=dict)
    pending: str | None = None
    hangs: bool = False

    @property
    def id(self) -> str:
        return self.folder.relative_to(CORPUS).as_posix()


def _load_cases() -> list[Case]:
    cases = []
    for spec in sorted(CORPUS.glob("*/*/case.toml")):
        settings = tomllib.loads(spec.read_text(encoding="utf-8"))
        unknown = set(settings) - CASE_KEYS
        assert not unknown, f"{spec}: unknown keys {sorted(unknown)}"
        cases.append(Case(folder=spec.parent, **settings))
    return cases


CASES = _load_cases()


def _parameters() -> list:
    parameters = []
    for case in CASES:
        marks = []
        if case.pending is not None:
            marks.append(pytest.mark.xfail(reason=case.pending, strict=False, run=not case.hangs))
        parameters.append(pytest.param(case, id=case.id, marks=marks))
    return parameters


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory) -> Path:
    """A result directory of the tiny base scenario, solved once for every case that needs one."""
    directory = tmp_path_factory.mktemp("bad-corpus-result")
    status = main(["run", "--inputs", str(TINY), "--scenario", str(TINY / "scenarios" / "base.toml"),
                   "--out", str(directory / "run"), "--no-report"])
    assert status == 0
    return directory / "run"


def _build(case: Case, tmp_path: Path, tiny_result: Path | None) -> dict[str, str]:
    """Lay the case out in ``tmp_path``; returns the placeholder values."""
    places = {"inputs": tmp_path / "inputs", "case": tmp_path / "case", "out": tmp_path / "out"}
    shutil.copytree(TINY, places["inputs"])
    places["case"].mkdir()
    (tmp_path / "cwd").mkdir()
    for name in case.results:
        assert tiny_result is not None
        shutil.copytree(tiny_result, places["case"] / name)
    for source in sorted(case.folder.rglob("*")):
        relative = source.relative_to(case.folder)
        if source.is_dir() or relative == Path("case.toml"):
            continue
        target = _place(relative.as_posix(), places)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for path in case.remove:
        target = _place(path, places)
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for path in case.directory:
        target = _place(path, places)
        if target.exists():
            target.unlink()
        target.mkdir(parents=True)
    for path, size in case.truncate.items():
        target = _place(path, places)
        target.write_bytes(target.read_bytes()[:size])
    return {name: str(path) for name, path in places.items()}


def _place(path: str, places: dict[str, Path]) -> Path:
    """``inputs/x`` is in the inputs copy; anything else is relative to the case folder."""
    if path == "inputs" or path.startswith("inputs/"):
        return places["inputs"] / path.removeprefix("inputs").lstrip("/")
    return places["case"] / path


def _snapshot(root: Path, skip: Path) -> dict[str, str]:
    """Every file and directory under ``root`` except ``skip``, with a digest of its bytes."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path == skip or skip in path.parents:
            continue
        found[path.relative_to(root).as_posix()] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def test_the_corpus_has_enough_cases():
    assert len(CASES) >= MINIMUM_CASES, f"only {len(CASES)} cases in {CORPUS}"


def test_every_group_is_represented():
    assert {case.folder.parent.name for case in CASES} >= {"inputs", "scenario", "sweep", "results"}


@pytest.mark.parametrize("case", _parameters())
def test_bad_input(case: Case, tmp_path: Path, capsys, monkeypatch, request):
    tiny_result = request.getfixturevalue("tiny_result") if case.results else None
    places = _build(case, tmp_path, tiny_result)
    argv = [argument.format(**places) for argument in case.command]
    monkeypatch.chdir(tmp_path / "cwd")
    before = _snapshot(tmp_path, tmp_path / "out")
    try:
        status = main(argv)
    except SystemExit as stop:
        status = stop.code
    except Exception:  # noqa: BLE001 - any escape is the fault this corpus exists to find
        pytest.fail(f"optimiser {' '.join(argv)} raised instead of exiting:\n{traceback.format_exc()}")
    captured = capsys.readouterr()
    output = captured.err if case.exit != 0 else captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err
    assert status == case.exit, f"exit {status}, expected {case.exit}; stderr:\n{captured.err}"
    for fragment in [case.message, *case.also]:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    assert _snapshot(tmp_path, tmp_path / "out") == before, "files outside the output folder were written or changed"
