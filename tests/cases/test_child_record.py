"""Editing the child's identity: DfE codes, validation, and two people at once."""

import pytest
from django.urls import reverse

from cases.models import Child
from safeguard.audit.models import AuditEvent
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.worker2 = make_user("worker2@la", w.la, "social_worker")
    return w


def form_data(child, **overrides):
    data = {
        "version": child.version,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "other_names": "",
        "sex": "F",
        "gender": "",
        "ethnicity": "WBRI",
        "language": "English",
        "nhs_number": "",
        "upn": "",
        "address": "",
        "postcode": "",
        "school": "",
        "date_of_birth_0": "4",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2016",
    }
    data.update(overrides)
    return data


def test_the_lead_agency_records_dfe_codes(client, world):
    child = world.case.child
    client.force_login(world.social_worker)
    url = reverse("case_child_edit", args=[world.case.pk])
    response = client.post(url, form_data(child, disabilities=["COMM", "AUT"], ethnicity="MWAS"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.ethnicity == "MWAS" and child.disabilities == ["COMM", "AUT"]
    assert child.version == 2
    assert AuditEvent.objects.filter(event="child_updated").exists()


def test_a_stale_form_is_refused_and_shows_the_other_change(client, world):
    child = world.case.child
    url = reverse("case_child_edit", args=[world.case.pk])
    opened = form_data(child)  # both open the form at version 1
    client.force_login(world.worker2)
    assert client.post(url, {**opened, "language": "Polish"}).status_code == 302
    client.force_login(world.social_worker)
    response = client.post(url, {**opened, "language": "Romanian", "gender": "Girl"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record" in page
    assert "Polish" in page  # their change, shown
    assert 'value="Romanian"' in page  # what this person typed, kept
    assert Child.objects.get(pk=child.pk).language == "Polish"  # nothing overwritten
    # Saving again, having seen it, replaces their version knowingly.
    retry = response.context["form"].data
    assert client.post(url, retry).status_code == 302
    assert Child.objects.get(pk=child.pk).language == "Romanian"


def test_bad_identifiers_and_codes_are_refused(client, world):
    client.force_login(world.social_worker)
    url = reverse("case_child_edit", args=[world.case.pk])
    response = client.post(
        url, form_data(world.case.child, upn="A801200110001", disabilities=["NONE", "VIS"])
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "upn" in errors and "disabilities" in errors


def test_involved_agencies_cannot_edit(client, world):
    client.force_login(world.teacher)
    assert client.get(reverse("case_child_edit", args=[world.case.pk])).status_code == 404


def test_after_a_collision_saving_again_keeps_both_changes(client, world):
    """Both open the form; one changes the language, the other the gender. The
    second is refused and shown the first's change; saving again keeps both."""
    url = reverse("case_child_edit", args=[world.case.pk])
    client.force_login(world.social_worker)
    assert client.post(url, form_data(world.case.child, language="English")).status_code == 302
    child = Child.objects.get(pk=world.case.child_id)
    client.force_login(world.worker2)
    opened = client.get(url).context["form"]
    mine = {**form_data(child, language="English"), "original": opened.initial["original"]}
    client.force_login(world.social_worker)
    theirs = client.get(url).context["form"]
    changed = {**form_data(child, language="English"), "original": theirs.initial["original"]}
    assert client.post(url, {**changed, "language": "Polish"}).status_code == 302

    client.force_login(world.worker2)
    response = client.post(url, {**mine, "gender": "Non-binary"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "First language: <strong>Polish</strong>" in page  # their change, shown
    assert 'value="Non-binary"' in page  # what this person typed, kept
    assert 'value="Polish"' in page  # and their change is in the form, not undone
    assert "Gender:" not in page.split("Your changes are below")[0]  # only theirs listed
    child = Child.objects.get(pk=world.case.child_id)
    assert (child.language, child.gender) == ("Polish", "")
    assert client.post(url, response.context["form"].data).status_code == 302
    child.refresh_from_db()
    assert (child.language, child.gender) == ("Polish", "Non-binary")


def test_opening_the_identity_form_is_a_recorded_read_of_the_case(client):
    """The edit form shows the child's identifiers and address: opening it
    shows in the case's "who has viewed this record"."""
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    before = AuditEvent.objects.filter(case_id=case.pk, username=world.social_worker.username)
    count = before.count()
    response = client.get(f"/cases/{case.pk}/child/")
    assert response.status_code == 200
    assert before.count() == count + 1
    assert before.order_by("-id").first().event == "case_viewed"


def test_reading_a_child_through_the_api_is_recorded_against_their_case(client):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    response = client.get(f"/api/v1/children/{case.child_id}/")
    assert response.status_code == 200
    row = AuditEvent.objects.filter(event="child_viewed").order_by("-id").first()
    assert row.case_id == case.pk
    assert row.username == world.social_worker.username
