"""Co-finance (issue 13): grants, loans, equity and price floors; the budget carries each build's public share
and private money follows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.errors import InputError
from optimiser.inputs.schema import TABLES
from optimiser.model.parameters import build_structure, mutable_values

from .conftest import make_data, mine, plant

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"
ALL = ["grant", "loan", "equity", "price_floor"]


def _terms(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    """A cofinance table: (instrument, project, funded_share, recovery_share, cost_share) per row."""
    columns = [column.name for column in TABLES["cofinance"].columns]
    frame = pd.DataFrame([(*row, "ASSUMPTION: hand-worked test instance") for row in rows], columns=columns)
    frame["line"] = range(2, len(frame) + 2)
    return frame


def _instance(terms: list[tuple[str, str, float, float, float]]):
    """One Nd mine (1,000 t, operating), 1,000 t/yr of separated-Nd demand in 2025-27 (only separation weighs),
    and one candidate separator of 1,000 t/yr for US$1,000M with a 2-year lead: started in 2025 it produces in
    2027 (later starts produce after the horizon and are not offered), its capex drawn 0.5 in 2025 and 2026."""
    data = make_data(
        elements={"Nd": (False, 1.0)},
        stage_weight={"mining": 0.0, "separation": 1.0, "metal": 0.0, "magnet": 0.0},
        projects=[
            mine("mine", 1000.0),
            plant("sep", "separation", 1000.0, "Nd", status="candidate", capex_musd=1000.0, lead_time_years=2,
                  earliest_start=2025),
        ],
        grades={("mine", 0): {"Nd": 1.0}},
        demand={("Nd", "separation"): 1000.0},
        years=(2025, 2027),
    )
    data.cofinance = _terms(terms)
    return data


LOAN_QUARTER = ("loan", "*", 1.0, 0.75, 0.0)
"""A loan of the whole capex of which three quarters return: public share 0.25."""


def _solve(data, instruments):
    scenario = Scenario(name="cf", budget_busd=0.5, yearly_cap_fraction=1.0, cofinance_instruments=instruments)
    scenario.check_against(data)
    result = solve(data, scenario, baseline=False)
    assert result.status == "optimal", result.message
    assert result.invariant_violations == []
    return result


def test_grants_only_build_half_the_plant():
    """Capex 1 $B against a budget of 0.5 $B (yearly cap 100 %): build ≤ 0.5; dependence 1, 1, 1 − 0.5 in
    2025-27 → objective 100 · 2.5 / 3 = 83.33, budget used 0.5 $B. Grants only: no co-finance summary."""
    result = _solve(_instance([LOAN_QUARTER]), None)
    assert float(result.builds["share"].sum()) == pytest.approx(0.5, abs=1e-6)
    assert result.objective == pytest.approx(250.0 / 3.0, abs=1e-6)
    assert result.budget_used_musd == pytest.approx(500.0, abs=1e-3)
    assert result.summary["cofinance"] is None


def test_a_loan_with_public_share_a_quarter_builds_the_whole_plant():
    """With the loan allowed the budget carries 0.25 per unit: 0.25 · build ≤ 0.5 lets build reach its limit
    of 1; dependence 1, 1, 0 → 66.67. Public 0.25 $B, private 0.75 $B (the repaid principal), leverage 3; 1 $B
    lent, 0.75 $B of it expected back."""
    result = _solve(_instance([LOAN_QUARTER]), ["grant", "loan"])
    assert float(result.builds["share"].sum()) == pytest.approx(1.0, abs=1e-6)
    assert result.objective == pytest.approx(200.0 / 3.0, abs=1e-6)
    assert result.budget_used_musd == pytest.approx(250.0, abs=1e-3)
    cofinance = result.summary["cofinance"]
    assert cofinance["instruments"] == ["grant", "loan"]
    assert cofinance["public_busd"] == pytest.approx(0.25, abs=1e-6)
    assert cofinance["private_busd"] == pytest.approx(0.75, abs=1e-6)
    assert cofinance["leverage"] == pytest.approx(3.0, abs=1e-5)
    assert cofinance["funded_busd"] == pytest.approx(1.0, abs=1e-6)
    assert cofinance["returning_busd"] == pytest.approx(0.75, abs=1e-6)
    assert cofinance["by_instrument"]["loan"]["builds"] == 1
    assert cofinance["instrument_by_project"] == {"sep": "loan"}


def test_the_cheapest_allowed_instrument_is_taken_and_a_project_row_overrides_the_default():
    """Defaults: loan 0.25, equity 0.5 · (1 − 0.2) = 0.4, price floor 0.3; the project's own equity row
    (0.2 · 0.5 = 0.1) beats them all. Without equity the loan (0.25) is cheapest."""
    terms = [LOAN_QUARTER, ("equity", "*", 0.5, 0.2, 0.0), ("price_floor", "*", 0.0, 0.0, 0.3),
             ("equity", "sep", 0.2, 0.5, 0.0)]
    data = _instance(terms)
    structure = build_structure(data, Scenario(cofinance_instruments=ALL))
    chosen = structure.instruments["cofinance"].terms["sep"]
    assert chosen.instrument == "equity" and chosen.public_share == pytest.approx(0.1)
    no_equity = build_structure(data, Scenario(cofinance_instruments=["grant", "loan", "price_floor"]))
    assert no_equity.instruments["cofinance"].terms["sep"].instrument == "loan"


def test_the_public_share_scales_every_capex_coefficient():
    data = _instance([LOAN_QUARTER])
    scenario = Scenario(cofinance_instruments=["loan"])
    grants, loans = (mutable_values(data, s, build_structure(data, s)) for s in (Scenario(), scenario))
    assert loans["capex_total"]["sep", 2025] == pytest.approx(0.25 * grants["capex_total"]["sep", 2025])
    assert loans["capex_draw"]["sep", 2025, 2026] == pytest.approx(0.25 * grants["capex_draw"]["sep", 2025, 2026])


def test_a_build_without_terms_for_any_allowed_instrument_is_not_offered():
    """Only price floors allowed and the data give none for 'sep': nothing can be built → dependence 1 → 100."""
    data = _instance([LOAN_QUARTER, ("price_floor", "other", 0.0, 0.0, 0.3)])
    scenario = Scenario(cofinance_instruments=["price_floor"])
    values = mutable_values(data, scenario, build_structure(data, scenario))
    assert values["build_upper"]["sep", 2025] == 0.0


def test_grants_only_is_the_model_without_co_finance():
    data = _instance([LOAN_QUARTER])
    assert build_structure(data, Scenario(cofinance_instruments=["grant"])).instruments.get("cofinance") is None
    assert build_structure(data, Scenario()).instruments.get("cofinance") is None


@pytest.mark.parametrize(
    ("value", "words"),
    [(["lone"], "did you mean 'loan'"), ([], "non-empty"), (["loan", "loan"], "distinct"),
     ("loan", "array of strings")],
)
def test_bad_instruments_are_named(value, words):
    with pytest.raises(InputError) as raised:
        Scenario.from_dict({"cofinance_instruments": value})
    (issue,) = raised.value.issues
    assert issue.column == "cofinance_instruments" and words in issue.message


def test_an_instrument_without_terms_in_the_data_is_named():
    with pytest.raises(InputError) as raised:
        Scenario(cofinance_instruments=["grant", "equity"]).check_against(_instance([LOAN_QUARTER]))
    (issue,) = raised.value.issues
    assert issue.column == "cofinance_instruments[1]" and "no terms for 'equity'" in issue.message


def test_round_trip_through_toml(tmp_path):
    scenario = Scenario(name="cf", cofinance_instruments=["grant", "loan"])
    path = tmp_path / "cf.toml"
    path.write_text(scenario.to_toml())
    assert Scenario.from_toml(path) == scenario


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("loan,nolan,0.5,0.5,0.0,x", "project", "did you mean 'nolans'"),
        ("loan,mp_mine,0.5,0.5,0.0,x", "project", "not a build decision"),
        ("grant,*,0.5,0.0,0.0,x", "funded_share", "whole capex"),
        ("loan,*,1.0,1.0,0.0,x", "cost_share", "above 0"),
        ("price_floor,*,0.5,0.0,0.6,x", "cost_share", "at most 1"),
        ("bond,*,0.5,0.5,0.0,x", "instrument", "not one of"),
    ],
)
def test_bad_cofinance_rows_are_named_with_file_line_and_column(tmp_path, row, column, words):
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs, ignore=shutil.ignore_patterns("scenarios", "sweeps", "derivation"))
    (inputs / "cofinance.csv").write_text(
        "instrument,project,funded_share,recovery_share,cost_share,source\n" + row + "\n"
    )
    with pytest.raises(InputError) as raised:
        load_inputs(inputs)
    issues = [issue for issue in raised.value.issues if issue.file.endswith("cofinance.csv")]
    assert len(issues) == 1
    assert issues[0].line == 2 and issues[0].column == column and words in issues[0].message


@pytest.mark.slow
def test_on_the_default_data_co_finance_buys_at_least_as_much_as_grants():
    """Same public budget (US$15.5B): allowing loans, equity and price floors can only lower the objective
    (grants stay allowed), and private money follows the public money."""
    data = load_inputs(INPUTS)
    base = Scenario.from_toml(INPUTS / "scenarios" / "base.toml")
    cofinance = Scenario.from_toml(INPUTS / "scenarios" / "cofinance.toml")
    without, with_ = (solve(data, s, baseline=False) for s in (base, cofinance))
    for result in (without, with_):
        assert result.status == "optimal", result.message
        assert result.invariant_violations == []
    assert with_.objective <= without.objective + 1e-6
    summary = with_.summary["cofinance"]
    assert summary["leverage"] > 0
    assert summary["public_busd"] <= base.budget_busd + 1e-6
    assert summary["private_busd"] > 0
