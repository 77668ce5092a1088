"""Throughput under concurrent readers: gunicorn with 1, 2 and 4 workers.

Starts gunicorn (as the Dockerfile runs it: sync workers, ``safeguard.wsgi``)
on the PostgreSQL database in DATABASE_URL, once for each worker count, and
sends it 8 concurrent clients (threads, one keep-alive HTTP connection each,
each signed in as one of the demo people) reading case pages they may see for
``--seconds`` each. Prints requests a second, p50/p95 latency and errors
(anything but 200), and with ``--write`` puts them in bench/RESULTS.md.

    DATABASE_URL=postgres://.../safeguard_scale python bench/concurrency.py

It reads only, but each page read writes its audit row, as in production;
they are sealed at the end. Two-factor sign-in is off for the run (sessions
are made with ``force_login``). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
os.environ["TWO_FACTOR_REQUIRED"] = "false"
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL database (seed_demo or seed_scale).")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from bench.results import replace_section  # noqa: E402
from cases.selectors.cases import cases_for  # noqa: E402
from safeguard.audit.services import audit_seal  # noqa: E402

READERS = [
    "social_worker@northshire-csc",
    "manager@northshire-csc",
    "practitioner@northshire-health",
    "practitioner@northshire-police",
]
PORT = 8765


def sessions() -> list[tuple[str, list[str]]]:
    """(session cookie, case page paths) for each reader."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    User = get_user_model()
    made = []
    for username in READERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        ids = list(cases_for(user).order_by("-updated_at").values_list("pk", flat=True)[:300])
        made.append((f"{settings.SESSION_COOKIE_NAME}={cookie}", [f"/cases/{pk}/" for pk in ids]))
    return made


def start(workers: int, log) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "safeguard.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env={**os.environ, "TWO_FACTOR_REQUIRED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status < 500:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start: see {log.name}")


def run(workers: int, clients: int, seconds: float, readers) -> dict:
    log = open(f"/tmp/bench-gunicorn-{workers}.log", "w")  # noqa: SIM115, S108 - for a failure
    server = start(workers, log)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds + 2  # 2 s of warm-up not counted
    counted_from = time.monotonic() + 2

    def client(n: int) -> None:
        cookie, paths = readers[n % len(readers)]
        rng = random.Random(n)  # noqa: S311 - which page to read next
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while time.monotonic() < stop:
            began = time.monotonic()
            try:
                conn.request("GET", rng.choice(paths), headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            took = time.monotonic() - began
            if began >= counted_from:
                with lock:
                    latencies.append(took)
                    errors[0] += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    log.close()
    latencies.sort()
    return {
        "workers": workers,
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) if latencies else 0,
        "p95": latencies[int(len(latencies) * 0.95) - 1] if latencies else 0,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    readers = sessions()
    with django.db.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    lines = [
        f"cases on record: {total:,}; {args.clients} clients reading case pages for "
        f"{args.seconds:.0f} s a run ({', '.join(READERS)})",
        f"{'workers':>8}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
        f"{'load avg':>10}",
    ]
    print("\n".join(lines))
    results = []
    for workers in (int(w) for w in args.workers.split(",")):
        r = run(workers, args.clients, args.seconds, readers)
        results.append(r)
        line = (
            f"{workers:>8}{r['requests']:>10}{r['rps']:>8.1f}{r['p50'] * 1000:>9.0f}"
            f"{r['p95'] * 1000:>9.0f}{r['errors']:>8}{os.getloadavg()[0]:>10.1f}"
        )
        print(line, flush=True)
        lines.append(line)
    one = next((r for r in results if r["workers"] == 1), None)
    two = next((r for r in results if r["workers"] == 2), None)
    if one and two and one["rps"]:
        lines.append(
            f"2 workers / 1 worker: {two['rps'] / one['rps']:.2f}x (the aim: at least 1.6x)"
        )
        print(lines[-1])
    audit_seal()
    if args.write:
        body = (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, gunicorn sync workers and PostgreSQL on the same "
            f"machine as the clients, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
            + (f"{args.note}\n" if args.note else "")
            + "\n```\n"
            + "\n".join(lines)
            + "\n```\n"
        )
        replace_section("bench/concurrency.py: throughput with 1, 2 and 4 workers", body)


if __name__ == "__main__":
    main()
