"""`optimiser serve`: the planner's workbench in the browser (docs/workbench.md).

FastAPI and uvicorn are imported inside ``execute``, so ``optimiser --help`` and the other commands do not
load them.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ..errors import EXIT_OK, UsageError
from .common import DEFAULT_INPUTS, DEFAULT_RESULTS

NAME = "serve"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME,
        help="start the workbench: edit a scenario in the browser and see the plan re-solved on every change",
        description="Serve the workbench at http://HOST:PORT/: a scenario form, the plan re-solved warm on every "
        "change, saving results as `optimiser run` does, comparisons, stress tests and sweeps. Binds 127.0.0.1 "
        "(this machine only) unless --host says otherwise. docs/workbench.md.",
    )
    parser.add_argument("--inputs", type=Path, default=DEFAULT_INPUTS, help="input tables directory (default: inputs)")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="where results are saved and read (default: results)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default 127.0.0.1: this machine only). WARNING: any other address "
                        "lets everyone who can reach it run solves and save, overwrite and delete results here; "
                        "there is no login")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")


def execute(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: expected a port from 1 to 65535")
    import uvicorn

    from ..serve.app import create_app

    if args.host not in LOCAL_HOSTS:
        logging.getLogger(__name__).warning(
            "serving on %s: anyone who can reach this address can run solves and save, overwrite and delete "
            "results in %s (there is no login)", args.host, args.results)
    app = create_app(args.inputs, args.results, allowed_hosts=_allowed_hosts(args.host))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"workbench at http://{shown}:{args.port}/ (inputs {args.inputs}, results {args.results}); Ctrl-C stops it")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def _allowed_hosts(host: str) -> tuple[str, ...]:
    """Host names the server answers besides the local ones: the address it listens on, or any when it listens
    on every interface (the Host check guards a local server against DNS rebinding; on a network it is shared
    anyway)."""
    if host in LOCAL_HOSTS:
        return ()
    return ("*",) if host in ("0.0.0.0", "::") else (host,)
