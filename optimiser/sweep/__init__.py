"""Scenario sweeps: grids, one-at-a-time, Monte Carlo, Latin hypercube and Morris, solved fast and stored
so that nothing finished is lost or computed twice.

    >>> import optimiser
    >>> runs = optimiser.sweep("inputs/sweeps/budget_frontier.toml", workers=2)
    >>> runs[["budget_busd", "lead_time_shift_years", "objective", "budget_dual"]]

Modules: :mod:`.spec` (the sweep file), :mod:`.samplers` (points and sensitivity tables), :mod:`.plan`
(scenarios, ids, chains), :mod:`.lp` and :mod:`.resolve` (the fast re-solver), :mod:`.executors` (in
process, local pool, Dask), :mod:`.store` (the resumable results store), :mod:`.records` (the runs table),
:mod:`.progress`. The format and the results are documented in ``docs/sweeps.md``.
"""

from ..lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "SweepSpec": ".spec",
        "all_optimal": ".api",
        "load_spec": ".spec",
        "read_detail": ".store",
        "read_sensitivity": ".api",
        "spec_from_dict": ".spec",
        "sweep": ".api",
    },
)
