"""The local Procore sandbox in its own process, as `sage-sync-desktop sandbox` runs it, so its
CPU time and memory are not counted as the app's. Controlled over its /_sandbox/ endpoints."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class SandboxProcess:
    """`with SandboxProcess(state, app_dir) as sb:` then sb.info["url"], sb.request_count()."""

    def __init__(self, state: Path, app_dir: Path, *, start_timeout: float = 60.0,
                 rate_limit: str = "1000000/100000", latency_ms: int = 0) -> None:
        # The defaults keep the loopback bench unthrottled; the `sandbox` command alone would
        # apply Procore's documented 3600/100.
        self.rate_limit = rate_limit
        self.latency_ms = latency_ms
        self.state = Path(state)
        self.app_dir = Path(app_dir)
        self.start_timeout = start_timeout
        self.info: dict[str, Any] = {}
        self._process: subprocess.Popen[str] | None = None
        self._stderr: list[str] = []

    def start(self) -> SandboxProcess:
        command = [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(self.app_dir),
                   "sandbox", "--state", str(self.state), "--rate-limit", self.rate_limit,
                   "--latency-ms", str(self.latency_ms)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, encoding="utf-8")
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        if not line or not line[0].strip():
            self.stop()
            raise RuntimeError("the sandbox process did not start: " + "".join(self._stderr)[-800:])
        self.info = json.loads(line[0])
        return self

    def _drain_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for text in self._process.stderr:
            self._stderr.append(text)

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        self._process = None

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return str(self.info["url"])

    def control(self, method: str, path: str, body: dict | None = None) -> Any:
        return control(self.url, method, path, body)

    def request_count(self) -> int:
        return int(self.control("GET", "/_sandbox/requests")["total"])

    def request_counts(self) -> dict[str, Any]:
        return self.control("GET", "/_sandbox/requests")

    def reset_counts(self) -> None:
        self.control("DELETE", "/_sandbox/requests")

    def fresh_rate_windows(self) -> int:
        """Start new hourly and spike windows at the same limits; returns the 429s the sandbox
        answered since the windows last started."""
        state = self.control("GET", "/_sandbox/rate_limit")
        self.control("PUT", "/_sandbox/rate_limit", {"hourly": state["hourly"], "spike": state["spike"]})
        return int(state["refused"])


def control(url: str, method: str, path: str, body: dict | None = None) -> Any:
    """One call to a sandbox's /_sandbox/ controls (they only listen on 127.0.0.1)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        raw = response.read()
    return json.loads(raw) if raw else None
