"""Each test corrupts one thing in a copy of the tiny input set and asserts exactly the issue(s) reported:
file, line (header = 1) and column.

Line numbers in the tiny set: projects.csv 2 op_mine, 3 cand_mine, 4 cand_sep/0, 5 cand_sep/1,
6 gen_magnet, 7 recycler; grades.csv 2-4 op_mine, 5-7 cand_mine, 8-9 recycler; demand.csv rows run
element (Nd, Dy, La) × stage (mining, separation, metal) × year 2025-2030 from line 2.
"""

from __future__ import annotations

import os

import pytest

from optimiser.errors import InputError
from optimiser.inputs import load_inputs

# Files, headers and rows ------------------------------------------------------------------------------------


def test_missing_file(tiny):
    os.remove(tiny.file("countries.csv"))
    (issue,) = tiny.assert_only(("countries.csv", None, None))
    assert "missing" in issue.message


def test_missing_directory(tmp_path):
    with pytest.raises(InputError) as raised:
        load_inputs(tmp_path / "nowhere")
    assert [(issue.file, issue.line) for issue in raised.value.issues] == [(str(tmp_path / "nowhere"), None)]


def test_empty_file(tiny):
    with open(tiny.file("stages.csv"), "w") as handle:
        handle.write("\n\n")
    (issue,) = tiny.assert_only(("stages.csv", None, None))
    assert "empty" in issue.message


def test_missing_column(tiny):
    tiny.drop_column("elements.csv", "weight")
    (issue,) = tiny.assert_only(("elements.csv", 1, "weight"))
    assert "missing" in issue.message


def test_unknown_column_with_hint(tiny):
    tiny.add_column("stages.csv", "weigth", "1.0")
    (issue,) = tiny.assert_only(("stages.csv", 1, "weigth"))
    assert "did you mean 'weight'" in issue.message


def test_duplicate_column(tiny):
    tiny.add_column("elements.csv", "oxide", "X2O3")
    (issue,) = tiny.assert_only(("elements.csv", 1, "oxide"))
    assert "twice" in issue.message


def test_row_with_too_many_values(tiny):
    rows = tiny.rows("countries.csv")
    rows[2].append("surplus")
    tiny.write("countries.csv", rows)
    tiny.assert_only(("countries.csv", 3, None))


def test_not_utf8(tiny):
    with open(tiny.file("countries.csv"), "ab") as handle:
        handle.write(b"Espa\xf1a,true,latin-1 text\n")
    (issue,) = tiny.assert_only(("countries.csv", 5, None))
    assert "UTF-8" in issue.message


def test_line_numbers_count_quoted_newlines(tiny):
    tiny.set_cell("projects.csv", 4, "note", "first line\nsecond line")
    tiny.set_cell("projects.csv", 5, "capacity", "-1")
    tiny.assert_only(("projects.csv", 6, "capacity"))


# Cells -----------------------------------------------------------------------------------------------------


def test_required_cell_empty(tiny):
    tiny.set_cell("countries.csv", 3, "partner", "")
    (issue,) = tiny.assert_only(("countries.csv", 3, "partner"))
    assert "required" in issue.message


def test_text_in_float_column(tiny):
    tiny.set_cell("projects.csv", 3, "capacity", "lots")
    (issue,) = tiny.assert_only(("projects.csv", 3, "capacity"))
    assert "'lots' is not a number" in issue.message


def test_fraction_in_int_column(tiny):
    tiny.set_cell("projects.csv", 3, "lead_time_years", "2.5")
    (issue,) = tiny.assert_only(("projects.csv", 3, "lead_time_years"))
    assert "whole number" in issue.message


def test_maybe_in_bool_column(tiny):
    tiny.set_cell("elements.csv", 3, "restricted", "maybe")
    tiny.assert_only(("elements.csv", 3, "restricted"))


@pytest.mark.parametrize("word", ["TRUE", "No", "yes", "0"])
def test_bool_words_accepted(tiny, word):
    tiny.set_cell("elements.csv", 3, "restricted", word)
    data = load_inputs(tiny.directory)
    assert data.elements["restricted"].iloc[1] == (word.lower() in ("true", "yes", "1"))


