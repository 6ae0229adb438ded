"""Run one measurement in a fresh Python process, so its memory and timing are its own.

The parent sends a JSON payload on standard input (secrets travel this way, never on a command
line) and reads the child's JSON result from the last line of its standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

RESULT_MARKER = "BENCH-RESULT "


class ChildFailed(RuntimeError):
    """A measurement process exited without a result."""


def run_child(args: Sequence[str], payload: dict[str, Any], *, timeout: float,
              env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python <args>` with `payload` on stdin; its result dict."""
    command = [sys.executable, *args]
    child_env = dict(os.environ)
    child_env.update(env or {})
    try:
        done = subprocess.run(command, input=json.dumps(payload), capture_output=True, text=True,
                              timeout=timeout, env=child_env, encoding="utf-8")
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"{' '.join(args)} did not finish within {timeout:.0f} s") from None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER):])
            if "error" in result:
                raise ChildFailed(f"{' '.join(args)}: {result['error']}")
            return result
    tail = (done.stderr or done.stdout).strip()[-1500:]
    raise ChildFailed(f"{' '.join(args)} exited with {done.returncode} and no result: {tail}")


def read_payload() -> dict[str, Any]:
    return json.loads(sys.stdin.read() or "{}")


def emit(result: dict[str, Any]) -> None:
    print(RESULT_MARKER + json.dumps(result), flush=True)


def child_main(measure: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """A measurement process's main: payload in, `measure(payload)` out as the result line; any
    error is reported to the parent (which prints it) instead of a traceback."""
    payload = read_payload()
    try:
        result = measure(payload)
    except Exception as exc:
        emit({"error": f"{type(exc).__name__}: {exc}"})
        raise SystemExit(1) from None
    emit(result)
