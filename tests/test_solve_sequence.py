"""The one solve sequence (``solve.solve_sequence``) on both back ends, its branches on a scripted back end,
and the one status table (``solve_status``) both back ends report through.

The hand-worked instance is ``tests/test_solve.py``'s (see ``tests/test_integer_builds.py`` for its
numbers): at $0.05B the LP builds half the plant for 69 points, the integer model nothing for 92, and the
integer budget dual is (92 − 46) / 1.05.
"""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest
from pyomo.contrib.solver.common.results import TerminationCondition

from optimiser import load_inputs
from optimiser.model import build_model
from optimiser.scenario import Scenario
from optimiser.solve import (
    BUDGET_ABSENT,
    BUDGET_ACTIVE,
    BUDGET_DROPPED,
    SLOPE_STEP_BUSD,
    Deadline,
    PyomoBackend,
    held_optimum,
    is_integer,
    make_solver,
    solve_sequence,
)
from optimiser.solve_status import (
    CONDITION_OF_HIGHS_STATUS,
    NOT_STARTED,
    STATUSES,
    Termination,
    from_highs,
    from_pyomo,
)
from optimiser.sweep.resolve import Resolver

from .test_solve import _data

TINY = Path(__file__).resolve().parent / "data" / "tiny"


class SolvesLeft(Deadline):
    """No time limit, but the deadline counts as passed once ``solves`` solves have started."""

    def __init__(self, solves: int) -> None:
        super().__init__(None)
        self.solves = solves

    @property
    def expired(self) -> bool:
        self.solves -= 1
        return self.solves < 0


def _both_back_ends(data, scenario: Scenario, deadline_of) -> tuple:
    """The sequence's outcome on the Pyomo back end and on the compiled one, for the same scenario."""
    model, _ = build_model(data, scenario)
    integer = scenario.integer_builds or is_integer(model)
    pyomo_backend = PyomoBackend(make_solver(), model, integer)
    resolver = Resolver(data, scenario)
    outcomes = []
    for backend in (pyomo_backend, resolver):
        outcomes.append(
            solve_sequence(
                backend,
                integer_builds=integer,
                tie_break=scenario.tie_break,
                tolerance=scenario.tie_break_tolerance,
                deadline=deadline_of(),
            )
        )
    return outcomes


