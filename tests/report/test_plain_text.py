"""Names from the inputs reach every figure as plain text: matplotlib's mathtext (``$...$``) and plotly's
HTML-like labels (``<b>``, ``<br>``, ``%{...}`` templates, ``&amp;`` entities) must neither break a report nor
restyle it, and nothing from the inputs may end up as markup in ``report.html``.

The tiny data set is copied with its project ids, a country and two elements renamed to strings full of
markup; the run, sweep and comparison reports of it must render, write their PNGs and escape everything."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from markupsafe import escape
from matplotlib.text import Text

from optimiser.cli import main
from optimiser.inputs import load_inputs
from optimiser.report import data as rd
from optimiser.report import figures, style, write_report
from optimiser.report.html import RUN_FIGURES
from optimiser.sweep import sweep

from .browser import Browser, find_chromium
from .conftest import TINY
from .test_browser import blank

RENAMED: dict[str, str] = {
    "cand_mine": "m$^{$1",
    "cand_sep": "</script><b>s</b>%{x}&amp;",
    "Australia": "Aus$_\\<i>x</i>",
    "La": "L$$a<sup>2</sup>",
    "Dy": "D$y^<script>console.error(9)</script>",
}
"""Tiny-data names -> names that are markup to matplotlib (unbalanced or invalid ``$...$``) or to plotly and
HTML (tags, a template placeholder, an entity, a script end tag)."""

MARKED_UP = [name for name in RENAMED.values() if re.search(r"[<&%]", name)]
"""The new names plotly or a browser would read as markup (the others only trouble matplotlib)."""

RUN_PNGS = {f"{spec.key}.png" for spec in RUN_FIGURES}
CHROMIUM = find_chromium()


def _marked_up_inputs(directory: Path) -> Path:
    """The tiny data set with :data:`RENAMED` applied to every table and scenario (TOML keys quoted)."""
    shutil.copytree(TINY, directory)
    for path in [*directory.glob("*.csv"), *directory.glob("scenarios/*.toml")]:
        text = path.read_text(encoding="utf-8")
        for old, new in RENAMED.items():
            if path.suffix == ".toml":
                new = new.replace("\\", "\\\\")
                text = re.sub(rf"^{re.escape(old)} =", f'"{new}" =', text, flags=re.MULTILINE)
            text = re.sub(rf"(?<![A-Za-z_]){re.escape(old)}(?![A-Za-z_])", lambda _, new=new: new, text)
        path.write_text(text, encoding="utf-8")
    (directory / "scenarios" / "base.toml").write_text(
        'name = "s_1"\ndescription = "$$ <script>console.error(3)</script> &amp; %{y}"\nbudget_busd = 0.5\n', encoding="utf-8"
    )
    return directory


@pytest.fixture(scope="module")
def marked_up(tmp_path_factory) -> Path:
    return _marked_up_inputs(tmp_path_factory.mktemp("plain-text") / "inputs")


def _specs(html: str) -> list[str]:
    """Each plotly chart's JSON text as the browser parses it."""
    found = re.findall(r'<script type="application/json" id="spec-[^"]*">(.*?)</script>', html, flags=re.DOTALL)
    return [json.dumps(json.loads(text)) for text in found]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _assert_plain(html: str, shown: list[str]) -> None:
    """No name from the inputs is markup in the page or in a chart; those in ``shown`` appear escaped."""
    for name in MARKED_UP:
        assert name not in html, f"{name!r} is raw in report.html"
    strings = [s for spec in _specs(html) for s in _strings(json.loads(spec))]
    assert strings, "the report has no plotly chart"
    for name in MARKED_UP:
        assert not any(name in s for s in strings), f"{name!r} reaches a plotly chart unescaped"
    for name in shown:
        assert any(style.plotly_text(name) in s for s in strings), f"{name!r} is missing from the charts"
    assert "<script>console" not in html


def _run(inputs: Path, scenario: str, out: Path) -> Path:
    status = main(["run", "--inputs", str(inputs), "--scenario", str(inputs / "scenarios" / f"{scenario}.toml"), "--out", str(out), "--png"])
    assert status == 0
    return out


