"""The header search's scope: every child a person may see, in the form the
matcher reads (``cases.matching.candidate_pool``) that costs least for this
person and this search.

The rule is ``visible_children``'s whichever form asks it: a child with a
case the person sees (a view grant through one of their role groups, one of
their own while they are a member of an active agency, or a live
break-glass), or, for someone who works a front door, a child of that
authority with no restricted case hidden from them.

Asked child by child (``visible_children``), each child a block reads costs a
probe of the child's cases and of each grant table. A search by name has a
block that reads every child with the surname's key, to find the few that
someone who sees little may see: 2,193 children for "Colin" at a county's
scale, 10,976 for "Smith". The matcher's statement took 15 ms (26,540
buffers) for a school's "Jack Colin" and 78 ms for its "Oliver Smith"; 13
and 72 ms for a health trust's. So, for someone who works no front door,
the search may read their grants first, as a set, once for the statement:

- ``SEEN_CHILDREN``: the children of the granted cases (a probe of the case
  per grant), which each block hashes, so that a child read costs a look-up
  in the hash (a school's 118 grants: "Jack Colin" 1 ms, 1,887 buffers;
  "Oliver Smith" 6 ms);
- ``GRANTED_CASES``: the granted cases' ids, which each block hashes, so that
  a child read costs a probe of its cases and a look-up in the hash (a health
  trust's 10,077 grants: "Jack Colin" 7 ms, "Oliver Smith" 39 ms).

Reading the grants first costs in proportion to the grants, so for a rare
surname it costs more than it saves (a health trust's "Terry Thibault", 50
children: 0.5 ms child by child, 4.7 ms with its grants hashed). Which form
is cheapest is asked of ``cheapest`` with the person's number of grants and
the number of children the search's widest blocks read, both counted, to a
bound, in one small statement. Anyone who works a front door is asked child
by child: their grants are every unrestricted case of the authority (a
million rows to read as a set), and their blocks stop at their bound after
the few hundred children the door lets in. So is any search but one by name:
an identifier's or a postcode's blocks read a handful of children.

The blocks read the children by the same indexes in the same order in every
form, so which children a full block keeps, and the order of equal scores,
are the same too. Each form answers exactly what the rule answers whatever
the number of grants: the sets are read whole, never cut at a bound; the
counts only choose the form, so a count that is out of date by the time the
search runs costs time, never a child. Each statement's text is the same for
everyone, compiled once per process (``safeguard.core.compiled``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet, Value
from django.utils import timezone

from cases.matching import SCOPE_COLUMNS, Materialized, Scope, Subject, name_key, scope_columns
from cases.models import (
    BreakGlass,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
)
from cases.selectors.cases import PLANS_GENERIC, User, still_a_member
from cases.selectors.children import (
    children_rule_values,
    rule_values_statement,
    visible_children,
)
from safeguard.core.compiled import compiled, compiled_rows
from safeguard.core.lookups import one_of

CHILD_BY_CHILD = "child by child"
SEEN_CHILDREN = "seen children"
GRANTED_CASES = "granted cases"
# What each form costs, in microseconds, per grant read first and per child
# a block reads, as the matcher's statements measured at a county's scale
# (2 cores, a warm cache): child by child, 6.5 a child ("Oliver Smith",
# 72 ms); the seen children, 3.5 a grant (994 grants, "Terry Thibault":
# 3.3 ms) and 0.5 a child ("Oliver Smith" for 118 grants: 5.8 ms); the
# granted cases, 0.5 a grant (10,077 grants, "Terry Thibault": 4.7 ms) and
# 2 a child ("Jack Colin": 6.6 ms). The first is the cheapest on a tie.
COSTS = {
    CHILD_BY_CHILD: (0.0, 6.5),
    SEEN_CHILDREN: (3.5, 0.5),
    GRANTED_CASES: (0.5, 2.0),
}
# Past this many grants for each child a search reads, reading the grants
# first costs more than it saves in either form (9, for these costs): the
# grants are counted no further.
GRANTS_PER_CHILD_READ = math.ceil(
    max(
        (COSTS[CHILD_BY_CHILD][1] - per_child) / per_grant
        for per_grant, per_child in (COSTS[SEEN_CHILDREN], COSTS[GRANTED_CASES])
    )
)
# The children a key finds are counted to one past this, so the grants to
# 18,010 at most for a name alone (about 1 ms): more children make little
# difference to the choice.
CHILDREN_COUNTED = 2_000

_CHILD, _CASE = Child._meta.db_table, Case._meta.db_table
_COLUMNS = ", ".join(SCOPE_COLUMNS)
# The children of the granted cases, read once for the statement (a probe
# of the case's primary key per grant), for every block to hash.
_SEEN = (
    f"seen(id) AS MATERIALIZED (SELECT child_id FROM {_CASE} "  # noqa: S608
    f"WHERE id IN (SELECT id FROM granted))"
)
# Each block still reads the children its key finds, by the index it always
# used and in the same order, and keeps those in the set. "IS TRUE" keeps
# each test where it is written: without it PostgreSQL may join the set into
# the block instead, and read it in another order; or join it into each
# child's probe of its cases, reading all of it again for every child (80 to
# 220 ms); or turn the whole test into a join that reads every case of the
# county (over 3 s for "Smith").
_IN_SEEN_CHILDREN = f"SELECT {_COLUMNS} FROM {_CHILD} WHERE (id IN (SELECT id FROM seen)) IS TRUE"  # noqa: S608
# Each child's cases probed by the child's index, each looked up in the set.
_WITH_A_GRANTED_CASE = (
    f"SELECT {_COLUMNS} FROM {_CHILD} WHERE (EXISTS (SELECT 1 FROM {_CASE} "  # noqa: S608
    f"WHERE {_CASE}.child_id = {_CHILD}.id "
    f"AND ({_CASE}.id IN (SELECT id FROM granted)) IS TRUE)) IS TRUE"
)


def search_rule(user: User) -> dict[str, Any]:
    """``children_rule_values`` for the header search (``user`` signed in
    and active), read by a statement that also has PostgreSQL plan the rest
    of the request's statements generically (``plan_cache_mode``, for the
    transaction only).

    PostgreSQL never chose a generic plan for the matcher's statement, its
    cost estimated without the values above the plans it made for them, so
    it planned each search afresh: 1 to 4 ms for an identifier's or a
    postcode's statement, each of whose blocks repeats the whole rule, which
    then ran in 0.1 to 0.6 ms. Its generic plan is the same walk, as quick.
    Not so the forms that read the grants first: without the number of
    grants PostgreSQL plans their set as millions of rows, too many to hash,
    and probes it row by row (seconds). So a search that may take one of
    those (``_sizes``: a search by name for someone who works no front door)
    gives PostgreSQL back its own choice first."""
    if connection.vendor != "postgresql":
        return children_rule_values(user)
    rule = compiled_rows(("search_rule",), _rule_planned_generically, person=user)[0]
    groups, permission, doors, _ = rule
    return {
        "person": user,
        "now": timezone.now(),
        "groups": list(groups),
        "permission": list(permission),
        "doors": list(doors),
    }


def _rule_planned_generically(person: User) -> tuple[str, list]:
    sql, params = rule_values_statement(person)
    # Set with the values read, for the statements after this one.
    return f"{sql}, {PLANS_GENERIC}", params


# PostgreSQL's own choice between a generic plan and one for the values, as
# for every other statement of the service.
_PLANS_CHOSEN = "set_config('plan_cache_mode', 'auto', true)"


def search_scope(rule: dict[str, Any], subject: Subject) -> Scope:
    """The children the person ``rule`` gives (``children_rule_values``'s
    values) may see, for the matcher's look-up of ``subject``, in the
    cheapest form."""
    if rule["doors"] or not subject.last_name:
        return compiled(("search_scope",), visible_scope, **rule)
    values = {name: rule[name] for name in ("person", "now", "groups", "permission")}
    keys = {"last_key": name_key(subject.last_name)}
    if subject.date_of_birth and subject.first_name:
        # The first name's nearest dates of birth are a block of their own.
        keys["first_key"] = name_key(subject.first_name)
    read, grants, *_ = compiled_rows(("search_scope", "sizes", *keys), _sizes, **values, **keys)[0]
    form = cheapest(grants, read)
    if form == SEEN_CHILDREN:
        return _granted(values, ctes=_SEEN, select=_IN_SEEN_CHILDREN)
    if form == GRANTED_CASES:
        return _granted(values, ctes="", select=_WITH_A_GRANTED_CASE)
    return compiled(("search_scope",), visible_scope, **rule)


def cheapest(grants: int, read: int) -> str:
    """The form (``COSTS``) that costs least for someone with ``grants`` view
    grants, for a search whose widest blocks read ``read`` children."""
    return min(COSTS, key=lambda form: COSTS[form][0] * grants + COSTS[form][1] * read)


def visible_scope(
    person: User, now: dt.datetime, groups: list, permission: list, doors: list
) -> QuerySet[Child]:
    """``visible_children`` child by child, in the matcher's columns."""
    return scope_columns(visible_children(person, now, groups, permission, doors))


