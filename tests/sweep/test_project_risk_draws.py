"""Project risk drawn as go/no-go in a Monte Carlo sweep: the sweep file, the draws (reproducible from the
seed, in the scenario id and the runs table) and a small sweep whose every sample equals a fresh run."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

import optimiser
from optimiser.errors import InputError
from optimiser.model.project_risk_data import draw_failures
from optimiser.sweep import load_spec, sweep
from optimiser.sweep.plan import build_tasks

from .conftest import SHIPPED, TINY, TINY_BASE

PROBABILITIES = {"cand_mine": 0.3, "cand_sep": 0.6}


@pytest.fixture(scope="module")
def risky_inputs(tmp_path_factory):
    """The tiny inputs with a probability of success for both candidates."""
    directory = tmp_path_factory.mktemp("risky")
    for path in TINY.iterdir():
        if path.is_file():
            shutil.copy(path, directory / path.name)
    (directory / "project_risk.csv").write_text(
        "project,maturity,probability,min_share,source\n"
        "cand_mine,scoping,0.3,,ASSUMPTION: test\n"
        "cand_sep,feasibility,,,ASSUMPTION: test\n",
        encoding="utf-8",
    )
    (directory / "maturity_probability.csv").write_text(
        "maturity,probability,source\nfeasibility,0.6,ASSUMPTION: test\n", encoding="utf-8"
    )
    return directory


def _spec(tmp_path, body: str, base_extra: str = "", name: str = "draws"):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\n\n[base]\nscenario = "{TINY_BASE}"\n{base_extra}\n{body}\n', encoding="utf-8")
    return path


DRAWS = '[monte_carlo]\nsamples = 12\nseed = 5\nproject_risk = "draw"\n'


def test_the_same_seed_draws_the_same_failed_sets(tmp_path, risky_inputs):
    data = optimiser.load_inputs(risky_inputs)
    spec = load_spec(_spec(tmp_path, DRAWS))
    assert spec.project_risk == "draw" and spec.to_dict()["project_risk"] == "draw"
    tasks, ids = build_tasks(spec, data)
    again, ids_again = build_tasks(load_spec(_spec(tmp_path, DRAWS, name="again")), data)
    assert ids == ids_again
    expected = draw_failures(PROBABILITIES, 12, seed=5)
    by_id = {task.id: task for task in tasks}
    assert [by_id[i].scenario.failed_projects for i in ids] == expected
    assert len(set(expected)) == len(tasks) > 1  # equal outcomes are one scenario, solved once
    other, _ = build_tasks(load_spec(_spec(tmp_path, DRAWS.replace("seed = 5", "seed = 6"), name="other")), data)
    assert [t.scenario.failed_projects for t in other] != [t.scenario.failed_projects for t in tasks]


def test_draws_leave_the_sampled_parameters_as_they_were(tmp_path, risky_inputs):
    data = optimiser.load_inputs(risky_inputs)
    parameters = "[monte_carlo.parameters]\ncapex_multiplier = { distribution = 'uniform', low = 1.0, high = 2.0 }\n"
    plain = '[monte_carlo]\nsamples = 12\nseed = 5\n' + parameters
    drawn = DRAWS + parameters
    plain_tasks, plain_ids = build_tasks(load_spec(_spec(tmp_path, plain, name="plain")), data)
    drawn_tasks, drawn_ids = build_tasks(load_spec(_spec(tmp_path, drawn, name="drawn")), data)
    by_plain = {t.id: t for t in plain_tasks}
    by_drawn = {t.id: t for t in drawn_tasks}
    assert [by_plain[i].scenario.capex_multiplier for i in plain_ids] == [by_drawn[i].scenario.capex_multiplier for i in drawn_ids]


@pytest.mark.parametrize(
    ("body", "base_extra", "key", "words"),
    [
        ('[monte_carlo]\nsamples = 3\nproject_risk = "expected"\n', "", "monte_carlo.project_risk", 'expected "draw"'),
        ('[latin_hypercube]\nsamples = 3\nproject_risk = "draw"\n', "", "latin_hypercube.project_risk", "only a [monte_carlo]"),
        (DRAWS, "project_risk = true", "monte_carlo.project_risk", "set project_risk = false in the base"),
        (DRAWS, 'failed_projects = ["cand_sep"]', "monte_carlo.project_risk", "the draw sets them per sample"),
        ("[monte_carlo]\nsamples = 3\n", "", "monte_carlo.parameters", "expected a table of parameters"),
    ],
)
def test_bad_draw_settings_name_the_key(tmp_path, body, base_extra, key, words):
    with pytest.raises(InputError) as error:
        load_spec(_spec(tmp_path, body, base_extra))
    assert any(issue.column == key and words in issue.message for issue in error.value.issues), error.value.issues


def test_a_drawn_sweep_records_each_outcome_and_equals_fresh_runs(tmp_path, risky_inputs):
    data = optimiser.load_inputs(risky_inputs)
    spec = load_spec(_spec(tmp_path, DRAWS))
    out = tmp_path / "results"
    runs = sweep(spec, inputs=data, out=out, workers=1, progress=False)
    assert (runs["status"] == "optimal").all()
    assert "failed_projects" in runs.columns
    table = pd.read_csv(out / "runs.csv")
    recorded = {json.dumps(sorted(json.loads(text))) for text in table["failed_projects"]}
    assert recorded == {json.dumps(sorted(failed)) for failed in draw_failures(PROBABILITIES, 12, seed=5)}
    for row in runs.drop_duplicates("scenario_id").itertuples(index=False):
        failed = json.loads(row.failed_projects)
        single = optimiser.solve(data, spec.base.with_overrides(failed_projects=failed), baseline=False)
        assert row.objective == pytest.approx(single.objective, rel=1e-7, abs=1e-7)
        assert single.summary["project_risk"]["failed_projects"] == failed
        built = set(single.builds["project"]) if len(single.builds) else set()
        assert not built & set(failed)


def test_the_shipped_sweep_reads(risky_inputs):
    spec = load_spec(SHIPPED / "project_risk.toml")
    assert spec.kind == "monte_carlo" and spec.project_risk == "draw" and spec.samples == 200
    assert not spec.base.project_risk and spec.base.failed_projects is None
