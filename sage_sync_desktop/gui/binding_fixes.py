"""Work-arounds for bugs in the Qt binding, applied once when the gui package is imported."""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

# Far more than any session can use up, yet far from overflowing a Py_ssize_t.
_REFERENCE_RESERVE = 1 << 40


def pin_singleton_refcounts() -> None:
    """Keep None, True and False alive despite PySide6 6.12 on Python 3.11.

    This PySide6 build returns None from every void Qt call (setText, show, QTimer.start...)
    and a bool from every `Signal.emit()` without taking a new reference, as if they were
    immortal, which they are only from Python 3.12 on. Each call drops one reference the caller
    never had; after enough calls CPython frees the object and aborts ("none_dealloc" /
    "bool_dealloc: deallocating None/True"), which happened here in tests and at exit after
    loading a large company. Giving the three singletons a huge reserve of references is the
    smallest fix that keeps every call safe; the reference count is the first field of every
    CPython object.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for value in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(value))
        if refcount.value < _REFERENCE_RESERVE // 2:
            refcount.value += _REFERENCE_RESERVE
    logger.debug("singleton reference reserve in place (PySide6 6.12 refcount bug on Python 3.11)")


# The old name, kept for callers written before None was found to be affected too.
pin_bool_refcounts = pin_singleton_refcounts