def _same(pyomo_outcome, compiled_outcome) -> None:
    assert compiled_outcome.status == pyomo_outcome.status
    assert compiled_outcome.termination_condition == pyomo_outcome.termination_condition
    assert compiled_outcome.message == pyomo_outcome.message
    assert compiled_outcome.budget_dual_method == pyomo_outcome.budget_dual_method
    assert compiled_outcome.warnings == pyomo_outcome.warnings
    for name in (
        "objective", "secondary_objective", "tie_break_capex_busd", "budget_dual", "budget_dual_lp",
        "budget_dual_left", "budget_dual_right",
    ):
        expected = getattr(pyomo_outcome, name)
        got = getattr(compiled_outcome, name)
        assert (got is None) == (expected is None), name
        if expected is not None:
            assert got == pytest.approx(expected, abs=1e-6), name


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "milp"])
@pytest.mark.parametrize("budget", [0.05, 0.1, 2.0])
def test_both_back_ends_give_the_same_outcome_on_the_hand_worked_instance(integer, budget):
    scenario = Scenario(budget_busd=budget, yearly_cap_fraction=1.0, integer_builds=integer)
    pyomo_outcome, compiled_outcome = _both_back_ends(_data(), scenario, lambda: Deadline(None))
    _same(pyomo_outcome, compiled_outcome)
    assert pyomo_outcome.optimal
    # At $0.1B the plant is whole: the LP dual (0) is the right-hand slope but not the left one (460).
    lp_method = "right_slope" if budget == 0.1 else "lp_dual"
    assert pyomo_outcome.budget_dual_method == ("finite_difference" if integer else lp_method)
    if budget == 0.05:
        assert pyomo_outcome.objective == pytest.approx(92.0 if integer else 69.0)
    if integer and budget == 0.05:
        assert pyomo_outcome.budget_dual == pytest.approx((92.0 - 46.0) / 1.05)


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "milp"])
def test_both_back_ends_give_the_same_outcome_on_the_tiny_data(integer):
    data = load_inputs(TINY)
    scenario = Scenario.from_toml(TINY / "scenarios" / "base.toml").with_overrides(integer_builds=integer)
    pyomo_outcome, compiled_outcome = _both_back_ends(data, scenario, lambda: Deadline(None))
    assert pyomo_outcome.optimal and pyomo_outcome.tie_break_capex_busd is not None
    _same(pyomo_outcome, compiled_outcome)


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "milp"])
def test_a_deadline_spent_after_the_primary_solve_fails_alike_on_both_back_ends(integer):
    """Only the primary solve runs: the tie-break (and an integer model's re-solves) end time_limit, the
    first solve's plan is kept and each failure is named, the same words from both back ends."""
    scenario = Scenario(budget_busd=0.05, yearly_cap_fraction=1.0, integer_builds=integer)
    pyomo_outcome, compiled_outcome = _both_back_ends(_data(), scenario, lambda: SolvesLeft(1))
    _same(pyomo_outcome, compiled_outcome)
    assert pyomo_outcome.optimal and pyomo_outcome.tie_break_capex_busd is None
    assert pyomo_outcome.warnings[0] == (
        "the capex tie-break solve ended time_limit (maxTimeLimit); the first solve's plan is reported"
    )
    if integer:
        assert pyomo_outcome.budget_dual is None
        assert pyomo_outcome.warnings[1:] == [
            "budget dual: the re-solve at B = 0 $B ended time_limit; no dual reported",
            "budget dual: the re-solve at B = 1.05 $B ended time_limit; no dual reported",
        ]


class ScriptedBackend:
    """A back end that answers each run from a script and records what the sequence asked of it."""

    def __init__(
        self,
        runs: list[tuple[str, str, float | None]],
        rows: str = BUDGET_ACTIVE,
        secondary: bool = False,
        integer: bool = False,
        bounds: list[float | None] | None = None,
    ) -> None:
        self.runs = list(runs)
        self.rows = rows
        self.secondary = secondary
        self.integer = integer
        self.bounds = list(bounds or [])
        self.calls: list[tuple] = []
        self.held_budget = 3.0
        self.plan = "primary plan"
        self.bound: float | None = None

    def set_primary(self) -> None:
        self.calls.append(("primary",))

    def has_secondary(self) -> bool:
        return self.secondary

    def set_secondary(self, held_optimum: float) -> None:
        self.calls.append(("secondary", held_optimum))

    def set_tie_break(self, held_optimum: float, held_secondary: float | None = None) -> None:
        self.calls.append(("tie_break", held_optimum, held_secondary))

    def run(self, deadline: Deadline, load: bool = True) -> tuple[str, str, float | None]:
        self.calls.append(("run", self.held_budget, load))
        status, condition, objective = self.runs.pop(0)
        self.bound = self.bounds.pop(0) if self.bounds else None
        stopped_with_plan = self.integer and status == "time_limit" and objective is not None
        if (status == "optimal" or stopped_with_plan) and load:
            self.plan = f"plan of run {len(self.calls)}"
        return status, condition, objective

    def budget_rows(self) -> str:
        return self.rows

    def lp_budget_dual(self) -> float:
        return 7.5

    def budget(self) -> float:
        return self.held_budget

    def set_budget(self, value: float) -> None:
        self.held_budget = value

    def save(self) -> str:
        return self.plan

    def restore(self, saved: str) -> None:
        self.plan = saved

    def objective_bound(self) -> float | None:
        return self.bound

    def model_size(self) -> dict[str, int]:
        return {"rows": 1, "columns": 2, "nonzeros": 3}


