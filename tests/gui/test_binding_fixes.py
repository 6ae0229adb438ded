"""Qt calls can be made any number of times (PySide6 6.12 refcount bug on Python 3.11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


@pytest.mark.parametrize("call", ["emitter.fired.emit()", "timer.setInterval(5)"])
def test_many_qt_calls_do_not_free_none_or_true(call):
    # In a child process: without the fix the interpreter aborts in bool_dealloc/none_dealloc.
    script = textwrap.dedent(f"""
        import sage_sync_desktop.gui
        from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
        app = QCoreApplication([])
        class Emitter(QObject):
            fired = Signal()
        emitter = Emitter()
        timer = QTimer()
        for _ in range(300_000):
            {call}
        print("done")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "done"
