"""An export control may name a rare earth the data does not carry yet (skipped with a warning, so the
October 2025 list runs on an eleven-element data set); any other unknown name is an error with a hint."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from optimiser import Scenario, load_inputs, solve
from optimiser.errors import InputError

TINY = Path(__file__).resolve().parent / "data" / "tiny"


def _controlled(elements: list[str]) -> Scenario:
    return Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(
        export_controls=({"elements": elements, "start_year": 2027, "end_year": 2029, "fraction": 0.0},)
    )


def test_a_rare_earth_missing_from_the_data_is_skipped_with_a_warning(caplog):
    data = load_inputs(TINY)
    with caplog.at_level(logging.WARNING, logger="optimiser.scenario"):
        _controlled(["Dy", "Ho", "Yb"]).check_against(data)
    assert "Ho, Yb not in elements.csv, skipped" in caplog.text
    with_absent = solve(data, _controlled(["Dy", "Ho", "Yb"]), baseline=False)
    alone = solve(data, _controlled(["Dy"]), baseline=False)
    assert with_absent.objective == pytest.approx(alone.objective, abs=1e-9)


def test_a_misspelt_element_is_still_an_error():
    with pytest.raises(InputError) as raised:
        _controlled(["Dyy"]).check_against(load_inputs(TINY))
    (issue,) = raised.value.issues
    assert issue.column == "export_controls[0].elements" and "did you mean 'Dy'" in issue.message
