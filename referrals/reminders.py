"""Referral responses coming due, for ``safeguard.notifications`` to remind about.

The receiving agency's case workers are reminded; when the response is late it
is escalated to the receiving agency's managers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from cases.reminders import AgencyPeople, end_of_day, link_maker
from referrals.models import Referral
from safeguard import workdays
from safeguard.notifications.registry import DueItem, register

AWAITING_RESPONSE = [Referral.Status.SENT, Referral.Status.ACKNOWLEDGED]


@register("referral_response", label="Response to referral")
def referral_responses(horizon: dt.date) -> Iterator[DueItem]:
    rows = list(
        Referral.objects.filter(
            status__in=AWAITING_RESPONSE, response_due_at__lt=end_of_day(horizon)
        ).values("pk", "reference", "to_agency_id", "response_due_at")
    )
    people = AgencyPeople(r["to_agency_id"] for r in rows)
    referral_link = link_maker("referral_detail")
    for row in rows:
        yield DueItem(
            subject=f"referral:{row['pk']}",
            due_on=workdays.local_date(row["response_due_at"]),
            reference=row["reference"],
            link_path=referral_link(row["pk"]),
            responsible=people.workers(row["to_agency_id"]),
            managers=people.managers(row["to_agency_id"]),
        )