def _sizes(
    person: AbstractBaseUser,
    now: dt.datetime,
    groups: list,
    permission: list,
    last_key: str,
    first_key: str | None = None,
) -> tuple[str, list]:
    """How many children have the keys (each counted to one past
    ``CHILDREN_COUNTED``) and how many grants the person holds, counted to
    one past ``GRANTS_PER_CHILD_READ`` for each of those children: one
    statement, which on PostgreSQL gives the statements after it back their
    own choice of plan (``search_rule``)."""
    counts, read_params = [], []
    for field, key in (("last_name_key", last_key), ("first_name_key", first_key)):
        if key is not None:
            # No columns but a constant: the key's index alone answers it.
            having = Child.objects.filter(**{field: key}).order_by().values_list(Value(1))
            sql, params = having[: CHILDREN_COUNTED + 1].query.sql_with_params()
            counts.append(f"(SELECT count(*) FROM ({sql}) AS having_key)")  # noqa: S608
            read_params += params
    read = "(" + " + ".join(counts) + ")"
    every = granted_case_ids(person, now, groups, permission)
    granted, granted_params = every.query.sql_with_params()
    # The ORM's own SQL and this module's constants, no text from anyone.
    grants = (
        f"(SELECT count(*) FROM (SELECT 1 FROM ({granted}) AS granted "  # noqa: S608
        f"LIMIT {read} * {GRANTS_PER_CHILD_READ} + 1) AS counted)"
    )
    chosen = f", {_PLANS_CHOSEN}" if connection.vendor == "postgresql" else ""
    sql = f"SELECT {read}, {grants}{chosen}"
    return sql, [*read_params, *granted_params, *read_params]


