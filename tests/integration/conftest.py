"""Fixtures the integration tests share: processes they start, and a Redis of
their own to stop and start."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.integration.processes import RedisServer, stop


@pytest.fixture
def processes():
    started = []
    yield started
    for process in started:
        stop(process)


def _free_port() -> int:
    # A port the system picks, so test runs side by side on one machine never
    # stop each other's Redis.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_6390(tmp_path: Path):
    """Our own Redis, to stop and start, with this process's Celery app pointed at it."""
    from safeguard import queue
    from safeguard.celery import app

    server = RedisServer(_free_port(), tmp_path / "redis.log")
    server.start()
    previous = app.conf.broker_url

    def point_at(url: str) -> None:
        app.conf.broker_url = url
        app._pool = None  # connections and producers are cached per broker URL
        app.amqp._producer_pool = None
        queue.forget_broker()  # and so is the page's publishing connection

    point_at(server.url)
    yield server
    point_at(previous)
    server.stop()
