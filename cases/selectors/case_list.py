"""The case list: one page of the cases a person sees, and, on its first page,
the restricted records they are told exist.

At a county's scale the page's cost was the ORM's, not PostgreSQL's: building
the access rule and the page took longer than answering them. So the list as
most people see it (no filter in force) is one statement per shape, compiled
once per process (``safeguard.core.compiled``), and on a first page the grant
probe and the restricted-record notice share one statement
(``visible_ids_and_notice``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from cases.access import VIEW
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.selectors.carried import with_carried
from cases.selectors.cases import (
    CASE_ORDER,
    User,
    _as_uuid,
    _ids_or_one_null,
    _live_break_glass_ids,
    case_list_for,
    granted_ids_if_few,
    granted_ids_statement,
    ids_if_few,
    permission_ids,
)
from cases.selectors.children import with_lead_access
from cases.selectors.many import remember_many, remembered_many
from cases.selectors.restricted_notice import NoticedCase, _notice, restricted_notice_for
from safeguard.core import keyset
from safeguard.core.compiled import compiled, compiled_objects
from safeguard.core.keyset import KeysetPage, keyset_page
from safeguard.core.lookups import one_of

_UNASKED: Any = object()
# The hint a page's cursors carry when the person was found to see more than a
# few cases (``visible_case_ids_if_few``): the next page walks the list in
# order without asking the grants again. Walking is right whatever the person
# sees by then, only slower if their cases have since become few; the first
# page, and any page going back towards it, asks afresh.
MANY = "many"


def visible_case_ids_if_few(user: User) -> list[uuid.UUID] | None:
    """The ids of every case the user sees (grants and unexpired break-glass)
    when there are at most ``FEW`` of them, else ``None`` (also for a while
    after this process last found them many: ``remembered_many``)."""
    if remembered_many(user):
        return None
    return remember_many(
        user,
        granted_ids_if_few(
            user,
            permission_ids(VIEW),
            user_grants=CaseUserObjectPermission,
            group_grants=CaseGroupObjectPermission,
            extra=_live_break_glass_ids,
        ),
    )


def visible_ids_and_notice(user: User) -> tuple[list[uuid.UUID] | None, list[NoticedCase]]:
    """``visible_case_ids_if_few`` and ``restricted_notice_for`` in one
    statement (PostgreSQL; two elsewhere): what a first page of the case list
    asks before its rows. Each part is the statement compiled once for it;
    the rows say which part they answer."""
    if not user.is_authenticated or not user.is_active:
        return [], []
    if connection.vendor != "postgresql" or remembered_many(user):
        return visible_case_ids_if_few(user), restricted_notice_for(user)
    ids_sql, ids_params = granted_ids_statement(
        user,
        permission_ids(VIEW),
        user_grants=CaseUserObjectPermission,
        group_grants=CaseGroupObjectPermission,
        extra=_live_break_glass_ids,
    )
    notice_sql, notice_params = compiled(
        "restricted_notice_for", _notice, person=user, now=timezone.now()
    )
    # Two statements the ORM compiled, side by side: no text from anyone.
    sql = (
        f"SELECT NULL, * FROM ({_ids_or_one_null(ids_sql, more=', NULL, NULL')}) AS ids "  # noqa: S608
        f"UNION ALL SELECT 'notice', * FROM ({notice_sql}) AS notice"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids_params, *notice_params])
        rows = cursor.fetchall()
    ids = [row[1:2] for row in rows if row[0] is None]
    notice = sorted(
        (NoticedCase(_as_uuid(pk), ref, name) for part, pk, ref, name in rows if part),
        key=lambda case: case.reference,
    )
    return remember_many(user, ids_if_few(ids)), notice


def case_list_page_for(
    user: User,
    cursor: str | None,
    *,
    query: dict | None = None,
    narrow: Callable[[QuerySet[Case]], QuerySet[Case]] | None = None,
    ordering: Sequence[str] = CASE_ORDER,
) -> tuple[KeysetPage, list[NoticedCase]]:
    """A page of the case list (``case_page_for``) and, on the first page, the
    restricted records the person is told exist: asked with the grant probe
    when the page may be the first (no cursor, or one that pages back)."""
    if cursor is None or keyset.goes_back(cursor):
        few, notice = visible_ids_and_notice(user)
    else:
        few, notice = _UNASKED, []
    page = case_page_for(user, cursor, query=query, narrow=narrow, ordering=ordering, few=few)
    return page, ([] if page.has_previous else notice)


def case_page_for(
    user: User,
    cursor: str | None,
    *,
    query: dict | None = None,
    narrow: Callable[[QuerySet[Case]], QuerySet[Case]] | None = None,
    ordering: Sequence[str] = CASE_ORDER,
    few: list[uuid.UUID] | None = _UNASKED,
) -> KeysetPage:
    """One page of the user's case list. A small visible set is fetched by id
    from the grants; a big one walked in order (``visible_case_ids_if_few``).
    ``narrow`` applies the list's filters (``None``: none are in force);
    ``ordering`` must be a keyset order backed by an index
    (``cases.forms.filters.CaseFilter.SORTS``).

    The list as most people see it, with no filter, is one statement per
    shape (sort, direction, first page or not, few or many) compiled once per
    process: building the access rule and the page with the ORM took longer
    than PostgreSQL takes to answer it. A filtered page is built each time.
    A page found to be of many cases says so in its cursors (``MANY``), and
    the pages they lead to walk without asking the grants again."""
    if not user.is_authenticated or not user.is_active:
        return keyset_page(Case.objects.none(), ordering, cursor, query=query)
    if few is _UNASKED:
        few = None if keyset.hint_of(cursor) == MANY else visible_case_ids_if_few(user)
    hint = MANY if few is None else None
    if narrow is not None:
        cases = narrow(case_list_for(user))
        if few is not None:
            cases = cases.filter(one_of(few))
        return keyset_page(cases, ordering, cursor, query=query, hint=hint)

    fetch = case_rows_fetch(user, few, ordering)
    return keyset_page(Case.objects.none(), ordering, cursor, query=query, fetch=fetch, hint=hint)


def case_rows_fetch(
    user: User,
    few: list[uuid.UUID] | None,
    ordering: Sequence[str] = CASE_ORDER,
    *,
    lead_access: bool = False,
    carried: bool = False,
) -> keyset.Fetch:
    """A ``keyset_page`` fetch of the cases an authenticated, active ``user``
    sees (``few``: their ids, when ``visible_case_ids_if_few`` found them
    few), as the case lists show them: one statement per shape, compiled once
    per process. ``lead_access``: each case says whether the user sees it at
    the lead agency's level (the API's lists); ``carried``: with what the API
    shows beside each case's columns, for ``carried.read_carried``."""

    def rows(person: AbstractBaseUser, now: Any) -> QuerySet[Case]:
        cases = case_list_for(person, now=now)
        if lead_access:
            cases = with_lead_access(cases, person, now=now)
        return with_carried(cases) if carried else cases

    name = ("case_rows", lead_access, carried)
    return visible_rows_fetch(name, rows, user, few, ordering, ids_first=True)


