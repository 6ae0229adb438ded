"""Sage read against the bare driver: the reader's whole-company read timed against plain
`cursor.fetchall()` of the very same SELECTs through the same ODBC driver, in one process.

Run as `python -m sage_sync_desktop.bench.fetch_probe` with a JSON payload on stdin:
{"connection_string": ..., "naming": "legacy", "repeats": 3}. Each round times a bare fetch and
a reader read back to back (after one untimed warm-up fetch so the file is in the OS cache for
both); the best round of each is kept, so one hiccup of the machine does not decide the ratio.
"""

from __future__ import annotations

import gc
import time
from functools import partial
from typing import Any

from sage_sync_desktop.bench.child_process import child_main
from sage_sync_desktop.sage.odbc_connection import connect_odbc
from sage_sync_desktop.sage.sage_reader import SageReader, select_sql
from sage_sync_desktop.sage.table_mapping import LOGICAL_TABLES, TableMapping


def bare_fetch(connect: Any, mapping: TableMapping) -> tuple[float, int]:
    """Seconds to connect and fetchall() every row the reader selects; and the row count."""
    started = time.perf_counter()
    rows = 0
    with connect() as connection:
        for logical in LOGICAL_TABLES:
            cursor = connection.execute(select_sql(mapping, logical))
            fetched = cursor.fetchall()
            rows += len(fetched)
            cursor.close()
            del fetched
    return time.perf_counter() - started, rows


def reader_read(connect: Any, mapping: TableMapping) -> tuple[float, int]:
    started = time.perf_counter()
    company = SageReader(connect, mapping).read_company()
    elapsed = time.perf_counter() - started
    items = sum(len(c.items) + len(c.awaiting_items) for c in company.contracts)
    del company
    return elapsed, items


def measure(connection_string: str, naming: str = "legacy", repeats: int = 3) -> dict[str, Any]:
    mapping = TableMapping.preset(naming)
    connect = partial(connect_odbc, connection_string, password=None, login_timeout=15)
    bare_fetch(connect, mapping)  # warm-up: file pages and driver loaded for both sides
    bare_times, read_times = [], []
    rows = items = 0
    for _ in range(max(1, repeats)):
        gc.collect()
        seconds, rows = bare_fetch(connect, mapping)
        bare_times.append(seconds)
        gc.collect()
        seconds, items = reader_read(connect, mapping)
        read_times.append(seconds)
    bare, read = min(bare_times), min(read_times)
    return {
        "bare_fetch_seconds": bare,
        "sage_read_seconds": read,
        "scan_ratio": read / bare if bare > 0 else None,
        "bare_fetch_rows": rows,
        "sage_read_items": items,
        "bare_fetch_all_seconds": bare_times,
        "sage_read_all_seconds": read_times,
    }


def main() -> None:
    child_main(lambda payload: measure(payload["connection_string"], payload.get("naming", "legacy"),
                                       int(payload.get("repeats", 3))))


if __name__ == "__main__":
    main()
