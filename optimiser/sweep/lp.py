"""A built Pyomo model as plain LP arrays, with every mutable parameter mapped to the LP numbers it sets.

A sweep re-solves one built model many times, changing only mutable parameters. Pyomo's persistent
interface re-evaluates every row that holds a mutable parameter on each update (``PERFORMANCE-NOTES``), so
a sweep compiles the model once instead: each LP number that depends on mutable parameters (a matrix
coefficient, a row or column bound, an objective cost) becomes a *target*, written as a polynomial in the
parameters (every such number in this model is a sum of products of parameters and constants). Evaluating
all targets for a new parameter vector is then a few vectorised numpy operations, and only the targets whose
value changed are handed to HiGHS.

Rows and columns follow Pyomo's own HiGHS hand-over (``pyomo.contrib.solver.solvers.highs``): a row's
bounds are ``lower - constant`` and ``upper - constant`` of its standard representation, a column's bounds
are its bounds intersected with its domain, and a mutable coefficient that is zero is left out of the
matrix until it changes. Every objective is compiled (the primary one, the secondary one where the model
has it, and the capex tie-break), so that the re-solver (:mod:`.resolve`) can switch between them by cost
changes alone.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr import numeric_expr
from pyomo.core.expr.numvalue import is_constant, native_numeric_types
from pyomo.repn import generate_standard_repn

from ..errors import CompileError
from ..model.variables import MUTABLE_PARAMETERS

logger = logging.getLogger(__name__)

INF = math.inf

(
    COEFFICIENT, ROW_LOWER, ROW_UPPER, COL_LOWER, COL_UPPER, COST, TIE_COST, COST_OFFSET, TIE_OFFSET,
    SECONDARY_COST, SECONDARY_OFFSET,
) = range(11)
"""Kinds of target: what one evaluated polynomial sets in the LP."""

Polynomial = dict[tuple[int, ...], float]
"""Monomials (sorted tuple of parameter positions, empty for the constant term) → coefficient."""


@dataclass
class ParameterIndex:
    """Every mutable parameter value of a model at one position of a flat vector.

    ``slices[name]`` covers the values of one mutable Param, in the order of ``keys[name]`` (the Param's own
    index order); scalar Params have the single key ``None``.
    """

    names: list[str]
    keys: dict[str, list]
    slices: dict[str, slice]
    position_of: dict[int, int]
    size: int

    @classmethod
    def of(cls, model: pyo.ConcreteModel) -> ParameterIndex:
        keys: dict[str, list] = {}
        slices: dict[str, slice] = {}
        position_of: dict[int, int] = {}
        position = 0
        for name in MUTABLE_PARAMETERS:
            component = getattr(model, name)
            if component.is_indexed():
                names = list(component.keys())
                datas = [component[key] for key in names]
            else:
                names, datas = [None], [component]
            keys[name] = names
            slices[name] = slice(position, position + len(names))
            for data in datas:
                position_of[id(data)] = position
                position += 1
        return cls(list(MUTABLE_PARAMETERS), keys, slices, position_of, position)

    def vector(self, values: dict[str, dict]) -> np.ndarray:
        """The flat vector of ``mutable_values`` output; a missing index is 0 (as ``set_mutable_values``)."""
        out = np.empty(self.size)
        for name in self.names:
            given = values[name]
            out[self.slices[name]] = [given.get(key, 0.0) for key in self.keys[name]]
        return out

    def current(self, model: pyo.ConcreteModel) -> np.ndarray:
        """The vector of the values the model's Params hold now."""
        out = np.empty(self.size)
        for name in self.names:
            component = getattr(model, name)
            datas = [component[key] for key in self.keys[name]] if component.is_indexed() else [component]
            out[self.slices[name]] = [pyo.value(data) for data in datas]
        return out


def _add(left: Polynomial, right: Polynomial, scale: float = 1.0) -> Polynomial:
    out = dict(left)
    for monomial, coefficient in right.items():
        out[monomial] = out.get(monomial, 0.0) + scale * coefficient
    return out


