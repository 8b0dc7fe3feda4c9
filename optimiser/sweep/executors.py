"""Where chains of scenarios are solved: in this process, in a local process pool, or on a Dask cluster.

Each executor takes chains (see :mod:`.plan`), cuts them into chunks of at most ``CHUNK`` scenarios and
yields each chunk's results as soon as it is solved, so that the caller commits them and reports progress
while the rest runs. A worker keeps its resolvers (one built model per structural group) between chunks,
so the next chunk of a chain continues warm from the previous one:

* :class:`InProcessExecutor` solves the chains one after the other in the calling process.
* :class:`LocalPoolExecutor` runs one worker process per slot (``--workers N``, by default one per core);
  a slot solves one chain at a time, chunk by chunk, so a chain stays on one process. A process that dies
  fails only the scenarios of its chunk (recorded as ``failed``); the slot gets a fresh process.
* :class:`DaskExecutor` submits the chunks to a ``dask.distributed`` cluster, each chain's next chunk to
  the worker that solved the previous one where the scheduler allows it.

A scenario that raises is recorded as ``failed`` with its error and the chain goes on with a fresh build.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import socket
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ..errors import InputError, InputIssue
from ..inputs.data import InputData
from .plan import Task
from .resolve import Outcome, Resolver

logger = logging.getLogger(__name__)

CHUNK = 8
"""Scenarios per unit of work sent to a worker: results are committed and reported per chunk."""

RESOLVERS_PER_WORKER = 2
"""Built models a worker keeps (one per structural group; the least recently used is dropped)."""

HIGHS_THREADS = 1
"""HiGHS threads per worker: parallelism comes from the workers, one chain each."""


@dataclass
class ScenarioResult:
    """A solved (or failed) scenario as a worker returns it."""

    id: str
    status: str
    outcome: Outcome | None = None
    error: str | None = None
    build_seconds: float = 0.0
    worker: str = ""


DASK_CONNECT_TIMEOUT_SECONDS = 10.0
"""How long connecting to a Dask scheduler may take before the sweep gives up (exit 2, one line)."""

DASK_SCHEMES: tuple[str, ...] = ("tcp", "tls", "ws", "wss")
"""Schemes of a ``--dask-scheduler`` address (an address without one is ``tcp``)."""

_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)$")


def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cap_workers(requested: int) -> tuple[int, str | None]:
    """``requested`` local workers, capped at the cores available (more processes than cores only
    compete for them); with a note saying so when capped."""
    cores = default_workers()
    if requested <= cores:
        return requested, None
    plural = "s" if cores != 1 else ""
    return cores, f"{requested} workers asked for, but only {cores} core{plural} available: using {cores} worker{plural}"


def dask_address_problem(address: str) -> str | None:
    """What is wrong with the form of a Dask scheduler address (None when it is ``[scheme://]host:port``
    with a scheme of :data:`DASK_SCHEMES` and a port 1-65535); checked before connecting."""
    scheme, separator, rest = address.strip().rpartition("://")
    if separator and scheme not in DASK_SCHEMES:
        return f"unknown scheme '{scheme}://' (use {', '.join(f'{known}://' for known in DASK_SCHEMES)})"
    host, colon, port = rest.rpartition(":")
    if not colon or not host:
        return "expected [tcp://]host:port, e.g. tcp://127.0.0.1:8786"
    if not _HOST.match(host):
        return f"'{host}' is not a host name or IP address"
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"the port must be a number from 1 to 65535, got '{port}'"
    return None


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


_LOCAL = threading.local()


def _resolvers(token: str) -> OrderedDict:
    """This thread's resolvers, emptied when a new sweep (token) starts."""
    cache = getattr(_LOCAL, "resolvers", None)
    if cache is None or getattr(_LOCAL, "token", None) != token:
        cache = OrderedDict()
        _LOCAL.resolvers, _LOCAL.token = cache, token
    return cache


def _forget_resolvers() -> None:
    """Drop this thread's built models (the in-process executor, when its sweep ends)."""
    _LOCAL.resolvers, _LOCAL.token = None, None


def solve_chunk(tasks: list[Task], data: InputData, token: str) -> list[ScenarioResult]:
    """Solve ``tasks`` in order with this thread's resolvers; never raises for a scenario's failure."""
    cache = _resolvers(token)
    results = []
    for task in tasks:
        build_seconds = 0.0
        try:
            resolver = cache.get(task.group)
            if resolver is None:
                resolver = Resolver(data, task.scenario, threads=HIGHS_THREADS)
                build_seconds = resolver.build_seconds
                cache[task.group] = resolver
                if len(cache) > RESOLVERS_PER_WORKER:
                    cache.popitem(last=False)
            cache.move_to_end(task.group)
            outcome = resolver.solve(task.scenario)
            results.append(ScenarioResult(task.id, outcome.status, outcome, None, build_seconds, _worker_name()))
        except Exception as error:  # noqa: BLE001 - a failed scenario is recorded, the sweep goes on
            cache.pop(task.group, None)
            logger.warning("scenario %s (%s) failed: %s", task.id, task.scenario.name, error)
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            results.append(ScenarioResult(task.id, "failed", None, detail, build_seconds, _worker_name()))
    return results


def _chunks(chain: list[Task]) -> list[list[Task]]:
    return [chain[i : i + CHUNK] for i in range(0, len(chain), CHUNK)]


def _failed(tasks: list[Task], error: str) -> list[ScenarioResult]:
    return [ScenarioResult(task.id, "failed", None, error) for task in tasks]


class InProcessExecutor:
    """Solve every chain here, one after the other."""

    slots = 1

    def __init__(self, data: InputData) -> None:
        self.data = data

    def run(self, chains: list[list[Task]]) -> Iterator[list[ScenarioResult]]:
        token = uuid.uuid4().hex
        try:
            for chain in chains:
                for chunk in _chunks(chain):
                    yield solve_chunk(chunk, self.data, token)
        finally:
            _forget_resolvers()


_POOL_DATA: InputData | None = None
_POOL_TOKEN = ""


def _pool_initialise(data: InputData, token: str) -> None:
    global _POOL_DATA, _POOL_TOKEN
    _POOL_DATA, _POOL_TOKEN = data, token


def _pool_chunk(tasks: list[Task]) -> list[ScenarioResult]:
    return solve_chunk(tasks, _POOL_DATA, _POOL_TOKEN)


class LocalPoolExecutor:
    """One worker process per slot (spawned: no state shared with the caller), one chain per slot."""

    def __init__(self, data: InputData, workers: int) -> None:
        self.data = data
        self.slots = max(1, workers)

    def _process(self, token: str) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_pool_initialise,
            initargs=(self.data, token),
        )

    def run(self, chains: list[list[Task]]) -> Iterator[list[ScenarioResult]]:
        token = uuid.uuid4().hex
        waiting = [_chunks(chain) for chain in chains]
        waiting.reverse()
        slots = min(self.slots, len(waiting))
        processes = [self._process(token) for _ in range(slots)]
        remaining: list[list[list[Task]]] = [[] for _ in range(slots)]
        running: dict = {}

        def submit(slot: int) -> None:
            if not remaining[slot] and waiting:
                remaining[slot] = waiting.pop()
            if remaining[slot]:
                chunk = remaining[slot].pop(0)
                running[processes[slot].submit(_pool_chunk, chunk)] = (slot, chunk)

        try:
            for slot in range(slots):
                submit(slot)
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    slot, chunk = running.pop(future)
                    try:
                        results = future.result()
                    except BrokenProcessPool as error:
                        logger.warning("worker process %d died: %s; starting a new one", slot, error)
                        processes[slot].shutdown(wait=False, cancel_futures=True)
                        processes[slot] = self._process(token)
                        results = _failed(chunk, f"the worker process died ({error})")
                    except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be pickled
                        results = _failed(chunk, f"{type(error).__name__}: {error}")
                    submit(slot)
                    yield results
        finally:
            for process in processes:
                process.shutdown(wait=True, cancel_futures=True)


