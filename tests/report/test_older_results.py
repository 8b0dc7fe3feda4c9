"""A result written before a summary key or result file existed still gets its report: the page reads the
keys issue 12 and 13 added (instruments, China's world share, history years) and supply_by_country.csv
only where they are present."""

from __future__ import annotations

import json

from optimiser.report import data as rd
from optimiser.report.html import render_run

LATER_KEYS = (
    "first_decision_year", "history_years", "demand_case", "china_world_share",
    "cofinance", "stockpile", "substitution", "recycling_scrap", "project_risk",
)


def test_a_summary_without_the_later_keys_renders(results, tmp_path):
    stored = results["tiny"]
    report = rd.load_run(stored.directory, stored.inputs)
    report.summary = {key: value for key, value in report.summary.items() if key not in LATER_KEYS}
    report.supply_by_country = None
    out = render_run(report, tmp_path / "report.html", tmp_path / "figures")
    page = out.read_text(encoding="utf-8")
    assert "Headline" in page
    assert "Who supplies ROW" not in page and "China's share of world output" not in page


def test_the_current_summary_has_the_keys_the_page_reads_optionally(results):
    summary = json.loads((results["tiny"].directory / "summary.json").read_text(encoding="utf-8"))
    assert {"first_decision_year", "history_years", "demand_case", "china_world_share"} <= set(summary)
    assert (results["tiny"].directory / "supply_by_country.csv").is_file()
