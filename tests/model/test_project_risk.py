"""Project risk: expected capacity, drawn failures and the minimum efficient scale, on a hand-worked instance.

The instance (``tests/test_solve.py``'s): an operating 1000 t Nd mine, a candidate 1000 t separation plant
costing $0.1B with a one-year lead, 1000 t of separation demand, 2025-2026, yearly cap 100 % of the budget.
The weighted objective averages mining and separation dependence over both years; mining dependence is
0.84 (China's mined share) times the separation imports. A plant delivering ``x`` kt in 2026 gives

    (0.84 + 1 + 0.84 · (1 − x) + (1 − x)) / 4 · 100 points   (x = 0: 92, x = 1: 46).

* Expected capacity: with probability 0.5 a whole plant ($0.1B, paid in full) delivers 0.5 kt: 69 points.
* A drawn failure: the plant delivers nothing, so the optimiser builds nothing: 92 points.
* Minimum scale 0.5: $0.03B buys 0.3 of a unit, below the minimum, so nothing is built (92; the LP would
  build 0.3: 78.2); $0.06B builds 0.6 ≥ 0.5 (64.4). The model is then a MIP: its budget dual is the
  finite difference between $0 (92) and B + 1 (the whole plant, 46).
"""

from __future__ import annotations

import dataclasses
import math

import pytest

import optimiser
from optimiser.errors import InputError
from optimiser.inputs.load import load_inputs
from optimiser.model import build_model
from optimiser.model.project_risk_data import draw_failures, draw_probabilities
from optimiser.scenario import Scenario

from .conftest import _table, make_data, mine, plant


def _data(probability: float | None = 0.5, maturity: str = "feasibility", min_share: float | None = None, rows=True):
    data = make_data(
        elements={"Nd": (False, 1.0)},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=100.0, lead_time_years=1),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2026),
    )
    risk = [{"project": "sep", "maturity": maturity, "probability": probability, "min_share": min_share}] if rows else []
    return dataclasses.replace(
        data,
        project_risk=_table("project_risk", risk),
        maturity_probability=_table("maturity_probability", [{"maturity": "feasibility", "probability": 0.4}]),
    )


def _hand(budget: float, **changes) -> Scenario:
    return Scenario(budget_busd=budget, yearly_cap_fraction=1.0, **changes)


def _units(result) -> float:
    return float(result.builds["share"].sum()) if len(result.builds) else 0.0


def _objective(delivered_kt: float) -> float:
    return (0.84 + 1.0 + 0.84 * (1 - delivered_kt) + (1 - delivered_kt)) / 4 * 100


def test_off_by_default_the_plan_is_unchanged():
    result = optimiser.solve(_data(), _hand(1.0))
    assert result.objective == pytest.approx(_objective(1.0)) == pytest.approx(46.0)
    assert result.summary["project_risk"] is None


def test_a_candidate_with_probability_one_half_delivers_half_its_capacity_for_its_whole_capex():
    result = optimiser.solve(_data(), _hand(1.0, project_risk=True))
    assert result.status == "optimal" and result.invariant_violations == []
    assert _units(result) == pytest.approx(1.0)
    assert result.budget_used_musd == pytest.approx(100.0)
    assert result.objective == pytest.approx(_objective(0.5)) == pytest.approx(69.0)
    summary = result.summary["project_risk"]
    assert summary["expected_capacity"] is True and summary["minimum_scale"] is False
    assert summary["projects_built"] == [
        {"project": "sep", "units": 1.0, "maturity": "feasibility", "probability": 0.5, "min_share": None}
    ]
    assert summary["capex_weighted_probability"] == pytest.approx(0.5)


def test_the_maturity_gives_the_probability_when_the_row_has_none():
    result = optimiser.solve(_data(probability=None), _hand(1.0, project_risk=True))
    assert result.objective == pytest.approx(_objective(0.4))
    assert result.summary["project_risk"]["projects_built"][0]["probability"] == 0.4


