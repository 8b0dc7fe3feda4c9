"""Open a report in headless Chromium over the DevTools protocol and record what a reader's browser would see.

The protocol runs over ``--remote-debugging-pipe`` (JSON messages ended by NUL on file descriptors 3 and 4),
so nothing but the standard library is needed: no websocket client, no driver download. A run records
console errors, uncaught exceptions, failed requests and any request that would leave the machine, and
takes a screenshot once the page says its charts are drawn (``<body data-charts>``).

``python -m tests.report.browser REPORT.html OUT.png [HEIGHT]`` saves a screenshot (the README's is made so).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import itertools
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
"""Requests with these schemes stay on the machine; any other would go to the network."""


def find_chromium() -> str | None:
    """The Chromium executable (Debian's ``chromium`` package), or None."""
    for candidate in CHROMIUM_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@dataclass
class PageVisit:
    """What happened when a page was opened: problems in words, the charts' final state, a PNG screenshot."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    charts: str | None = None
    screenshot: bytes = b""


class DevToolsPipe:
    """A Chromium process driven over the DevTools protocol on a pipe."""

    def __init__(self, executable: str, user_data_dir: Path, width: int, height: int) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # Chromium reads commands on descriptor 3 and writes answers on 4. bash moves the pipe ends there; they
        # are first copied to descriptors >= 10 so that neither can be one of 3 and 4 (and be overwritten).
        child_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
        child_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
        arguments = [*FLAGS, f"--user-data-dir={user_data_dir}", f"--window-size={width},{height}", "about:blank"]
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{child_read} 4>&{child_write} {child_read}<&- {child_write}>&-', executable, *arguments],
            pass_fds=(child_read, child_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for descriptor in (to_browser_read, from_browser_write, child_read, child_write):
            os.close(descriptor)
        self._ids = itertools.count(1)
        self._messages: queue.Queue[dict | None] = queue.Queue()
        self._pending: dict[int, dict] = {}
        self.events: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as stream:
            while chunk := stream.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._messages.put(json.loads(message))
        self._messages.put(None)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        """Send one command and wait for its answer; events that arrive meanwhile are kept in ``events``."""
        ident = next(self._ids)
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while ident not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer to {method} in {timeout} s")
            try:
                received = self._messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if received is None:
                raise ConnectionError(f"Chromium closed the pipe while waiting for {method}")
            if "id" in received:
                self._pending[received["id"]] = received
            else:
                self.events.append(received)
        answer = self._pending.pop(ident)
        if "error" in answer:
            raise RuntimeError(f"{method} failed: {answer['error']}")
        return answer.get("result", {})

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError, OSError):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)


def _problems(visit: PageVisit, events: list[dict]) -> None:
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            visit.console_errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            visit.console_errors.append(
                f"uncaught: {details.get('exception', {}).get('description') or details.get('text')}"
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            visit.console_errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.loadingFailed":
            visit.failed_requests.append(f"{params.get('errorText')} ({params.get('requestId')})")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not url.startswith(LOCAL_SCHEMES):
                visit.external_requests.append(url)
        elif method == "Network.responseReceived":
            response = params.get("response", {})
            if int(response.get("status") or 0) >= 400:
                visit.failed_requests.append(f"HTTP {response.get('status')} {response.get('url')}")


class Browser:
    """One headless Chromium (own throw-away profile) that opens pages one tab at a time."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 1400) -> None:
        self.width, self.height = width, height
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self._pipe = DevToolsPipe(executable, Path(self._profile.name), width, height)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pipe.close()
        self._profile.cleanup()

    def visit(self, page: Path, *, height: int | None = None, timeout: float = 45) -> PageVisit:
        """Open ``page`` from a file:// URL in a new tab, wait until its charts are drawn (or failed, or it has
        none), screenshot the viewport, and report every problem seen on the way."""
        url = Path(page).resolve().as_uri()
        record = PageVisit(url=url)
        browser = self._pipe
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in ("Runtime", "Log", "Network", "Page"):
                browser.call(f"{domain}.enable", session=session)
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": self.width, "height": height or self.height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            navigation = browser.call("Page.navigate", {"url": url}, session=session)
            if navigation.get("errorText"):
                record.failed_requests.append(f"navigation: {navigation['errorText']}")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                state = browser.call(
                    "Runtime.evaluate",
                    {"expression": "document.readyState === 'complete' ? document.body.dataset.charts : null", "returnByValue": True},
                    session=session,
                )["result"].get("value")
                if state in ("ready", "failed", "none"):
                    record.charts = state
                    break
                time.sleep(0.1)
            shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
            record.screenshot = base64.b64decode(shot["data"])
        finally:
            browser.call("Target.closeTarget", {"targetId": target})
        _problems(record, [event for event in browser.events if event.get("sessionId") == session])
        return record


def main(argv: list[str]) -> int:
    """Save a screenshot of a report: ``REPORT.html OUT.png [HEIGHT]``."""
    executable = find_chromium()
    if executable is None:
        print("chromium not found", file=sys.stderr)
        return 1
    height = int(argv[2]) if len(argv) > 2 else 1400
    with Browser(executable, height=height) as browser:
        record = browser.visit(Path(argv[0]))
    Path(argv[1]).write_bytes(record.screenshot)
    problems = record.console_errors + record.failed_requests + record.external_requests
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"charts {record.charts}; screenshot {argv[1]} ({len(record.screenshot)} bytes)")
    return 1 if problems or record.charts != "ready" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
