"""Fault-injection fixtures and the end-of-session summary of runs and faults survived."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.faults.fault_world import FaultWorld, build_world

SEEDS = (1, 2, 3)


@dataclass
class FaultLedger:
    """What each scenario run met: faults by kind, contracts that failed and were run again."""

    runs: list[dict] = field(default_factory=list)

    def record(self, scenario: str, seed: int, faults: Counter, *, survived: bool, failed_contracts: int = 0,
               rounds: int = 1, write_faults: Counter | None = None, retried: Counter | None = None,
               recovered: int = 0) -> None:
        self.runs.append({"scenario": scenario, "seed": seed, "faults": dict(faults), "survived": survived,
                          "failed_contracts": failed_contracts, "rounds": rounds,
                          "write_faults": dict(write_faults or {}), "retried": dict(retried or {}),
                          "recovered": recovered})

    def summary_lines(self) -> list[str]:
        if not self.runs:
            return []
        survived = [run for run in self.runs if run["survived"]]
        faults: Counter = Counter()
        for run in survived:
            faults.update(run["faults"])
        lines = [f"{len(survived)} of {len(self.runs)} fault runs survived (Procore equal to Sage line for "
                 f"line, no duplicates, Procore-only lines untouched, failures in the history); "
                 f"{sum(faults.values())} faults injected and survived:"]
        lines += [f"  {kind}: {count}" for kind, count in sorted(faults.items())]
        per_scenario: dict[str, list[dict]] = {}
        for run in self.runs:
            per_scenario.setdefault(run["scenario"], []).append(run)
        for scenario, runs in per_scenario.items():
            total = sum(sum(run["faults"].values()) for run in runs)
            failed = sum(run["failed_contracts"] for run in runs)
            lines.append(f"  {scenario}: {sum(r['survived'] for r in runs)}/{len(runs)} seeds, {total} faults, "
                         f"{failed} contract runs failed and were finished by running again")
            write_faults = sum(sum(r["write_faults"].values()) for r in runs)
            retried: Counter = Counter()
            for run in runs:
                retried.update(run["retried"])
            recovered = sum(r["recovered"] for r in runs)
            if write_faults or retried:
                served = (f"{write_faults} faults served to writes, every one recorded (cause for cause); "
                          if write_faults else "")
                lines.append(f"    history: {served}resends recorded {dict(sorted(retried.items()))}")
            if recovered:
                lines.append(f"    history: {recovered} killed runs closed by a 'recovered' entry")
        return lines


LEDGER = FaultLedger()


@pytest.fixture
def ledger() -> FaultLedger:
    return LEDGER


@pytest.fixture(params=SEEDS, ids=lambda seed: f"seed{seed}")
def world(request, tmp_path) -> Iterator[FaultWorld]:
    built = build_world(tmp_path, request.param)
    try:
        yield built
    finally:
        built.sandbox.stop()


def pytest_terminal_summary(terminalreporter) -> None:
    lines = LEDGER.summary_lines()
    if lines:
        terminalreporter.section("fault injection")
        for line in lines:
            terminalreporter.write_line(line)
