"""The window. The only package that imports PySide6."""

from sage_sync_desktop.gui.binding_fixes import pin_singleton_refcounts

pin_singleton_refcounts()
