"""The case page's reads are compiled once per process and bound to each
request's person and case (cases/selectors/case_page.py): what the page
shows must be that request's own, never the case or the person a statement
was first compiled for, and must follow what has changed since."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseClosure, Involvement
from cases.services.record import action_add, case_note_add, household_member_add
from cases.services.statutory import plan_start
from tests.cases.test_compiled_access import compiles  # noqa: F401  (the fixture)
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# What the page reads of a case, by the model each read is of (and the
# access rule's grants): none of them is built and compiled again once the
# page has been drawn at the reader's level of access.
PAGE_READS = {
    "agencies.Agency",
    "agencies.Team",
    "auth.User",
    "cases.Assessment",
    "cases.BreakGlass",
    "cases.CaseAction",
    "cases.CaseClosure",
    "cases.CaseDocument",
    "cases.CaseNote",
    "cases.CaseGroupObjectPermission",
    "cases.CaseProfessional",
    "cases.CaseUserObjectPermission",
    "cases.ChildAddress",
    "cases.ChildMerge",
    "cases.ChronologyEntry",
    "cases.Concern",
    "cases.Episode",
    "cases.HouseholdMember",
    "cases.Involvement",
    "cases.InvolvementReason",
    "cases.Plan",
    "cases.Section47Enquiry",
    "cases.StatutoryVisit",
    "meetings.Meeting",
    "meetings.MeetingCase",
}


LEAD_ONLY = "Lead only: the father has a conviction for violence."


def _record(world: World, case, *, name: str, note: str, action: str) -> None:
    """A shared note, someone in the household and an action, as the lead records them."""
    case_note_add(
        acting_user=world.social_worker, case=case, agency=world.la, text=note, sensitivity="shared"
    )
    household_member_add(
        acting_user=world.social_worker,
        case=case,
        name=name,
        relationship="mother",
        lives_with_child=True,
        has_parental_responsibility=True,
        flags=[],
    )
    action_add(
        acting_user=world.social_worker,
        case=case,
        description=action,
        agency=world.la,
        owner=world.social_worker,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )


@pytest.fixture
def world():
    w = World()
    w.first = open_case_from_concern(w, submit_concern(w))
    w.second = open_case_from_concern(w, submit_concern(w, child_last_name="Stone"))
    _record(w, w.first, name="Alice Hart", note="Note on the first case", action="Visit the Harts")
    _record(w, w.second, name="Beth Stone", note="Note on the second case", action="Call Ms Stone")
    case_note_add(
        acting_user=w.social_worker,
        case=w.first,
        agency=w.la,
        text=LEAD_ONLY,
        sensitivity="restricted",
    )
    # A closure asked for (as a worker would, once the work on it had ended).
    CaseClosure.objects.create(
        case=w.second,
        reason="RC8",
        explanation="The family moved away.",
        requested_by=w.manager,
        requested_at=timezone.now(),
    )
    plan_start(
        acting_user=w.social_worker,
        case=w.first,
        kind="cin",
        start_date=timezone.localdate(),
    )
    return w


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_case_page_shows_its_own_record_for_each_person(client, world, compiles):  # noqa: F811
    first = (
        "Amelia Hart",
        "Note on the first case",
        "Alice Hart",
        "Visit the Harts",
        "Child in need",
    )
    second = ("Amelia Stone", "Note on the second case", "Beth Stone", "Call Ms Stone", "No plans.")
    # The first page drawn at each level of access compiles its statements:
    # the lead's, and an involved agency's (the school reported the concerns).
    page = _page(client, world.social_worker, world.first)
    assert [shown for shown in first if shown not in page] == []
    assert "Note on the first case" in _page(client, world.teacher, world.first)
    assert "Restrict this case" in _page(client, world.manager, world.first)

    people = (world.social_worker, world.teacher, world.manager, world.teacher, world.social_worker)
    for user in people:
        for case, its_own, the_others in (
            (world.second, second, first),
            (world.first, first, second),
        ):
            compiles.clear()
            page = _page(client, user, case)
            assert PAGE_READS.isdisjoint(compiles), (user, case, compiles)  # bound, not built again
            # The lead's actions; the school, whose agency owns none, sees none.
            lead = user != world.teacher
            expected = (
                its_own if lead else [s for s in its_own if not s.startswith(("Visit", "Call"))]
            )
            for shown in expected:
                assert shown in page, (user, case, shown)
            for shown in the_others[:4]:
                assert shown not in page, (user, case, shown)
            assert ("you see this case as an involved agency" in page) is not lead
            # A restricted note: the lead's alone, on its own case alone.
            assert (LEAD_ONLY in page) is (lead and case == world.first)
            # The closure asked for on the second case, and by whom: the lead's to see.
            closure = "Closure requested by manager@la: Case closed after assessment, no further"
            asked = "The family moved away."
            assert (asked in page) is (lead and case == world.second), (user, case)
            assert (closure in page) is (lead and case == world.second)
            # The lead agency's manager may restrict the case and allocate it.
            manager = user == world.manager
            assert ("Restrict this case" in page) is manager
            assert ('id="allocate"' in page) is manager


def _involved_and_offered(page: str, case) -> tuple[list[str], str]:
    """The agencies the page lists as involved, and its form to involve another."""
    involved = re.findall(r'data-testid="involved-agency"><strong>([^<]+)</strong>', page)
    action = reverse("case_add_agency", args=[case.pk])
    offered = page.split(f'action="{action}"')[1].split("</form>")[0]
    return involved, offered


def test_an_agency_whose_involvement_ends_sees_the_case_no_more(client, world, compiles):  # noqa: F811
    """The police are involved: they read the shared note. The lead ends their
    involvement: on the next request the police are shown nothing of the
    case, and the lead's page, its statements compiled and bound, no longer
    lists them as involved and offers to involve them again."""
    client.force_login(world.social_worker)
    client.post(reverse("case_add_agency", args=[world.first.pk]), {"agency": world.police.pk})
    police = Involvement.objects.get(case=world.first, agency=world.police, ended_at=None)
    page = _page(client, world.officer, world.first)
    assert "Note on the first case" in page and "Alice Hart" in page
    assert "Note on the second case" not in page
    involved, offered = _involved_and_offered(
        _page(client, world.social_worker, world.first), world.first
    )
    assert "Police" in involved and f'value="{world.police.pk}"' not in offered

    client.force_login(world.social_worker)
    ended = client.post(
        reverse("case_end_involvement", args=[world.first.pk, police.pk]),
        {"reason": "Police enquiries closed."},
    )
    assert ended.status_code == 302

    client.force_login(world.officer)
    response = client.get(reverse("case_detail", args=[world.first.pk]))
    assert response.status_code == 404
    assert "Note on the first case" not in response.content.decode()
    compiles.clear()
    involved, offered = _involved_and_offered(
        _page(client, world.social_worker, world.first), world.first
    )
    assert PAGE_READS.isdisjoint(compiles), set(compiles)
    assert involved == ["Lead Children&#x27;s Services", "Hill School"]
    assert f'value="{world.police.pk}"' in offered
