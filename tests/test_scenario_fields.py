"""The scenario field lists derived from ``RULES`` (label, result, structural, build-shaping) pinned against
the hand-written lists they replaced in the sweep, the runs table and the robust portfolio."""

import pytest

from optimiser.scenario import (
    BUILD_SHAPING_FIELDS,
    ID_FIELDS_V1,
    LABEL_FIELDS,
    RESULT_FIELDS,
    RULES,
    STRUCTURAL_FIELDS,
    Scenario,
    _Rule,
)
from optimiser.sweep.plan import scenario_id


def test_label_fields_are_the_name_and_the_description():
    assert LABEL_FIELDS == ("name", "description")


def test_result_fields_are_every_key_but_the_labels_in_file_order():
    """Was ``VALUE_FIELDS`` (sweep/resolve.py), ``SCENARIO_FIELDS`` (sweep/records.py) and ``RULES`` minus
    ``NOT_PARAMETERS`` (sweep/spec.py), all ``key not in ("name", "description")``."""
    assert RESULT_FIELDS == tuple(key for key in RULES if key not in ("name", "description"))
    assert "budget_busd" in RESULT_FIELDS and "time_limit_seconds" in RESULT_FIELDS


def test_structural_fields_include_the_sweeps_old_list_and_the_later_ones():
    """Was ``STRUCTURAL_FIELDS`` in sweep/resolve.py (the group key's order only follows RULES now), plus
    ``first_decision_year`` (issue 12), which sets the start years the build variables exist for,
    ``equipment_delay`` (issue 12), which changes named projects' lead times in the structure, the magnet Dy
    and Tb shares (issue 12), which change the recipes the magnet balance is written with, and the bloc and
    risk weights (issue 13), which decide which projects are in the model and how their supply counts. Issue
    13's instruments add their own structural keys, so this lists what must stay structural."""
    assert {
        "horizon_start", "horizon_end", "first_decision_year", "partner_countries", "objective", "integer_builds",
        "equipment_delay", "magnet_dy_share", "magnet_tb_share", "bloc_add", "bloc_remove", "risk_weights",
        "cofinance_instruments",
    } <= set(STRUCTURAL_FIELDS)
    assert not {"budget_busd", "yearly_cap_fraction", "capex_multiplier", "demand_case"} & set(STRUCTURAL_FIELDS)


def test_build_shaping_fields_equal_the_robust_portfolios_old_list():
    """Was ``STRUCTURAL`` in portfolios/robust.py: the structural fields but the objective, which each
    scenario of a robust portfolio keeps its own (only the builds are shared); plus ``first_decision_year``
    (issue 12): the scenarios sharing builds must agree on the years builds may start, and the bloc changes
    (issue 13): which projects can be funded. ``equipment_delay`` changes lead times, as
    ``lead_time_shift_years`` does, so each scenario keeps its own; so do the magnet Dy and Tb shares and the
    risk weights (each scenario's demand or scoring, not its builds)."""
    assert BUILD_SHAPING_FIELDS[:5] == (
        "horizon_start", "horizon_end", "first_decision_year", "partner_countries", "bloc_add",
    )
    assert {"integer_builds", "bloc_remove"} <= set(BUILD_SHAPING_FIELDS)
    assert {"objective", "equipment_delay", "magnet_dy_share", "magnet_tb_share", "risk_weights"} <= (
        set(STRUCTURAL_FIELDS) - set(BUILD_SHAPING_FIELDS)
    )


@pytest.mark.parametrize("flags", [{"shapes_builds": True}, {"label": True, "structural": True}])
def test_a_rule_with_contradicting_flags_is_refused(flags):
    with pytest.raises(ValueError):
        _Rule("int", **flags)


def test_result_settings_leave_out_the_labels_and_the_absent_values():
    scenario = Scenario(name="x", description="words", budget_busd=3.0)
    settings = scenario.result_settings()
    assert "name" not in settings and "description" not in settings and "horizon_start" not in settings
    assert settings["budget_busd"] == 3.0
    defaults = Scenario()
    assert set(settings) == {
        key for key in RESULT_FIELDS
        if getattr(scenario, key) is not None and (key in ID_FIELDS_V1 or getattr(scenario, key) != getattr(defaults, key))
    }


def test_a_later_key_enters_the_id_only_away_from_its_default():
    """Keys added after the id format froze (risk weights, issue 13) leave every stored id where it was until
    a scenario sets them."""
    assert "risk_weights" not in ID_FIELDS_V1
    assert "risk_weights" not in Scenario().result_settings()
    assert Scenario(risk_weights={"Malaysia": 0.3}).result_settings()["risk_weights"] == {"Malaysia": 0.3}
    assert scenario_id(Scenario(risk_weights={"Malaysia": 0.3}), "x") != scenario_id(Scenario(), "x")


def test_scenario_id_ignores_labels_and_follows_values():
    base = Scenario(name="a", description="one")
    assert scenario_id(base, "inputs") == scenario_id(base.with_overrides(name="b", description="two"), "inputs")
    assert scenario_id(base, "inputs") != scenario_id(base.with_overrides(budget_busd=3.0), "inputs")
    assert scenario_id(base, "inputs") != scenario_id(base, "other inputs")


def test_scenario_ids_are_the_ones_stored_sweeps_hold():
    """The id of a stored sweep's scenarios must not move (a rerun reuses what it finds by id): these are
    the ids the hand-written ``key not in ("name", "description")`` filter gave."""
    assert scenario_id(Scenario(), "0" * 64) == "c2c9a5183b188aea"
    scenario = Scenario(
        name="q", description="d", horizon_start=2025, partner_countries=("AU",), element_weights={"Nd": 2.0},
        export_controls=({"elements": ["Nd"], "start_year": 2026, "end_year": 2028, "fraction": 0.5},),
    )
    assert scenario_id(scenario, "abc") == "5ec319f5400ee3c9"
