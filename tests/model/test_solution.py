"""``model.solution.value_of``: its direct readings equal Pyomo's evaluation, and a missing value reads 0."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from optimiser.model.solution import value_of


def test_value_of_reads_what_pyomo_evaluates_and_zero_where_nothing_is_set():
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(2))
    model.grade = pyo.Param(initialize=0.25, mutable=True)
    model.fixed_grade = pyo.Param(initialize=0.5)
    model.term = pyo.Expression(expr=model.grade * model.x[0])
    model.plain = pyo.Expression(expr=model.x[1])
    model.nested = pyo.Expression(expr=model.term)
    model.zero = pyo.Expression(expr=0.0)
    model.sum = pyo.Expression(expr=model.fixed_grade * model.x[0] + 2 * model.x[1] + 1)
    assert value_of(model.term) == 0.0 and value_of(model.sum) == 0.0  # no value yet: reads 0
    model.x[0].set_value(4.0)
    model.x[1].set_value(3.0)
    for component in (model.x[0], model.term, model.plain, model.nested, model.zero, model.sum, model.grade, 7):
        assert value_of(component) == pytest.approx(pyo.value(component))
    assert value_of(model.term) == 1.0 and value_of(model.sum) == 9.0
    model.grade.set_value(0.5)
    assert value_of(model.nested) == 2.0
