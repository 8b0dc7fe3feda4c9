"""The workbench in headless Chromium (Playwright driving Debian's /usr/bin/chromium; no browser download):
open the page, change the budget and see the headline objective become the CLI's for that budget, save
twice, reopen a saved result's report, compare the two, with no console error and no request to any host
but the server. Slow: the default model is built and solved, and each save is a full run with its report."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

import optimiser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"
LOCAL_SCHEMES = ("data:", "blob:", "about:")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`optimiser serve` in its own process on a free port, saving into a temporary results folder."""
    results = tmp_path_factory.mktemp("workbench") / "results"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "optimiser", "serve", "--inputs", str(INPUTS), "--results", str(results), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "api/jobs", timeout=5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the workbench did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.5)
    yield url, results
    process.terminate()
    process.wait(timeout=30)


def test_plan_save_reopen_and_compare_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    url, results = server
    data = optimiser.load_inputs(INPUTS)
    base = optimiser.Scenario.from_toml(INPUTS / "scenarios" / "base.toml")
    expected = optimiser.solve(data, base.with_overrides(budget_busd=14.0), baseline=False).objective
    errors: list[str] = []
    external: list[str] = []

    def route(request_route) -> None:
        target = request_route.request.url
        if target.startswith(LOCAL_SCHEMES) or urlparse(target).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            external.append(target)
            request_route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector("body[data-state=ready] #objective", timeout=180_000)
        before = page.get_attribute("#objective", "data-value")

        page.fill("#input-yearly_cap_fraction", "5")  # out of range: the server's message beside the field, no plan
        page.wait_for_selector("body[data-state=invalid]", timeout=60_000)
        assert "out of range" in page.inner_text('[data-issue-for="yearly_cap_fraction"]')
        assert page.get_attribute("#objective", "data-value") == before
        page.fill("#input-yearly_cap_fraction", "0.25")
        page.wait_for_selector("body[data-state=ready]", timeout=60_000)

        page.fill("#input-budget_busd", "14")
        page.wait_for_selector(f'body[data-state=ready] #objective:not([data-value="{before}"])', timeout=60_000)
        assert float(page.get_attribute("#objective", "data-value")) == pytest.approx(expected, abs=1e-6)
        assert page.inner_text("#objective") == f"{expected:.4f}"
        assert page.input_value("#budget-slider") == "14"

        for name, budget in (("wb_14", "14"), ("wb_16", "16")):
            page.fill("#input-budget_busd", budget)
            page.fill("#scenario-name", name)
            page.wait_for_selector("body[data-state=ready]", timeout=60_000)
            page.click("#save")
            page.wait_for_selector(f'body[data-saved="{name}"]', timeout=240_000)
            assert (results / name / "scenario.toml").is_file()

        page.click('#results-table tr[data-name="wb_14"] button.open', timeout=30_000)
        report = page.frame_locator("#viewer")
        report.locator("body[data-charts=ready]").wait_for(timeout=60_000)
        assert f"{expected:.4f}" in report.locator("body").inner_text()

        page.check('#results-table tr[data-name="wb_14"] input[type=checkbox]')
        page.check('#results-table tr[data-name="wb_16"] input[type=checkbox]')
        page.click("#compare")
        page.wait_for_selector('#viewer[src$="/results/comparison/report.html"]', timeout=120_000)
        comparison = page.frame_locator("#viewer")
        comparison.locator("body[data-charts=ready]").wait_for(timeout=60_000)
        text = comparison.locator("body").inner_text()
        assert "wb_14" in text and "wb_16" in text
        browser.close()

    refused = "the server responded with a status of 422"  # Chromium logs the invalid setting's answer
    assert [error for error in errors if refused not in error] == []
    assert external == []