OPTIMAL = ("optimal", "convergenceCriteriaSatisfied")


def test_the_sequence_solves_primary_then_holds_its_optimum_for_the_tie_break():
    step = SLOPE_STEP_BUSD
    slopes = [(*OPTIMAL, 40.0 - 7.5 * step), (*OPTIMAL, 40.0 + 7.5 * step)]  # the LP dual's slope on both sides
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*OPTIMAL, 1.25), *slopes])
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=1e-3, deadline=Deadline(None))
    assert outcome.optimal and outcome.objective == 40.0 and outcome.tie_break_capex_busd == 1.25
    assert outcome.budget_dual == 7.5 and outcome.budget_dual_method == "lp_dual"
    assert outcome.budget_dual_right == pytest.approx(7.5) and outcome.budget_dual_left == pytest.approx(7.5)
    assert outcome.model_size == {"rows": 1, "columns": 2, "nonzeros": 3}
    assert backend.calls == [
        ("primary",), ("run", 3.0, True), ("tie_break", held_optimum(40.0, 1e-3), None), ("run", 3.0, True),
        ("primary",), ("run", 3.0 + step, False), ("run", 3.0 - step, False),
    ]
    assert held_optimum(40.0, 1e-3) == pytest.approx(40.04 + 1e-9)
    assert backend.plan == "plan of run 4" and backend.held_budget == 3.0
    assert set(outcome.timings) == {"solve_primary", "solve_tie_break", "budget_dual_resolves"}


def test_where_the_lp_dual_is_not_a_one_sided_slope_the_right_hand_slope_is_reported():
    step = SLOPE_STEP_BUSD
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*OPTIMAL, 40.0 - 5.0 * step), (*OPTIMAL, 40.0 + 7.5 * step)])
    outcome = solve_sequence(backend, integer_builds=False, tie_break=False, tolerance=0.0, deadline=Deadline(None))
    assert outcome.budget_dual_method == "right_slope"
    assert outcome.budget_dual == pytest.approx(5.0) and outcome.budget_dual_right == pytest.approx(5.0)
    assert outcome.budget_dual_left == pytest.approx(7.5) and outcome.budget_dual_lp == 7.5


def test_at_zero_budget_only_the_right_hand_slope_is_taken():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*OPTIMAL, 40.0 - 7.5 * SLOPE_STEP_BUSD)])
    backend.held_budget = 0.0
    outcome = solve_sequence(backend, integer_builds=False, tie_break=False, tolerance=0.0, deadline=Deadline(None))
    assert [call[1] for call in backend.calls if call[0] == "run"] == [0.0, SLOPE_STEP_BUSD]
    assert outcome.budget_dual_method == "lp_dual" and outcome.budget_dual_left is None


def test_a_failed_slope_re_solve_keeps_the_lp_dual_and_says_so():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), ("time_limit", "maxTimeLimit", None), (*OPTIMAL, 40.0)])
    outcome = solve_sequence(backend, integer_builds=False, tie_break=False, tolerance=0.0, deadline=Deadline(None))
    assert outcome.budget_dual == 7.5 and outcome.budget_dual_method == "lp_dual"
    assert outcome.warnings == [
        f"budget slope: the re-solve at B = {3.0 + SLOPE_STEP_BUSD:g} $B ended time_limit; the LP dual is reported"
    ]


def test_a_secondary_solve_holds_the_primary_and_the_tie_break_holds_both():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*OPTIMAL, 55.0), (*OPTIMAL, 1.25)], rows=BUDGET_ABSENT, secondary=True)
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=1e-3, deadline=Deadline(None))
    assert outcome.objective == 40.0 and outcome.secondary_objective == 55.0 and outcome.tie_break_capex_busd == 1.25
    assert backend.calls == [
        ("primary",), ("run", 3.0, True),
        ("secondary", held_optimum(40.0, 1e-3)), ("run", 3.0, True), ("primary",),
        ("tie_break", held_optimum(40.0, 1e-3), held_optimum(55.0, 1e-3)), ("run", 3.0, True), ("primary",),
    ]
    assert backend.plan == "plan of run 7" and "solve_secondary" in outcome.timings


