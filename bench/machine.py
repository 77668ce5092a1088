"""What the machine was like during a bench run, so runs can be compared.

This machine's speed wanders: in session 17 the same code, minutes apart,
served pages 1.5 times slower (bench/RESULTS.md, "The county after session
17"), while a tight arithmetic loop got faster. A load average does not show
that. ``calibration_ms`` times a fixed piece of this project's own kind of
work, a Django template rendering a table of rows, with no database, so a
bench can print it at its start and end: when the calibration moved, the
pages' figures moved with the machine, not with the code.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time

# A table of 200 rows with filters, a date and a condition: the shape of the
# case list's and chronology's markup, in a template the project never changes.
_TEMPLATE = (
    "{% for r in rows %}<tr><td>{{ r.name|upper }}</td><td>{{ r.day|date:'j M Y' }}</td>"
    "{% if r.flag %}<td>{{ r.ref }}</td>{% else %}<td>-</td>{% endif %}</tr>{% endfor %}"
)
_ROWS = [
    {"name": f"child {i}", "day": dt.date(2020, 1, 1 + i % 28), "flag": i % 2, "ref": i}
    for i in range(200)
]


def calibration_ms(rounds: int = 7, renders: int = 20) -> float:
    """The best of ``rounds`` mean times of one render, in ms (Django set up)."""
    from django.template import engines

    template = engines["django"].from_string(_TEMPLATE)
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(renders):
            template.render({"rows": _ROWS})
        best = min(best, (time.perf_counter() - began) / renders)
    return best * 1000


def interpreter() -> str:
    """Which Python ran the bench: builds of one version differ in speed
    (an interpreter built with profile-guided optimisation, as the official
    images are, runs this code faster than one built without)."""
    return f"Python {platform.python_version()} ({sys.executable})"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
