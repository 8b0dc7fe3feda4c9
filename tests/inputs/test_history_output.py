"""``history_output.csv``: published actual output of projects that are data; optional, checked against
``projects.csv``."""

from __future__ import annotations

import os

from optimiser.inputs import load_inputs


def test_the_file_may_be_absent(tiny):
    with_file = load_inputs(tiny.directory)
    os.remove(tiny.file("history_output.csv"))
    without = load_inputs(tiny.directory)
    assert without.history_output.empty
    assert "history_output.csv" not in without.file_sha256
    assert with_file.inputs_sha256 != without.inputs_sha256


def test_a_row_loads_typed(tiny):
    tiny.append("history_output.csv", project="op_mine", component="0", year="2026", output_t="400")
    rows = load_inputs(tiny.directory).history_output
    assert rows[["project", "component", "year", "output_t"]].values.tolist() == [
        ["op_mine", 0, 2025, 1000.0], ["op_mine", 0, 2026, 400.0],
    ]


def test_unknown_project_with_hint(tiny):
    line = tiny.append("history_output.csv", project="op_mnie", component="0", year="2025", output_t="400")
    (issue,) = tiny.assert_only(("history_output.csv", line, "project"))
    assert "did you mean 'op_mine'" in issue.message


def test_a_build_decision_has_no_history(tiny):
    line = tiny.append("history_output.csv", project="cand_mine", component="0", year="2025", output_t="400")
    (issue,) = tiny.assert_only(("history_output.csv", line, "project"))
    assert "candidate project" in issue.message


def test_unknown_component(tiny):
    line = tiny.append("history_output.csv", project="op_mine", component="1", year="2025", output_t="400")
    tiny.assert_only(("history_output.csv", line, "component"))


def test_year_outside_the_data(tiny):
    line = tiny.append("history_output.csv", project="op_mine", component="0", year="2019", output_t="400")
    tiny.assert_only(("history_output.csv", line, "year"))


def test_negative_output(tiny):
    line = tiny.append("history_output.csv", project="op_mine", component="0", year="2026", output_t="-1")
    tiny.assert_only(("history_output.csv", line, "output_t"))


def test_without_a_source(tiny):
    line = tiny.append("history_output.csv", project="op_mine", component="0", year="2026", output_t="400",
                       source="")
    tiny.assert_only(("history_output.csv", line, "source"))
