"""Work with the child in the demo: statutory visits on the child protection
plan, the child's wishes and feelings, and the family invited to conferences
by name. Made through the services, like everything else in the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.models import Case, StatutoryVisit
from cases.services.visits import visit_record
from meetings import services as meetings
from meetings.models import Meeting, MeetingAttendee
from safeguard import workdays

WORKER = "social_worker@northshire-csc"
CHAIR = "chair@northshire-csc"

# Said to the social worker on visits, in the child's words.
WORDS = [
    "I like it when mum walks me to school.",
    "Dad shouted again on Saturday but then he said sorry.",
    "I want my own bed, my sister kicks.",
]


def demo_wishes(case: Case) -> dict[str, str]:
    """What an assessment recorded of the child's views: a baby's too young; an
    older child's own words."""
    born = case.child.date_of_birth
    if born and (timezone.localdate() - born).days < 3 * 365:
        return {"wishes_not_obtained": "too_young"}
    return {
        "child_wishes": f"{case.child.first_name} said they want things at home to be calmer "
        "and to keep going to the same school."
    }


def _surname(case: Case) -> str:
    return case.child.last_name


def invite_family(world: Any, meeting: Meeting, case: Case, *, child: bool = True) -> list:
    """The child's parent, the child (old enough to take part) and an advocate,
    and the health visitor, invited by name."""
    chair = world.built.users[CHAIR]
    people = [
        ("parent", f"Leanne {_surname(case)}", "Mother", None),
        ("advocate", "Femi Adeyemi", "Independent advocate for the child", None),
        (
            "professional",
            "Gail Porter",
            "Health visitor",
            world.built.agencies["northshire-health"],
        ),
    ]
    if child:
        people.insert(1, ("child", case.child.full_name, "The child", None))
    made = []
    for kind, name, role, agency in people:
        if meeting.attendees.filter(name=name, role=role).exists():
            continue
        made.append(
            meetings.attendee_add(
                acting_user=chair, meeting=meeting, name=name, kind=kind, role=role, agency=agency
            )
        )
    return made


def attendance_of(meeting: Meeting) -> dict[str, str]:
    """Everyone came but the advocate, who sent apologies."""
    return {
        str(a.pk): "apologies" if a.kind == MeetingAttendee.Kind.ADVOCATE else "present"
        for a in meeting.attendees.all()
    }


def visits(world: Any, case: Case) -> None:
    """Visits since the plan started, about every two weeks, one where the child
    was not seen; the last was a while ago, so a visit is due about now."""
    worker = world.built.users[WORKER]
    plan = case.plans.filter(kind="cp", end_date__isnull=True).first()
    if plan is None or StatutoryVisit.objects.filter(case=case).exists():
        return
    today = timezone.localdate()
    day = workdays.add_working_days(plan.start_date, 3)
    n = 0
    while day < today - dt.timedelta(days=12):
        not_seen = n == 2
        if not_seen:
            seen = StatutoryVisit.Seen.NOT_SEEN
        else:
            seen = StatutoryVisit.Seen.SEEN_ALONE if n % 3 else StatutoryVisit.Seen.SEEN
        visit_record(
            acting_user=worker,
            case=case,
            visited_on=day,
            # Known for some visits only: the others keep an unknown time unknown.
            visited_at_time=dt.time(15, 30) if n % 2 == 0 else None,
            seen=seen,
            not_seen_reason=StatutoryVisit.NotSeenReason.NO_ANSWER if not_seen else "",
            visited_by=worker,
            note="No answer at the door; a card was left."
            if not_seen
            else f'Saw {case.child.first_name} in their bedroom. They said: "{WORDS[n % 3]}"',
        )
        n += 1
        day = workdays.add_working_days(day, 8 if not_seen else 9)
