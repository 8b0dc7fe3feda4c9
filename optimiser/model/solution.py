"""Reading a solved model's numbers back, one way for the result tables and every instrument's summary."""

from __future__ import annotations

import pyomo.environ as pyo


def value_of(component: object) -> float:
    """The solved value of a variable, expression or parameter; 0 where it has none (a variable the solver
    never saw, e.g. one in no active row)."""
    value = pyo.value(component, exception=False)
    return 0.0 if value is None else float(value)