def _multiply(left: Polynomial, right: Polynomial) -> Polynomial:
    out: Polynomial = {}
    for m1, c1 in left.items():
        for m2, c2 in right.items():
            monomial = tuple(sorted(m1 + m2))
            out[monomial] = out.get(monomial, 0.0) + c1 * c2
    return out


def polynomial(expr: object, positions: dict[int, int]) -> Polynomial:
    """``expr`` (numbers, mutable parameters, sums, products, negations, divisions by constants, integer
    powers) as a polynomial in the parameters at ``positions``."""
    if expr is None:
        raise CompileError("missing expression")
    if type(expr) in native_numeric_types:
        return {(): float(expr)}
    position = positions.get(id(expr))
    if position is not None:
        return {(position,): 1.0}
    if getattr(expr, "is_parameter_type", lambda: False)() and not expr.is_constant():
        raise CompileError(f"mutable parameter {expr.name} is not one of MUTABLE_PARAMETERS")
    if not getattr(expr, "is_expression_type", lambda: False)():
        if is_constant(expr):
            return {(): float(pyo.value(expr))}
        raise CompileError(f"cannot compile {expr!s} ({type(expr).__name__})")
    if expr.is_named_expression_type():
        return polynomial(expr.expr, positions)
    args = list(expr.args)
    if isinstance(expr, numeric_expr.SumExpression):
        # Sums nest as deep as the model is long (a constant term built by repeated addition): walk them
        # with a stack, not recursion, and add in place.
        out: Polynomial = {}
        pending = list(reversed(args))
        while pending:
            arg = pending.pop()
            if isinstance(arg, numeric_expr.SumExpression):
                pending.extend(reversed(list(arg.args)))
                continue
            for monomial, coefficient in polynomial(arg, positions).items():
                out[monomial] = out.get(monomial, 0.0) + coefficient
        return out
    if isinstance(expr, numeric_expr.ProductExpression):
        return _multiply(polynomial(args[0], positions), polynomial(args[1], positions))
    if isinstance(expr, numeric_expr.NegationExpression):
        return {monomial: -coefficient for monomial, coefficient in polynomial(args[0], positions).items()}
    if isinstance(expr, numeric_expr.DivisionExpression):
        denominator = polynomial(args[1], positions)
        if set(denominator) != {()}:
            raise CompileError(f"cannot compile a division by parameters: {expr!s}")
        return {m: c / denominator[()] for m, c in polynomial(args[0], positions).items()}
    if isinstance(expr, numeric_expr.PowExpression):
        exponent = polynomial(args[1], positions)
        power = exponent.get((), None)
        if set(exponent) != {()} or power is None or power != int(power) or power < 0:
            raise CompileError(f"cannot compile a non-integer or parametric power: {expr!s}")
        base = polynomial(args[0], positions)
        out = {(): 1.0}
        for _ in range(int(power)):
            out = _multiply(out, base)
        return out
    raise CompileError(f"cannot compile {expr!s} ({type(expr).__name__})")


def _constant(poly: Polynomial) -> float | None:
    """The value of a polynomial without parameters, else None."""
    if len(poly) > 1 or (poly and () not in poly):
        return None
    return poly.get((), 0.0)


def _bound_polynomial(expr: object, positions: dict[int, int], take_max: bool) -> tuple[Polynomial | None, float]:
    """A column bound as (polynomial of its parametric part or None, constant it is clamped by).

    Pyomo writes a variable bound intersected with its domain as ``max(...)``/``min(...)`` of constants and
    at most one parametric term.
    """
    clamp = -INF if take_max else INF
    if expr is None:
        return None, clamp
    terms = [expr]
    wanted = numeric_expr.MaxExpression if take_max else numeric_expr.MinExpression
    if isinstance(expr, wanted):
        terms = list(expr.args)
    parametric: list[Polynomial] = []
    for term in terms:
        poly = polynomial(term, positions)
        value = _constant(poly)
        if value is None:
            parametric.append(poly)
        else:
            clamp = max(clamp, value) if take_max else min(clamp, value)
    if len(parametric) > 1:
        raise CompileError(f"a column bound with several parametric terms: {expr!s}")
    return (parametric[0] if parametric else None), clamp


