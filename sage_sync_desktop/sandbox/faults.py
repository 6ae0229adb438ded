"""Fault injection and the request counter of the sandbox.

Rules match the endpoint key "METHOD /path/{template}" (or the concrete path) with shell-style
wildcards, e.g. "POST /rest/v1.0/prime_contract" or "* /rest/v1.0/prime_contracts/*". Each rule
can skip its first N matches, fire a number of times (or forever) and fire at random with a
seeded probability, so fault runs are repeatable.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass

ACTIONS = ("status", "reset", "delay")


@dataclass
class FaultRule:
    endpoint: str
    action: str  # "status" (answer with `status`), "reset" (drop the connection), "delay"
    status: int = 500
    seconds: float = 0.0
    # "before": the request is not processed; "after": processed, then the fault hits the answer.
    phase: str = "before"
    times: int | None = 1  # None = every match
    skip: int = 0
    probability: float = 1.0
    retry_after: float | None = None
    fired: int = 0
    seen: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


class FaultPlan:
    """The faults to inject; thread-safe, controllable in-process and over /_sandbox/faults."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def seed(self, seed: int) -> None:
        with self._lock:
            self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        if rule.action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        if rule.phase not in ("before", "after"):
            raise ValueError("phase must be 'before' or 'after'")
        with self._lock:
            self._rules.append(rule)
        return rule

    def fail(self, endpoint: str, status: int = 500, *, times: int | None = 1, skip: int = 0,
             probability: float = 1.0, retry_after: float | None = None, after_processing: bool = False) -> FaultRule:
        """Answer matching requests with `status` (500, 503, 429...)."""
        return self.add(FaultRule(endpoint, "status", status=status, times=times, skip=skip,
                                  probability=probability, retry_after=retry_after,
                                  phase="after" if after_processing else "before"))

    def reset_connection(self, endpoint: str, *, times: int | None = 1, skip: int = 0, probability: float = 1.0,
                         after_processing: bool = False) -> FaultRule:
        """Drop the connection (TCP reset) instead of answering; optionally after doing the work."""
        return self.add(FaultRule(endpoint, "reset", times=times, skip=skip, probability=probability,
                                  phase="after" if after_processing else "before"))

    def delay(self, endpoint: str, seconds: float, *, times: int | None = None, skip: int = 0,
              probability: float = 1.0, after_processing: bool = True) -> FaultRule:
        """Add latency; by default after the work is done, like a slow answer on a busy network."""
        return self.add(FaultRule(endpoint, "delay", seconds=seconds, times=times, skip=skip,
                                  probability=probability, phase="after" if after_processing else "before"))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict]:
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def take(self, endpoint: str, path: str, phase: str) -> list[FaultRule]:
        """The rules that fire for this request in this phase, counted as fired: every delay, then
        at most one rule that ends the request (an answer or a reset).

        Once one ending rule fires, later ending rules still count the match (for `skip`) but
        neither fire nor draw a random number: the client can meet only one of them, and `fired`
        must say what the client met.
        """
        delays: list[FaultRule] = []
        ending: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if rule.phase != phase:
                    continue
                if not (fnmatch.fnmatchcase(endpoint, rule.endpoint)
                        or fnmatch.fnmatchcase(f"{endpoint.split(' ')[0]} {path}", rule.endpoint)):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                if rule.action != "delay" and ending is not None:
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.action == "delay":
                    delays.append(rule)
                else:
                    ending = rule
        return delays + ([ending] if ending is not None else [])


class RequestCounter:
    """Requests served, per "METHOD /path/{template}"."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, endpoint: str) -> None:
        with self._lock:
            self._counts[endpoint] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {"total": sum(self._counts.values()), "by_endpoint": dict(self._counts)}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
