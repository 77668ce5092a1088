"""What a web process does once, after loading the code and before its first
request."""

from __future__ import annotations

import gc
import os

from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver


def settle_long_lived_objects() -> int:
    """Load every view (through the URLconf), then set aside from the garbage
    collector every object that exists now; return how many.

    The objects built by loading the code (modules, classes, functions, URL
    patterns, the models' metadata: about 200,000) live as long as the process.
    Left to the collector, each full collection walked them all: about 130 ms,
    every ten or so pages, which made the slowest tenth of every list page two
    to three times its median (bench/RESULTS.md). Frozen (``gc.freeze``), they
    are never walked again; objects made by requests are collected, less often
    (``young_generation_threshold``)."""
    get_resolver().url_patterns  # noqa: B018 (imports every view, form and serializer)
    gc.collect()
    gc.freeze()
    gc.set_threshold(young_generation_threshold(), *gc.get_threshold()[1:])
    return gc.get_freeze_count()


# Python collects its youngest generation after 700 more container objects
# have been made than freed. A page at a county's scale makes tens of
# thousands (rows, model instances, template contexts), nearly all freed by
# reference counting as the page ends, yet the collector walked them dozens of
# times a page: about 5 to 9 % of a web process's CPU under the mixed load
# (bench/RESULTS.md, "The county after session 15"). Collected every 50,000
# instead, what a page leaves in cycles is still collected within a page or
# two. GC_YOUNG_THRESHOLD sets it (700 is Python's own).
DEFAULT_YOUNG_THRESHOLD = 50_000


def young_generation_threshold() -> int:
    raw = os.environ.get("GC_YOUNG_THRESHOLD", "")
    try:
        value = int(raw) if raw.strip() else DEFAULT_YOUNG_THRESHOLD
    except ValueError:
        raise ImproperlyConfigured(
            f"GC_YOUNG_THRESHOLD must be a whole number, not {raw!r}"
        ) from None
    if value < 1:
        raise ImproperlyConfigured("GC_YOUNG_THRESHOLD must be at least 1")
    return value
