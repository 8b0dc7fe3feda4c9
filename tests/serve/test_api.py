"""Every endpoint of the workbench's API on the tiny data set: answers, validation messages keyed as the form
shows them, nothing written on bad input, saves byte-identical to `optimiser run`, and the safety rules
(names never paths, only our own results deleted, bodies over the limit refused, cross-site writes refused)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import optimiser
from optimiser import cli
from optimiser.scenario import RULES, _Rule
from optimiser.serve.app import MAX_BODY_BYTES
from optimiser.serve.form import form_schema
from optimiser.serve.workbench import Workbench


def _entries(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def _issues(response) -> dict[str, str]:
    return {issue["key"]: issue["message"] for issue in response.json()["issues"]}


# The page and its files ---------------------------------------------------------------------------------


def test_page_and_its_own_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="schema"' in page.text and "/static/plotly.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/workbench.js").status_code == 200
    assert client.get("/static/workbench.css").status_code == 200
    assert client.get("/static/other.js").status_code == 404
    packed = client.get("/static/plotly.js", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200
    assert b"plotly.js" in packed.content[:2000]  # httpx undoes the gzip; the header says it was sent packed
    assert packed.headers["content-encoding"] == "gzip"


def test_the_schema_has_every_scenario_key_with_its_bounds_and_the_datas_names(client, data):
    schema = client.get("/api/schema").json()
    fields = {field["key"]: field for field in schema["fields"]}
    assert set(fields) == set(RULES)
    assert fields["budget_busd"]["min"] == 0.0 and fields["budget_busd"]["kind"] == "float"
    assert fields["demand_case"]["choices"] == data.demand_cases
    assert fields["objective"]["choices"] == list(RULES["objective"].choices)
    assert fields["partner_countries"]["choices"] == list(data.countries["country"])
    assert schema["names"]["export_controls.elements"] == data.element_names
    assert schema["data_weights"]["element_weights"] == dict(zip(data.elements["element"], data.elements["weight"]))
    assert [field["key"] for field in schema["fields"]][:3] == ["budget_busd", "yearly_cap_fraction", "lead_time_shift_years"]


def test_a_key_added_to_rules_appears_in_the_form_without_code_changes(data, monkeypatch):
    monkeypatch.setitem(RULES, "new_lever", _Rule("float", minimum=0.0, maximum=2.0, description="a lever added later"))
    fields = {field["key"]: field for field in form_schema(data)["fields"]}
    assert fields["new_lever"]["kind"] == "float"
    assert fields["new_lever"]["max"] == 2.0
    assert fields["new_lever"]["description"] == "a lever added later"


def test_catalog_and_shipped_scenarios(client, base_settings):
    catalog = client.get("/api/catalog").json()
    assert catalog["scenarios"] == ["base", "embargo"]
    assert catalog["sweeps"] == ["tiny_budget"]
    assert catalog["default"] == base_settings
    assert client.get("/api/scenarios/base").json()["settings"] == base_settings
    assert client.get("/api/scenarios/base.toml").status_code == 200
    for name in ("nope", "..%2Fsweeps%2Ftiny_budget", "%2Fetc%2Fpasswd"):
        assert client.get(f"/api/scenarios/{name}").status_code == 404


# Solving ------------------------------------------------------------------------------------------------


def test_solve_gives_the_clis_objective_with_headline_and_charts(client, data, base_settings):
    settings = {**base_settings, "budget_busd": 1.0}
    response = client.post("/api/solve", json={"settings": settings})
    assert response.status_code == 200
    payload = response.json()
    expected = optimiser.solve(data, optimiser.Scenario.from_dict(settings))
    assert payload["status"] == "optimal"
    assert payload["headline"]["objective"] == pytest.approx(expected.objective, abs=1e-7)
    assert payload["headline"]["budget_used_busd"] == pytest.approx(expected.budget_used_musd / 1000, abs=1e-6)
    assert payload["headline"]["years"][-1] == data.last_year
    rows = {(row["group"], row["stage"]): row for row in payload["headline"]["rows"]}
    final = expected.dependence[(expected.dependence["year"] == data.last_year) & (expected.dependence["element"] == "all")]
    for row in final.itertuples(index=False):
        assert rows["all", row.stage]["plan"][-1] == pytest.approx(row.dependence, abs=1e-6)
    baseline = expected.baseline_dependence
    last = baseline[(baseline["year"] == data.last_year) & (baseline["element"] == "all")]
    for row in last.itertuples(index=False):
        assert rows["all", row.stage]["baseline"][-1] == pytest.approx(row.dependence, abs=1e-6)
    assert set(payload["charts"]) == {"dependence", "timeline", "capex", "shortfall"}
    assert payload["charts"]["dependence"]["figure"]["data"]


def test_the_shortfall_chart_shows_the_tonnes_the_cli_reports(client, data, base_settings):
    control = {"elements": ["Dy"], "start_year": 2027, "end_year": 2029, "fraction": 0.0}
    settings = {**base_settings, "export_controls": [control]}
    payload = client.post("/api/solve", json={"settings": settings}).json()
    expected = optimiser.solve(data, optimiser.Scenario.from_dict(settings))
    short = expected.flows[expected.flows["shortfall"] > 1e-3]
    assert len(short), "the tiny embargo should leave some demand unmet"
    figure = payload["charts"]["shortfall"]["figure"]
    drawn = sum(sum(value for value in trace["y"]) for trace in figure["data"])
    assert drawn == pytest.approx(short["shortfall"].sum(), rel=1e-4)


def test_bad_settings_are_422_with_each_key_and_message_and_nothing_is_written(client, results, base_settings):
    before = _entries(results)
    bad = {**base_settings, "budget_busd": -1, "budgt_busd": 3,
           "export_controls": [{"elements": ["Dy"], "start_year": 2027, "end_year": 2029, "fraction": 2}]}
    response = client.post("/api/solve", json={"settings": bad})
    assert response.status_code == 422
    issues = _issues(response)
    assert "out of range" in issues["budget_busd"]
    assert "out of range" in issues["export_controls[0].fraction"]
    assert "did you mean 'budget_busd'" in issues["budgt_busd"]
    unknown = client.post("/api/solve", json={"settings": {**base_settings, "demand_case": "nope"}})
    assert unknown.status_code == 422 and "unknown demand case 'nope'" in _issues(unknown)["demand_case"]
    for body in ({"settings": "x"}, {"settings": {}, "extra": 1}, {}):
        assert client.post("/api/solve", json=body).status_code == 422
    assert client.post("/api/save", json={"settings": bad}).status_code == 422
    assert client.post("/api/sweeps", json={"frontier_from": bad}).status_code == 422
    assert _entries(results) == before


def test_a_failed_solve_is_shown_as_failed_never_as_a_plan(client, base_settings):
    payload = client.post("/api/solve", json={"settings": {**base_settings, "time_limit_seconds": 1e-9}}).json()
    assert payload["status"] == "time_limit"
    assert "time limit" in payload["message"]
    assert payload["headline"] is None and payload["charts"] == {}


def test_concurrent_solves_each_get_their_own_scenario(data, base_settings):
    workbench = Workbench(data)
    budgets = (0.25, 0.5, 1.0)
    expected = {b: workbench.solve({**base_settings, "budget_busd": b})["headline"]["objective"] for b in budgets}
    seen: list[tuple[float, float]] = []

    def solve(budget: float) -> None:
        for _ in range(3):
            payload = workbench.solve({**base_settings, "budget_busd": budget})
            seen.append((budget, payload["headline"]["objective"]))

    threads = [threading.Thread(target=solve, args=(b,)) for b in budgets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 9
    for budget, objective in seen:
        assert objective == pytest.approx(expected[budget], abs=1e-9)


# Saving, listing, opening, deleting ---------------------------------------------------------------------


def test_save_writes_the_clis_result_byte_for_byte_with_the_scenario(client, inputs, results, base_settings, tmp_path):
    settings = {**base_settings, "name": "saved_run", "budget_busd": 1.0}
    response = client.post("/api/save", json={"settings": settings})
    assert response.status_code == 200, response.text
    saved = results / "saved_run"
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["command"] == "run" and "scenario.toml" in manifest["files"]
    assert (saved / "report.html").is_file()
    assert cli.main(["run", "--scenario", str(saved / "scenario.toml"), "--inputs", str(inputs), "--out",
                     str(tmp_path / "cli"), "--no-report"]) == 0
    csvs = sorted(path.name for path in saved.glob("*.csv"))
    assert csvs == sorted(path.name for path in (tmp_path / "cli").glob("*.csv")) and "builds.csv" in csvs
    for name in csvs:
        assert (saved / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert cli.main(["report", str(saved), "--inputs", str(inputs)]) == 0


def test_saving_over_a_result_needs_overwrite(client, results, base_settings):
    settings = {**base_settings, "name": "twice"}
    assert client.post("/api/save", json={"settings": settings}).status_code == 200
    again = client.post("/api/save", json={"settings": settings})
    assert again.status_code == 409 and "exists" in again.json()["detail"]
    assert client.post("/api/save", json={"settings": settings, "overwrite": True}).status_code == 200


def test_saving_over_a_folder_we_did_not_write_is_refused(client, results, base_settings):
    mine = results / "mine"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    response = client.post("/api/save", json={"settings": {**base_settings, "name": "mine"}, "overwrite": True})
    assert response.status_code == 409 and "did not write" in response.json()["detail"]
    assert _entries(mine) == {"notes.txt"}


def test_results_are_listed_described_and_their_scenario_read_back(client, base_settings):
    client.post("/api/save", json={"settings": {**base_settings, "name": "listed", "budget_busd": 0.75}})
    entries = {entry["name"]: entry for entry in client.get("/api/results").json()}
    assert entries["listed"]["kind"] == "run" and entries["listed"]["status"] == "optimal"
    assert entries["listed"]["has_scenario"] and entries["listed"]["budget_busd"] == 0.75
    assert "mine" not in entries
    described = client.get("/api/results/listed").json()
    assert {"report.html", "builds.csv", "scenario.toml", "summary.json"} <= set(described["files"])
    settings = client.get("/api/results/listed/scenario").json()["settings"]
    assert settings == {**base_settings, "name": "listed", "budget_busd": 0.75}
    assert client.get("/api/results/nope").status_code == 404


def test_files_are_served_only_when_the_result_lists_them(client, results, base_settings):
    client.post("/api/save", json={"settings": {**base_settings, "name": "served"}})
    report = client.get("/results/served/report.html")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    download = client.get("/results/served/builds.csv?download=1")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert download.content == (results / "served" / "builds.csv").read_bytes()
    assert client.get("/results/served/scenario.toml").status_code == 200
    assert client.get("/results/served/figures/dependence.png").status_code == 200
    (results / "served" / "figures" / "x.png").write_bytes(b"\x89PNG not ours")
    for path in ("manifest.json", "figures/x.png", "nothing.csv", "..%2Fserved%2Fbuilds.csv", "%2E%2E/%2E%2E/etc/passwd",
                 "../../etc/passwd", "%2Fetc%2Fpasswd"):
        assert client.get(f"/results/served/{path}").status_code == 404, path


@pytest.mark.parametrize("name", ["..", ".served", "a%2Fb", "%2E%2E", "a b", "x" * 101, "..%2F..%2Ftmp"])
def test_names_that_could_be_paths_are_refused(client, name):
    for response in (client.get(f"/api/results/{name}"), client.delete(f"/api/results/{name}"),
                     client.get(f"/api/results/{name}/scenario"), client.get(f"/results/{name}/report.html")):
        assert response.status_code in (404, 405, 422), (name, response.status_code)


def test_delete_removes_only_results_this_tool_wrote(client, results, base_settings):
    client.post("/api/save", json={"settings": {**base_settings, "name": "doomed"}})
    assert client.delete("/api/results/doomed").json() == {"deleted": "doomed"}
    assert not (results / "doomed").exists()
    foreign = results / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text(json.dumps({"written_by": "someone else", "files": {}}))
    refused = client.delete("/api/results/foreign")
    assert refused.status_code == 409 and "not written by optimiser" in refused.json()["detail"]
    assert (foreign / "manifest.json").is_file()
    client.post("/api/save", json={"settings": {**base_settings, "name": "added_to"}})
    (results / "added_to" / "my notes.txt").write_text("keep")
    added = client.delete("/api/results/added_to")
    assert added.status_code == 409 and "my notes.txt" in added.json()["detail"]
    assert (results / "added_to" / "my notes.txt").is_file()
    assert client.delete("/api/results/mine").status_code == 409
    assert client.delete("/api/results/gone").status_code == 404


def test_compare_two_saved_results(client, results, base_settings):
    for name, budget in (("cmp_low", 0.25), ("cmp_high", 1.0)):
        assert client.post("/api/save", json={"settings": {**base_settings, "name": name, "budget_busd": budget}}).status_code == 200
    response = client.post("/api/compare", json={"names": ["cmp_low", "cmp_high"]})
    assert response.status_code == 200, response.text
    assert (results / "comparison" / "comparison.csv").is_file()
    assert client.get("/results/comparison/report.html").status_code == 200
    assert client.post("/api/compare", json={"names": ["cmp_low"]}).status_code == 422
    assert client.post("/api/compare", json={"names": ["cmp_low", "cmp_low"]}).status_code == 422
    assert client.post("/api/compare", json={"names": ["cmp_low", "nope"]}).status_code == 404
    assert client.post("/api/compare", json={"names": ["cmp_low", "cmp_high"], "name": "../x"}).status_code == 422


# Safety -------------------------------------------------------------------------------------------------


def test_bodies_over_the_limit_are_refused(client, results):
    before = _entries(results)
    big = b'{"settings": {"description": "' + b"x" * MAX_BODY_BYTES + b'"}}'
    response = client.post("/api/save", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "256 kB" in response.json()["detail"]

    def chunks():
        yield b'{"settings": {"description": "'
        for _ in range(MAX_BODY_BYTES // 4096 + 2):
            yield b"x" * 4096
        yield b'"}}'

    streamed = client.post("/api/save", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert _entries(results) == before


def test_writes_from_other_sites_and_other_hosts_are_refused(client, base_settings):
    body = {"settings": base_settings}
    assert client.post("/api/solve", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/solve", json=body, headers={"Origin": "http://127.0.0.1"}).status_code == 200
    assert client.post("/api/solve", content=json.dumps(body), headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.get("/api/catalog", headers={"Host": "evil.example"}).status_code == 400


# Jobs ---------------------------------------------------------------------------------------------------


def test_job_requests_are_checked_before_anything_starts(client, base_settings):
    assert client.post("/api/sweeps", json={}).status_code == 422
    assert client.post("/api/sweeps", json={"file": "tiny_budget", "frontier_from": base_settings}).status_code == 422
    for name in ("nope", "../sweeps/tiny_budget", "/etc/passwd"):
        assert client.post("/api/sweeps", json={"file": name}).status_code == 404
    frontier = client.post("/api/sweeps", json={"frontier_from": {**base_settings, "capex_multiplier": 0}})
    assert frontier.status_code == 422 and "capex_multiplier" in _issues(frontier)
    assert client.post("/api/stress", json={"portfolios": [], "scenarios": ["base"]}).status_code == 422
    assert client.post("/api/stress", json={"portfolios": ["nope"], "scenarios": ["base"]}).status_code == 404
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.post("/api/jobs/nope/cancel").status_code == 404
    assert client.get("/api/jobs").json() == []


def _wait(client, job_id: str, timeout: float = 180.0) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


@pytest.mark.slow
def test_a_sweep_job_runs_reports_progress_and_its_report_opens(client, results):
    job = client.post("/api/sweeps", json={"file": "tiny_budget"}).json()
    assert job["state"] == "running" and job["name"] == "tiny_budget"
    assert client.post("/api/sweeps", json={"file": "tiny_budget"}).status_code == 409
    done = _wait(client, job["id"])
    assert done["state"] == "finished", done
    assert done["done"] == done["total"] == 5
    assert "5 optimal" in done["message"]
    entry = client.get("/api/results/tiny_budget").json()
    assert entry["kind"] == "sweep" and entry["complete"] and entry["report"]
    assert client.get("/results/tiny_budget/report.html").status_code == 200
    assert client.get("/results/tiny_budget/runs.csv").status_code == 200
    assert client.get("/results/tiny_budget/runs.parquet").status_code == 404
    assert client.delete("/api/results/tiny_budget").status_code == 200


@pytest.mark.slow
def test_a_cancelled_job_leaves_no_result(client, results, base_settings):
    job = client.post("/api/sweeps", json={"frontier_from": {**base_settings, "name": "cancelled"}}).json()
    assert job["name"] == "cancelled_frontier"
    cancelled = client.post(f"/api/jobs/{job['id']}/cancel").json()
    done = _wait(client, cancelled["id"])
    assert done["state"] == "cancelled" and "resume" in done["message"]
    entries = {entry["name"]: entry for entry in client.get("/api/results").json()}
    assert "cancelled_frontier" not in entries or not entries["cancelled_frontier"]["complete"]


@pytest.mark.slow
def test_a_stress_job_of_saved_results(client, results, base_settings):
    for name, budget in (("stress_a", 0.25), ("stress_b", 1.0)):
        client.post("/api/save", json={"settings": {**base_settings, "name": name, "budget_busd": budget}})
    job = client.post("/api/stress", json={"portfolios": ["stress_a", "stress_b"], "scenarios": ["base", "embargo"]}).json()
    done = _wait(client, job["id"])
    assert done["state"] == "finished", done
    assert done["done"] == done["total"] == 4
    assert (results / "stress" / "stress.csv").is_file()
    assert client.get("/api/results/stress").json()["kind"] == "stress"
