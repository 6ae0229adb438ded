"""Work-arounds for bugs in the Qt binding, applied once when the gui package is imported."""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

# Far more than any session can emit, yet far from overflowing a Py_ssize_t.
_BOOL_REFERENCE_RESERVE = 1 << 40


def pin_bool_refcounts() -> None:
    """Keep True and False alive despite PySide6 6.12's SignalInstance.emit.

    On Python 3.11, every `signal.emit(...)` made from Python drops one reference to True that
    it never took (PySide6 6.12.0 returns the bool without a new reference). After enough
    emits CPython frees True and aborts with "bool_dealloc: deallocating True or False", which
    happened here after a few thousand emits. Python 3.12 made the bools immortal, so there is
    nothing to do there. Giving both bools a huge reserve of references is the smallest fix
    that keeps every emit safe; reference counts are the first field of every CPython object.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for value in (True, False):
        refcount = ctypes.c_ssize_t.from_address(id(value))
        if refcount.value < _BOOL_REFERENCE_RESERVE // 2:
            refcount.value += _BOOL_REFERENCE_RESERVE
    logger.debug("bool reference reserve in place (PySide6 emit refcount bug on Python 3.11)")