def test_a_failed_secondary_solve_restores_the_primary_plan_and_skips_the_tie_break():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), ("error", "iterationLimit", None)], rows=BUDGET_ABSENT, secondary=True)
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.optimal and outcome.secondary_objective is None and outcome.tie_break_capex_busd is None
    assert backend.plan == "plan of run 2" and backend.calls[-1] == ("primary",)
    assert outcome.warnings == [
        "the secondary solve (the weighted objective over every cell) ended error (iterationLimit); "
        "the first solve's plan is reported"
    ]


def test_a_failed_tie_break_restores_the_primary_plan_and_says_so():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), ("error", "iterationLimit", None)], rows=BUDGET_ABSENT)
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.optimal and outcome.objective == 40.0 and outcome.tie_break_capex_busd is None
    assert backend.plan == "plan of run 2"  # the primary run's plan, not lost to the failed tie-break
    assert backend.calls[-1] == ("primary",)
    assert outcome.warnings == [
        "the capex tie-break solve ended error (iterationLimit); the first solve's plan is reported"
    ]


def test_a_failed_primary_solve_says_why_and_solves_nothing_more():
    backend = ScriptedBackend([("infeasible", "provenInfeasible", None)])
    outcome = solve_sequence(backend, integer_builds=True, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.status == "infeasible" and outcome.termination_condition == "provenInfeasible"
    assert "no plan satisfies every constraint" in outcome.message
    assert outcome.objective is None and outcome.budget_dual is None and outcome.budget_dual_method is None
    assert backend.calls == [("primary",), ("run", 3.0, True)]


TIME_LIMIT = ("time_limit", "maxTimeLimit")


def test_a_mip_stopped_by_the_time_limit_reports_its_best_plan_and_proven_gap():
    backend = ScriptedBackend([(*TIME_LIMIT, 42.0)], integer=True, bounds=[40.0])
    outcome = solve_sequence(backend, integer_builds=True, tie_break=True, tolerance=0.0, deadline=Deadline(30.0))
    assert outcome.status == "time_limit" and not outcome.optimal
    assert outcome.incumbent and outcome.has_plan
    assert outcome.objective == 42.0 and outcome.objective_bound == 40.0
    assert outcome.mip_gap == pytest.approx(2.0 / 42.0)
    assert backend.plan == "plan of run 2"  # the stopped run's plan is the current one
    assert backend.calls == [("primary",), ("run", 3.0, True)]  # the time is spent: nothing more is solved
    assert "time limit of 30 s" in outcome.message and "not proven optimal: 42.0000 points" in outcome.message
    assert "at least 40.0000 points" in outcome.message and "within 4.76 % of it" in outcome.message
    assert outcome.budget_dual is None and outcome.tie_break_capex_busd is None


@pytest.mark.parametrize("integer, objective", [(True, None), (False, 42.0)])
def test_a_time_limit_with_no_mip_plan_in_hand_reports_no_plan(integer, objective):
    """A MIP that found no plan, or an LP (its stopped point is not a plan), reports the status alone."""
    backend = ScriptedBackend([(*TIME_LIMIT, objective)], integer=integer)
    outcome = solve_sequence(backend, integer_builds=integer, tie_break=True, tolerance=0.0, deadline=Deadline(30.0))
    assert outcome.status == "time_limit" and not outcome.incumbent and not outcome.has_plan
    assert outcome.objective is None and outcome.mip_gap is None
    assert backend.plan == "primary plan"
    assert "no result is reported as optimal" in outcome.message


def test_a_tie_break_stopped_by_the_time_limit_keeps_its_cheaper_plan_and_says_how_close():
    backend = ScriptedBackend(
        [(*OPTIMAL, 40.0), (*TIME_LIMIT, 2.5), (*OPTIMAL, 50.0), (*OPTIMAL, 30.0)],
        integer=True, bounds=[40.0, 2.0, None, None],
    )
    outcome = solve_sequence(backend, integer_builds=True, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.optimal and outcome.objective == 40.0 and outcome.objective_bound == 40.0
    assert outcome.tie_break_capex_busd == 2.5 and not outcome.incumbent
    assert backend.plan == "plan of run 4"  # the tie-break's plan, not restored to the primary's
    assert outcome.warnings == [
        "the capex tie-break stopped at the time limit; its best plan is reported, capex $2.5000B, "
        "proven within 20 % of the best possible (2) at this dependence"
    ]
    assert outcome.budget_dual == pytest.approx((50.0 - 30.0) / 2.0)


def test_an_lp_tie_break_stopped_by_the_time_limit_restores_the_primary_plan():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*TIME_LIMIT, 2.5)], rows=BUDGET_ABSENT)
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.tie_break_capex_busd is None and backend.plan == "plan of run 2"
    assert outcome.warnings == ["the capex tie-break solve ended time_limit (maxTimeLimit); the first solve's plan is reported"]


