"""The report page: self-contained, small, honest about the status, with every figure and the sources."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from optimiser.report.html import RUN_FIGURES

MAX_BYTES = 5_000_000
FETCHING_ATTRIBUTES = {
    "script": "src", "link": "href", "img": "src", "iframe": "src", "audio": "src", "video": "src",
    "source": "src", "embed": "src", "object": "data", "track": "src", "input": "src",
}
"""Elements that make the browser fetch the URL in this attribute when the page loads."""


class _Fetches(HTMLParser):
    """Collects every URL the page would fetch on load, and every inline style url(...)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = FETCHING_ATTRIBUTES.get(tag)
        for name, value in attrs:
            if value and (name == wanted or name in ("srcset", "poster", "background")):
                self.urls.append(value)
            if name == "style" and value:
                self.urls += re.findall(r"url\(([^)]*)\)", value)


def _fetched(page: Path) -> list[str]:
    parser = _Fetches()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def test_reports_stay_small(reports):
    for stored in reports.values():
        assert stored.report.stat().st_size < MAX_BYTES, stored.name
    assert reports["default"].report.stat().st_size > 1_000_000, "the default report carries plotly.js"


def test_reports_fetch_nothing_from_the_network(reports):
    for stored in reports.values():
        urls = _fetched(stored.report)
        remote = [u for u in urls if re.match(r"\s*(https?:)?//", u)]
        assert not remote, f"{stored.name} would fetch {remote}"
        text = stored.report.read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(\s*['\"]?https?:", text), stored.name


def test_default_report_has_every_figure_and_its_png(reports):
    stored = reports["default"]
    text = stored.report.read_text(encoding="utf-8")
    for spec in RUN_FIGURES:
        assert f'id="{spec.key}"' in text
        png = stored.directory / "figures" / f"{spec.key}.png"
        assert png.is_file() and png.stat().st_size > 5_000, png
    for spec in RUN_FIGURES:
        if spec.key != "shortfall":
            assert f'data-spec="spec-{spec.key}"' in text, spec.key
    assert "No shortfall: every tonne of ROW demand is met" in text
    assert 'data-charts="pending"' in text


def test_headline_builds_and_sources(reports):
    stored = reports["default"]
    text = stored.report.read_text(encoding="utf-8")
    summary_hash = stored.inputs.inputs_sha256
    assert "Status: optimal." in text
    assert "Budget dual" in text and "Objective (weighted)" in text
    assert "China dependence in 2045" in text
    assert "browns_range" in text and "Browns Range" in text
    for filename in ("projects.csv", "demand.csv", "china_production.csv", "parameters.csv"):
        assert f"<code>{filename}</code>" in text
    assert summary_hash in text
    assert "USGS MCS2026" in text


def test_a_report_without_a_plan_says_why(reports):
    stored = reports["failed"]
    text = stored.report.read_text(encoding="utf-8")
    assert "Status: time_limit." in text
    assert "No plan: the solver reached its time limit" in text
    assert 'id="timeline"' not in text and "plotly-js" not in text
    assert not (stored.directory / "figures" / "timeline.png").exists()
    assert 'data-charts="none"' in text


def test_export_cap_report_shows_the_shortfall(reports):
    stored = reports["tiny_embargo"]
    text = stored.report.read_text(encoding="utf-8")
    assert 'data-spec="spec-shortfall"' in text
    assert "No shortfall" not in text


def test_a_report_is_reproducible_byte_for_byte(reports, tmp_path: Path):
    from optimiser.report import write_report

    stored = reports["tiny"]
    again = write_report(stored.directory, tmp_path / "again.html", stored.inputs)
    assert again.read_bytes() == stored.report.read_bytes()
    for png in (stored.directory / "figures").iterdir():
        assert (tmp_path / "figures" / png.name).read_bytes() == png.read_bytes(), png.name
