"""Background jobs: sweeps (from a sweep file, or the budget frontier of the current scenario) and stress
tests, each in its own process so the server stays responsive, with progress and cancel.

A job is a spawned process (not forked: the server holds HiGHS instances and threads) that writes one
result under the results directory through the same code as the command line: ``optimiser.sweep`` (with one
worker, so that cancelling the job ends every solve) or ``portfolios.stress`` + ``commands.stress.write_stress``,
then the report. It reports to the server over a queue: progress (scenarios done of the total), then finished
or failed with words. Cancel terminates the process; what it leaves follows the writer's own rules (a sweep
store keeps every committed scenario and a rerun of the same sweep resumes it; a stress test publishes only
whole results, so a cancelled one leaves the previous result, if any, as it was).

Sweep progress comes from the sweep's own counter: the job process gives ``sweep.api`` a
:class:`~optimiser.sweep.progress.Progress` that also sends its counts to the server (the job process is
the server's own, and does nothing else).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, OptimiserError
from ..scenario import SCENARIO_NAME, Scenario
from .errors import Refused

logger = logging.getLogger(__name__)

MAX_RUNNING = 2
"""Jobs running at once: each takes a core (one HiGHS thread), and the server keeps the other for the page."""

FRONTIER_BUDGETS = {"start": 0.0, "stop": 30.0, "step": 0.5}
"""The budget frontier the workbench runs from the current scenario: $0-30B in $0.5B steps (61 scenarios)."""

FRONTIER_SUFFIX = "_frontier"
PROGRESS_INTERVAL_SECONDS = 0.2
"""A job process sends its progress at most this often."""

STATES = ("running", "finished", "failed", "cancelled")


@dataclass
class Job:
    """One background job as the page shows it."""

    id: str
    kind: str
    name: str
    description: str
    state: str = "running"
    done: int = 0
    total: int | None = None
    message: str = ""
    started: float = field(default_factory=time.time)
    ended: float | None = None
    cancel_requested: bool = False
    process: multiprocessing.process.BaseProcess | None = field(default=None, repr=False)

    def view(self) -> dict:
        """The job as JSON (no process handle)."""
        return {
            "id": self.id, "kind": self.kind, "name": self.name, "description": self.description, "state": self.state,
            "done": self.done, "total": self.total, "message": self.message, "started": self.started,
            "ended": self.ended,
        }


def shipped_names(folder: Path) -> list[str]:
    """The stems of the TOML files of ``folder`` that are valid names (inputs/scenarios, inputs/sweeps)."""
    if not folder.is_dir():
        return []
    return sorted(path.stem for path in folder.glob("*.toml") if path.is_file() and SCENARIO_NAME.fullmatch(path.stem))


def shipped_file(folder: Path, name: object) -> Path:
    """The file of a shipped name (``name`` or ``name.toml``), never a path made from the request: 404 for a
    name that is not one of the folder's files."""
    stem = name[:-5] if isinstance(name, str) and name.endswith(".toml") else name
    if not isinstance(stem, str) or stem not in shipped_names(folder):
        raise Refused(404, f"there is no file '{name}' in {folder} (it has: {', '.join(shipped_names(folder)) or 'none'})")
    return folder / f"{stem}.toml"


