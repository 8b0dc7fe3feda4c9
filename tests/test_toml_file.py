"""The shared TOML reader, key-line lookup, issue collector and spelling hint of scenario and sweep files."""

import tomllib

import pytest

from optimiser.errors import InputError, InputIssue
from optimiser.toml_file import (
    IssueCollector,
    describe_value,
    did_you_mean,
    enclosing_key,
    key_lines,
    read_toml,
    toml_key,
    toml_value,
    unknown_keys,
    with_key_lines,
)

TEXT = '''name = "x"
budget_busd = 3.0
notes = """
fraction = 9
"""

[element_weights]
Nd = 2.0
"Dy Tb" = 1.0

[[export_controls]]
fraction = 0.5

[[export_controls]]
fraction = 0.7

[grid]
budget_busd = [1, 2]
'''


def test_read_toml_gives_the_settings_and_the_text(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(TEXT, encoding="utf-8")
    settings, text = read_toml(path, "scenario file")
    assert settings["budget_busd"] == 3.0 and text == TEXT


@pytest.mark.parametrize(
    ("content", "expected", "line"),
    [
        (None, "the sweep file does not exist", None),
        (b"\xff\xfe", "the sweep file is not UTF-8 text", None),
        (b"a = 1\nb = = 2\n", "malformed TOML: ", 2),
    ],
)
def test_read_toml_names_the_file_and_why(tmp_path, content, expected, line):
    path = tmp_path / "s.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_toml(path, "sweep file")
    (issue,) = caught.value.issues
    assert issue.file == str(path) and expected in issue.message and issue.line == line


def test_read_toml_on_a_directory_says_it_cannot_be_read(tmp_path):
    with pytest.raises(InputError, match="the scenario file cannot be read"):
        read_toml(tmp_path, "scenario file")


def test_key_lines_follow_tables_arrays_of_tables_and_skip_multiline_strings():
    lines = key_lines(TEXT)
    assert lines["name"] == 1 and lines["budget_busd"] == 2
    assert "fraction" not in lines  # inside the multi-line string
    assert lines["element_weights"] == 7 and lines["element_weights.Nd"] == 8 and lines["element_weights.Dy Tb"] == 9
    assert lines["export_controls"] == 11 and lines["export_controls[0].fraction"] == 12
    assert lines["export_controls[1]"] == 14 and lines["export_controls[1].fraction"] == 15
    assert lines["grid.budget_busd"] == 18


@pytest.mark.parametrize(
    ("key", "parent"),
    [("grid.budget_busd[3]", "grid.budget_busd"), ("grid.budget_busd", "grid"), ("grid", ""),
     ("export_controls[0].fraction", "export_controls[0]"), ("export_controls[0]", "export_controls")],
)
def test_enclosing_key_goes_up_one_level(key, parent):
    assert enclosing_key(key) == parent


def test_with_key_lines_adds_the_line_of_the_key_or_of_its_nearest_parent():
    issues = [
        InputIssue("a.toml", "bad", column="export_controls[1].fraction"),
        InputIssue("a.toml", "bad", column="grid.budget_busd[1]"),
        InputIssue("a.toml", "bad", column="export_controls[1].elements"),
        InputIssue("a.toml", "no key here", column="nowhere"),
        InputIssue("a.toml", "has a line", line=99, column="name"),
        InputIssue("other.toml", "other file", column="name"),
    ]
    located = with_key_lines(issues, "a.toml", TEXT)
    assert [issue.line for issue in located] == [15, 18, 14, None, 99, None]
    assert [issue.column for issue in located] == [issue.column for issue in issues]


def test_with_key_lines_reads_the_file_and_leaves_issues_alone_when_it_cannot(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(TEXT, encoding="utf-8")
    issue = InputIssue(str(path), "bad", column="budget_busd")
    assert with_key_lines([issue], str(path))[0].line == 2
    missing = InputIssue(str(tmp_path / "gone.toml"), "bad", column="budget_busd")
    assert with_key_lines([missing], missing.file) == [missing]


def test_did_you_mean_prefers_the_same_name_in_other_case_then_a_close_spelling():
    assert did_you_mean("BUDGET", ["budget", "budge"]) == "; did you mean 'budget'?"
    assert did_you_mean("budjet_busd", ["budget_busd", "name"]) == "; did you mean 'budget_busd'?"
    assert did_you_mean("zzz", ["budget_busd"]) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "boolean True"), (3, "integer 3"), (2.5, "float 2.5"), ("x", "string 'x'"), ({}, "a table"),
     ([1], "an array"), ((1,), "an array"), (None, "NoneType None")],
)
def test_describe_value_names_the_toml_kind(value, text):
    assert describe_value(value) == text


def test_unknown_keys_and_the_collector_name_file_key_and_hint():
    table = {"budget_busd": 1, "budjet": 2}
    (issue,) = unknown_keys(table, ["budget_busd", "budget"], "base.", lambda key: "f.toml")
    assert issue == InputIssue("f.toml", "unknown key 'budjet'; did you mean 'budget'?", column="base.budjet")
    issues = IssueCollector("s.toml")
    issues.unknown({"budget_bsud": 1}, ("budget_busd",))
    issues.add("grid", "empty")
    assert [(i.file, i.column) for i in issues.items] == [("s.toml", "budget_bsud"), ("s.toml", "grid")]
    assert issues.items[0].message == "unknown key 'budget_bsud'; did you mean 'budget_busd'?"


@pytest.mark.parametrize("value", [True, 3, -0.5, 1e-8, "a \"quoted\"\n\ttab\\ \x01 ü", ["a", 1, [2.0]]])
def test_toml_value_reads_back_to_the_same_value(value):
    expected = list(value) if isinstance(value, list) else value
    assert tomllib.loads(f"v = {toml_value(value)}")["v"] == expected


def test_toml_key_is_bare_when_it_can_be():
    assert toml_key("Nd") == "Nd"
    assert tomllib.loads(f"{toml_key('Dy Tb')} = 1") == {"Dy Tb": 1}


def test_toml_value_refuses_what_toml_cannot_hold():
    with pytest.raises(TypeError):
        toml_value(object())