def test_a_secondary_solve_stopped_by_the_time_limit_keeps_its_plan_and_the_tie_break_holds_it():
    backend = ScriptedBackend(
        [(*OPTIMAL, 40.0), (*TIME_LIMIT, 55.0), (*OPTIMAL, 1.25)], rows=BUDGET_ABSENT, secondary=True,
        integer=True, bounds=[40.0, 50.0, 1.25],
    )
    outcome = solve_sequence(backend, integer_builds=True, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.secondary_objective == 55.0 and outcome.tie_break_capex_busd == 1.25
    assert ("tie_break", held_optimum(40.0, 0.0), held_optimum(55.0, 0.0)) in backend.calls
    assert backend.plan == "plan of run 7"
    assert outcome.warnings[0].startswith("the secondary solve (the weighted objective over every cell) stopped at the time limit")


def test_the_integer_budget_dual_re_solves_at_b_minus_and_b_plus_without_loading_and_restores_b():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*OPTIMAL, 2.0), (*OPTIMAL, 50.0), (*OPTIMAL, 30.0)])
    outcome = solve_sequence(backend, integer_builds=True, tie_break=True, tolerance=0.0, deadline=Deadline(None))
    assert outcome.budget_dual_method == "finite_difference"
    assert outcome.budget_dual == pytest.approx((50.0 - 30.0) / (4.0 - 2.0))
    assert [call for call in backend.calls if call[0] == "run"][2:] == [("run", 2.0, False), ("run", 4.0, False)]
    assert backend.held_budget == 3.0
    assert backend.plan == "plan of run 4"  # the tie-break's plan: the re-solves load nothing
    assert "budget_dual_resolves" in outcome.timings


def test_b_minus_stops_at_zero_and_a_failed_re_solve_leaves_no_dual():
    backend = ScriptedBackend([(*OPTIMAL, 40.0), (*OPTIMAL, 50.0), ("time_limit", "maxTimeLimit", None)])
    backend.held_budget = 0.25
    outcome = solve_sequence(backend, integer_builds=True, tie_break=False, tolerance=0.0, deadline=Deadline(None))
    assert [call[1] for call in backend.calls if call[0] == "run"] == [0.25, 0.0, 1.25]
    assert outcome.budget_dual is None and backend.held_budget == 0.25
    assert outcome.warnings == ["budget dual: the re-solve at B = 1.25 $B ended time_limit; no dual reported"]


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "milp"])
@pytest.mark.parametrize(("rows", "dual"), [(BUDGET_ABSENT, 0.0), (BUDGET_DROPPED, None)])
def test_without_budget_rows_in_force_the_dual_is_zero_or_not_reported(integer, rows, dual):
    backend = ScriptedBackend([(*OPTIMAL, 40.0)], rows=rows)
    outcome = solve_sequence(backend, integer_builds=integer, tie_break=False, tolerance=0.0, deadline=Deadline(None))
    assert outcome.budget_dual == dual
    assert outcome.budget_dual_method == ("finite_difference" if integer else "lp_dual")
    assert len(backend.calls) == 2 and "budget_dual_resolves" not in outcome.timings