def _granted(values: dict[str, Any], *, ctes: str, select: str) -> Materialized:
    sql, params = compiled(("search_scope", "granted"), granted_case_ids, **values)
    granted = f"granted(id) AS MATERIALIZED ({sql})"
    ctes = f"{granted}, {ctes}" if ctes else granted
    return Materialized(ctes=ctes, params=params, select=select)


def granted_case_ids(
    person: AbstractBaseUser, now: dt.datetime, groups: list, permission: list
) -> QuerySet:
    """The ids of the cases ``person`` sees, as one set rather than a probe
    per case: ``case_visible_to``'s three ways, on the same conditions
    (``cases.selectors.cases._grant_rows`` and ``_live_break_glass``), with
    the person's role groups and the view permission given as values. An id
    may come more than once."""
    by_group = CaseGroupObjectPermission.objects.filter(
        one_of(groups, "group__pk"), one_of(permission, "permission__pk")
    ).values_list("content_object_id")
    by_user = (
        CaseUserObjectPermission.objects.filter(one_of(permission, "permission__pk"), user=person)
        .filter(still_a_member(person))
        .values_list("content_object_id")
    )
    glass = (
        BreakGlass.objects.filter(user=person, expires_at__gt=now)
        .filter(still_a_member(person))
        .values_list("case_id")
    )
    # No arm may carry an ordering: SQLite refuses one inside a compound statement.
    return by_group.order_by().union(by_user.order_by(), glass.order_by(), all=True)
