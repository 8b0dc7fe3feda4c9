"""Regret matrix and near-optimal alternatives on the two-plant instance (conftest)."""

from __future__ import annotations

import pytest

from optimiser.portfolios import Portfolio, alternatives, stress


def test_regret_matrix_names_the_split_portfolio(data, dy_heavy, dy_light):
    """A alone: 76.67 / 61.33; B alone: 61.33 / 76.67; half each: 69 / 69.

    Regrets: A (15.33, 0), B (0, 15.33), split (7.67, 7.67): the split has the least maximum regret.
    """
    portfolios = [
        Portfolio("only_A", "hand", {("A", 2025): 1.0}),
        Portfolio("only_B", "hand", {("B", 2025): 1.0}),
        Portfolio("split", "hand", {("A", 2025): 0.5, ("B", 2025): 0.5}),
    ]
    result = stress(data, portfolios, [dy_heavy, dy_light])
    objective = result.matrix("objective")
    regret = result.matrix("regret")
    assert objective.loc["only_A", "dy_heavy"] == pytest.approx(230 / 3, abs=1e-6)
    assert objective.loc["only_B", "dy_heavy"] == pytest.approx(184 / 3, abs=1e-6)
    assert objective.loc["split", "dy_light"] == pytest.approx(69.0, abs=1e-6)
    assert regret.loc["only_A", "dy_heavy"] == pytest.approx(46 / 3, abs=1e-6)
    assert regret.loc["only_A", "dy_light"] == pytest.approx(0.0, abs=1e-9)
    assert regret.loc["split", "dy_heavy"] == pytest.approx(23 / 3, abs=1e-6)
    assert result.min_max_regret == "split"


def test_alternatives_stay_within_the_slack_and_differ(data, dy_heavy):
    """Optimum: B (61.33). Within 30 % (79.73): A alone shares nothing with it; then a smaller B.

    Any share a of A from 0.8 (79.73) to 1 (76.67) shares nothing with B, so the first alternative is A at
    some such share, with objective 100 · (11.04 − 1.84 a) / 12; which vertex HiGHS returns is a tie.
    """
    optimum, found = alternatives(data, dy_heavy, slack=0.3, count=2)
    assert optimum.objective == pytest.approx(184 / 3, abs=1e-6)
    assert len(found) == 2
    bound = optimum.objective * 1.3
    optimum_shares = {(r.project, int(r.start_year)): r.share for r in optimum.builds.itertuples(index=False)}
    for alternative in found:
        assert alternative.result.objective <= bound + 1e-6
        assert alternative.portfolio.shares != optimum_shares
    assert set(found[0].portfolio.shares) == {("A", 2025)}
    share_a = found[0].portfolio.shares[("A", 2025)]
    assert 0.8 - 1e-6 <= share_a <= 1.0 + 1e-6
    assert found[0].result.objective == pytest.approx(100 * (11.04 - 1.84 * share_a) / 12, abs=1e-5)


def test_emphasis_alternatives_move_spending(data, dy_heavy):
    """By country there is one country; by stage, maximising then minimising separation spending."""
    optimum, found = alternatives(data, dy_heavy, slack=0.3, count=2, mode="stages")
    labels = [a.label for a in found]
    assert labels == ["alt-01-max-separation", "alt-02-min-separation"]
    spent = [sum(s * 100 for s in a.portfolio.shares.values()) for a in found]
    assert spent[0] == pytest.approx(100.0, abs=1e-4)
    assert spent[1] < spent[0]
    for alternative in found:
        assert alternative.result.objective <= optimum.objective * 1.3 + 1e-6
