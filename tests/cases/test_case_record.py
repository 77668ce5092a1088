"""The case record: address history, named professionals, teams, and the case's
parts refusing stale changes (SPEC 3.3), on the pages and through the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Team
from cases.models import Case, CaseAction, CaseProfessional, Child, Plan
from cases.services import statutory as statutory_work
from cases.services.record import action_add
from safeguard.audit.models import AuditEvent
from tests.cases.test_api import api
from tests.cases.test_child_record import form_data
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.worker2 = make_user("worker2@la", w.la, "social_worker")
    w.manager2 = make_user("manager2@la", w.la, "manager")
    return w


def case_page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


# Address history -----------------------------------------------------------------


def test_a_changed_address_is_kept_as_history_that_every_agency_sees(client, world):
    child = world.case.child
    url = reverse("case_child_edit", args=[world.case.pk])
    client.force_login(world.social_worker)
    first = form_data(child, address="1 Mill Lane, Northtown", postcode="ns1 2ab")
    assert client.post(url, first).status_code == 302
    child.refresh_from_db()
    assert not child.address_history.exists()  # nothing was there to keep
    # A save that leaves the address alone keeps no history either.
    same = form_data(child, address="1 Mill Lane, Northtown", postcode="NS1 2AB", language="Urdu")
    assert client.post(url, same).status_code == 302
    child.refresh_from_db()
    assert not child.address_history.exists()

    moved = form_data(child, address="Flat 4, 9 Quay Street, Porthaven", postcode="PH2 8QT")
    assert client.post(url, moved).status_code == 302
    child.refresh_from_db()
    assert child.postcode == "PH2 8QT"
    previous = child.address_history.get()
    assert (previous.address, previous.postcode) == ("1 Mill Lane, Northtown", "NS1 2AB")
    assert previous.to_date == timezone.localdate()
    assert previous.recorded_by == world.social_worker
    event = AuditEvent.objects.filter(event="child_updated").latest("id")
    assert event.detail["previous_address_kept"] is True

    # Identity is shared: the school on the case sees where the child lived too.
    for user in (world.social_worker, world.teacher):
        page = case_page(client, user, world.case)
        assert "Previous addresses" in page and "1 Mill Lane, Northtown" in page
        assert "9 Quay Street" in page
    body = api(world.social_worker).get(f"/api/v1/children/{child.pk}/").json()
    assert body["address_history"] == [
        {
            "address": "1 Mill Lane, Northtown",
            "postcode": "NS1 2AB",
            "from_date": previous.from_date.isoformat(),
            "to_date": previous.to_date.isoformat(),
        }
    ]


def test_a_stale_edit_keeps_no_history_and_changes_nothing(client, world):
    child = world.case.child
    url = reverse("case_child_edit", args=[world.case.pk])
    client.force_login(world.social_worker)
    client.post(url, form_data(child, address="1 Mill Lane", postcode="NS1 2AB"))
    child.refresh_from_db()
    opened = form_data(child, address="1 Mill Lane", postcode="NS1 2AB")
    client.force_login(world.worker2)
    assert client.post(url, {**opened, "address": "2 Elm Road"}).status_code == 302
    client.force_login(world.social_worker)
    assert client.post(url, {**opened, "address": "3 Oak Close"}).status_code == 409
    assert Child.objects.get(pk=child.pk).address == "2 Elm Road"
    assert list(child.address_history.values_list("address", flat=True)) == ["1 Mill Lane"]


# Named professionals ---------------------------------------------------------------


def professional(world, **overrides):
    data = {
        "name": "Dr Priya Nair",
        "role": "School nurse",
        "agency": world.school.pk,
        "phone": "01632 960 123",
        "email": "priya.nair@example.org",
        "user": "",
    }
    data.update(overrides)
    return data


def test_the_lead_agency_names_professionals_and_every_agency_sees_them(client, world):
    client.force_login(world.social_worker)
    url = reverse("case_professional_add", args=[world.case.pk])
    bad = client.post(url, professional(world, email="not-an-address", name=""))
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Enter an email address like name@example.org" in page
    assert "Enter the professional&#x27;s name" in page
    assert 'value="School nurse"' in page  # nothing typed is lost
    # Only agencies on the case: an unrelated authority's people are not offered.
    outsider = client.post(url, professional(world, agency=world.other_la.pk))
    assert outsider.status_code == 400
    assert not CaseProfessional.objects.exists()

    assert client.post(url, professional(world, user=world.teacher.pk)).status_code == 302
    added = CaseProfessional.objects.get()
    assert (added.agency, added.user, added.added_by) == (
        world.school,
        world.teacher,
        world.social_worker,
    )
    assert AuditEvent.objects.filter(event="professional_added", case_id=world.case.pk).exists()

    page = case_page(client, world.teacher, world.case)
    assert "Dr Priya Nair" in page and "priya.nair@example.org" in page
    assert "Add a professional" not in page  # involved agencies read the list only
    body = api(world.teacher).get(f"/api/v1/cases/{world.case.pk}/").json()
    assert [(p["name"], p["role"], p["agency"]["slug"]) for p in body["professionals"]] == [
        ("Dr Priya Nair", "School nurse", "school")
    ]
    listed = api(world.teacher).get("/api/v1/cases/").json()["results"][0]
    assert listed["professionals"][0]["username"] == "practitioner@school"

    # The school cannot add or end them; the lead agency ends them.
    client.force_login(world.teacher)
    assert client.post(url, professional(world)).status_code == 404
    end = reverse("case_professional_end", args=[world.case.pk, added.pk])
    assert client.post(end).status_code == 404
    client.force_login(world.social_worker)
    assert client.post(end).status_code == 302
    added.refresh_from_db()
    assert added.ended_at and added.ended_by == world.social_worker
    assert 'data-testid="professionals"' not in case_page(client, world.teacher, world.case)
    assert AuditEvent.objects.filter(event="professional_ended").exists()


def test_outsiders_cannot_name_professionals(client, world):
    client.force_login(world.other_manager)
    url = reverse("case_professional_add", args=[world.case.pk])
    assert client.post(url, professional(world)).status_code == 404
    assert not CaseProfessional.objects.exists()


# Teams and allocation ----------------------------------------------------------------


@pytest.fixture
def teams(world):
    assessment = Team.objects.create(agency=world.la, name="Assessment team", manager=world.manager)
    assessment.members.add(world.worker2, world.manager)
    protection = Team.objects.create(agency=world.la, name="Child protection team")
    protection.members.add(world.manager2)
    return assessment, protection


def allocate(client, world, user, version, **data):
    client.force_login(user)
    return client.post(reverse("case_allocate", args=[world.case.pk]), {"version": version, **data})


def test_a_case_is_allocated_to_a_worker_in_a_team(client, world, teams):
    assessment, protection = teams
    version = world.case.version
    wrong = allocate(
        client, world, world.manager, version, worker=world.worker2.pk, team=protection.pk
    )
    assert wrong.status_code == 400
    assert "worker2@la is not in the Child protection team" in wrong.content.decode()
    assert Case.objects.get(pk=world.case.pk).allocated_worker is None

    ok = allocate(
        client, world, world.manager, version, worker=world.worker2.pk, team=assessment.pk
    )
    assert ok.status_code == 302
    case = Case.objects.get(pk=world.case.pk)
    assert (case.allocated_worker, case.team) == (world.worker2, assessment)
    assert AuditEvent.objects.filter(event="case_allocated").latest("id").detail["team"] == (
        "Assessment team"
    )
    listing = client.get(reverse("case_list")).content.decode()
    assert "Assessment team" in listing
    assert "Assessment team" in case_page(client, world.manager, world.case)
    assert api(world.manager).get(f"/api/v1/cases/{case.pk}/").json()["team"] == "Assessment team"


def test_a_stale_allocation_is_refused_and_says_who_allocated_whom(client, world, teams):
    assessment, protection = teams
    opened = world.case.version  # both managers open the case page
    first = allocate(
        client, world, world.manager2, opened, worker=world.manager2.pk, team=protection.pk
    )
    assert first.status_code == 302
    second = allocate(
        client, world, world.manager, opened, worker=world.worker2.pk, team=assessment.pk
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert "manager2@la changed this case while you were choosing" in page
    assert "it is now allocated to manager2@la, Child protection team" in page
    case = Case.objects.get(pk=world.case.pk)
    assert case.allocated_worker == world.manager2  # nothing overwritten
    # Their own choice is still selected, at the version they have now seen.
    form = second.context["allocate_form"]
    assert form.data["worker"] == str(world.worker2.pk)
    assert form.data["version"] == str(case.version)
    again = allocate(
        client, world, world.manager, case.version, worker=world.worker2.pk, team=assessment.pk
    )
    assert again.status_code == 302
    assert Case.objects.get(pk=world.case.pk).allocated_worker == world.worker2


# Actions and plans -------------------------------------------------------------------


@pytest.fixture
def action(world):
    return action_add(
        acting_user=world.social_worker,
        case=world.case,
        description="Check attendance",
        agency=world.school,
        owner=None,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )


def test_an_action_done_from_a_stale_page_says_who_did_it(client, world, action):
    url = reverse("case_action_done", args=[world.case.pk, action.pk])
    opened = action.version
    client.force_login(world.teacher)
    assert client.post(url, {"version": opened}).status_code == 302
    client.force_login(world.social_worker)
    response = client.post(url, {"version": opened}, follow=True)
    page = response.content.decode()
    assert "practitioner@school already marked this action done on" in page
    done = CaseAction.objects.get(pk=action.pk)
    assert done.completed_by == world.teacher and done.version == opened + 1


def test_the_api_marks_actions_done_with_if_match(world, action):
    url = f"/api/v1/cases/{world.case.pk}/actions/{action.pk}/done/"
    listed = api(world.teacher).get(f"/api/v1/cases/{world.case.pk}/actions/").json()
    assert listed["results"][0]["version"] == 1
    stale = f'"{action.pk}-v0"'
    refused = api(world.teacher).post(url, HTTP_IF_MATCH=stale)
    assert refused.status_code == 412
    assert refused.json()["current"]["status"] == "open"
    assert refused["ETag"] == f'"{action.pk}-v1"'
    assert CaseAction.objects.get(pk=action.pk).status == "open"
    done = api(world.teacher).post(url, HTTP_IF_MATCH=refused["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert done["ETag"] == f'"{action.pk}-v2"'
    late = api(world.social_worker).post(url, HTTP_IF_MATCH=refused["ETag"])
    assert late.status_code == 412
    assert "already marked this action done" in late.json()["detail"]


def test_the_schema_documents_if_match_on_done(world):
    schema = api(world.social_worker).get("/api/schema/").content.decode()
    start = schema.index("/api/v1/cases/{case_pk}/actions/{id}/done/:")
    section = schema[start : start + 3000]
    assert "If-Match" in section and "'412':" in section


def test_ending_a_plan_from_a_stale_page_is_refused(client, world):
    plan = statutory_work.plan_start(
        acting_user=world.social_worker,
        case=world.case,
        kind="cin",
        start_date=timezone.localdate(),
    )
    url = reverse("case_plan", args=[world.case.pk, "end"])
    today = timezone.localdate()
    ending = {
        "plan": plan.pk,
        "version": plan.version,
        "end_date_0": today.day,
        "end_date_1": today.month,
        "end_date_2": today.year,
    }
    # Someone changed the plan after the page was opened.
    Plan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    plan.refresh_from_db()
    client.force_login(world.social_worker)
    page = client.post(url, ending, follow=True).content.decode()
    assert "Someone else changed this child in need plan since you opened the page" in page
    assert "its next review is now due by" in page
    assert Plan.objects.get(pk=plan.pk).end_date is None
    client.force_login(world.worker2)
    assert client.post(url, {**ending, "version": plan.version}).status_code == 302
    client.force_login(world.social_worker)
    page = client.post(url, ending, follow=True).content.decode()
    assert f"it ended on {today:%-d %B %Y}" in page


def test_the_case_page_still_runs_a_fixed_number_of_queries(client, world, teams, action):
    from tests.cases.test_concern_pages import _query_count

    client.force_login(world.teacher)
    url = reverse("case_detail", args=[world.case.pk])
    before = _query_count(client, url)
    client.force_login(world.social_worker)
    add = reverse("case_professional_add", args=[world.case.pk])
    for n in range(4):
        client.post(add, professional(world, name=f"Person {n}"))
    edit = reverse("case_child_edit", args=[world.case.pk])
    for n in range(3):
        child = Child.objects.get(pk=world.case.child_id)
        client.post(edit, form_data(child, address=f"{n} Mill Lane", postcode="NS1 2AB"))
    client.force_login(world.teacher)
    assert _query_count(client, url) == before
