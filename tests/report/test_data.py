"""The tables behind the figures: capex spread, binding stage, shortfall, sources, inputs checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimiser.model.parameters import build_structure, construction_years
from optimiser.report import data as rd
from optimiser.scenario import Scenario

STAGES = ["mining", "separation", "metal", "magnet"]


def _report(flows: list[dict]) -> rd.RunReport:
    """A one-element, one-year report from hand-written flows (stages in chain order)."""
    frame = pd.DataFrame(
        [{"year": 2025, "element": "Dy", "stage": s, "row_output": 0.0, "china_imports": 0.0, "shortfall": 0.0, "surplus": 0.0, **f}
         for s, f in zip(STAGES, flows)]
    )
    dependence = pd.DataFrame({"year": 2025, "element": "Dy", "stage": STAGES, "dependence": 0.0, "unmet": 0.0})
    return rd.RunReport(Path("hand"), {"status": "optimal", "horizon": [2025, 2025]}, None, dependence, None, frame)


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([{"row_output": 100}, {"row_output": 90}, {"row_output": 85}, {"row_output": 70}], rd.SELF_SUFFICIENT),
        ([{"row_output": 100}, {"row_output": 90, "china_imports": 50}, {}, {}], "mining"),
        ([{"row_output": 100, "surplus": 30}, {"row_output": 60, "china_imports": 50}, {}, {}], "separation"),
        ([{"row_output": 100, "surplus": 30}, {"row_output": 60}, {"row_output": 57}, {"row_output": 40, "china_imports": 20}], "separation"),
        ([{"row_output": 100}, {"row_output": 90}, {"row_output": 85, "surplus": 10}, {"row_output": 60, "china_imports": 20}], "magnet"),
        ([{"row_output": 100}, {"row_output": 90, "surplus": 5}, {"row_output": 80, "shortfall": 6}, {}], "metal"),
        ([{"row_output": 100}, {"row_output": 90, "china_imports": 1e-5}, {"row_output": 85}, {"row_output": 70}], rd.SELF_SUFFICIENT),
        ([{}, {}, {}, {}], None),
    ],
    ids=["self-sufficient", "no-ore", "ore-left-unseparated", "ore-left-magnet-imports", "magnet-plants", "shortfall-at-metal", "noise", "no-flow"],
)
def test_binding_stage_is_where_row_supply_runs_out(flows, expected):
    binding = rd.binding_stages(_report(flows))
    assert binding["binding"].tolist() == [expected]


def test_capex_spread_follows_the_model_and_respects_the_yearly_cap(results):
    stored = results["default"]
    report = rd.load_run(stored.directory, stored.inputs)
    spread = rd.capex_spread(report)
    assert set(spread["method"]) == {"project data"}
    scenario = Scenario.from_dict(report.summary["scenario"])
    projects = build_structure(stored.inputs, scenario).projects
    for build in report.builds.itertuples(index=False):
        rows = spread[(spread["project"] == build.project) & (spread["start_year"] == build.start_year)]
        assert rows["year"].tolist() == construction_years(projects[build.project], int(build.start_year), scenario)
        assert rows["capex_musd"].sum() == pytest.approx(float(build.capex_musd))
    by_year = rd.capex_by_year(report).sum(axis=1)
    cap = report.yearly_cap_musd
    assert by_year.max() <= cap * (1 + 1e-6)
    assert by_year.max() == pytest.approx(cap, rel=1e-6), "the default run's yearly cap binds in some year"
    assert by_year.sum() == pytest.approx(report.summary["budget_used_musd"], rel=1e-6)
    by_country = rd.capex_by_country(report)
    assert by_country.to_numpy().sum() == pytest.approx(report.builds["capex_musd"].sum())


def test_capex_spread_without_inputs_uses_the_default_construction_years(results):
    report = rd.load_run(results["tiny"].directory)
    spread = rd.capex_spread(report)
    assert set(spread["method"]) == {"default min(lead, 3)"}
    for build in report.builds.itertuples(index=False):
        lead = int(build.online_year) - int(build.start_year)
        rows = spread[(spread["project"] == build.project) & (spread["start_year"] == build.start_year)]
        assert rows["year"].tolist() == list(range(int(build.online_year) - min(lead, 3), int(build.online_year)))
    assert spread["capex_musd"].sum() == pytest.approx(report.builds["capex_musd"].sum())


def test_shortfall_appears_only_under_an_export_cap(results):
    assert rd.shortfall(rd.load_run(results["tiny"].directory)).empty
    short = rd.shortfall(rd.load_run(results["tiny_embargo"].directory, results["tiny_embargo"].inputs))
    assert not short.empty
    assert set(short["year"]) <= {2027, 2028, 2029}


def test_sources_cover_every_table_with_the_rows_and_hashes_loaded(results):
    stored = results["default"]
    report = rd.load_run(stored.directory, stored.inputs)
    tables = {t.table: t for t in rd.source_tables(report)}
    assert {"projects", "demand", "china_production", "parameters"} <= set(tables)
    for table in tables.values():
        assert table.rows == table.sources["rows"].sum()
        assert table.sha256 == stored.inputs.file_sha256[table.filename]
        assert not table.sources["source"].str.strip().eq("").any()
    assert tables["parameters"].rows == len(stored.inputs.parameters)


@pytest.mark.parametrize("name", ["default", "tiny"])
def test_sources_are_those_of_a_pandas_group_by(results, name):
    """The sources loop equals the group-by it replaced, on every table (and a missing source)."""
    stored = results[name]
    report = rd.load_run(stored.directory, stored.inputs)
    frames = {"parameters": rd._parameters_frame(stored.inputs)}
    for table in rd.source_tables(report):
        frame = frames.get(table.table, getattr(stored.inputs, table.table, None))
        key = rd.TABLES[table.table].key[0]
        frame = pd.concat([frame, frame.head(1).assign(source=None)], ignore_index=True)
        cited = frame.assign(source=frame["source"].fillna("(no source)"))
        expected = cited.groupby("source", sort=False).agg(
            rows=(key, "size"), cited_by=(key, lambda values: rd._cited_by(list(dict.fromkeys(values))))
        ).reset_index()
        pd.testing.assert_frame_equal(rd._sources(frame, key), expected, check_dtype=False)


def test_inputs_of_another_data_set_are_not_used(results):
    report = rd.load_run(results["default"].directory, results["tiny"].inputs)
    assert report.inputs is None
    assert "not the ones this result was solved on" in report.inputs_note
    assert rd.source_tables(report) == []
    assert report.restricted is None


def test_a_failed_solve_has_status_words_and_no_plan_tables(results):
    report = rd.load_run(results["failed"].directory, results["failed"].inputs)
    assert not report.optimal
    assert report.status == "time_limit"
    assert "time limit" in report.status_words
    assert rd.build_timeline(report).empty and rd.binding_stages(report).empty and rd.shortfall(report).empty


def test_headline_rows_are_the_summary_in_percent(results):
    report = rd.load_run(results["default"].directory)
    rows = {(r["group"], r["stage"]): r for r in rd.headline_rows(report)}
    plan = report.summary["headline"]["plan"]["all"]["magnet"]
    assert rows["all", "magnet"]["plan"] == pytest.approx(100 * plan)
    assert rows["all", "magnet"]["change"] == pytest.approx(rows["all", "magnet"]["plan"] - rows["all", "magnet"]["baseline"])