class Jobs:
    """The server's background jobs."""

    def __init__(self, inputs_dir: str | Path, results_dir: str | Path, max_running: int = MAX_RUNNING) -> None:
        self.inputs_dir = Path(inputs_dir)
        self.results_dir = Path(results_dir)
        self.max_running = max_running
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")

    @property
    def sweeps_dir(self) -> Path:
        return self.inputs_dir / "sweeps"

    @property
    def scenarios_dir(self) -> Path:
        return self.inputs_dir / "scenarios"

    # Starting ---------------------------------------------------------------------------------------------

    def start_sweep_file(self, file: object) -> Job:
        """Run a shipped sweep file (``inputs/sweeps/<file>.toml``) into ``results/<its name>/``."""
        from ..sweep.spec import load_spec

        path = shipped_file(self.sweeps_dir, file)
        try:
            spec = load_spec(path)
        except InputError as error:
            raise Refused.from_input_error(error) from None
        return self._start_sweep(spec.name, f"sweep {path.name} ({spec.kind})", {"file": str(path)})

    def start_frontier(self, scenario: Scenario) -> Job:
        """The budget frontier ($0-30B) of ``scenario`` into ``results/<name>_frontier/``."""
        from ..sweep.spec import spec_from_dict

        name = scenario.name[: 100 - len(FRONTIER_SUFFIX)] + FRONTIER_SUFFIX
        base = {key: value for key, value in scenario.to_dict().items() if key != "name"}
        settings = {
            "name": name,
            "description": f"Budget frontier $0-30B (step $0.5B) of the workbench scenario '{scenario.name}'",
            "base": base,
            "grid": {"budget_busd": dict(FRONTIER_BUDGETS)},
        }
        try:
            spec_from_dict(settings, source="<workbench frontier>")
        except InputError as error:
            raise Refused.from_input_error(error) from None
        return self._start_sweep(name, f"budget frontier of '{scenario.name}'", {"settings": settings})

    def _start_sweep(self, name: str, description: str, source: dict) -> Job:
        from ..sweep.store import check_output_target

        out = self.results_dir / name
        try:
            check_output_target(out)
        except InputError as error:
            raise Refused(409, " ".join(error.lines())) from None
        return self._start("sweep", name, description, {"source": source, "out": str(out)})

    def start_stress(self, portfolios: list[Path], scenarios: object, name: str = "stress") -> Job:
        """``optimiser stress`` of saved results (their builds as portfolios) under shipped scenarios."""
        if not isinstance(scenarios, list) or not scenarios:
            raise Refused(422, "choose one or more shipped scenarios to stress the portfolios under")
        if not isinstance(name, str) or not SCENARIO_NAME.fullmatch(name):
            raise Refused(422, f"'{name}' is not a result name")
        files = [str(shipped_file(self.scenarios_dir, scenario)) for scenario in scenarios]
        from ..store import check_output_target

        try:
            check_output_target(self.results_dir / name, "stress")
        except InputError as error:
            raise Refused(409, " ".join(error.lines())) from None
        description = f"stress {len(portfolios)} portfolio(s) under {len(files)} scenario(s)"
        job = self._start("stress", name, description, {
            "portfolios": [str(path) for path in portfolios], "scenarios": files, "out": str(self.results_dir / name),
        })
        job.total = len(portfolios) * len(files)
        return job

    def _start(self, kind: str, name: str, description: str, payload: dict) -> Job:
        with self._lock:
            running = [job for job in self._jobs.values() if job.state == "running"]
            if any(job.name == name for job in running):
                raise Refused(409, f"a job is already writing '{name}'; wait for it or cancel it")
            if len(running) >= self.max_running:
                raise Refused(409, f"{len(running)} jobs are running (at most {self.max_running}); wait for one or "
                              "cancel it")
            job = Job(id=secrets.token_hex(6), kind=kind, name=name, description=description)
            channel = self._context.Queue()
            process = self._context.Process(
                target=run_job, args=(kind, payload, str(self.inputs_dir), channel), name=f"optimiser-job-{job.id}",
                daemon=True,
            )
            process.start()
            job.process = process
            self._jobs[job.id] = job
        threading.Thread(target=self._watch, args=(job, channel), daemon=True, name=f"watch-{job.id}").start()
        logger.info("job %s started: %s (pid %s)", job.id, description, process.pid)
        return job

    # Watching ---------------------------------------------------------------------------------------------

    def _watch(self, job: Job, channel) -> None:
        """Apply the job's messages until its process ends; then settle its state."""
        process = job.process
        while True:
            try:
                self._apply(job, channel.get(timeout=0.25))
                continue
            except queue.Empty:
                pass
            except (EOFError, OSError, ValueError):  # the queue broke: the process was terminated mid-message
                break
            if not process.is_alive():
                break
        while True:  # what the process sent before it ended
            try:
                self._apply(job, channel.get_nowait())
            except (queue.Empty, EOFError, OSError, ValueError):
                break
        process.join()
        with self._lock:
            if job.cancel_requested and job.state == "running":
                job.state = "cancelled"
                job.message = _CANCELLED_WORDS[job.kind]
            elif job.state == "running":
                job.state = "failed"
                job.message = f"the job's process ended unexpectedly (exit code {process.exitcode})"
            job.ended = time.time()
        logger.info("job %s %s: %s", job.id, job.state, job.message)

    def _apply(self, job: Job, message: tuple) -> None:
        kind, *values = message
        with self._lock:
            if kind == "progress":
                job.done, job.total = int(values[0]), int(values[1])
            elif kind in ("finished", "failed") and not job.cancel_requested:
                job.state = kind
                job.message = str(values[0])

    # Reading and cancelling -------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise Refused(404, f"there is no job '{job_id}'")
        return job

    def views(self) -> list[dict]:
        with self._lock:
            return [job.view() for job in sorted(self._jobs.values(), key=lambda job: -job.started)]

    def cancel(self, job_id: str) -> Job:
        """Terminate a running job's process (a finished one is left as it is)."""
        job = self.get(job_id)
        with self._lock:
            if job.state != "running":
                return job
            job.cancel_requested = True
        job.process.terminate()
        job.process.join(timeout=10)
        if job.process.is_alive():
            job.process.kill()
        return job

    def shutdown(self) -> None:
        """Cancel every running job (the server is stopping)."""
        for view in self.views():
            if view["state"] == "running":
                self.cancel(view["id"])


