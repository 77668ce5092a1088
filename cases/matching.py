"""Finding a child without making duplicates.

Duplicate child records are the classic failure of safeguarding systems: two
records, two partial pictures, nobody sees the pattern. Candidates come from
indexed blocking keys that work on any database (phonetic codes of the names,
date of birth and its common typos, identifiers, postcode); each candidate is
then scored with Jaro-Winkler similarity and keeps the reasons it matched, so
the social worker can judge the match rather than trust a number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jellyfish
from django.contrib.auth.models import Permission
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

from cases.models import (
    BreakGlass,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
    ChildAddress,
)
from safeguard.core.compiled import compiled_objects
from safeguard.core.lookups import one_of


@lru_cache(maxsize=20_000)  # names repeat: scoring asks about the same few thousand
def name_key(name: str) -> str:
    cleaned = "".join(ch for ch in name.lower() if ch.isalpha())
    return jellyfish.metaphone(cleaned)[:40] if cleaned else ""


@lru_cache(maxsize=20_000)
def format_postcode(postcode: str) -> str:
    """One spelling of a UK postcode ("NS2 4TW"), so it can be matched exactly."""
    compact = "".join(postcode.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def dob_variants(dob: dt.date) -> set[dt.date]:
    """The date itself and its likely typos: day and month swapped, the day
    mistyped by one, and the year mistyped by one (last year's date in January)."""
    variants = {dob}
    with contextlib.suppress(ValueError):
        variants.add(dt.date(dob.year, dob.day, dob.month))
    for delta in (-1, 1):
        variants.add(dob + dt.timedelta(days=delta))
        with contextlib.suppress(ValueError):  # 29 February has no neighbour a year away
            variants.add(dob.replace(year=dob.year + delta))
    return variants


@lru_cache(maxsize=1_000)
def _likely_typos(dob: dt.date) -> frozenset[dt.date]:
    return frozenset(dob_variants(dob))


@dataclass
class Candidate:
    child: Child
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def strength(self) -> str:
        """The score in the words a duty worker acts on; the reasons say why."""
        if self.score >= 0.8:
            return "Strong match"
        if self.score >= 0.6:
            return "Likely match"
        return "Possible match"


@dataclass(frozen=True)
class Subject:
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""


# How many rows one blocking key may bring. Each key is its own bounded
# query, so a common surname fills only its own block and cannot crowd out the
# child that the date of birth, an identifier or the postcode finds.
BLOCK_LIMIT = 200
# Children sharing one date of birth: about 150 in a million children aged
# 0-17, so the bound is twice that.
DATE_OF_BIRTH_LIMIT = 300
# For a name key with a date of birth: this many children each side of the
# date, nearest first (a common surname has hundreds of children a year; the
# nearest dates are the ones that matter).
NEAREST = 30
IDENTIFIER_LIMIT = 20

# What scoring reads from a candidate, fetched as plain values: the pool is a
# few hundred rows, and only the few returned become model instances...
_SCORED = ("id", "first_name", "last_name", "date_of_birth", "postcode", "nhs_number", "upn")
# ...with what a search's result shows beside those (its reference, its lead
# agency), so that the search makes its children without reading them again.
POOL_COLUMNS = (*_SCORED, "reference", "lead_agency_id")
# ...and what the blocks' conditions read.
SCOPE_COLUMNS = (*POOL_COLUMNS, "first_name_key", "last_name_key")


@dataclass(frozen=True, slots=True)
class PoolRow:
    """A child of the pool: the columns the pool read (``POOL_COLUMNS``)."""

    pk: object
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    postcode: str
    nhs_number: str
    upn: str
    reference: str
    lead_agency_id: object
    keys: set[str] = field(default_factory=set)  # the blocking keys that brought it


@dataclass(frozen=True)
class Block:
    """One blocking key: a condition on the scoped children's columns (SQL with
    ``%s`` parameters), the order that puts the best leads first, and a bound."""

    key: str
    where: str
    params: tuple = ()
    order: str = ""
    limit: int = BLOCK_LIMIT


def _name_variants(first: str) -> set[str]:
    """Phonetic keys of a first name, its known short forms and what it is short for."""
    cleaned = first.lower().strip()
    if not cleaned:
        return set()
    names = _nicknamer()
    forms = {cleaned} | names.nicknames_of(cleaned) | names.canonicals_of(cleaned)
    return {key for key in map(name_key, forms) if key}


def _surname_keys(last: str) -> set[str]:
    """The surname's phonetic key, and each part's for a double-barrelled one."""
    keys = {name_key(last)}
    parts = _surname_parts(last)
    if len(parts) > 1:
        keys |= {name_key(part) for part in parts}
    return {key for key in keys if key}


def _in(column: str, values) -> tuple[str, tuple]:
    values = tuple(sorted(values))
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def blocking_keys(subject: Subject, *, date=lambda d: d) -> list[Block]:
    """The blocks the subject gives: one per key, each answered by an index
    (``0016_matcher_indexes`` and the identifier and postcode indexes).
    ``date`` adapts a date parameter for the database."""
    blocks: list[Block] = []
    if subject.nhs_number:
        nhs = "".join(subject.nhs_number.split())
        blocks.append(Block("NHS number", "nhs_number = %s", (nhs,), limit=IDENTIFIER_LIMIT))
    if subject.upn:
        upn = "".join(subject.upn.split()).upper()
        blocks.append(Block("UPN", "upn = %s", (upn,), limit=IDENTIFIER_LIMIT))
    dob = subject.date_of_birth
    first_key, last_key = name_key(subject.first_name), name_key(subject.last_name)
    first_keys = _name_variants(subject.first_name)
    last_keys = _surname_keys(subject.last_name)
    if dob:
        blocks.append(
            Block("date of birth", "date_of_birth = %s", (date(dob),), limit=DATE_OF_BIRTH_LIMIT)
        )
        name_keys = first_keys | last_keys
        if name_keys:
            # A mistyped date is only a lead when some name agrees (either way round).
            dates, date_params = _in("date_of_birth", map(date, dob_variants(dob) - {dob}))
            last_in, key_params = _in("last_name_key", name_keys)
            first_in, _ = _in("first_name_key", name_keys)
            blocks.append(
                Block(
                    "date of birth typo",
                    f"{dates} AND ({last_in} OR {first_in})",
                    date_params + key_params + key_params,
                )
            )
    if first_keys and last_keys:
        # The whole name, either way round (hurried reports swap them), in the
        # birth year when it is known: a handful even for "Oliver Smith".
        last_in, last_params = _in("last_name_key", last_keys)
        first_in, first_params = _in("first_name_key", first_keys)
        swapped_last, _ = _in("last_name_key", first_keys)
        swapped_first, _ = _in("first_name_key", last_keys)
        where = f"(({last_in} AND {first_in}) OR ({swapped_last} AND {swapped_first}))"
        params = last_params + first_params + first_params + last_params
        if dob:
            where += " AND date_of_birth BETWEEN %s AND %s"
            params += (date(dt.date(dob.year, 1, 1)), date(dt.date(dob.year, 12, 31)))
        blocks.append(Block("name", where, params))
    for key, column, value in (
        ("surname", "last_name_key", last_key),
        ("first name", "first_name_key", first_key),
    ):
        if value and dob:
            # Two range scans of a (key, date_of_birth) index, nearest date first.
            blocks += [
                Block(
                    f"{key}, nearest date of birth",
                    f"{column} = %s AND date_of_birth >= %s",
                    (value, date(dob)),
                    order="date_of_birth",
                    limit=NEAREST,
                ),
                Block(
                    f"{key}, nearest date of birth",
                    f"{column} = %s AND date_of_birth < %s",
                    (value, date(dob)),
                    order="date_of_birth DESC",
                    limit=NEAREST,
                ),
            ]
        elif value and key == "surname":
            blocks.append(Block(key, f"{column} = %s", (value,)))
    if subject.postcode:
        postcode = format_postcode(subject.postcode)
        blocks.append(Block("postcode", "postcode = %s", (postcode,)))
        # Families move: a postcode the child lived at before is a lead too.
        lived = f"SELECT child_id FROM {ChildAddress._meta.db_table} WHERE postcode = %s"  # noqa: S608
        blocks.append(Block(PREVIOUS_POSTCODE, f"id IN ({lived})", (postcode,)))
    return blocks


PREVIOUS_POSTCODE = "previous postcode"


@dataclass(frozen=True)
class Materialized:
    """A scope that reads what common table expressions hold: ``ctes`` (``name
    AS MATERIALIZED (...)``, with their values ``params``) are written once
    before the blocks, so each is evaluated once for the whole statement, and
    ``select`` (``scope_columns``'s columns, no values of its own) is each
    block's scope."""

    ctes: str
    params: Sequence[Any]
    select: str


# Children to match against: a scoped queryset, or the statement of one
# (``scope_columns``'s, compiled once per process by the caller) and its
# values, or a ``Materialized`` one.
Scope = QuerySet[Child] | tuple[str, Sequence[Any]] | Materialized


def scope_columns(children: QuerySet[Child]) -> QuerySet[Child]:
    """What the matcher reads of each child in scope: the statement a caller
    compiles to give ``candidate_pool`` a ``Scope`` of its own."""
    return children.order_by().values(*SCOPE_COLUMNS)


def _database(children: Scope) -> str:
    return children.db if isinstance(children, QuerySet) else DEFAULT_DB_ALIAS


def candidate_pool(children: Scope, subject: Subject) -> dict[object, PoolRow]:
    """The union of the blocks: every child of ``children`` that any one key
    brings in, with the keys that did.

    One statement whatever the number of keys: ``children`` (any scoped
    queryset) is compiled once, and each key is a bounded arm of a ``UNION
    ALL`` over it, ``SELECT ... FROM (scope) WHERE key ORDER BY ... LIMIT n``.
    Both PostgreSQL and SQLite flatten the scope into each arm, so every arm is
    an index scan that stops at its bound.
    """
    connection = connections[_database(children)]
    blocks = blocking_keys(subject, date=connection.ops.adapt_datefield_value)
    if not blocks:
        return {}
    ctes, params = "", []
    if isinstance(children, QuerySet):
        try:
            scope, scope_params = scope_columns(children).query.sql_with_params()
        except EmptyResultSet:  # Child.objects.none(): someone who may see no children
            return {}
    elif isinstance(children, Materialized):
        ctes, params = f"WITH {children.ctes} ", [*children.params]
        scope, scope_params = children.select, ()
    else:
        scope, scope_params = children
    columns = ", ".join(POOL_COLUMNS)
    arms = []
    for i, block in enumerate(blocks):
        order = f" ORDER BY {block.order}" if block.order else ""
        # Only this module's column names and conditions are spliced in; every
        # value the subject gives is a parameter.
        arms.append(
            f"SELECT {i}, {columns} FROM (SELECT {columns} FROM ({scope}) scope"  # noqa: S608
            f" WHERE {block.where}{order} LIMIT {int(block.limit)}) arm{i}"
        )
        params += [*scope_params, *block.params]
    pool: dict[object, PoolRow] = {}
    to_pk = Child._meta.pk.to_python
    with connection.cursor() as cursor:
        cursor.execute(ctes + " UNION ALL ".join(arms), params)
        rows = cursor.fetchall()
    for i, pk, *columns in rows:
        pk = to_pk(pk)
        row = pool.get(pk)
        if row is None:
            first, last, dob, postcode, nhs, upn, reference, agency = columns
            if isinstance(dob, str):  # SQLite loses the column types across the union
                dob = dt.date.fromisoformat(dob)
            if isinstance(agency, str):
                agency = to_pk(agency)
            row = PoolRow(pk, first, last, dob, postcode, nhs, upn, reference, agency)
            pool[pk] = row
        row.keys.add(blocks[i].key)
    return pool


# Below this a candidate is noise for the front door's match on a whole concern.
MATCH_FLOOR = 0.35


def find_candidates(
    children: Scope,
    subject: Subject,
    *,
    limit: int = 10,
    floor: float = MATCH_FLOOR,
    related: tuple[str, ...] = (),
) -> list[Candidate]:
    """Rank the children in ``children`` (already permission-scoped) against ``subject``.

    ``floor`` is the least score kept: search, given one fact (a surname, a
    postcode), keeps lower scores than a match on a whole concern. ``related``
    is fetched with the children returned (``select_related``)."""
    ranked = ranked_candidates(children, subject, limit=limit, floor=floor)
    if not ranked:
        return []
    # The pool came through the scope, so its rows are the user's to see: fetch
    # them by key without planning the scope (its subqueries) a second time.
    pks = [c.child.pk for c in ranked]
    if _database(children) == DEFAULT_DB_ALIAS:
        # On every search: the statement is compiled once per process.
        fetched = compiled_objects(("matched_children", related), _by_keys(related), ids=pks)
        children_by_pk = {child.pk: child for child in fetched}
    else:
        fetch = Child._default_manager.using(_database(children)).select_related(*related)
        children_by_pk = fetch.in_bulk(pks)
    return [
        Candidate(children_by_pk[c.child.pk], c.score, c.reasons)
        for c in ranked
        if c.child.pk in children_by_pk
    ]


def ranked_candidates(
    children: Scope, subject: Subject, *, limit: int, floor: float
) -> list[Candidate]:
    """``find_candidates``' ranking, each candidate's ``child`` the pool's row
    of it (a ``PoolRow``), for a caller that makes the children itself."""
    pool = candidate_pool(children, subject)
    if not pool:
        return []
    previously = {pk for pk, row in pool.items() if PREVIOUS_POSTCODE in row.keys}
    if len(previously) >= BLOCK_LIMIT:  # the block was cut short: ask about the rest
        previously = set(
            ChildAddress.objects.filter(
                child_id__in=list(pool), postcode=format_postcode(subject.postcode)
            ).values_list("child_id", flat=True)
        )
    scored = (_score(row, subject, row.pk in previously) for row in pool.values())
    ranked = [c for c in scored if c.score >= floor]
    ranked.sort(key=lambda c: c.score, reverse=True)
    return ranked[:limit]


def _by_keys(related: tuple[str, ...]):
    def build(ids: list) -> QuerySet[Child]:
        return Child._default_manager.select_related(*related).filter(one_of(ids))

    return build


# Restricted children ------------------------------------------------------------


def hidden_restricted_cases(
    *,
    user,
    group_ids,
    codename: str = "view_case",
    now: dt.datetime | None = None,
    permission: list[int] | None = None,
) -> QuerySet[Case]:
    """The restricted cases of the child in the outer query (``OuterRef("pk")``)
    that ``user`` does not see, for ``Exists`` / ``~Exists``.

    Written from the restricted records outward: for each candidate child, its
    restricted cases (an index probe on the case's child), and for each of those
    whether the user holds ``codename`` on it directly, through one of
    ``group_ids`` (the user's role groups, as ``selectors._group_ids`` gives
    them: ids or a queryset, evaluated here), or by a live break-glass. Every
    step is a correlated, indexed probe bounded by the candidates; nothing
    reads the set of cases the user *can* see, which for a front-door manager
    is every case of the authority and which PostgreSQL cannot hash in a
    ``NOT IN``.

    ``permission``: the ids of ``codename``'s permissions, when the caller
    has them (a statement compiled once is given them as values, and
    ``group_ids`` as a list: see ``view_permission_ids``).
    """
    restricted = Case.objects.filter(child_id=OuterRef("pk"), is_restricted=True)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return restricted  # nobody signed in sees a restricted case
    # The permission and the groups are looked up before, once, rather than
    # joined in: the matcher puts this subquery in each of its blocks, and
    # PostgreSQL spent 35 ms planning the joins against 1 ms running them.
    if permission is None:
        permission = view_permission_ids(codename)
    if isinstance(group_ids, QuerySet):
        group_ids = group_ids.values_list("pk", flat=True)
    groups = list(group_ids)
    case = OuterRef("pk")
    # Each list is one array parameter on PostgreSQL (``one_of``), so the
    # statement's text is the same whoever asks; the group probe is there even
    # for someone with no groups (it finds nothing) for the same reason.
    return restricted.filter(
        ~Exists(
            CaseUserObjectPermission.objects.filter(
                one_of(permission, "permission__pk"), content_object_id=case, user_id=user.pk
            )
        ),
        ~Exists(
            BreakGlass.objects.filter(
                case_id=case, user_id=user.pk, expires_at__gt=now or timezone.now()
            )
        ),
        ~Exists(
            CaseGroupObjectPermission.objects.filter(
                one_of(groups, "group__pk"),
                one_of(permission, "permission__pk"),
                content_object_id=case,
            )
        ),
    )


def view_permission_ids(codename: str = "view_case") -> list[int]:
    """The ids of the cases app's ``codename`` permissions (one, in practice)."""
    return list(
        Permission.objects.filter(codename=codename, content_type__app_label="cases").values_list(
            "pk", flat=True
        )
    )


def without_hidden_restricted(
    children: QuerySet[Child], *, user, group_ids, codename: str = "view_case"
) -> QuerySet[Child]:
    """``children`` less those with a restricted case hidden from ``user``
    (``NOT EXISTS``), for the matcher at the front door and the children list."""
    hidden = hidden_restricted_cases(user=user, group_ids=group_ids, codename=codename)
    return children.filter(~Exists(hidden))


def only_hidden_restricted(
    children: QuerySet[Child], *, user, group_ids, codename: str = "view_case"
) -> QuerySet[Child]:
    """Of ``children``, those with a restricted case hidden from ``user``: the
    matcher may say that one matches, never who."""
    hidden = hidden_restricted_cases(user=user, group_ids=group_ids, codename=codename)
    return children.filter(Exists(hidden))


# Scoring --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=20_000)
def known_short_form(a: str, b: str) -> bool:
    """Bill and William, Jack and John: the same person, in the curated dataset."""
    a, b = a.lower().strip(), b.lower().strip()
    if not a or not b or a == b:
        return False
    names = _nicknamer()
    return b in names.nicknames_of(a) or b in names.canonicals_of(a)


def _surname_parts(name: str) -> set[str]:
    return {p for p in name.lower().replace("-", " ").split() if p}


# Jaro-Winkler rates unrelated names 0.4-0.7 ("Grace" and "Nadine" 0.58,
# "Ribeiro" and "Broekhoven" 0.49): only the part of a similarity above this
# floor is evidence. Without it any child sharing the date of birth scored
# about 0.7, and at a million children, with 150 born on each day, every
# stranger had a confident wrong match (bench/RESULTS.md).
NAME_EVIDENCE_FLOOR = 0.7


def _evidence(similarity: float) -> float:
    return max(similarity - NAME_EVIDENCE_FLOOR, 0.0) / (1 - NAME_EVIDENCE_FLOOR)


@dataclass(frozen=True)
class _Prepared:
    """What scoring compares every candidate with, worked out once per lookup."""

    first: str
    last: str
    last_key: str
    last_parts: frozenset[str]
    postcode: str
    upn: str


@lru_cache(maxsize=64)
def _prepare(subject: Subject) -> _Prepared:
    return _Prepared(
        first=subject.first_name.lower().strip(),
        last=subject.last_name.lower().strip(),
        last_key=name_key(subject.last_name),
        last_parts=frozenset(_surname_parts(subject.last_name)),
        postcode=format_postcode(subject.postcode) if subject.postcode else "",
        upn=subject.upn.upper(),
    )


def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b) if a and b else 0.0


