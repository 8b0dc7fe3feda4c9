"""What a result directory's format is named by, in a module that loads nothing: readers of results (the
reports, ``compare``) need these without Pyomo, which only writing a result needs."""

from __future__ import annotations

RESULT_FORMAT = 1
"""Version of the result directory layout; commands that read results refuse other versions."""

DEPENDENCE_GROUPS: tuple[str, ...] = ("all", "restricted")
"""The aggregate element rows of the dependence table: every element, and the restricted ones."""
