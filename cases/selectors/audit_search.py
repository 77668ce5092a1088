"""The rows of the audit log an auditor may search (the audit search page and
its API): about their authority's cases, or made by members of their agencies.
Nobody else reaches the audit search.

Written for a county's log, ten million rows read newest first a page at a
time. Each part of the rule is asked the way its rows are found fastest:

- made by today's members, or by anyone who acted as one then: the actor
  columns' indexes (``user_id``, and the agencies each row's actor belonged to,
  ``acting_for``), so a school's few thousand rows are found without walking
  the log;
- about the authority's cases: when it leads few, their ids, read off the
  ``case_id`` index; when it leads many (a county's authority leads nearly
  every case, and nearly every row is its), each row's case is looked up as
  the log is walked newest first, which finds a page within a few rows.
  Asked as a set instead, PostgreSQL hashed a million case ids, or with too
  little memory for that, scanned them once for every row (17 s a page).
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from agencies.models import Membership
from agencies.roles import Role
from agencies.selectors import agencies_where
from cases.models import Case
from cases.selectors import cases as case_rules
from cases.selectors.cases import User
from cases.selectors.many import remember_many, remembered_many
from safeguard.audit.models import AuditEvent, acting_for
from safeguard.core.lookups import one_of

# What ``cases.selectors.many`` remembers an auditor's authority to lead many of.
AUDITED_CASES = "audited cases"


def audit_rows_for(user: User) -> QuerySet[AuditEvent]:
    """Audit rows ``user`` may search as an auditor, newest first (404 for
    anyone who is not one)."""
    # The auditor's agencies with every member of them, in one read: as
    # values, so each part below is read off its index (a subquery of the
    # members could only be hashed and tested row by row along the log).
    audited = list(
        Membership.objects.filter(agency__in=agencies_where(user, roles=[Role.AUDITOR]))
        .values_list("agency_id", "agency__slug", "user_id")
        .distinct()
    )
    if not audited:
        raise Http404
    ids = sorted({agency for agency, _, _ in audited})
    slugs = sorted({slug for _, slug, _ in audited})
    # Made by their members: today's, and anyone who acted as one then (a
    # membership an operator has since removed no longer names them).
    made = one_of({person for _, _, person in audited}, "user__pk") | acting_for(slugs)
    rows = AuditEvent.objects.all()
    # The agencies' ids as values, not a subquery: PostgreSQL then knows a
    # police force leads no case, rather than guessing it leads the average.
    led = Case.objects.filter(lead_agency_id__in=ids).values_list("pk", flat=True)[
        : case_rules.FEW + 1
    ]
    # Whether few or many only chooses how the rows are found, never which.
    if remembered_many(user, AUDITED_CASES):
        few = None
    else:
        found = list(led)
        few = remember_many(user, found if len(found) <= case_rules.FEW else None, AUDITED_CASES)
    if few is not None:
        about = one_of(few, "case_id") if few else Q(pk__in=[])
    else:
        # Each row's own case, looked up as the log is walked: a correlated
        # subquery, which PostgreSQL does not turn into a hash of every case.
        lead = Case.objects.filter(pk=OuterRef("case_id")).values("lead_agency_id")[:1]
        rows = rows.alias(case_lead=Subquery(lead))
        about = Q(case_lead__in=ids)
    return rows.filter(made | about).order_by("-id")