def test_negative_capacity(tiny):
    tiny.set_cell("projects.csv", 4, "capacity", "-100")
    (issue,) = tiny.assert_only(("projects.csv", 4, "capacity"))
    assert "below the minimum 0" in issue.message


def test_negative_capex(tiny):
    tiny.set_cell("projects.csv", 6, "capex_musd", "-5")
    tiny.assert_only(("projects.csv", 6, "capex_musd"))


def test_grade_above_one(tiny):
    tiny.set_cell("grades.csv", 2, "grade", "1.5")
    (issue,) = tiny.assert_only(("grades.csv", 2, "grade"))
    assert "above the maximum 1" in issue.message


def test_unknown_stage(tiny):
    tiny.set_cell("projects.csv", 4, "stage", "refining")
    (issue,) = tiny.assert_only(("projects.csv", 4, "stage"))
    assert "refining" in issue.message


def test_unknown_status_with_hint(tiny):
    tiny.set_cell("projects.csv", 2, "status", "operatng")
    (issue,) = tiny.assert_only(("projects.csv", 2, "status"))
    assert "did you mean 'operating'" in issue.message


def test_unknown_demand_stage(tiny):
    tiny.set_cell("demand.csv", 2, "stage", "magnet")
    tiny.assert_only(("demand.csv", 2, "stage"))


def test_duplicate_key(tiny):
    line = tiny.append("countries.csv", country="Australia", partner="true")
    (issue,) = tiny.assert_only(("countries.csv", line, "country"))
    assert "already on line 2" in issue.message


def test_duplicate_multi_column_key(tiny):
    line = tiny.append("demand.csv", element="Dy", stage="metal", year="2028", demand_t="1")
    tiny.assert_only(("demand.csv", line, "element"))


# References between tables ---------------------------------------------------------------------------------


def test_unknown_element_in_grades(tiny):
    tiny.set_cell("grades.csv", 4, "element", "Lu")
    (issue,) = tiny.assert_only(("grades.csv", 4, "element"))
    assert "'Lu'" in issue.message


def test_unknown_element_in_scope(tiny):
    tiny.set_cell("projects.csv", 4, "scope", "Nd Dy Xx")
    (issue,) = tiny.assert_only(("projects.csv", 4, "scope"))
    assert "Xx" in issue.message


def test_unknown_magnet_type_in_scope(tiny):
    tiny.set_cell("projects.csv", 6, "scope", "SmCo")
    tiny.assert_only(("projects.csv", 6, "scope"))


def test_unknown_element_in_demand(tiny):
    line = tiny.append("demand.csv", element="Ce", stage="separation", year="2025", demand_t="5")
    tiny.assert_only(("demand.csv", line, "element"))


def test_misspelt_element_in_demand_is_one_issue(tiny):
    tiny.set_cell("demand.csv", 2, "element", "Ndd")
    (issue,) = tiny.assert_only(("demand.csv", 2, "element"))
    assert "did you mean 'Nd'" in issue.message


def test_unknown_element_in_recipe(tiny):
    tiny.set_cell("magnet_recipes.csv", 3, "element", "Tb")
    tiny.assert_only(("magnet_recipes.csv", 3, "element"))


def test_unknown_element_in_china_production(tiny):
    tiny.set_cell("china_production.csv", 2, "element", "All")
    (issue,) = tiny.assert_only(("china_production.csv", 2, "element"))
    assert "did you mean 'ALL'" in issue.message


def test_unknown_magnet_type_in_magnet_demand(tiny):
    tiny.set_cell("magnet_demand.csv", 2, "magnet_type", "SmCo")
    tiny.assert_only(("magnet_demand.csv", 2, "magnet_type"))


def test_unknown_project_in_grades(tiny):
    line = tiny.append("grades.csv", project="ghost", component="0", element="Nd", grade="0.1")
    (issue,) = tiny.assert_only(("grades.csv", line, "project"))
    assert "ghost" in issue.message


def test_unknown_component_in_grades(tiny):
    line = tiny.append("grades.csv", project="op_mine", component="1", element="Nd", grade="0.1")
    tiny.assert_only(("grades.csv", line, "component"))


