"""What a web process does once, after loading the code and before its first
request."""

from __future__ import annotations

import gc

from django.urls import get_resolver


def settle_long_lived_objects() -> int:
    """Load every view (through the URLconf), then set aside from the garbage
    collector every object that exists now; return how many.

    The objects built by loading the code (modules, classes, functions, URL
    patterns, the models' metadata: about 200,000) live as long as the process.
    Left to the collector, each full collection walked them all: about 130 ms,
    every ten or so pages, which made the slowest tenth of every list page two
    to three times its median (bench/RESULTS.md). Frozen (``gc.freeze``), they
    are never walked again; objects made by requests are collected as before."""
    get_resolver().url_patterns  # noqa: B018 (imports every view, form and serializer)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
