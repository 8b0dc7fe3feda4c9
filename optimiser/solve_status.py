"""One table from a solver's termination to the status a result reports, and what that status means in words.

Both back ends end here: Pyomo's persistent HiGHS interface reports a ``TerminationCondition``, the sweep's
compiled arrays a ``highspy.HighsModelStatus``. The HiGHS statuses are first named as Pyomo names them, so
a sweep explains a failure in the words a single run uses. Only an optimal termination counts as success;
every other one is a status (``time_limit``, ``infeasible``, ``error``) with a sentence saying what happened
and what to try. The HiGHS side is keyed by member name, so this module does not import ``highspy``.
"""

from __future__ import annotations

from typing import NamedTuple

from pyomo.contrib.solver.common.results import TerminationCondition

STATUSES = ("optimal", "time_limit", "infeasible", "error")

STATUS_OF_CONDITION: dict[TerminationCondition, str] = {
    TerminationCondition.convergenceCriteriaSatisfied: "optimal",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.provenInfeasible: "infeasible",
    TerminationCondition.locallyInfeasible: "infeasible",
    TerminationCondition.infeasibleOrUnbounded: "infeasible",
}
"""Pyomo termination conditions as :data:`STATUSES` names them (every other one is ``error``)."""

CONDITION_OF_HIGHS_STATUS: dict[str, TerminationCondition] = {
    "kOptimal": TerminationCondition.convergenceCriteriaSatisfied,
    "kTimeLimit": TerminationCondition.maxTimeLimit,
    "kInfeasible": TerminationCondition.provenInfeasible,
    "kUnboundedOrInfeasible": TerminationCondition.infeasibleOrUnbounded,
    "kUnbounded": TerminationCondition.unbounded,
    "kIterationLimit": TerminationCondition.iterationLimit,
    "kObjectiveBound": TerminationCondition.objectiveLimit,
    "kObjectiveTarget": TerminationCondition.objectiveLimit,
    "kInterrupt": TerminationCondition.interrupted,
    "kModelEmpty": TerminationCondition.emptyModel,
    "kUnknown": TerminationCondition.unknown,
    "kNotset": TerminationCondition.unknown,
}
"""``highspy.HighsModelStatus`` member names as Pyomo's termination conditions name them (every other one is
the condition ``error``)."""


class Termination(NamedTuple):
    """How a solve ended: the status a result reports and the solver's termination condition, by name."""

    status: str
    condition: str

    def message(self, time_limit: float | None = None, incumbent: float | None = None) -> str:
        """What this termination means for the user, and what to try (see :func:`message_for`)."""
        return message_for(self.status, self.condition, time_limit, incumbent)


NOT_STARTED = Termination("time_limit", TerminationCondition.maxTimeLimit.name)
"""A solve not started because the run's deadline had passed."""


def from_pyomo(condition: TerminationCondition) -> Termination:
    """The termination of a solve through Pyomo."""
    return Termination(STATUS_OF_CONDITION.get(condition, "error"), condition.name)


def from_highs(model_status: object) -> Termination:
    """The termination of a solve run on a ``highspy.Highs`` instance, from its ``getModelStatus()``."""
    condition = CONDITION_OF_HIGHS_STATUS.get(getattr(model_status, "name", ""))
    if condition is None:
        return Termination("error", TerminationCondition.error.name)
    return from_pyomo(condition)


_MESSAGE_OF = {
    "optimal": "HiGHS found an optimal plan.",
    "infeasible": (
        "HiGHS proved that no plan satisfies every constraint. With shortfall allowed up to demand this points "
        "to contradictory inputs, e.g. a negative budget or an export cap below what existing capacity forces."
    ),
}

_NUMERICAL_ADVICE = (
    "This usually means numerical trouble from extreme scenario values (very large or very small budgets, "
    "multipliers, weights or growth): try values nearer the defaults (docs/model.md, 'Scenario settings'), "
    "and report it with the scenario file if it persists."
)

_ERROR_MESSAGE_OF = {
    TerminationCondition.unbounded.name: (
        "HiGHS found the problem unbounded, which the model's bounds should rule out. " + _NUMERICAL_ADVICE
    ),
    TerminationCondition.iterationLimit.name: (
        "HiGHS stopped at its iteration limit before proving a plan optimal. " + _NUMERICAL_ADVICE
    ),
    TerminationCondition.objectiveLimit.name: (
        "HiGHS stopped at an objective limit before proving a plan optimal. " + _NUMERICAL_ADVICE
    ),
    TerminationCondition.interrupted.name: "the solve was interrupted before HiGHS proved a plan optimal.",
    TerminationCondition.emptyModel.name: (
        "HiGHS was given an empty model: the horizon and the data leave nothing to decide or measure."
    ),
}


def message_for(status: str, condition: str, time_limit: float | None = None, incumbent: float | None = None) -> str:
    """What a solve's status and termination condition mean for the user, and what to try.

    For a time limit, ``time_limit`` (seconds, shared by every solve of the run) and ``incumbent`` (the best
    objective found by then, if any) are named too.
    """
    if status == "time_limit":
        limit = "" if time_limit is None else f" of {time_limit:g} s (shared by every solve of the run)"
        found = "" if incumbent is None else f" The best plan found by then scores {incumbent:.4f} points."
        return (
            f"HiGHS stopped at the time limit{limit} before proving a plan optimal; no result is reported as "
            f"optimal.{found} Raise --time-limit (time_limit_seconds in the scenario); with integer_builds = "
            "true, also try the continuous model, which solves in seconds."
        )
    if status in _MESSAGE_OF:
        return _MESSAGE_OF[status]
    return _ERROR_MESSAGE_OF.get(
        condition,
        f"HiGHS could not finish the solve (termination condition '{condition}'). " + _NUMERICAL_ADVICE,
    )


def incumbent_message(time_limit: float | None, objective: float, bound: float | None) -> str:
    """What a MIP stopped by the time limit with a plan in hand means: that plan is reported, with how far from
    the best possible it may be (HiGHS's bound), and what to try."""
    limit = "" if time_limit is None else f" of {time_limit:g} s (shared by every solve of the run)"
    if bound is None:
        proven = "no bound on the optimum is known"
    else:
        gap = relative_gap(objective, bound)
        proven = f"the optimum is at least {bound:.4f} points, so this plan is within {100 * gap:.3g} % of it"
    return (
        f"HiGHS stopped at the time limit{limit} before proving a plan optimal. The best plan it found is "
        f"reported, not proven optimal: {objective:.4f} points; {proven}. Raise --time-limit "
        "(time_limit_seconds in the scenario) to prove it, or solve the continuous model (integer_builds = false)."
    )


def relative_gap(objective: float, bound: float) -> float:
    """|objective − bound| / |objective| (0 where both are 0): how far from proven a MIP's plan may be."""
    gap = abs(objective - bound)
    return gap / abs(objective) if objective != 0 else (0.0 if gap == 0 else float("inf"))