def test_grades_on_a_plant_component(tiny):
    line = tiny.append("grades.csv", project="cand_sep", component="0", element="Nd", grade="0.5")
    (issue,) = tiny.assert_only(("grades.csv", line, "component"))
    assert "plant" in issue.message


def test_unknown_country_in_projects(tiny):
    tiny.set_cell("projects.csv", 2, "country", "Atlantis")
    tiny.assert_only(("projects.csv", 2, "country"))


def test_unknown_country_in_row_other_mining(tiny):
    tiny.set_cell("row_other_mining.csv", 3, "country", "Mars")
    tiny.assert_only(("row_other_mining.csv", 3, "country"))


# Sums ------------------------------------------------------------------------------------------------------


def test_grades_summing_above_one(tiny):
    tiny.set_cell("grades.csv", 7, "grade", "0.9")
    (issue,) = tiny.assert_only(("grades.csv", 5, "grade"))
    assert "1.12" in issue.message


def test_recipe_not_summing_to_one(tiny):
    tiny.set_cell("magnet_recipes.csv", 3, "share", "0.2")
    (issue,) = tiny.assert_only(("magnet_recipes.csv", 2, "share"))
    assert "1.1" in issue.message


# Parameters and years --------------------------------------------------------------------------------------


def test_missing_parameter(tiny):
    tiny.drop_line("parameters.csv", 3)
    (issue,) = tiny.assert_only(("parameters.csv", None, "name"))
    assert "last_year" in issue.message


def test_unknown_parameter(tiny):
    line = tiny.append("parameters.csv", name="discount", value="0.05")
    tiny.assert_only(("parameters.csv", line, "name"))


def test_first_year_after_last_year(tiny):
    tiny.set_cell("parameters.csv", 3, "value", "2020")
    tiny.assert_only(("parameters.csv", 3, "value"))


def test_share_parameter_above_one(tiny):
    tiny.set_cell("parameters.csv", 4, "value", "1.5")
    tiny.assert_only(("parameters.csv", 4, "value"))


def test_demand_year_outside_horizon(tiny):
    line = tiny.append("demand.csv", element="Nd", stage="mining", year="2031", demand_t="0")
    (issue,) = tiny.assert_only(("demand.csv", line, "year"))
    assert "2025-2030" in issue.message


def test_china_production_year_outside_horizon(tiny):
    tiny.set_cell("china_production.csv", 5, "year", "2019")
    tiny.assert_only(("china_production.csv", 5, "year"))


def test_earliest_start_outside_horizon(tiny):
    tiny.set_cell("projects.csv", 3, "earliest_start", "2040")
    tiny.assert_only(("projects.csv", 3, "earliest_start"))


def test_online_year_after_last_year(tiny):
    tiny.set_cell("projects.csv", 7, "online_year", "2031")
    tiny.assert_only(("projects.csv", 7, "online_year"))


def test_incomplete_demand(tiny):
    tiny.drop_line("demand.csv", 10)
    (issue,) = tiny.assert_only(("demand.csv", None, None))
    assert "(Nd, separation, 2027)" in issue.message


def test_incomplete_demand_lists_a_few(tiny):
    rows = tiny.rows("demand.csv")
    tiny.write("demand.csv", [row for row in rows if row[0] != "La"])
    (issue,) = tiny.assert_only(("demand.csv", None, None))
    assert issue.message.startswith("18 ")
    assert "and 13 more" in issue.message


def test_incomplete_magnet_demand(tiny):
    tiny.drop_line("magnet_demand.csv", 7)
    (issue,) = tiny.assert_only(("magnet_demand.csv", None, None))
    assert "(NdFeB, 2030)" in issue.message


# Project structure -----------------------------------------------------------------------------------------


def test_components_not_numbered_from_zero(tiny):
    tiny.set_cell("projects.csv", 5, "component", "2")
    tiny.assert_only(("projects.csv", 5, "component"))


def test_project_columns_disagree(tiny):
    tiny.set_cell("projects.csv", 5, "country", "ROW")
    (issue,) = tiny.assert_only(("projects.csv", 5, "country"))
    assert "line 4" in issue.message


