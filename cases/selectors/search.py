"""Search: one box that finds a child by what a duty worker has in hand.

What was typed is read as one kind of look-up (an NHS number, a UPN, a
reference, a postcode, a date of birth, or a name with or without a date of
birth) and answered by the matcher's own blocking keys and scoring
(``cases.matching``): the same phonetic keys, short forms, swapped names and
date-of-birth typos as the front door's match, never a second set of rules.

Every look-up runs inside a scope the access policy gives (``children_for``
for the header's search, ``children_at_front_door`` for the triage look-up):
a child whose restricted case the user is not named on, whose only link to
the user was an involvement that has ended, or who belongs to another
authority is not there to be found, and adds nothing, not even to a count.
Results are bounded: past ``LIMIT`` the page says "more than N" and asks for
a narrower search rather than counting.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_AND_MEETING_ROLES
from agencies.selectors import roles_for
from cases.matching import (
    POOL_COLUMNS,
    Candidate,
    PoolRow,
    Subject,
    find_candidates,
    format_postcode,
    ranked_candidates,
)
from cases.models import Case, Child, Concern, Plan
from cases.selectors.cases import RoleValues, User, cases_for
from cases.selectors.children import visible_children
from cases.selectors.concerns import concerns_for
from cases.selectors.search_scope import search_rule, search_scope
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled_objects
from safeguard.core.dates import EARLIEST, age_label
from safeguard.core.lookups import one_of

# The most results one search shows; one more is fetched to know there are more.
LIMIT = 20
# The least matcher score a search keeps: one fact alone (a surname that sounds
# alike, a postcode) scores low, and is still what the person asked for.
NAME_FLOOR = 0.15
FACT_FLOOR = 0.05


class Kind:
    NHS_NUMBER = "nhs_number"
    UPN = "upn"
    CASE_REFERENCE = "case_reference"
    CHILD_REFERENCE = "child_reference"
    CONCERN_REFERENCE = "concern_reference"
    POSTCODE = "postcode"
    DATE_OF_BIRTH = "date_of_birth"
    NAME = "name"


KIND_LABELS = {
    Kind.NHS_NUMBER: "NHS number",
    Kind.UPN: "unique pupil number",
    Kind.CASE_REFERENCE: "case reference",
    Kind.CHILD_REFERENCE: "child reference",
    Kind.CONCERN_REFERENCE: "concern reference",
    Kind.POSTCODE: "postcode",
    Kind.DATE_OF_BIRTH: "date of birth",
    Kind.NAME: "name",
}

_NHS = re.compile(r"^\d{3}[\s-]?\d{3}[\s-]?\d{4}$")
# A UPN: a check letter, 11 digits, and a digit or letter (DfE, "Unique pupil numbers").
_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_REFERENCE = re.compile(r"^(CAS|CHI|CON)[\s-]?(\d{4})[\s-]?(\d{1,6})$")
_REFERENCE_KINDS = {
    "CAS": Kind.CASE_REFERENCE,
    "CHI": Kind.CHILD_REFERENCE,
    "CON": Kind.CONCERN_REFERENCE,
}
# A UK postcode: outward code, then the inward code (digit and two letters).
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# Dates as people type them, day first (a UK service): 12/03/2015, 12-3-15,
# 12.03.2015, 12032015, 2015-03-12, 12 March 2015, 12 Mar 2015.
_DATES = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{2})(\d{2})(\d{4})\b"), ("d", "m", "y")),
    (
        re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?\s+(\d{4})\b", re.I),
        ("d", "b", "y"),
    ),
]
_NAME_PART = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


def may_search(user: User) -> bool:
    """Search is for people whose work is case data; an agency administrator's
    is not, so they are neither offered it nor answered."""
    return bool(user.is_authenticated and roles_for(user) & CASE_AND_MEETING_ROLES)


@dataclass(frozen=True)
class Query:
    """What was typed, read as one kind of look-up."""

    text: str
    kind: str = ""
    value: str = ""  # the identifier, normalised (reference, NHS number, UPN, postcode)
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "")

    @property
    def subject(self) -> Subject:
        return Subject(
            first_name=self.first_name,
            last_name=self.last_name,
            date_of_birth=self.date_of_birth,
            postcode=self.value if self.kind == Kind.POSTCODE else "",
            nhs_number=self.value if self.kind == Kind.NHS_NUMBER else "",
            upn=self.value if self.kind == Kind.UPN else "",
        )


def _two_digit_year(year: int, today: dt.date) -> int:
    # A child's year of birth: this century unless that would be in the future.
    century = today.year - today.year % 100
    return century + year if century + year <= today.year else century - 100 + year


def _find_date(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """The first date in ``text`` that is a possible date of birth, and the text
    without it."""
    for pattern, order in _DATES:
        for found in pattern.finditer(text):
            parts = dict(zip(order, found.groups(), strict=True))
            try:
                month = _MONTHS[parts["b"].lower()] if "b" in parts else int(parts["m"])
                year = int(parts["y"])
                if len(parts["y"]) == 2:
                    year = _two_digit_year(year, today)
                day = dt.date(year, month, int(parts["d"]))
            except (KeyError, ValueError):
                continue
            if EARLIEST <= day <= today:
                return day, (text[: found.start()] + " " + text[found.end() :]).strip()
    return None, text


def parse(text: str, *, today: dt.date | None = None) -> Query:
    """Read what was typed; ``Query.kind`` is empty when it is none of the kinds."""
    text = " ".join((text or "").split())[:200]
    upper = text.upper()
    compact = re.sub(r"[\s-]", "", upper)
    if _NHS.match(text):
        return Query(text, Kind.NHS_NUMBER, value=compact)
    if _UPN.match(compact):
        return Query(text, Kind.UPN, value=compact)
    reference = _REFERENCE.match(upper)
    if reference:
        prefix, year, number = reference.groups()
        return Query(text, _REFERENCE_KINDS[prefix], value=f"{prefix}-{year}-{int(number):06d}")
    if _POSTCODE.match(upper):
        return Query(text, Kind.POSTCODE, value=format_postcode(upper))
    today = today or timezone.localdate()
    dob, rest = _find_date(text, today)
    if "," in rest:  # "Smith, Jack": the surname first
        last, _, first = rest.partition(",")
        names = _NAME_PART.findall(first) + _NAME_PART.findall(last)
        first_name, last_name = (names[0], names[-1]) if len(names) > 1 else ("", "".join(names))
    else:
        names = _NAME_PART.findall(rest)
        # A first name and a surname: middle names add nothing the matcher keys on.
        first_name = names[0] if len(names) > 1 else ""
        last_name = names[-1] if names else ""
    if last_name:
        return Query(text, Kind.NAME, first_name=first_name, last_name=last_name, date_of_birth=dob)
    if dob:
        return Query(text, Kind.DATE_OF_BIRTH, date_of_birth=dob)
    return Query(text)


@dataclass
class Hit:
    """One child found (or, for a concern reference, the concern and its child)."""

    child: Child | None
    reasons: list[str] = field(default_factory=list)
    strength: str = ""
    score: float = 0.0
    cases: list[Case] = field(default_factory=list)  # the ones the user sees, open first
    plans: list[Plan] = field(default_factory=list)  # current, on those cases
    concern: Concern | None = None

    @property
    def age(self) -> str:
        return age_label(self.child.date_of_birth) if self.child else "Not recorded"

    @property
    def open_case(self) -> Case | None:
        return next((c for c in self.cases if c.status == Case.Status.OPEN), None)

    @property
    def case(self) -> Case | None:
        """The case a result links to: the open one, else the latest seen."""
        return self.open_case or (self.cases[0] if self.cases else None)

    @property
    def lead_agency(self):
        if self.case:
            return self.case.lead_agency
        if self.child:
            return self.child.lead_agency
        return self.concern.lead_agency if self.concern else None


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more than LIMIT: narrow the search

    @property
    def limit(self) -> int:
        return LIMIT


def _candidates(
    user: User,
    children: QuerySet[Child] | None,
    query: Query,
    limit: int,
    rule: dict[str, Any] | None,
) -> list[Candidate]:
    """Children the query finds, best first: of ``children``, or (``None``) of
    every child the user may see (``children_for``'s rule, given its values:
    ``rule``, asked in the form that costs least: ``search_scope``), through
    statements compiled once per process (safeguard.core.compiled)."""
    if not query.kind or (children is None and rule is None):
        return []
    if query.kind in _BY_REFERENCE:
        if children is None:
            build = partial(_visible_by_reference, query.kind, limit)
            key = ("search_by", query.kind, limit)
            found = compiled_objects(key, build, value=query.value, **rule)
        else:
            found = list(_by_reference(children, query.kind, limit, user, None, query.value))
        label = f"same {query.kind_label}"
        return [Candidate(c, 1.0, [label]) for c in found]
    floor = NAME_FLOOR if query.kind == Kind.NAME else FACT_FLOOR
    if children is not None:
        return find_candidates(
            children, query.subject, limit=limit, floor=floor, related=("lead_agency",)
        )
    # The pool's rows are the children the person may see (the scope's), and
    # hold all that a result shows of them: no second read of the children.
    ranked = ranked_candidates(
        search_scope(rule, query.subject), query.subject, limit=limit, floor=floor
    )
    return [Candidate(_child_of(c.child), c.score, c.reasons) for c in ranked]


# A child as the pool read it: the rest of its columns are not read (a
# search's result shows none of them), nor its lead agency (``_with_cases``
# gives it that).
_POOLED = [f.attname for f in Child._meta.concrete_fields if f.attname in POOL_COLUMNS]


def _child_of(row: PoolRow) -> Child:
    values = [row.pk if name == "id" else getattr(row, name) for name in _POOLED]
    return Child.from_db(DEFAULT_DB_ALIAS, _POOLED, values)


_BY_REFERENCE = (Kind.CASE_REFERENCE, Kind.CHILD_REFERENCE, Kind.CONCERN_REFERENCE)


def _by_reference(
    children: QuerySet[Child], kind: str, limit: int, person: User, now: Any, value: str
) -> QuerySet[Child]:
    if kind == Kind.CHILD_REFERENCE:
        found = children.filter(reference=value)
    elif kind == Kind.CASE_REFERENCE:
        found = children.filter(
            pk__in=cases_for(person, now=now).filter(reference=value).values("child_id")
        )
    else:
        found = children.filter(
            pk__in=concerns_for(person, now=now).filter(reference=value).values("child_id")
        )
    return found.select_related("lead_agency")[:limit]


def _visible_by_reference(
    kind: str,
    limit: int,
    *,
    person: User,
    now: dt.datetime,
    groups: list,
    permission: list,
    doors: list,
    value: str,
) -> QuerySet[Child]:
    children = visible_children(person, now, groups, permission, doors)
    return _by_reference(children, kind, limit, person, now, value)


def _with_cases(user: User, hits: list[Hit], rule: dict[str, Any] | None) -> None:
    """Each hit's cases that the user sees, each with its current plan: one
    query for the page, bounded by the children shown, its statement compiled
    once per process (``safeguard.core.compiled``); and each child its lead
    agency (``_with_lead_agencies``). With ``rule`` (the header
    search's), the person's groups and the view permission it read are bound
    in as arrays rather than planned as subqueries (``RoleValues``)."""
    by_child = {hit.child.pk: hit for hit in hits if hit.child}
    if not by_child or not user.is_authenticated or not user.is_active:
        return
    now = timezone.now() if rule is None else rule["now"]
    values: dict[str, Any] = {
        "person": user,
        "now": now,
        "today": timezone.localdate(now),
        "children": list(by_child),
    }
    if rule is None:
        cases = compiled_objects(("search_cases",), _cases_of, **values)
    else:
        given = {"groups": rule["groups"], "permission": rule["permission"]}
        cases = compiled_objects(("search_cases", "given"), _cases_of, **values, **given)
    _with_lead_agencies([hit.child for hit in by_child.values()], cases)
    for case in cases:
        hit = by_child[case.child_id]
        hit.cases.append(case)
        if case.plan_kind:
            hit.plans.append(
                Plan(
                    case=case,
                    kind=case.plan_kind,
                    category=case.plan_category or "",
                    start_date=case.plan_start,
                )
            )
    for hit in by_child.values():
        hit.cases.sort(key=lambda c: c.status != Case.Status.OPEN)  # stable: newest first


def _with_lead_agencies(children: list[Child], cases: list[Case]) -> None:
    """Each child made from the matcher's pool given its lead agency (which
    the pool does not read): the one its cases' rows brought (at a county's
    scale, every one), else read in one statement for all that lack one."""
    lead_agency = Child._meta.get_field("lead_agency")
    wanting = [child for child in children if not lead_agency.is_cached(child)]
    if not wanting:
        return
    known = {case.lead_agency_id: case.lead_agency for case in cases}
    missing = {child.lead_agency_id for child in wanting} - known.keys()
    if missing:
        found = compiled_objects(("search_agencies",), _agencies, ids=list(missing))
        known.update((agency.pk, agency) for agency in found)
    for child in wanting:
        if child.lead_agency_id in known:
            lead_agency.set_cached_value(child, known[child.lead_agency_id])


def _agencies(ids: list) -> QuerySet[Agency]:
    return Agency.objects.filter(one_of(ids))


# What a result shows of a case (its reference, whether it is open, its lead
# agency, its allocated worker's name) and the child it is placed under: the
# rest of the case's and its worker's columns are not read.
_CASE_SHOWN = (
    "reference",
    "child_id",
    "status",
    "lead_agency",
    "allocated_worker__first_name",
    "allocated_worker__last_name",
    "allocated_worker__username",
)


def _cases_of(
    person: User,
    now: dt.datetime,
    today: dt.date,
    children: list,
    groups: list | None = None,
    permission: list | None = None,
) -> QuerySet[Case]:
    # The current plan rides on its case's row (the latest started, should two
    # overlap on the day one ends), so a page of results costs one query.
    current = (
        Plan.objects.filter(case_id=OuterRef("pk"), start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by("-start_date")
    )
    given = None if groups is None else RoleValues(groups=groups, permission=permission or [])
    return (
        cases_for(person, now=now, given=given)
        .filter(one_of(children, "child__pk"))
        .select_related("lead_agency", "allocated_worker")
        .only(*_CASE_SHOWN)
        .annotate(
            plan_kind=Subquery(current.values("kind")[:1]),
            plan_category=Subquery(current.values("category")[:1]),
            plan_start=Subquery(current.values("start_date")[:1]),
        )
        .order_by("-opened_at")
    )


def search(
    user: User,
    text: str,
    *,
    children: QuerySet[Child] | None = None,
    where: str = "search",
    concerns: bool = True,
) -> Results:
    """Search ``children`` (by default every child the user may see) for what
    was typed, and record that the search was made: what was asked and how many
    were shown, never who.

    ``concerns``: a concern reference also finds the concern itself (the
    header's search; the triage look-up wants children only)."""
    query = parse(text)
    results = Results(query)
    if not query.text:
        return results
    rule = None
    if children is None and user.is_authenticated and user.is_active:
        rule = search_rule(user)
    found = _candidates(user, children, query, LIMIT + 1, rule)
    results.more = len(found) > LIMIT
    results.hits = [Hit(c.child, c.reasons, c.strength, c.score) for c in found[:LIMIT]]
    if concerns and query.kind == Kind.CONCERN_REFERENCE:
        concern = (
            concerns_for(user)
            .exclude(status=Concern.Status.DRAFT)
            .filter(reference=query.value)
            .select_related("lead_agency", "child__lead_agency")
            .first()
        )
        if concern is not None:
            hit = next(
                (h for h in results.hits if h.child and h.child.pk == concern.child_id), None
            )
            if hit is None:
                hit = Hit(concern.child, ["same concern reference"], "Strong match", 1.0)
                results.hits.insert(0, hit)
            hit.concern = concern
    _with_cases(user, results.hits, rule)
    audit_record(
        user=user,
        action="list",
        event="searched",
        detail={
            "where": where,
            "searched": query.text,
            "as": query.kind or "not recognised",
            "shown": len(results.hits),
            "more": results.more,
        },
    )
    return results
