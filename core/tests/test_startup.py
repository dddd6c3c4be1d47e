"""The web process's start: every view imported and the startup heap frozen out of the collector's way."""

from __future__ import annotations

import gc
import sys

from core.startup import warm_and_freeze


def test_the_urlconf_is_loaded_and_the_heap_frozen():
    try:
        frozen = warm_and_freeze()
        assert frozen > 10_000  # the project's modules, classes and patterns (0 when nothing is frozen)
        assert "competitors.api.views" in sys.modules and "inbox.views" in sys.modules
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