def test_capex_on_a_later_component(tiny):
    tiny.set_cell("projects.csv", 5, "capex_musd", "10")
    tiny.assert_only(("projects.csv", 5, "capex_musd"))


def test_mine_at_a_plant_stage(tiny):
    tiny.set_cell("projects.csv", 2, "stage", "separation")
    (issue,) = tiny.assert_only(("projects.csv", 2, "stage"))
    assert "mine" in issue.message


def test_candidate_without_capex(tiny):
    tiny.set_cell("projects.csv", 4, "capex_musd", "")
    tiny.assert_only(("projects.csv", 4, "capex_musd"))


def test_generic_without_lead_time(tiny):
    tiny.set_cell("projects.csv", 6, "lead_time_years", "")
    tiny.assert_only(("projects.csv", 6, "lead_time_years"))


def test_operating_without_online_year(tiny):
    tiny.set_cell("projects.csv", 2, "online_year", "")
    tiny.assert_only(("projects.csv", 2, "online_year"))


def test_plant_without_scope(tiny):
    tiny.set_cell("projects.csv", 6, "scope", "")
    tiny.assert_only(("projects.csv", 6, "scope"))


def test_mine_with_a_scope(tiny):
    tiny.set_cell("projects.csv", 2, "scope", "Nd La")
    tiny.assert_only(("projects.csv", 2, "scope"))


def test_mine_without_grades(tiny):
    for _ in range(3):
        tiny.drop_line("grades.csv", 2)
    (issue,) = tiny.assert_only(("projects.csv", 2, "role"))
    assert "grades.csv" in issue.message


def test_bad_ramp(tiny):
    tiny.set_cell("projects.csv", 3, "ramp", "0.5;1.5")
    tiny.assert_only(("projects.csv", 3, "ramp"))


def test_assumed_names_an_unknown_column(tiny):
    tiny.set_cell("projects.csv", 3, "assumed", "capex_musd;lead_time")
    (issue,) = tiny.assert_only(("projects.csv", 3, "assumed"))
    assert "did you mean 'lead_time_years'" in issue.message


def test_several_units_of_a_named_project(tiny):
    tiny.set_cell("projects.csv", 3, "max_units", "2")
    tiny.assert_only(("projects.csv", 3, "max_units"))


# All at once, and never a traceback ------------------------------------------------------------------------


def test_every_issue_reported_together_in_file_order(tiny):
    tiny.set_cell("projects.csv", 6, "capex_musd", "-5")
    tiny.set_cell("elements.csv", 3, "weight", "heavy")
    tiny.set_cell("projects.csv", 2, "capacity", "-1")
    tiny.assert_only(("elements.csv", 3, "weight"), ("projects.csv", 2, "capacity"), ("projects.csv", 6, "capex_musd"))


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02", b'"unterminated,quote\n1,2', b"a,b\n" * 3, b"\xef\xbb\xbf", b",,,\n,,,\n", b"\r\n\r\n"],
    ids=["binary", "quote", "wrong-header", "bom-only", "commas", "blank-lines"],
)
def test_garbage_gives_issues_not_tracebacks(tiny, content):
    for filename in os.listdir(tiny.directory):
        if filename.endswith(".csv"):
            with open(tiny.file(filename), "wb") as handle:
                handle.write(content)
    issues = tiny.issues()
    assert issues
    assert all(issue.file.startswith(str(tiny.directory)) for issue in issues)


def test_committed_without_online_year(tiny):
    tiny.set_cell("projects.csv", 7, "status", "committed")
    tiny.set_cell("projects.csv", 7, "online_year", "")
    (issue,) = tiny.assert_only(("projects.csv", 7, "online_year"))
    assert "committed projects need online_year" in issue.message


def test_committed_project_with_capex_loads(tiny):
    """A committed project may carry its (already financed) capex and needs no lead time."""
    tiny.set_cell("projects.csv", 7, "status", "committed")
    tiny.set_cell("projects.csv", 7, "capex_musd", "50")
    data = load_inputs(tiny.directory)
    assert data.projects.loc[data.projects["project"] == "recycler", "status"].tolist() == ["committed"]
