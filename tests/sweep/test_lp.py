"""The LP compiler (optimiser/sweep/lp.py): expressions as polynomials in the mutable parameters, and the
compiled arrays of a built model equal a fresh compile at new parameter values.

The compiler walks Pyomo's expression classes, so these tests are what an upgrade of Pyomo has to pass
(pyproject bounds Pyomo to the versions tested).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from optimiser.errors import CompileError
from optimiser.model import build_model, build_structure
from optimiser.model.parameters import mutable_values
from optimiser.model.variables import set_mutable_values
from optimiser.scenario import Scenario
from optimiser.sweep.lp import (
    COL_LOWER,
    COL_UPPER,
    COST,
    ROW_LOWER,
    ROW_UPPER,
    TIE_COST,
    _bound_polynomial,
    compile_model,
    polynomial,
)

from .conftest import TINY_BASE


@pytest.fixture
def params():
    """A model with two mutable scalar parameters a (position 0) and b (position 1), a fixed one, and x."""
    model = pyo.ConcreteModel()
    model.a = pyo.Param(initialize=2.0, mutable=True)
    model.b = pyo.Param(initialize=3.0, mutable=True)
    model.c = pyo.Param(initialize=5.0, mutable=False)
    model.other = pyo.Param(initialize=7.0, mutable=True)
    model.x = pyo.Var()
    return model, {id(model.a): 0, id(model.b): 1}


def _value(poly: dict, values: list[float]) -> float:
    return sum(coefficient * np.prod([values[p] for p in monomial]) for monomial, coefficient in poly.items())


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda m: 4, {(): 4.0}),
        (lambda m: 2.5, {(): 2.5}),
        (lambda m: m.a, {(0,): 1.0}),
        (lambda m: m.c, {(): 5.0}),
        (lambda m: m.a + m.b + 1, {(0,): 1.0, (1,): 1.0, (): 1.0}),
        (lambda m: m.a * m.b, {(0, 1): 1.0}),
        (lambda m: m.b * m.a, {(0, 1): 1.0}),
        (lambda m: 3 * m.a * m.a, {(0, 0): 3.0}),
        (lambda m: -m.a, {(0,): -1.0}),
        (lambda m: m.a / 4, {(0,): 0.25}),
        (lambda m: (m.a + m.b) / m.c, {(0,): 0.2, (1,): 0.2}),
        (lambda m: m.a**2, {(0, 0): 1.0}),
        (lambda m: m.a**0, {(): 1.0}),
        (lambda m: (m.a - m.b) * (m.a + m.b), {(0, 0): 1.0, (0, 1): 0.0, (1, 1): -1.0}),
        (lambda m: m.c * (1 + m.a), {(): 5.0, (0,): 5.0}),
    ],
)
def test_polynomial_of_each_expression_kind(params, build, expected):
    model, positions = params
    poly = polynomial(build(model), positions)
    assert {m: c for m, c in poly.items() if c != 0} == {m: c for m, c in expected.items() if c != 0}
    assert _value(poly, [2.0, 3.0]) == pytest.approx(pyo.value(build(model)))


def test_a_named_expression_is_compiled_through(params):
    model, positions = params
    model.e = pyo.Expression(expr=2 * model.a + model.b)
    assert polynomial(model.e, positions) == {(0,): 2.0, (1,): 1.0}


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda m: m.a / m.b, "division by parameters"),
        (lambda m: m.a**m.b, "parametric power"),
        (lambda m: m.a**0.5, "non-integer"),
        (lambda m: m.a ** (-1), "non-integer"),
        (lambda m: m.other, "not one of MUTABLE_PARAMETERS"),
        (lambda m: pyo.exp(m.a), "cannot compile"),
        (lambda m: m.x, "cannot compile"),
        (lambda m: None, "missing expression"),
    ],
)
def test_what_cannot_be_compiled_is_named(params, build, message):
    model, positions = params
    with pytest.raises(CompileError, match=message):
        polynomial(build(model), positions)


def test_a_column_bound_keeps_one_parametric_term_and_clamps_by_the_constants(params):
    from pyomo.core.expr import numeric_expr

    model, positions = params
    assert _bound_polynomial(numeric_expr.MaxExpression((0, model.a, -3)), positions, True) == ({(0,): 1.0}, 0.0)
    assert _bound_polynomial(numeric_expr.MinExpression((9, 2 * model.b, 4)), positions, False) == ({(1,): 2.0}, 4.0)
    assert _bound_polynomial(model.a, positions, True) == ({(0,): 1.0}, -np.inf)
    assert _bound_polynomial(None, positions, True) == (None, -np.inf)
    assert _bound_polynomial(None, positions, False) == (None, np.inf)
    assert _bound_polynomial(4.0, positions, False) == (None, 4.0)


def test_a_column_bound_with_two_parametric_terms_is_refused(params):
    from pyomo.core.expr import numeric_expr

    model, positions = params
    with pytest.raises(CompileError, match="several parametric terms"):
        _bound_polynomial(numeric_expr.MaxExpression((model.a, model.b, 0)), positions, True)


# The compiled model ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tiny_data):
    scenario = Scenario.from_toml(TINY_BASE)
    structure = build_structure(tiny_data, scenario)
    model, structure = build_model(tiny_data, scenario, structure)
    return tiny_data, scenario, structure, model


def _filled(lp, values: np.ndarray) -> dict[str, np.ndarray]:
    """The static arrays of ``lp`` with every target's value written in."""
    arrays = {
        "col_lower": lp.col_lower.copy(),
        "col_upper": lp.col_upper.copy(),
        "row_lower": lp.row_lower.copy(),
        "row_upper": lp.row_upper.copy(),
        "cost": lp.cost.copy(),
        "tie_cost": lp.tie_cost.copy(),
    }
    where = {COL_LOWER: "col_lower", COL_UPPER: "col_upper", ROW_LOWER: "row_lower", ROW_UPPER: "row_upper", COST: "cost", TIE_COST: "tie_cost"}
    for t, kind in enumerate(lp.target_kind):
        name = where.get(int(kind))
        if name is None:
            continue
        index = lp.target_row[t] if name.startswith("row") else lp.target_col[t]
        value = values[t]
        if name == "col_lower":
            value = max(value, lp.target_clamp[t])
        elif name == "col_upper":
            value = min(value, lp.target_clamp[t])
        arrays[name][index] = value
    return arrays


