"""Django's database sessions, read with a statement compiled once.

Every request of a signed-in person reads their session first. Django's store
asks ``Session.objects.get(...)``, which builds and compiles the same statement
each time: about 0.23 ms of Python a request, more than PostgreSQL takes to
answer it, on every page and API call (bench/RESULTS.md, "The county after
session 15"). Only that read changes: writing, expiring and deleting sessions
are Django's own. Set as ``SESSION_ENGINE``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from safeguard.core.compiled import compiled_objects


def _live(session_key: str, now: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(session_key=session_key, expire_date__gt=now)[:1]


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = compiled_objects(
            ("session",), _live, session_key=self.session_key, now=timezone.now()
        )
        if found:
            return found[0]
        # As Django's store does: an expired or unknown key starts a new session.
        self._session_key = None
        return None
