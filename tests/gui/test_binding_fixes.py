"""Signals can be emitted any number of times (PySide6 6.12 emit bug on Python 3.11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_many_emits_do_not_free_true(tmp_path):
    # In a child process: without the fix the interpreter aborts in bool_dealloc.
    script = textwrap.dedent("""
        import sage_sync_desktop.gui
        from PySide6.QtCore import QCoreApplication, QObject, Signal
        app = QCoreApplication([])
        class Emitter(QObject):
            fired = Signal()
        emitter = Emitter()
        for _ in range(200_000):
            emitter.fired.emit()
        print("done")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "done"
