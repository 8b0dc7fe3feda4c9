"""Reading a settings file in TOML (a scenario, a sweep) and naming its problems the way a user can act on.

:func:`read_toml` parses a file or raises one :class:`~optimiser.errors.InputError` saying why it cannot
(missing, unreadable, not UTF-8, malformed TOML with its line); :func:`toml_key` and :func:`toml_value`
write keys and values back. The checks of the file's contents collect
their problems in an :class:`IssueCollector`, each naming the file and the key (dotted for nested keys,
``export_controls[0].fraction``, ``grid.budget_busd[3]``); unknown keys get a "did you mean" hint
(:func:`did_you_mean`). :func:`with_key_lines` then adds the line of each key, found by :func:`key_lines`,
since ``tomllib`` does not report where a value was.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .errors import InputError, InputIssue

FileFor = Callable[[str], str]
"""The file an issue on a given key belongs to (a value may come from a file or from overrides)."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_TABLE_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"\s*(\"[^\"]*\"|[A-Za-z0-9_\-.]+)\s*=")
_LAST_PART = re.compile(r"^(.*)(\[\d+\]|\.[^.\[]+)$")


def read_toml(path: str | Path, what: str) -> tuple[dict[str, object], str]:
    """The settings of the TOML file ``path`` and its text; ``what`` names the file in messages
    ("scenario file", "sweep file")."""
    file = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")  # a BOM, as Windows editors write, is not content
    except FileNotFoundError:
        raise InputError(InputIssue(file, f"the {what} does not exist")) from None
    except OSError as error:
        raise InputError(InputIssue(file, f"the {what} cannot be read: {error.strerror or error}")) from None
    except UnicodeDecodeError as error:
        raise InputError(InputIssue(file, f"the {what} is not UTF-8 text ({error.reason})")) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        line_match = re.search(r"at line (\d+)", str(error))
        line = int(line_match.group(1)) if line_match else None
        raise InputError(InputIssue(file, f"malformed TOML: {error}", line=line)) from None


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be, else a quoted string."""
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    """A TOML literal for the scenario's value types: bool, int, float, str and arrays of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def key_lines(text: str) -> dict[str, int]:
    """Best-effort line of each key in a TOML text, keyed as issues name them (``export_controls[0].fraction``:
    the n-th ``[[array]]`` table is ``array[n]``, counting from 0)."""
    lines: dict[str, int] = {}
    prefix = ""
    array_counts: dict[str, int] = {}
    in_multiline_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_multiline_string:
            in_multiline_string = quotes % 2 == 0
            continue
        header = _TABLE_HEADER.match(line)
        if header:
            name = header.group(2).replace('"', "").replace(" ", "")
            if header.group(1) == "[[":
                index = array_counts.get(name, 0)
                array_counts[name] = index + 1
                lines.setdefault(name, number)
                prefix = f"{name}[{index}]"
            else:
                prefix = name
            lines.setdefault(prefix, number)
        else:
            key = _KEY_LINE.match(line)
            if key:
                path = f"{prefix}.{key.group(1).strip(chr(34))}" if prefix else key.group(1).strip('"')
                lines.setdefault(path, number)
        in_multiline_string = quotes % 2 == 1
    return lines


def enclosing_key(key: str) -> str:
    """The key one level up: ``grid.budget_busd[3]`` → ``grid.budget_busd`` → ``grid`` → ``""``."""
    parent = _LAST_PART.match(key)
    return parent.group(1) if parent else ""


def with_key_lines(issues: Iterable[InputIssue], file: str, text: str | None = None) -> list[InputIssue]:
    """The issues, those on ``file`` without a line given the line of their key (or of the nearest enclosing
    key) in ``text``, which is read from ``file`` when not given (issues unchanged if it cannot be read)."""
    issues = list(issues)
    if text is None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return issues
    lines = key_lines(text)
    located = []
    for issue in issues:
        key = issue.column if issue.file == file and issue.line is None else None
        while key and key not in lines:
            key = enclosing_key(key)
        located.append(InputIssue(issue.file, issue.message, line=lines[key], column=issue.column) if key else issue)
    return located


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """'; did you mean ...?' for a match ignoring case or a close spelling among ``known``, else nothing."""
    names = [str(name) for name in known]
    same_but_case = [name for name in names if name.lower() == value.lower()]
    close = same_but_case or difflib.get_close_matches(value, names, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def describe_value(value: object) -> str:
    """A value's TOML kind and the value, for messages: ``integer 3``, ``string 'x'``, ``a table``."""
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, int):
        kind = "integer"
    elif isinstance(value, float):
        kind = "float"
    elif isinstance(value, str):
        kind = "string"
    elif isinstance(value, Mapping):
        return "a table"
    elif isinstance(value, (list, tuple)):
        return "an array"
    else:
        kind = type(value).__name__
    return f"{kind} {value!r}"


def unknown_keys(table: Mapping[str, object], known: Iterable[str], prefix: str, file_for: FileFor) -> list[InputIssue]:
    """An issue, with a spelling hint, for each key of ``table`` not among ``known`` (named ``prefix + key``)."""
    known = list(known)
    return [
        InputIssue(file_for(f"{prefix}{key}"), f"unknown key '{key}'{did_you_mean(str(key), known)}",
                   column=f"{prefix}{key}")
        for key in table
        if key not in known
    ]


class IssueCollector:
    """The issues found so far in one settings file, each naming the file (``source``) and the key."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[InputIssue] = []

    def add(self, key: str, message: str) -> None:
        """An issue on ``key`` of this file."""
        self.items.append(InputIssue(self.source, message, column=key))

    def unknown(self, table: Mapping[str, object], known: Iterable[str], prefix: str = "") -> None:
        """An issue, with a spelling hint, for each key of ``table`` not among ``known``."""
        self.items += unknown_keys(table, known, prefix, lambda key: self.source)
