"""``optimiser serve``: the planner's workbench, a local web application over the same package.

Modules: :mod:`.app` (the FastAPI application: pages, JSON API, safety limits), :mod:`.workbench` (warm
re-solves and the report's charts for the page), :mod:`.library` (saved results: save as ``optimiser run``
does, list, open, delete, compare), :mod:`.jobs` (sweeps and stress tests in their own processes), :mod:`.form`
(the scenario form described from ``scenario.RULES`` and the data). FastAPI and uvicorn are imported only
here, so other commands start as fast as before. How to use it: ``docs/workbench.md``.
"""
