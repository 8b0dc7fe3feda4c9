"""The workbench's web application: one server-rendered page and the JSON API behind it (FastAPI).

Safety, all enforced here rather than in the page: request bodies over :data:`MAX_BODY_BYTES` are refused
(413); only the hosts the server was started for are answered (a web page that rebinds its own name to
127.0.0.1 gets 400); a request that changes something must be JSON from this origin (a cross-site form or
fetch gets 403/415); every scenario value goes through ``Scenario.from_dict`` and ``check_against`` (422
with each issue's key and message); no endpoint takes a path: results, scenario files and sweep files are
named, and names are checked as the command line checks them. Pages forbid loading anything from another
origin (Content-Security-Policy), and plotly.js is served from the installed package.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..errors import InputError
from ..inputs.load import load_inputs
from ..report.interactive import CONFIG
from ..scenario import Scenario
from .errors import Refused
from .form import form_schema
from .jobs import Jobs, shipped_file, shipped_names
from .library import Library
from .workbench import Workbench

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
"""The largest request body the server reads: a scenario is a few kB; anything near this is not one."""

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
STATIC_FILES = {"workbench.js": "text/javascript", "workbench.css": "text/css"}
"""The page's own files (package data in optimiser/serve/static/); nothing else is served from there."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)
"""Nothing from another origin, ever. Inline scripts are allowed for the saved reports, which are single
self-contained files that unpack plotly.js into an inline script (report/templates/report.js)."""

STATIC = Path(__file__).parent / "static"


# Requests -----------------------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SolveRequest(_Body):
    settings: dict[str, Any]


class SaveRequest(_Body):
    settings: dict[str, Any]
    overwrite: bool = False


class CompareRequest(_Body):
    names: list[str]
    name: str = "comparison"


class StressRequest(_Body):
    portfolios: list[str]
    scenarios: list[str]
    name: str = "stress"


class SweepRequest(_Body):
    file: str | None = None
    frontier_from: dict[str, Any] | None = None


# Middleware ---------------------------------------------------------------------------------------------


