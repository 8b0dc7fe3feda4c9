"""Open a report in headless Chromium and record what a reader's browser would see.

Playwright's Python package drives Debian's Chromium through its executable path (no browser download, as
the workbench's browser test does). A visit records console errors, uncaught exceptions, failed requests and
any request that would leave the machine (every request goes through a route that lets only local schemes
through), and takes a screenshot once the page says its charts are drawn (``<body data-charts>``).

``python -m tests.report.browser REPORT.html OUT.png [HEIGHT]`` saves a screenshot (the README's is made so).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
"""Requests with these schemes stay on the machine; any other would go to the network."""
CHARTS_SETTLED = "body[data-charts=ready], body[data-charts=failed], body[data-charts=none]"


def find_chromium() -> str | None:
    """The Chromium executable (Debian's ``chromium`` package), or None."""
    for candidate in CHROMIUM_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@dataclass
class PageVisit:
    """What happened when a page was opened: problems in words, the charts' final state, a PNG screenshot."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    charts: str | None = None
    screenshot: bytes = b""


class Browser:
    """One headless Chromium that opens pages one at a time, each in a fresh context (own profile state)."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 1400) -> None:
        from playwright.sync_api import sync_playwright

        self.width, self.height = width, height
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=executable, args=list(FLAGS), headless=True)
        except Exception:
            self._playwright.stop()
            raise

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()

    def visit(self, page: Path, *, height: int | None = None, timeout: float = 45) -> PageVisit:
        """Open ``page`` from a file:// URL, wait until its charts are drawn (or failed, or it has none),
        screenshot the viewport, and report every problem seen on the way."""
        from playwright.sync_api import Error

        url = Path(page).resolve().as_uri()
        record = PageVisit(url=url)
        context = self._browser.new_context(viewport={"width": self.width, "height": height or self.height})

        def route(request_route) -> None:
            target = request_route.request.url
            if target.startswith(LOCAL_SCHEMES):
                request_route.continue_()
            else:
                record.external_requests.append(target)
                request_route.abort()

        def failed(request) -> None:
            if request.url not in record.external_requests:
                record.failed_requests.append(f"{request.failure} ({request.url})")

        context.route("**/*", route)
        tab = context.new_page()
        tab.on("console", lambda message: record.console_errors.append(f"console.{message.type}: {message.text}")
               if message.type in ("error", "assert") else None)
        tab.on("pageerror", lambda error: record.console_errors.append(f"uncaught: {error}"))
        tab.on("requestfailed", failed)
        tab.on("response", lambda response: record.failed_requests.append(f"HTTP {response.status} {response.url}")
               if response.status >= 400 else None)
        try:
            try:
                tab.goto(url, timeout=timeout * 1000)
                tab.wait_for_selector(CHARTS_SETTLED, state="attached", timeout=timeout * 1000)
                record.charts = tab.get_attribute("body", "data-charts")
            except Error as error:
                record.failed_requests.append(f"navigation or charts: {error}")
            record.screenshot = tab.screenshot()
        finally:
            context.close()
        return record


def main(argv: list[str]) -> int:
    """Save a screenshot of a report: ``REPORT.html OUT.png [HEIGHT]``."""
    executable = find_chromium()
    if executable is None:
        print("chromium not found", file=sys.stderr)
        return 1
    height = int(argv[2]) if len(argv) > 2 else 1400
    with Browser(executable, height=height) as browser:
        record = browser.visit(Path(argv[0]))
    Path(argv[1]).write_bytes(record.screenshot)
    problems = record.console_errors + record.failed_requests + record.external_requests
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"charts {record.charts}; screenshot {argv[1]} ({len(record.screenshot)} bytes)")
    return 1 if problems or record.charts != "ready" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