def test_no_budget_dual_asked_means_none_taken():
    backend = ScriptedBackend([(*OPTIMAL, 40.0)])
    outcome = solve_sequence(
        backend, integer_builds=True, tie_break=False, tolerance=0.0, deadline=Deadline(None), budget_dual=False
    )
    assert outcome.budget_dual is None and outcome.budget_dual_method is None and len(backend.calls) == 2


# The status table -------------------------------------------------------------------------------------------


def test_every_highs_status_in_the_table_is_one_highspy_has():
    members = set(highspy.HighsModelStatus.__members__)
    assert set(CONDITION_OF_HIGHS_STATUS) <= members


@pytest.mark.parametrize(
    ("highs_status", "expected"),
    [
        ("kOptimal", Termination("optimal", "convergenceCriteriaSatisfied")),
        ("kTimeLimit", Termination("time_limit", "maxTimeLimit")),
        ("kInfeasible", Termination("infeasible", "provenInfeasible")),
        ("kUnboundedOrInfeasible", Termination("infeasible", "infeasibleOrUnbounded")),
        ("kUnbounded", Termination("error", "unbounded")),
        ("kIterationLimit", Termination("error", "iterationLimit")),
        ("kObjectiveTarget", Termination("error", "objectiveLimit")),
        ("kUnknown", Termination("error", "unknown")),
        ("kSolveError", Termination("error", "error")),
        ("kMemoryLimit", Termination("error", "error")),
    ],
)
def test_a_highs_status_reads_as_the_pyomo_termination_of_the_same_name(highs_status, expected):
    termination = from_highs(highspy.HighsModelStatus.__members__[highs_status])
    assert termination == expected
    assert termination.status in STATUSES
    if highs_status in CONDITION_OF_HIGHS_STATUS:
        assert from_pyomo(TerminationCondition[expected.condition]) == expected


def test_a_status_reads_in_words():
    assert from_pyomo(TerminationCondition.locallyInfeasible).status == "infeasible"
    assert "unbounded" in from_pyomo(TerminationCondition.unbounded).message()
    assert "'minStepLength'" in from_pyomo(TerminationCondition.minStepLength).message()
    assert "Scenario settings" in from_pyomo(TerminationCondition.minStepLength).message()
    words = NOT_STARTED.message(time_limit=30.0, incumbent=12.5)
    assert "time limit of 30 s" in words and "scores 12.5000 points" in words



def test_a_zero_dual_is_never_negative_zero():
    """A back end whose budget rows have zero duals reports -(0 + 0) = -0.0; summary.json and the CLI must
    read 0, not -0.0."""
    import math

    class ZeroDual(ScriptedBackend):
        def lp_budget_dual(self) -> float:
            return -(0.0 + 0.0)

    flat = [(*OPTIMAL, 40.0), (*OPTIMAL, 40.0)]  # the objective does not move with the budget
    backend = ZeroDual([(*OPTIMAL, 40.0), (*OPTIMAL, 1.25), *flat])
    outcome = solve_sequence(backend, integer_builds=False, tie_break=True, tolerance=1e-3, deadline=Deadline(None))
    for value in (outcome.budget_dual, outcome.budget_dual_lp, outcome.budget_dual_left, outcome.budget_dual_right):
        assert value == 0.0 and math.copysign(1.0, value) == 1.0