def test_a_failed_candidate_delivers_nothing_so_nothing_is_built():
    result = optimiser.solve(_data(), _hand(1.0, failed_projects=["sep"]))
    assert result.status == "optimal" and result.invariant_violations == []
    assert _units(result) == 0.0
    assert result.objective == pytest.approx(92.0)
    assert result.summary["project_risk"]["failed_projects"] == ["sep"]
    survived = optimiser.solve(_data(), _hand(1.0, failed_projects=[]))
    assert survived.objective == pytest.approx(46.0)


def test_below_its_minimum_scale_nothing_is_built():
    lp = optimiser.solve(_data(min_share=0.5), _hand(0.03))
    assert _units(lp) == pytest.approx(0.3) and lp.objective == pytest.approx(_objective(0.3))

    result = optimiser.solve(_data(min_share=0.5), _hand(0.03, minimum_scale=True, time_limit_seconds=60.0))
    assert result.status == "optimal" and result.invariant_violations == []
    assert _units(result) == 0.0
    assert result.objective == pytest.approx(92.0)
    assert result.summary["budget_dual_method"] == "finite_difference"
    assert result.budget_dual == pytest.approx((92.0 - 46.0) / 1.03)


def test_at_or_above_its_minimum_scale_the_share_is_built():
    result = optimiser.solve(_data(min_share=0.5), _hand(0.06, minimum_scale=True, time_limit_seconds=60.0))
    assert result.status == "optimal" and result.invariant_violations == []
    assert _units(result) == pytest.approx(0.6)
    assert result.objective == pytest.approx(_objective(0.6)) == pytest.approx(64.4)
    assert result.budget_dual == pytest.approx((92.0 - 46.0) / 1.06)


def test_minimum_scale_adds_one_binary_per_project_with_a_min_share_and_the_lp_has_none():
    model, _ = build_model(_data(min_share=0.5), _hand(1.0, minimum_scale=True))
    assert list(model.built) == ["sep"] and model.built["sep"].is_binary()
    lp, _ = build_model(_data(min_share=0.5), _hand(1.0, project_risk=True))
    assert lp.component("built") is None


def test_both_instruments_together():
    result = optimiser.solve(
        _data(min_share=0.5), _hand(0.06, project_risk=True, minimum_scale=True, time_limit_seconds=60.0)
    )
    assert _units(result) == pytest.approx(0.6)
    assert result.objective == pytest.approx(_objective(0.3))


@pytest.mark.parametrize(
    ("settings", "key", "words"),
    [
        ({"project_risk": "yes"}, "project_risk", "expected true or false"),
        ({"minimum_scale": 1}, "minimum_scale", "expected true or false"),
        ({"failed_projects": "sep"}, "failed_projects", "expected an array of strings"),
        ({"project_risk": True, "failed_projects": ["sep"]}, "failed_projects", "set one of them"),
    ],
)
def test_bad_settings_are_refused_naming_the_key(settings, key, words):
    with pytest.raises(InputError) as error:
        Scenario.from_dict({"name": "x", **settings})
    assert any(issue.column == key and words in issue.message for issue in error.value.issues)


def test_names_are_checked_against_the_data():
    with pytest.raises(InputError) as error:
        _hand(1.0, failed_projects=["sepp"]).check_against(_data())
    assert "unknown project 'sepp'" in str(error.value) and "did you mean 'sep'" in str(error.value)
    with pytest.raises(InputError) as error:
        _hand(1.0, failed_projects=["mine"]).check_against(_data())
    assert "operating project, not a build decision" in str(error.value)
    with pytest.raises(InputError) as error:
        _hand(1.0, project_risk=True).check_against(_data(rows=False))
    assert "no probability of success for the candidate(s) sep" in str(error.value)


