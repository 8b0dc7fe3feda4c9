"""Each report opened in headless Chromium from a file: no console error, no failed or outgoing request,
charts drawn, and a screenshot that is not blank. Skipped only where Chromium is not installed (.ci/run
installs Debian's chromium package)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from .browser import Browser, find_chromium

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)"
)


def blank(png: bytes) -> bool:
    """True for a screenshot with (almost) nothing on it: few colours, or nearly all white."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.resize((image.width // 4, image.height // 4))
    colours = small.getcolors(maxcolors=1 << 20) or []
    white = sum(count for count, rgb in colours if min(rgb) >= 245)
    return len(colours) < 64 or white > 0.97 * small.width * small.height


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as opened:
        yield opened


@pytest.mark.parametrize(("name", "charts"), [("default", "ready"), ("tiny_embargo", "ready"), ("failed", "none")])
def test_report_opens_cleanly_from_a_file(reports, browser, name, charts):
    visit = browser.visit(reports[name].report)
    assert visit.console_errors == []
    assert visit.failed_requests == []
    assert visit.external_requests == []
    assert visit.charts == charts
    assert not blank(visit.screenshot), f"the screenshot of {name}'s report is blank"


def test_the_harness_sees_errors_failures_and_blank_pages(browser, tmp_path: Path):
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head>'
        '<body data-charts="none"><img src="missing.png"><script>console.error("boom")</script></body></html>'
    )
    visit = browser.visit(broken)
    assert any("boom" in error for error in visit.console_errors)
    assert visit.failed_requests
    assert blank(visit.screenshot)