@pytest.mark.parametrize("scenario", ["base", "embargo"])
def test_run_report_draws_names_full_of_markup_as_plain_text(marked_up, tmp_path: Path, scenario, capsys):
    out = _run(marked_up, scenario, tmp_path / "result")
    assert "report failed" not in capsys.readouterr().err
    assert (out / "report.html").is_file()
    assert {p.name for p in (out / "figures").iterdir()} == RUN_PNGS
    html = (out / "report.html").read_text(encoding="utf-8")
    _assert_plain(html, [RENAMED["cand_sep"], RENAMED["Australia"], RENAMED["La"], RENAMED["Dy"]])
    description = tomllib.loads((marked_up / "scenarios" / f"{scenario}.toml").read_text(encoding="utf-8"))["description"]
    assert str(escape(description)) in html, "the description is shown, escaped"
    assert "<b>D$y^&lt;script&gt;console.error(9)&lt;/script&gt;*</b>" in " ".join(_specs(html)), "restricted elements stay bold"

    (out / "report.html").unlink()
    assert main(["report", str(out), "--inputs", str(marked_up), "--png"]) == 0
    assert (out / "report.html").read_text(encoding="utf-8") == html


def test_every_matplotlib_text_of_a_run_is_drawn_as_typed(marked_up, tmp_path: Path):
    out = _run(marked_up, "embargo", tmp_path / "result")
    report = rd.load_run(out, load_inputs(marked_up))
    for spec in RUN_FIGURES:
        figure = spec.png(report)
        figures.save_png(figure, tmp_path / f"{spec.key}.png")
        texts = [t for t in figure.findobj(Text) if t.get_text()]
        assert texts and all(not t.get_parse_math() for t in texts), spec.key
    labels = [t.get_text() for t in figures.timeline_figure(report).findobj(Text)]
    assert any(label.startswith(RENAMED["cand_mine"]) for label in labels), "the project id is drawn as typed"


def test_sweep_report_of_marked_up_inputs_renders(marked_up, tmp_path: Path):
    spec = tmp_path / "caps.toml"
    spec.write_text(
        'name = "caps"\ndescription = "<b>$x^{$</b> &amp; </script>"\n\n'
        f'[base]\nscenario = "{(marked_up / "scenarios" / "base.toml").as_posix()}"\n\n'
        f'[export_control]\nelements = ["{RENAMED["Dy"]}"]\nstart_year = 2027\nend_year = 2029\n\n'
        "[grid]\nexport_control.fraction = [0.0, 0.5]\nbudget_busd = [0.2, 0.5]\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    sweep(spec, inputs=marked_up, out=out, workers=1, progress=False)
    path = write_report(out)
    html = path.read_text(encoding="utf-8")
    assert (out / "figures" / "heatmap.png").is_file()
    _assert_plain(html, [])
    assert "<b>$x^{$</b>" not in html and "&lt;b&gt;$x^{$&lt;/b&gt;" in html


def test_comparison_report_of_marked_up_names_renders(marked_up, tmp_path: Path):
    first = _run(marked_up, "base", tmp_path / "p$^{$<b>1</b>")
    second = _run(marked_up, "embargo", tmp_path / "q</script>&amp;%{x}")
    out = tmp_path / "comparison"
    assert main(["compare", str(first), str(second), "--out", str(out), "--png"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "figures" / "timeline.png").is_file()
    _assert_plain(html, [RENAMED["cand_sep"]])


def test_plotly_text_escapes_markup_and_templates():
    assert style.plotly_text("<b>a</b> & %{x}") == "&lt;b&gt;a&lt;/b&gt; &amp; &#37;{x}"
    assert style.plotly_text("plain_1.x") == "plain_1.x"


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
def test_the_marked_up_report_draws_in_chromium_and_runs_no_script_from_the_inputs(marked_up, tmp_path: Path):
    out = _run(marked_up, "embargo", tmp_path / "result")
    with Browser(CHROMIUM) as browser:
        visit = browser.visit(out / "report.html")
    assert visit.console_errors == [], "a chart failed, or a <script> from the inputs ran (it logs an error)"
    assert visit.charts == "ready"
    assert not blank(visit.screenshot)