def test_the_input_tables_are_checked(tmp_path):
    source = load_inputs("inputs").directory
    for name in source.iterdir():
        if name.is_file():
            (tmp_path / name.name).write_bytes(name.read_bytes())
    (tmp_path / "project_risk.csv").write_text(
        "project,maturity,probability,min_share,source\n"
        "nolanz,feasibility,,,x\n"
        "mp_mine,scoping,,,x\n"
        "nolans,prospect,,,x\n"
        "dubbo,feasibility,,3,x\n"
        "yangibana,financed,,,x\n",
        encoding="utf-8",
    )
    (tmp_path / "maturity_probability.csv").write_text(
        "maturity,probability,source\nfeasibility,0.4,x\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as error:
        load_inputs(tmp_path)
    text = str(error.value)
    assert "unknown project 'nolanz'" in text and "did you mean 'nolans'" in text
    assert "'mp_mine' is a operating project, not a build decision" in text
    assert "prospect" in text
    assert "min_share 3 is above the project's max_units 1" in text
    assert "no probability for maturity 'financed'" in text


def test_draws_are_reproducible_from_the_seed_and_fail_at_one_minus_p():
    probabilities = {"a": 0.15, "b": 0.5, "c": 0.9}
    first = draw_failures(probabilities, 4000, seed=7)
    assert first == draw_failures(dict(reversed(list(probabilities.items()))), 4000, seed=7)
    assert first != draw_failures(probabilities, 4000, seed=8)
    for name, p in probabilities.items():
        rate = sum(name in failed for failed in first) / len(first)
        assert abs(rate - (1 - p)) < 4 * math.sqrt(p * (1 - p) / len(first))


def test_draws_cover_the_included_candidates_of_the_bloc_only():
    data = load_inputs("inputs")
    drawn = draw_probabilities(data, Scenario())
    statuses = dict(zip(data.projects["project"], data.projects["status"]))
    assert drawn and all(statuses[p] == "candidate" for p in drawn)
    assert "kvanefjeld" not in drawn and "gen_sep" not in drawn
    assert drawn["nolans"] == 0.4 and drawn["halleck"] == 0.15 and drawn["ucore_p2"] == 0.6


@pytest.mark.slow
def test_default_data_expected_capacity_costs_dependence_and_keeps_the_budget_spent():
    data = load_inputs("inputs")
    base = Scenario.from_toml("inputs/scenarios/base.toml")
    risky = Scenario.from_toml("inputs/scenarios/project_risk.toml")
    plain = optimiser.solve(data, base, baseline=False)
    risk = optimiser.solve(data, risky, baseline=False)
    assert risk.status == "optimal" and risk.invariant_violations == []
    assert risk.objective > plain.objective + 5.0
    assert risk.budget_used_musd == pytest.approx(base.budget_busd * 1000, rel=1e-6)
    summary = risk.summary["project_risk"]
    assert 0.5 < summary["capex_weighted_probability"] < 1.0
    built = {entry["project"] for entry in summary["projects_built"]}
    assert "halleck" not in built


@pytest.mark.slow
def test_default_data_minimum_scale_lifts_or_drops_the_fractional_projects():
    """base.toml's LP builds fractions of Strange Lake and Yangibana below their minimum share of 0.5; the MIP
    builds each at 0 or at least 0.5, and every project with a minimum share likewise."""
    data = load_inputs("inputs")
    scenario = Scenario.from_toml("inputs/scenarios/minimum_scale.toml").with_overrides(time_limit_seconds=600.0)
    result = optimiser.solve(data, scenario, baseline=False)
    assert result.status == "optimal" and result.invariant_violations == []
    assert result.summary["budget_dual_method"] == "finite_difference"
    units = result.builds.groupby("project")["share"].sum()
    minimum = {entry["project"]: entry["min_share"] for entry in result.summary["project_risk"]["projects_built"]}
    assert all(units[p] >= share - 1e-6 for p, share in minimum.items() if share is not None)
    assert minimum["strange_lake" if "strange_lake" in minimum else "yangibana"] == 0.5


def test_a_fixed_portfolio_below_its_minimum_share_is_still_evaluated():
    """A portfolio (say, from an LP run) holds its builds: the minimum-scale rows are dropped as the budget's."""
    from optimiser.portfolios import Portfolio
    from optimiser.portfolios.evaluate import evaluate

    data = _data(min_share=0.5)
    portfolio = Portfolio(name="lp", source="<test>", shares={("sep", 2025): 0.3})
    result = evaluate(data, _hand(1.0, minimum_scale=True), portfolio)
    assert result.status == "optimal" and result.objective == pytest.approx(_objective(0.3))
    failed = evaluate(data, _hand(1.0, failed_projects=["sep"]), Portfolio(name="whole", source="<test>", shares={("sep", 2025): 1.0}))
    assert failed.objective == pytest.approx(92.0)