def _score(child: Child | PoolRow, subject: Subject, lived_at_postcode: bool = False) -> Candidate:
    reasons: list[str] = []
    score = 0.0
    if subject.nhs_number and child.nhs_number == subject.nhs_number:
        return Candidate(child, 1.0, ["same NHS number"])
    s = _prepare(subject)
    if s.upn and child.upn == s.upn:
        return Candidate(child, 1.0, ["same UPN"])

    child_first, child_last = child.first_name.lower().strip(), child.last_name.lower().strip()
    first = _jw(child_first, s.first)
    last = _jw(child_last, s.last)
    swapped = (_jw(child_first, s.last) + _jw(child_last, s.first)) / 2
    if swapped > (first + last) / 2 + 0.1 and swapped > 0.85:
        reasons.append("first and last names swapped")
        first = last = swapped
    last_credit = _evidence(last)
    if last >= 0.99:
        reasons.append("same surname")
    elif s.last and name_key(child.last_name) == s.last_key:
        reasons.append("surname sounds alike")
        last_credit = max(last_credit, _evidence(0.9))
    elif last >= 0.85:
        reasons.append(f"surname similar ({last:.2f})")
    if (
        last < 0.99
        and s.last
        and "-" in (child_last + s.last)
        and _surname_parts(child.last_name) & s.last_parts
    ):
        reasons.append("shares part of a double-barrelled surname")
        last_credit = max(last_credit, _evidence(0.9))
    first_credit = _evidence(first)
    if first >= 0.99:
        reasons.append("same first name")
    elif known_short_form(child.first_name, subject.first_name):
        reasons.append("first name is a known short form")
        first_credit = _evidence(0.92)
    elif first >= 0.8:
        reasons.append(f"first name similar ({first:.2f})")
    score += 0.3 * last_credit + 0.25 * first_credit

    if subject.date_of_birth and child.date_of_birth:
        if child.date_of_birth == subject.date_of_birth:
            reasons.append("same date of birth")
            score += 0.35
        elif child.date_of_birth in _likely_typos(subject.date_of_birth):
            reasons.append("date of birth differs by a likely typo")
            score += 0.2
        else:
            score -= 0.15
            reasons.append("different date of birth")
    if s.postcode and format_postcode(child.postcode) == s.postcode:
        reasons.append("same postcode")
        score += 0.1
    elif lived_at_postcode:
        reasons.append("lived at this postcode before")
        score += 0.1
    return Candidate(child, round(min(score, 1.0), 2), reasons)