def _dask_chunk(tasks: list[Task], data: InputData, token: str) -> tuple[str, list[ScenarioResult]]:
    from distributed import get_worker

    return get_worker().address, solve_chunk(tasks, data, token)


def check_dask_address(address: str) -> None:
    """Raise InputError (exit 2, naming ``--dask-scheduler``) for an address of the wrong form."""
    problem = dask_address_problem(address)
    if problem is not None:
        raise InputError(InputIssue("--dask-scheduler", f"'{address}' is not a scheduler address: {problem}"))


class DaskExecutor:
    """Chunks on a ``dask.distributed`` cluster; one chain per worker thread of the cluster."""

    def __init__(self, data: InputData, address: str | object, connect_timeout: float | None = None) -> None:
        from distributed import Client

        self.data = data
        self._own_client = isinstance(address, str)
        if self._own_client:
            check_dask_address(address)
        timeout = DASK_CONNECT_TIMEOUT_SECONDS if connect_timeout is None else connect_timeout
        try:
            self.client = Client(address, timeout=timeout) if self._own_client else address
        except (OSError, TimeoutError, ValueError) as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            raise InputError(
                InputIssue("--dask-scheduler", f"cannot reach the Dask scheduler at {address} within {timeout:g} s: {reason}")
            ) from None
        self.slots = max(1, sum(self.client.nthreads().values()))

    def run(self, chains: list[list[Task]]) -> Iterator[list[ScenarioResult]]:
        from distributed import as_completed

        token = uuid.uuid4().hex
        started = time.perf_counter()
        data = self.client.scatter(self.data, broadcast=True, hash=False)
        pending: dict[str, tuple[object, list[Task], list[list[Task]]]] = {}
        futures = as_completed()

        def submit(chunks: list[list[Task]], worker: str | None) -> None:
            placement = {"workers": [worker], "allow_other_workers": True} if worker else {}
            future = self.client.submit(_dask_chunk, chunks[0], data, token, pure=False, **placement)
            pending[future.key] = (future, chunks[0], chunks[1:])
            futures.add(future)

        for chain in chains:
            submit(_chunks(chain), None)
        logger.info("submitted %d chains to %d Dask worker threads", len(chains), self.slots)
        try:
            for future in futures:
                _, chunk, rest = pending.pop(future.key)
                worker = None
                try:
                    worker, results = future.result()
                except Exception as error:  # noqa: BLE001 - the chunk's scenarios are recorded as failed
                    results = _failed(chunk, f"{type(error).__name__}: {error}")
                if rest:
                    submit(rest, worker)
                future.release()
                yield results
        finally:
            for future, _, _ in pending.values():
                future.cancel()
            logger.info("Dask chains finished in %.1f s", time.perf_counter() - started)

    def close(self) -> None:
        if self._own_client:
            self.client.close()