@dataclass
class _Targets:
    """Polynomials collected while compiling, flattened into arrays by :meth:`arrays`."""

    kind: list[int] = field(default_factory=list)
    row: list[int] = field(default_factory=list)
    col: list[int] = field(default_factory=list)
    clamp: list[float] = field(default_factory=list)
    polynomials: list[Polynomial] = field(default_factory=list)

    def add(self, kind: int, row: int, col: int, poly: Polynomial, clamp: float = 0.0) -> None:
        self.kind.append(kind)
        self.row.append(row)
        self.col.append(col)
        self.clamp.append(clamp)
        self.polynomials.append(poly)


@dataclass
class LPArrays:
    """An LP's bounds and rows as HiGHS takes them: column and row bounds, and the rows in compressed form
    (``row_start[i]`` the first of row ``i``'s entries in ``row_index`` and ``row_value``)."""

    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_start: np.ndarray
    row_index: np.ndarray
    row_value: np.ndarray


@dataclass
class CompiledLP(LPArrays):
    """The LP of one built model, and the map from mutable parameters to its numbers.

    Static parts are the arrays HiGHS is loaded with (NaN where a target sets the number: evaluate the
    targets before loading); ``target_*`` arrays describe the numbers that depend on parameters (matrix
    coefficients among them are in the matrix at their value when compiled), and ``monomial_*`` arrays the polynomials that compute them (one row per monomial:
    coefficient, the parameter positions it multiplies, padded with ``parameters.size``, the position of a
    constant 1, and the target it adds to).
    """

    parameters: ParameterIndex
    columns: list[object]
    column_of: dict[int, int]
    integer_columns: np.ndarray
    cost: np.ndarray
    tie_cost: np.ndarray
    cost_offset: float
    tie_offset: float
    secondary_cost: np.ndarray | None
    secondary_offset: float
    objective_columns: np.ndarray
    row_of: dict[int, int]
    target_kind: np.ndarray
    target_row: np.ndarray
    target_col: np.ndarray
    target_clamp: np.ndarray
    monomial_coefficient: np.ndarray
    monomial_parameters: np.ndarray
    monomial_target: np.ndarray
    target_monomial_start: np.ndarray
    parameter_target_start: np.ndarray
    parameter_target: np.ndarray

    @property
    def num_col(self) -> int:
        return len(self.col_lower)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    def evaluate(self, parameters: np.ndarray) -> np.ndarray:
        """The value of every target for the parameter vector ``parameters``."""
        extended = np.append(parameters, 1.0)
        products = extended[self.monomial_parameters].prod(axis=1) * self.monomial_coefficient
        return np.bincount(self.monomial_target, weights=products, minlength=len(self.target_kind))

    def affected(self, changed_parameters: np.ndarray) -> np.ndarray:
        """The targets whose polynomial holds any of the parameter positions ``changed_parameters``."""
        return np.unique(_ranges(self.parameter_target, self.parameter_target_start, changed_parameters))

    def evaluate_targets(self, parameters: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """The value of the targets ``targets`` only."""
        monomials = _ranges(np.arange(len(self.monomial_target)), self.target_monomial_start, targets)
        lengths = self.target_monomial_start[targets + 1] - self.target_monomial_start[targets]
        extended = np.append(parameters, 1.0)
        products = extended[self.monomial_parameters[monomials]].prod(axis=1) * self.monomial_coefficient[monomials]
        owner = np.repeat(np.arange(len(targets)), lengths)
        return np.bincount(owner, weights=products, minlength=len(targets))

    def linear_map(self, expressions: Iterable[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(output index, column, coefficient) triplets of linear expressions of the model with constant
        coefficients and no constant term, for computing them from a solution vector with ``np.bincount``."""
        outputs, cols, coefficients = [], [], []
        for index, expr in enumerate(expressions):
            if type(expr) in native_numeric_types:
                if expr != 0:
                    raise CompileError(f"a reported expression is a non-zero constant: {expr!r}")
                continue
            repn = generate_standard_repn(expr, compute_values=False, quadratic=False)
            constant = _constant(polynomial(repn.constant, self.parameters.position_of))
            if repn.nonlinear_expr is not None or constant is None or constant != 0:
                raise CompileError(f"a reported expression is not linear without a constant: {expr!s}")
            for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
                value = _constant(polynomial(coefficient, self.parameters.position_of))
                if value is None:
                    raise CompileError(f"a reported expression has a parametric coefficient: {expr!s}")
                outputs.append(index)
                cols.append(self.column_of[id(var)])
                coefficients.append(value)
        return np.array(outputs, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(coefficients)

    def forget_model(self) -> None:
        """Drop every reference to the Pyomo model (its variables, and maps keyed by object ids that the
        model's release would make meaningless): the compiled arrays are all a re-solve needs."""
        self.columns = []
        self.column_of = {}
        self.row_of = {}
        self.parameters.position_of = {}


def _ranges(values: np.ndarray, starts: np.ndarray, which: np.ndarray) -> np.ndarray:
    """``values[starts[i]:starts[i + 1]]`` for every ``i`` in ``which``, concatenated (CSR row gather)."""
    begin = starts[which]
    lengths = starts[which + 1] - begin
    total = int(lengths.sum())
    offsets = np.repeat(begin - (np.cumsum(lengths) - lengths), lengths)
    return values[np.arange(total) + offsets]


def compile_model(model: pyo.ConcreteModel) -> CompiledLP:
    """The LP of ``model`` (rows of its active constraints; costs of its primary, secondary where present and
    tie-break objectives) with its parameter map."""
    parameters = ParameterIndex.of(model)
    positions = parameters.position_of
    targets = _Targets()

    columns = list(model.component_data_objects(pyo.Var, active=True, descend_into=True))
    column_of = {id(var): j for j, var in enumerate(columns)}
    col_lower = np.empty(len(columns))
    col_upper = np.empty(len(columns))
    integer: list[int] = []
    for j, var in enumerate(columns):
        domain_lower, domain_upper, step = var.domain.get_interval()
        if step not in (0, 1):
            raise CompileError(f"variable {var.name} has a domain step of {step}")
        if step == 1:
            integer.append(j)
        if var.fixed:
            col_lower[j] = col_upper[j] = float(var.value)
            continue
        for kind, expr, take_max, out in ((COL_LOWER, var.lower, True, col_lower), (COL_UPPER, var.upper, False, col_upper)):
            poly, clamp = _bound_polynomial(expr, positions, take_max)
            domain = domain_lower if take_max else domain_upper
            if domain is not None:
                clamp = max(clamp, domain) if take_max else min(clamp, domain)
            if poly is None:
                out[j] = clamp
            else:
                targets.add(kind, -1, j, poly, clamp)
                out[j] = np.nan

    row_lower: list[float] = []
    row_upper: list[float] = []
    row_start: list[int] = []
    row_index: list[int] = []
    row_value: list[float] = []
    row_of: dict[int, int] = {}
    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        i = len(row_lower)
        row_of[id(con)] = i
        repn = generate_standard_repn(con.body, compute_values=False, quadratic=False)
        if repn.nonlinear_expr is not None:
            raise CompileError(f"constraint {con.name} is not linear")
        row_start.append(len(row_index))
        for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
            j = column_of[id(var)]
            if coefficient.__class__ in native_numeric_types:  # most coefficients: no parameter in them
                value = float(coefficient)
            else:
                poly = polynomial(coefficient, positions)
                value = _constant(poly)
                if value is None:
                    targets.add(COEFFICIENT, i, j, poly)
                    value = float(pyo.value(coefficient))
            if value != 0:
                row_index.append(j)
                row_value.append(value)
        constant = polynomial(repn.constant, positions)
        for kind, present, bound, out in (
            (ROW_LOWER, con.has_lb(), con.lower, row_lower),
            (ROW_UPPER, con.has_ub(), con.upper, row_upper),
        ):
            if not present:
                out.append(-INF if kind == ROW_LOWER else INF)
                continue
            poly = _add(polynomial(bound, positions), constant, scale=-1.0)
            value = _constant(poly)
            if value is None:
                targets.add(kind, i, -1, poly)
                value = np.nan
            out.append(value)

    cost = np.zeros(len(columns))
    tie_cost = np.zeros(len(columns))
    secondary_cost = np.zeros(len(columns)) if hasattr(model, "secondary") else None
    offsets = {SECONDARY_OFFSET: 0.0}
    objective_columns: set[int] = set()
    objectives = [(COST, COST_OFFSET, model.primary, cost), (TIE_COST, TIE_OFFSET, model.tie_break, tie_cost)]
    if secondary_cost is not None:
        objectives.append((SECONDARY_COST, SECONDARY_OFFSET, model.secondary, secondary_cost))
    for kind, offset_kind, objective, out in objectives:
        if objective.sense != pyo.minimize:
            raise CompileError(f"objective {objective.name} is not minimised")
        repn = generate_standard_repn(objective.expr, compute_values=False, quadratic=False)
        if repn.nonlinear_expr is not None:
            raise CompileError(f"objective {objective.name} is not linear")
        for coefficient, var in zip(repn.linear_coefs, repn.linear_vars):
            j = column_of[id(var)]
            objective_columns.add(j)
            poly = polynomial(coefficient, positions)
            value = _constant(poly)
            if value is None:
                targets.add(kind, -1, j, poly)
                value = np.nan
            out[j] = value
        poly = polynomial(repn.constant, positions)
        value = _constant(poly)
        if value is None:
            targets.add(offset_kind, -1, -1, poly)
            value = np.nan
        offsets[offset_kind] = value

    count = len(targets.kind)
    degree = max((len(m) for poly in targets.polynomials for m in poly), default=0)
    coefficient_list: list[float] = []
    parameter_list: list[tuple[int, ...]] = []
    target_list: list[int] = []
    pad = parameters.size
    for t, poly in enumerate(targets.polynomials):
        for monomial, coefficient in poly.items():
            if coefficient == 0:
                continue
            coefficient_list.append(coefficient)
            parameter_list.append(monomial + (pad,) * (degree - len(monomial)))
            target_list.append(t)
    target_array = np.array(target_list, dtype=np.int64)
    target_monomial_start = np.searchsorted(target_array, np.arange(count + 1))
    pairs = sorted({(p, t) for t, poly in enumerate(targets.polynomials) for m in poly for p in m})
    parameter_of_pair = np.array([p for p, _ in pairs], dtype=np.int64)
    parameter_target_start = np.searchsorted(parameter_of_pair, np.arange(parameters.size + 1))
    lp = CompiledLP(
        parameters=parameters,
        columns=columns,
        column_of=column_of,
        integer_columns=np.array(integer, dtype=np.int32),
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.array(row_lower),
        row_upper=np.array(row_upper),
        row_start=np.array(row_start, dtype=np.int32),
        row_index=np.array(row_index, dtype=np.int32),
        row_value=np.array(row_value),
        cost=cost,
        tie_cost=tie_cost,
        cost_offset=offsets[COST_OFFSET],
        tie_offset=offsets[TIE_OFFSET],
        secondary_cost=secondary_cost,
        secondary_offset=offsets[SECONDARY_OFFSET],
        objective_columns=np.array(sorted(objective_columns), dtype=np.int32),
        row_of=row_of,
        target_kind=np.array(targets.kind, dtype=np.int8),
        target_row=np.array(targets.row, dtype=np.int32),
        target_col=np.array(targets.col, dtype=np.int32),
        target_clamp=np.array(targets.clamp),
        monomial_coefficient=np.array(coefficient_list),
        monomial_parameters=np.array(parameter_list, dtype=np.int64).reshape(len(parameter_list), degree),
        monomial_target=target_array,
        target_monomial_start=target_monomial_start,
        parameter_target_start=parameter_target_start,
        parameter_target=np.array([t for _, t in pairs], dtype=np.int64),
    )
    logger.debug(
        "compiled LP: %d rows, %d columns, %d parametric numbers (%d monomials)",
        lp.num_row, lp.num_col, count, len(coefficient_list),
    )
    return lp
