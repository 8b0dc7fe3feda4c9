"""``model.expressions.linear_sum``: the same linear form as Python's ``sum`` of products, made at once; and
the collector paused while a model is built and a run solves."""

from __future__ import annotations

import gc

import pyomo.environ as pyo
import pytest
from pyomo.repn import generate_standard_repn

import optimiser
from optimiser.model import build_model
from optimiser.model.expressions import linear_sum
from optimiser.scenario import Scenario

from ..test_solve import _data


def _terms(expression) -> dict[str, float]:
    repn = generate_standard_repn(expression, compute_values=True)
    assert repn.nonlinear_expr is None
    return {var.name: coefficient for var, coefficient in zip(repn.linear_vars, repn.linear_coefs, strict=True)}


def test_linear_sum_is_the_sum_of_its_products_with_fixed_and_mutable_coefficients():
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(3))
    model.scale = pyo.Param(initialize=0.5, mutable=True)
    coefficients = [2.0, -1.5, 0.25]
    made = linear_sum(coefficients, [model.x[i] for i in range(3)])
    assert _terms(made) == _terms(sum(c * model.x[i] for i, c in enumerate(coefficients))) == {
        "x[0]": 2.0, "x[1]": -1.5, "x[2]": 0.25
    }
    scaled = model.scale * made
    assert _terms(scaled) == {"x[0]": 1.0, "x[1]": -0.75, "x[2]": 0.125}
    model.scale.set_value(2.0)  # a mutable factor stays a parameter of the row, as the sweep needs
    assert _terms(scaled) == {"x[0]": 4.0, "x[1]": -3.0, "x[2]": 0.5}
    for i, value in enumerate((1.0, 2.0, 4.0)):
        model.x[i].set_value(value)
    assert pyo.value(made) == pytest.approx(2.0 - 3.0 + 1.0)


def test_an_empty_linear_sum_is_zero():
    assert linear_sum([], []) == 0.0


def test_building_and_solving_leave_the_collector_as_they_found_it():
    data = _data()
    scenario = Scenario(budget_busd=0.05, yearly_cap_fraction=1.0)
    assert gc.isenabled()
    build_model(data, scenario)
    optimiser.solve(data, scenario)
    assert gc.isenabled()
    gc.disable()
    try:
        build_model(data, scenario)
        optimiser.solve(data, scenario)
        assert not gc.isenabled()
    finally:
        gc.enable()
