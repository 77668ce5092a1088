"""Who is signed in, read in one statement per request.

Every page asks three things of the person before it reads any record: who
they are (Django's session user), their roles in which agencies (the
navigation, the two-factor rule, the page's own checks, every audit row) and
how many notifications they have not read (the header). Read separately
that is three round trips on every page, a fifth of a list page's
statements. This backend loads the user with the other two as annotations,
from the same tables and with the same filters as ``agencies.selectors``
(active memberships of active agencies), so nothing is cached across
requests: a membership ended a second ago is not in the next page's read.

The statement is compiled by the ORM once per process and then bound to each
request's user id (``safeguard.core.compiled``): building and compiling it
took a few milliseconds of every page, more than running it.

The annotations are handed over once: ``agencies.selectors`` takes them into
the request's memo the first time it is asked and drops them from the user,
so a change of membership later in the same request (which clears the memo)
is read afresh, as before.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

from agencies.models import Membership
from safeguard.core.compiled import compiled_objects
from safeguard.notifications.models import Notification

ROW = "|"  # between a membership's fields: roles, slugs and kinds never hold it
ROWS = ";"  # between memberships


class _Joined(Aggregate):
    """``string_agg`` on PostgreSQL, ``group_concat`` on SQLite (the demo):
    Django 5.2 has no portable string aggregate."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{ROWS}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _memberships_joined() -> Subquery:
    rows = (
        Membership.objects.filter(user=OuterRef("pk"), is_active=True, agency__is_active=True)
        .order_by()
        .values("user")
        .annotate(
            joined=_Joined(
                Concat(
                    "role",
                    Value(ROW),
                    "agency__slug",
                    Value(ROW),
                    "agency__kind",
                    Value(ROW),
                    Cast("agency_id", CharField()),
                    output_field=CharField(),
                )
            )
        )
        .values("joined")
    )
    return Subquery(rows, output_field=CharField())


def _unread_count() -> Coalesce:
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def parse_memberships(joined: str | None) -> list[tuple[str, str, str, uuid.UUID]]:
    """(role, agency slug, agency kind, agency id) from the joined column."""
    rows = []
    for row in (joined or "").split(ROWS):
        if row:
            role, slug, kind, agency_id = row.split(ROW)
            rows.append((role, slug, kind, uuid.UUID(agency_id)))
    return rows


def _signed_in(user_id) -> QuerySet:
    return (
        get_user_model()
        ._default_manager.annotate(
            signed_in_memberships=_memberships_joined(),
            signed_in_unread=_unread_count(),
        )
        .filter(pk=user_id)
    )


class SignedInUserBackend(ModelBackend):
    """Django's ModelBackend (passwords, ``is_active``), loading the signed-in
    user of each request with their memberships and unread count."""

    def get_user(self, user_id):
        # Read as the ORM's own iterator would, with what it learnt from
        # compiling the statement once (a raw queryset worked out its columns
        # and the user's fields again on every page).
        found = compiled_objects("signed_in", _signed_in, user_id=user_id)
        if not found:
            return None
        user = found[0]
        if not self.user_can_authenticate(user):
            return None
        # Plain attributes, not the annotations' names, so that a reader can
        # tell "preloaded and none" from "not preloaded".
        user.preloaded_memberships = parse_memberships(user.__dict__.pop("signed_in_memberships"))
        user.preloaded_unread = user.__dict__.pop("signed_in_unread")
        return user
