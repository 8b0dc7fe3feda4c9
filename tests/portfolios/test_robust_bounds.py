"""robust: scenario weights and the CVaR level are bounded, so no overflow or near-zero 1 − α reaches HiGHS."""

from __future__ import annotations

import pytest

from optimiser.errors import InputError
from optimiser.portfolios.robust import robust


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"weights": [1e308, 1e308]}, "weights"),
        ({"weights": [float("inf"), 1.0]}, "weights"),
        ({"weights": [float("nan"), 1.0]}, "weights"),
        ({"measure": "cvar", "alpha": 0.999999999}, "alpha"),
        ({"measure": "cvar", "alpha": float("nan")}, "alpha"),
    ],
    ids=["huge", "infinite", "nan", "alpha-near-1", "alpha-nan"],
)
def test_extreme_weights_and_alpha_are_refused(data, dy_heavy, dy_light, options, key):
    with pytest.raises(InputError) as raised:
        robust(data, [dy_heavy, dy_light], **options)
    assert [issue.column for issue in raised.value.issues] == [key]


def test_large_but_bounded_weights_solve(data, dy_heavy, dy_light):
    result = robust(data, [dy_heavy, dy_light], weights=[1e6, 1e6], measure="expected")
    assert result.optimal and result.weights == pytest.approx([0.5, 0.5])
