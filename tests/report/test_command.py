"""`optimiser report DIR` and the report `optimiser run` writes, including when the report fails; PNGs only
with --png, the page's charts the same either way."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import optimiser.report
from optimiser.cli import main

from .conftest import ROOT, TINY


def test_report_command_regenerates_from_a_stored_result(results, tmp_path: Path, capsys):
    out = tmp_path / "elsewhere" / "tiny.html"
    status = main(["report", str(results["tiny"].directory), "--out", str(out), "--inputs", str(TINY), "--png"])
    assert status == 0
    assert out.is_file()
    assert sorted(p.name for p in (out.parent / "figures").iterdir()) == [
        "binding.png", "capex.png", "dependence.png", "heatmap.png", "shortfall.png", "timeline.png",
    ]
    assert "report written to" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert "ASSUMPTION: test fixture" in text and "not the ones this result was solved on" not in text


def test_report_command_with_other_inputs_says_so(results, tmp_path: Path):
    out = tmp_path / "r.html"
    assert main(["report", str(results["tiny"].directory), "--out", str(out), "--inputs", str(ROOT / "inputs")]) == 0
    assert "not the ones this result was solved on" in out.read_text(encoding="utf-8")


def test_report_command_refuses_what_is_not_a_result(tmp_path: Path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "summary.json is missing" in capsys.readouterr().err


def test_run_writes_the_report_beside_the_results(tmp_path: Path, capsys):
    inputs = tmp_path / "inputs"
    shutil.copytree(TINY, inputs)
    out = tmp_path / "result"
    run = ["run", "--inputs", str(inputs), "--scenario", str(inputs / "scenarios" / "base.toml"), "--out", str(out)]
    assert main([*run, "--png"]) == 0
    assert (out / "report.html").is_file() and (out / "figures" / "timeline.png").is_file()
    assert f"report written to {out / 'report.html'}" in capsys.readouterr().out
    assert main(run) == 0
    assert (out / "report.html").is_file() and not (out / "figures").exists()
    assert f"PNG figures: optimiser report {out} --png" in capsys.readouterr().out


def _chart_specs(page: Path) -> dict[str, str]:
    return dict(re.findall(r'<script type="application/json" id="(spec-[a-z_]+)">(.*?)</script>', page.read_text(encoding="utf-8")))


def test_a_report_without_pngs_has_the_same_charts_and_no_stale_png(results, tmp_path: Path, capsys):
    directory = tmp_path / "default"
    shutil.copytree(results["default"].directory, directory)
    assert main(["report", str(directory), "--png"]) == 0
    with_pngs = _chart_specs(directory / "report.html")
    assert len(list((directory / "figures").iterdir())) == 6 and "<noscript><img" in (directory / "report.html").read_text()
    assert main(["report", str(directory)]) == 0
    page = (directory / "report.html").read_text(encoding="utf-8")
    assert _chart_specs(directory / "report.html") == with_pngs and len(with_pngs) == 5
    assert not (directory / "figures").exists(), "PNGs of an earlier report must not outlive it"
    assert "figures/" not in page.replace("<code>figures/</code>", "") and "<img" not in page
    assert f"optimiser report {directory} --png" in page
    assert f"PNG figures: optimiser report {directory} --png" in capsys.readouterr().out


def test_a_report_without_pngs_imports_no_matplotlib_nor_pyomo(results, tmp_path: Path):
    """Reading a result needs neither the PNG library nor the modelling one (issue 14: the report's time)."""
    probe = (
        "import sys\nfrom optimiser.cli import main\n"
        f"assert main(['report', {str(results['tiny'].directory)!r}, '--out', {str(tmp_path / 'r.html')!r}, '--inputs', {str(TINY)!r}]) == 0\n"
        "print('matplotlib' in sys.modules, 'pyomo' in sys.modules, 'highspy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-3:] == ["False", "False", "False"], done.stdout


def test_a_failing_report_keeps_the_run_and_warns(tmp_path: Path, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(optimiser.report, "write_report", broken)
    out = tmp_path / "result"
    with caplog.at_level(logging.WARNING, logger="optimiser.report"):
        status = main(["run", "--inputs", str(TINY), "--scenario", str(TINY / "scenarios" / "base.toml"), "--out", str(out)])
    assert status == 0
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"
    assert (out / "builds.csv").is_file() and not (out / "report.html").exists()
    assert any("its report failed: RuntimeError: drawing failed" in r.getMessage() for r in caplog.records)


def test_run_with_no_report_writes_the_results_only(tmp_path: Path, capsys):
    out = tmp_path / "result"
    args = ["run", "--inputs", str(TINY), "--scenario", str(TINY / "scenarios" / "base.toml"), "--out", str(out), "--no-report"]
    assert main(args) == 0
    assert (out / "summary.json").is_file() and not (out / "report.html").exists() and not (out / "figures").exists()
    assert "report written" not in capsys.readouterr().out


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _refused(arguments: list[str], capsys) -> str:
    """Run ``arguments``; they must exit 2 with exactly one line on stderr, which is returned."""
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("target", ["folder", "notes.txt", "report"])
def test_report_refuses_an_out_that_is_not_an_html_file_path(results, tmp_path: Path, capsys, target):
    place = tmp_path / "place"
    (place / "folder").mkdir(parents=True)
    (place / "folder" / "mine.txt").write_text("the user's", encoding="utf-8")
    before = _tree(place)
    err = _refused(["report", str(results["tiny"].directory), "--out", str(place / target), "--inputs", str(TINY)], capsys)
    assert str(place / target) in err
    assert _tree(place) == before and sorted(p.name for p in place.iterdir()) == ["folder"]


def test_report_refuses_to_overwrite_an_html_file_it_did_not_write(results, tmp_path: Path, capsys):
    page = tmp_path / "index.html"
    page.write_text("<html><body>the user's page</body></html>", encoding="utf-8")
    err = _refused(["report", str(results["tiny"].directory), "--out", str(page), "--inputs", str(TINY)], capsys)
    assert "not a report optimiser wrote" in err
    assert page.read_text(encoding="utf-8") == "<html><body>the user's page</body></html>"
    assert not (tmp_path / "figures").exists()


@pytest.mark.parametrize("png", [["--png"], []], ids=["replaced", "removed"])
def test_report_refuses_to_overwrite_figures_it_did_not_write(results, tmp_path: Path, capsys, png):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "timeline.png").write_bytes(b"the user's picture")
    err = _refused(["report", str(results["tiny"].directory), "--out", str(tmp_path / "r.html"), "--inputs", str(TINY), *png], capsys)
    assert "timeline.png" in err
    assert (tmp_path / "figures" / "timeline.png").read_bytes() == b"the user's picture"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["figures", "timeline.png"]


def test_report_rewrites_its_own_report_elsewhere(results, tmp_path: Path):
    out = tmp_path / "r.html"
    for _ in range(2):
        assert main(["report", str(results["tiny"].directory), "--out", str(out), "--inputs", str(TINY), "--png"]) == 0
    assert len(list((tmp_path / "figures").iterdir())) == 6


@pytest.mark.parametrize("text", ["[1, 2]", '"a string"', "3", "null"])
def test_report_of_a_summary_that_is_not_a_json_object_exits_2(results, tmp_path: Path, capsys, text):
    directory = tmp_path / "result"
    shutil.copytree(results["tiny"].directory, directory)
    (directory / "report.html").unlink(missing_ok=True)  # the copy's, if another test wrote one
    shutil.rmtree(directory / "figures", ignore_errors=True)
    (directory / "summary.json").write_text(text, encoding="utf-8")
    err = _refused(["report", str(directory), "--inputs", str(TINY)], capsys)
    assert "summary.json" in err
    assert not (directory / "report.html").exists() and not (directory / "figures").exists()
