"""How the optimiser recognises the report files it wrote: a page by its generator meta tag, a PNG by its
``Software`` text. Only such files are ever replaced or removed by a report.

Kept apart from the page (``html``) and the PNG drawings (``figures``) so that checking a file needs neither
jinja2 and plotly nor matplotlib.
"""

from __future__ import annotations

from pathlib import Path

GENERATOR_MARK = b'<meta name="generator" content="optimiser '
"""Every page we write says so in its head (``base.html.j2``): only such a page is ever replaced."""

PNG_MARK = b"optimiser report figure"
"""The PNG's ``Software`` text: marks a figure as ours (so a report may replace it) without a version or a date,
so that reruns still give the same bytes."""


def carries_mark(path: Path, mark: bytes) -> bool:
    """Whether the file at ``path`` carries ``mark`` near its start (a page's head, a PNG's text chunk)."""
    try:
        with path.open("rb") as handle:
            return mark in handle.read(4096)
    except OSError:
        return False