class BodyLimit:
    """Refuse (413) a request whose body is over ``limit`` bytes, by its Content-Length or as it arrives (the
    body is read here, at most ``limit`` bytes of it, and handed on whole)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)

    async def _refuse(self, send) -> None:
        body = json.dumps({"detail": f"the request body is over {self.limit // 1024} kB, the most this server reads",
                           "issues": []}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class SameOriginWrites:
    """A request that changes something (POST, PUT, PATCH, DELETE) must come from a page of this server (its
    Origin, when the browser sends one, names this host) and carry JSON: a form or script on another site
    cannot save, delete or start jobs."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
            origin = headers.get("origin")
            host = headers.get("host", "")
            if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
                await _send_json(send, 403, {"detail": "requests that change something must come from the workbench's own page",
                                             "issues": []})
                return
            content_type = headers.get("content-type", "").split(";")[0].strip()
            has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
            if has_body and content_type != "application/json":
                await _send_json(send, 415, {"detail": "the body must be JSON (Content-Type: application/json)", "issues": []})
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Content-Security-Policy and friends on every response."""

    HEADERS = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + self.HEADERS}
            await send(message)

        await self.app(scope, receive, with_headers)


def _replay(messages: list[dict], receive):
    """A ``receive`` that gives ``messages`` first, then whatever the client sends next (its disconnect)."""
    pending = list(messages)

    async def replayed():
        return pending.pop(0) if pending else await receive()

    return replayed


async def _send_json(send, status: int, value: dict) -> None:
    body = json.dumps(value).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# The page -----------------------------------------------------------------------------------------------


def _templates() -> jinja2.Environment:
    from ..report.html import template_environment

    return template_environment("optimiser.serve")


@functools.lru_cache(maxsize=1)
def _plotly_gzip() -> bytes:
    """plotly.js as the reports embed it (report/html.py ``plotly_payload``: gzip, fixed bytes), unpacked from
    base64 once: served with ``Content-Encoding: gzip``."""
    from ..report.html import plotly_payload

    return base64.b64decode(plotly_payload())


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


# The application ----------------------------------------------------------------------------------------


def create_app(inputs_dir: str | Path = "inputs", results_dir: str | Path = "results", *,
               allowed_hosts: tuple[str, ...] = (), prepare: bool = True) -> FastAPI:
    """The workbench over the input tables in ``inputs_dir``, saving under ``results_dir``.

    ``allowed_hosts``: host names the server answers besides the local ones (``--host``). ``prepare``: build
    and solve the default scenario in the background at start-up, so the first page load is warm. Raises
    InputError for inputs that do not load.
    """
    inputs_dir, results_dir = Path(inputs_dir), Path(results_dir)
    data = load_inputs(inputs_dir)
    workbench = Workbench(data)
    library = Library(results_dir, data)
    jobs = Jobs(inputs_dir, results_dir)
    default_file = inputs_dir / "scenarios" / "base.toml"
    default_settings = Scenario.from_toml(default_file).to_dict() if default_file.is_file() else Scenario().to_dict()
    schema = form_schema(data)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if prepare:
            threading.Thread(target=_prepare, args=(workbench, default_settings), daemon=True, name="prepare").start()
        yield
        jobs.shutdown()

    app = FastAPI(title="optimiser workbench", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.workbench, app.state.library, app.state.jobs = workbench, library, jobs
    app.add_middleware(SameOriginWrites)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=[*LOCAL_HOSTS, *allowed_hosts])
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError) -> JSONResponse:
        return JSONResponse(Refused.from_input_error(error).body(), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        issues = [{"key": ".".join(str(part) for part in item.get("loc", ())[1:]), "message": item.get("msg", "")}
                  for item in error.errors()]
        detail = "; ".join(f"{issue['key'] or 'body'}: {issue['message']}" for issue in issues)
        return JSONResponse({"detail": f"the request is not what this endpoint takes: {detail}", "issues": issues},
                            status_code=422)

    # Page and its files ------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        html = _templates().get_template("workbench.html.j2").render(
            version=__version__,
            inputs=str(inputs_dir),
            results=str(results_dir),
            schema_json=_script_json(schema),
            settings_json=_script_json(default_settings),
            config_json=_script_json(CONFIG),
            max_body_kb=MAX_BODY_BYTES // 1024,
        )
        return HTMLResponse(html)

    @app.get("/static/plotly.js")
    def plotly_js(request: Request) -> Response:
        packed = _plotly_gzip()
        headers = {"cache-control": "max-age=86400"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(packed, media_type="text/javascript", headers={**headers, "content-encoding": "gzip"})
        return Response(gzip.decompress(packed), media_type="text/javascript", headers=headers)

    @app.get("/static/{name}")
    def static(name: str) -> FileResponse:
        if name not in STATIC_FILES:
            raise Refused(404, f"no static file '{name}'")
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    # Scenarios ----------------------------------------------------------------------------------------

    @app.get("/api/schema")
    def get_schema() -> dict:
        return schema

    @app.get("/api/catalog")
    def catalog() -> dict:
        return {
            "scenarios": shipped_names(jobs.scenarios_dir),
            "sweeps": shipped_names(jobs.sweeps_dir),
            "results": library.entries(),
            "default": default_settings,
        }

    @app.get("/api/scenarios/{name}")
    def shipped_scenario(name: str) -> dict:
        return {"name": name, "settings": Scenario.from_toml(shipped_file(jobs.scenarios_dir, name)).to_dict()}

    @app.post("/api/solve")
    def solve(request: SolveRequest) -> JSONResponse:
        return JSONResponse(workbench.solve(request.settings))  # plain JSON already: no second encoding pass

    # Results ------------------------------------------------------------------------------------------

    @app.post("/api/save")
    def save(request: SaveRequest) -> dict:
        return library.save(workbench.scenario(request.settings), overwrite=request.overwrite)

    @app.get("/api/results")
    def results() -> list[dict]:
        return library.entries()

    @app.get("/api/results/{name}")
    def result(name: str) -> dict:
        return library.describe(name)

    @app.get("/api/results/{name}/scenario")
    def result_scenario(name: str) -> dict:
        return {"name": name, "settings": library.scenario_settings(name)}

    @app.delete("/api/results/{name}")
    def delete(name: str) -> dict:
        if any(job["name"] == name and job["state"] == "running" for job in jobs.views()):
            raise Refused(409, f"a job is writing '{name}'; cancel it first")
        library.delete(name)
        return {"deleted": name}

    @app.get("/results/{name}/{file:path}")
    def result_file(name: str, file: str, download: bool = False) -> FileResponse:
        path = library.file(name, file)
        media = {".html": "text/html", ".csv": "text/csv", ".json": "application/json", ".toml": "text/plain",
                 ".png": "image/png"}.get(path.suffix, "application/octet-stream")
        filename = f"{name}-{file.replace('/', '-')}"
        disposition = "attachment" if download or path.suffix not in (".html", ".png") else "inline"
        return FileResponse(path, media_type=media, filename=filename, content_disposition_type=disposition)

    @app.post("/api/compare")
    def compare(request: CompareRequest) -> dict:
        return library.compare(request.names, request.name)

    # Jobs ---------------------------------------------------------------------------------------------

    @app.post("/api/stress")
    def start_stress(request: StressRequest) -> dict:
        portfolios = [library.directory(name) for name in request.portfolios]
        if not portfolios:
            raise Refused(422, "choose one or more saved results to stress")
        return jobs.start_stress(portfolios, request.scenarios, request.name).view()

    @app.post("/api/sweeps")
    def start_sweep(request: SweepRequest) -> dict:
        if (request.file is None) == (request.frontier_from is None):
            raise Refused(422, "give either file (a sweep file of inputs/sweeps) or frontier_from (scenario settings)")
        if request.file is not None:
            return jobs.start_sweep_file(request.file).view()
        return jobs.start_frontier(workbench.scenario(request.frontier_from)).view()

    @app.get("/api/jobs")
    def list_jobs() -> list[dict]:
        return jobs.views()

    @app.get("/api/jobs/{job_id}")
    def job(job_id: str) -> dict:
        return jobs.get(job_id).view()

    @app.post("/api/jobs/{job_id}/cancel")
    def cancel(job_id: str) -> dict:
        return jobs.cancel(job_id).view()

    return app


def _prepare(workbench: Workbench, settings: dict) -> None:
    """Build and solve the default scenario once, in the background (failures are the page's to show)."""
    try:
        workbench.prepare(settings)
        logger.info("the default scenario's model is built and solved: the first page load is warm")
    except Exception as error:  # only a head start: the page's own solve reports any problem
        logger.warning("could not prepare the default scenario: %s", error)