def visible_rows_fetch(
    name: Hashable,
    rows: Callable[[AbstractBaseUser, Any], QuerySet],
    user: User,
    few: list[uuid.UUID] | None,
    ordering: Sequence[str],
    *,
    now: Any = None,
    ids_first: bool = False,
) -> keyset.Fetch:
    """A ``keyset_page`` fetch of ``rows(person, now)`` (what an authenticated,
    active ``user`` sees, by the access rule, at the time given: ``now`` by
    default), narrowed to ``few`` ids when the grants found them few: one
    statement for each shape of page (direction, first page or not, few or
    many), compiled once per process under ``name``. ``ids_first``: a page
    of the few chooses its ids before it joins anything else (for rows that
    join much and are planned afresh each time: PostgreSQL's generic plan for
    the concerns' shape walked every concern)."""
    now = timezone.now() if now is None else now

    def fetch(order: list[str], boundary: list | None, forward: bool, limit: int) -> list:
        def build(person: AbstractBaseUser, now: Any, **values: Any) -> QuerySet:
            found = rows(person, now)
            page = found
            if "few" in values:
                page = page.filter(one_of(values["few"]))
            if boundary is not None:
                key = [values["first"], values["last"]]
                page = page.filter(keyset.after(ordering, key, forward=forward))
            if "few" not in values or not ids_first:
                # Many are walked in the order's index, so the limit stops the
                # joins too; a list not asking for ids_first joins its few whole.
                return page.order_by(*order)[:limit]
            # Few are sorted, not walked: the page's ids are chosen first, and
            # only their rows joined (to the child, agency, worker...). Joined
            # before the sort, every one of the few was: 997 rows for a
            # neighbouring council's social worker, 18 ms of a 21 ms page.
            ids = page.order_by(*order).values("pk")[:limit]
            return found.filter(pk__in=ids).order_by(*order)

        values: dict[str, Any] = {"person": user, "now": now}
        if few is not None:
            values["few"] = few
        if boundary is not None:
            values["first"], values["last"] = boundary
        shape = (name, tuple(order), forward, limit, tuple(sorted(values)))
        return compiled_objects(shape, build, **values)

    return fetch