_CANCELLED_WORDS = {
    "sweep": "cancelled: every scenario committed before the cancel is kept; run the same sweep again to resume it",
    "stress": "cancelled: nothing was written (a stress result is published whole or not at all)",
}


# In the job's process -------------------------------------------------------------------------------------


def run_job(kind: str, payload: dict, inputs: str, channel) -> None:
    """The job process's entry point: run the job, then send ``finished`` or ``failed`` with words."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        words = _sweep(payload, inputs, channel) if kind == "sweep" else _stress(payload, inputs, channel)
        channel.put(("finished", words))
    except OptimiserError as error:
        channel.put(("failed", " ".join(error.lines())))
    except Exception as error:  # a job's failure is reported on the page, never lost in a log
        logger.exception("job failed")
        channel.put(("failed", f"{type(error).__name__}: {error}"))


def _sweep(payload: dict, inputs: str, channel) -> str:
    from ..report import report_after_run
    from ..sweep import api
    from ..sweep.progress import Progress
    from ..sweep.spec import load_spec, spec_from_dict

    class Reporting(Progress):
        """The sweep's progress counter, also sent to the server."""

        def __init__(self, total: int, initial: int, label: str, mode: str) -> None:
            super().__init__(total, initial, label, "none")
            self._sent = 0.0
            channel.put(("progress", self.done, self.total))

        def update(self, count: int, not_optimal: int = 0) -> None:
            super().update(count, not_optimal)
            now = time.monotonic()
            if now - self._sent >= PROGRESS_INTERVAL_SECONDS or self.done >= self.total:
                self._sent = now
                channel.put(("progress", self.done, self.total))

    api.Progress = Reporting
    source = payload["source"]
    spec = load_spec(source["file"]) if "file" in source else spec_from_dict(source["settings"], source="<workbench frontier>")
    runs = api.sweep(spec, inputs=inputs, out=payload["out"], workers=1, progress=False)
    report = report_after_run(payload["out"])
    counts = ", ".join(f"{count} {status}" for status, count in runs["status"].value_counts().items())
    return f"{len(runs)} scenarios: {counts}" + ("" if report is not None else " (the report could not be drawn)")


def _stress(payload: dict, inputs: str, channel) -> str:
    from ..commands.stress import write_stress
    from ..inputs.load import load_inputs
    from ..portfolios.stress import stress
    from ..report import report_after_run
    from ..store import output_directory

    data = load_inputs(inputs)
    scenarios = [Scenario.from_toml(path) for path in payload["scenarios"]]
    for scenario in scenarios:
        scenario.check_against(data)
    total = len(payload["portfolios"]) * len(scenarios)
    channel.put(("progress", 0, total))
    with output_directory(payload["out"], "stress"):
        result = stress(data, payload["portfolios"], scenarios)
        write_stress(result, Path(payload["out"]))
        channel.put(("progress", total, total))
        report_after_run(payload["out"], data)
    best = f"; min-max-regret portfolio: {result.min_max_regret}" if result.min_max_regret else ""
    return f"{total} evaluations{best}"
