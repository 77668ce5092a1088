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
        "print(gc.get_freeze_count(), 'cases.views.case' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguard.settings"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    frozen, views_loaded = done.stdout.split()[-2:]
    # The views are imported by the URLconf, before the freeze, so they are in it.
    assert views_loaded == "True"
    assert int(frozen) > 50_000
