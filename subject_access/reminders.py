"""What comes due in subject access work, for ``safeguard.notifications``.

An open request warns its officers ahead of the statutory deadline (one
calendar month, or as extended: ``deadlines``), again on the day, and when
overdue escalates to every information governance officer of the authority.
E-mails carry the request's reference and a link only, never whose record it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from agencies.roles import INFORMATION_GOVERNANCE_ROLES
from cases.reminders import link_maker, members_by_agency
from safeguard.notifications.registry import DueItem, register
from subject_access.models import SubjectAccessRequest


@register("subject_access", label="Subject access request response")
def subject_access_requests(horizon: dt.date) -> Iterator[DueItem]:
    rows = list(
        SubjectAccessRequest.objects.exclude(status=SubjectAccessRequest.Status.SENT)
        .filter(due_on__lte=horizon)
        .values("pk", "reference", "agency_id", "due_on", "logged_by_id")
    )
    officers = members_by_agency({r["agency_id"] for r in rows}, INFORMATION_GOVERNANCE_ROLES)
    link = link_maker("subject_access_detail")
    for row in rows:
        team = officers.get(row["agency_id"], ())
        # The officer who logged it, while they still work the authority's requests.
        responsible = (row["logged_by_id"],) if row["logged_by_id"] in team else team
        yield DueItem(
            subject=f"subject_access:{row['pk']}",
            due_on=row["due_on"],
            reference=row["reference"],
            link_path=link(row["pk"]),
            responsible=responsible,
            managers=team,
        )
