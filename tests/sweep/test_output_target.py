"""A sweep writes only into a new directory, an empty one, or its own results directory: a user's folder, the
inputs, a regular file or a store holding a stranger's file is refused (exit 2) with nothing written."""

from __future__ import annotations

import json
import shutil

import pytest

from optimiser.cli import main
from optimiser.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from optimiser.sweep import sweep
from optimiser.sweep.store import check_output_target

from .conftest import TINY

GRID = "[grid]\nbudget_busd = [0.1, 0.2]"


def _snapshot(directory) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() if path.is_file() else b"<dir>"
            for path in sorted(directory.rglob("*"))}


def _cli(path, out) -> list[str]:
    return ["sweep", str(path), "--inputs", str(TINY), "--out", str(out), "--workers", "1", "--quiet", "--no-report"]


@pytest.mark.parametrize("make, words", [
    (lambda d: (d.mkdir(), (d / "thesis.txt").write_text("three years of work")), "thesis.txt"),
    (lambda d: shutil.copytree(TINY, d), "no sweep.json"),
    (lambda d: (d.mkdir(), (d / "sweep.json").write_text('{"title": "my own notes"}')), "not a sweep record"),
    (lambda d: (d.mkdir(), (d / "summary.json").write_text("{}"), (d / "builds.csv").write_text("a\n")), "summary.json"),
])
def test_a_folder_that_is_not_a_sweep_store_is_refused_untouched(sweep_file, tmp_path, capsys, make, words):
    out = tmp_path / "target"
    make(out)
    before = _snapshot(out)
    assert main(_cli(sweep_file(GRID), out)) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert str(out) in line and words in line and "nothing was written" in line and "Traceback" not in line
    assert _snapshot(out) == before, "nothing written or deleted, not even a lock file"


def test_a_regular_file_is_refused_untouched(sweep_file, tmp_path, capsys):
    out = tmp_path / "notes.txt"
    out.write_text("keep me")
    assert main(_cli(sweep_file(GRID), out)) == EXIT_BAD_INPUT
    assert "is an existing file" in capsys.readouterr().err
    assert out.read_text() == "keep me"


def test_the_working_directory_is_refused(sweep_file, tmp_path, monkeypatch):
    path = sweep_file(GRID)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="working directory"):
        sweep(path, inputs=TINY, out=".", workers=1, progress=False)


def test_an_empty_directory_and_the_sweeps_own_store_are_accepted(sweep_file, tmp_path):
    path = sweep_file(GRID)
    out = tmp_path / "empty"
    out.mkdir()
    assert main(_cli(path, out)) == EXIT_OK
    record = json.loads((out / "sweep.json").read_text())
    assert record["kind"] == "sweep" and record["result_format"] == 1
    assert main(_cli(path, out)) == EXIT_OK, "rerunning into its own store is fine"
    assert main(["report", str(out)]) == EXIT_OK
    assert main(_cli(path, out)) == EXIT_OK, "and after its report too"


def test_a_store_holding_a_stranger_is_refused_naming_it(sweep_file, tmp_path, capsys):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    assert main(_cli(path, out)) == EXIT_OK
    (out / "thesis.txt").write_text("do not lose")
    before = _snapshot(out)
    assert main(_cli(path, out)) == EXIT_BAD_INPUT
    assert "holds thesis.txt, which a sweep does not write" in capsys.readouterr().err
    assert _snapshot(out) == before


def test_check_reads_only(tmp_path):
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "a.txt").write_text("x")
    with pytest.raises(InputError):
        check_output_target(tmp_path / "user", "sweep")
    check_output_target(tmp_path / "new", "sweep")
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in (tmp_path / "user").iterdir()) == ["a.txt"]


def test_own_store_with_an_emptied_sweep_json_resumes(sweep_file, tmp_path):
    path = sweep_file(GRID)
    out = tmp_path / "out"
    assert main(_cli(path, out)) == EXIT_OK
    (out / "sweep.json").write_text("")
    assert main(_cli(path, out)) == EXIT_OK
    assert json.loads((out / "sweep.json").read_text())["kind"] == "sweep"