@pytest.mark.parametrize(
    "overrides",
    [
        {"budget_busd": 3.0},
        {"capex_multiplier": 1.7, "demand_multiplier": 0.6},
        {"yearly_cap_fraction": 0.3, "unmet_weight": 40.0},
    ],
)
def test_targets_evaluated_at_new_values_equal_a_fresh_compile(tiny_model, overrides):
    data, scenario, structure, model = tiny_model
    lp = compile_model(model)
    changed = scenario.with_overrides(**overrides)
    values = mutable_values(data, changed, structure)
    original = mutable_values(data, scenario, structure)
    try:
        set_mutable_values(model, values)
        fresh = compile_model(model)
        vector = lp.parameters.current(model)
    finally:
        set_mutable_values(model, original)
    filled = _filled(lp, lp.evaluate(vector))
    expected = _filled(fresh, fresh.evaluate(vector))
    for name, array in filled.items():
        np.testing.assert_allclose(array, expected[name], rtol=1e-12, atol=1e-12, err_msg=name)
    assert lp.num_row == fresh.num_row and lp.num_col == fresh.num_col


def test_only_affected_targets_are_re_evaluated(tiny_model):
    data, scenario, structure, model = tiny_model
    lp = compile_model(model)
    vector = lp.parameters.current(model)
    budget = lp.parameters.slices["budget"].start
    touched = lp.affected(np.array([budget]))
    assert len(touched) > 0
    assert set(touched) < set(range(len(lp.target_kind)))
    changed = vector.copy()
    changed[budget] += 2.0
    np.testing.assert_allclose(lp.evaluate_targets(changed, touched), lp.evaluate(changed)[touched])
    untouched = np.setdiff1d(np.arange(len(lp.target_kind)), touched)
    np.testing.assert_allclose(lp.evaluate(changed)[untouched], lp.evaluate(vector)[untouched])


def test_a_model_the_compiler_does_not_support_is_refused(tiny_model):
    _, _, _, model = tiny_model
    clone = model.clone()
    clone.odd = pyo.Constraint(expr=clone.total_capex * clone.total_capex <= 1)
    with pytest.raises(CompileError, match="not linear"):
        compile_model(clone)
    clone.del_component(clone.odd)
    clone.primary.sense = pyo.maximize
    with pytest.raises(CompileError, match="not minimised"):
        compile_model(clone)


def test_a_sum_nested_deeper_than_the_recursion_limit_compiles(params):
    """Pyomo nests a constant term built by repeated addition one level per term: the default data's objective
    constant went past Python's recursion limit once the data had sixteen elements."""
    from pyomo.core.expr import numeric_expr

    model, positions = params
    expr = model.a
    for _ in range(5000):
        expr = numeric_expr.SumExpression([expr, 1.0])
    poly = polynomial(expr, positions)
    assert poly == {(0,): 1.0, (): 5000.0}
