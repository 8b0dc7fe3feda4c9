"""Reading a solved model's numbers back, one way for the result tables and every instrument's summary."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.expr.numeric_expr import MonomialTermExpression


def value_of(component: object) -> float:
    """The solved value of a variable, expression or parameter; 0 where it has none (a variable the solver
    never saw, e.g. one in no active row).

    Numbers, variables, named expressions and single terms (``grade · ore``: most of the model's named
    expressions) are read directly, anything else through ``pyo.value``: the result tables read about 100,000
    values, and Pyomo's general evaluator was most of their time."""
    if component.__class__ in native_numeric_types:
        return float(component)
    if component.__class__ is MonomialTermExpression:
        coefficient, variable = component.args
        return value_of(coefficient) * value_of(variable)
    if component.is_variable_type():
        value = component.value
    elif component.is_named_expression_type():
        return value_of(component.expr)
    else:
        value = pyo.value(component, exception=False)
    return 0.0 if value is None else float(value)
