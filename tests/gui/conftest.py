"""GUI test fixtures: every test here runs with the QApplication pytest-qt creates (offscreen)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _gui_app(qapp):
    # Icons and pixmaps need a QGuiApplication even in model tests.
    return qapp
