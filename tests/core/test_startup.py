"""A web process sets the code's own objects aside from the garbage collector
once it has loaded every view (safeguard/wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_application_loads_every_view_and_freezes_what_it_built():
    # A process of its own: freezing this one would keep the tests' objects forever.
    probe = (
        "import gc, sys\n"
        "import safeguard.wsgi\n"
        "print(gc.get_threshold()[0], gc.get_freeze_count(), 'cases.views.case' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguard.settings"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    young, frozen, views_loaded = done.stdout.split()[-3:]
    # The views are imported by the URLconf, before the freeze, so they are in it.
    assert views_loaded == "True"
    assert int(frozen) > 50_000
    # And the youngest generation is collected less often than Python's 700.
    assert int(young) == 50_000


def test_the_young_generation_threshold_is_set_by_the_environment_or_refused():
    probe = "import gc\nimport safeguard.wsgi\nprint(gc.get_threshold()[0])\n"
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguard.settings"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**base, "GC_YOUNG_THRESHOLD": "700"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split()[-1] == "700"
    refused = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**base, "GC_YOUNG_THRESHOLD": "lots"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "GC_YOUNG_THRESHOLD must be a whole number" in refused.stderr
