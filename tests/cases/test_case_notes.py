"""Case notes at the two levels of access (SPEC 2)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.services.case import involvement_start
from cases.services.record import case_note_add
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

RESTRICTED = "Lead only: the father has a conviction for violence."
LEAD_SHARED = "Strategy discussion booked for Thursday."
SCHOOL_INTERNAL = "School only: DSL to speak to class teacher."
POLICE_INTERNAL = "Police only: intelligence report 4411."


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    involvement_start(
        acting_user=w.social_worker, case=w.case, agency=w.police, level="involved", reason="added"
    )
    add = case_note_add
    add(
        acting_user=w.social_worker,
        case=w.case,
        agency=w.la,
        text=RESTRICTED,
        sensitivity="restricted",
    )
    add(
        acting_user=w.social_worker,
        case=w.case,
        agency=w.la,
        text=LEAD_SHARED,
        sensitivity="shared",
    )
    add(
        acting_user=w.teacher,
        case=w.case,
        agency=w.school,
        text=SCHOOL_INTERNAL,
        sensitivity="internal",
    )
    add(
        acting_user=w.officer,
        case=w.case,
        agency=w.police,
        text=POLICE_INTERNAL,
        sensitivity="internal",
    )
    return w


def page_for(client, user, case):
    client.force_login(user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_involved_agency_sees_shared_and_its_own_notes_only(client, world):
    page = page_for(client, world.teacher, world.case)
    assert LEAD_SHARED in page and SCHOOL_INTERNAL in page
    assert RESTRICTED not in page and POLICE_INTERNAL not in page


def test_lead_agency_sees_its_restricted_notes_but_not_others_internal_ones(client, world):
    page = page_for(client, world.social_worker, world.case)
    assert RESTRICTED in page and LEAD_SHARED in page
    assert SCHOOL_INTERNAL not in page and POLICE_INTERNAL not in page


def test_an_involved_agency_cannot_restrict_a_note(client, world):
    with pytest.raises(ValidationError):
        case_note_add(
            acting_user=world.teacher,
            case=world.case,
            agency=world.school,
            text="x",
            sensitivity="restricted",
        )
    client.force_login(world.teacher)
    response = client.post(
        reverse("case_note_add", args=[world.case.pk]),
        {"agency": world.school.pk, "text": "Sneaky", "sensitivity": "restricted"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Sneaky" in response.content.decode()  # what they typed is kept


def test_notes_are_added_from_the_page_and_html_is_escaped(client, world):
    client.force_login(world.officer)
    response = client.post(
        reverse("case_note_add", args=[world.case.pk]),
        {
            "agency": world.police.pk,
            "text": "<script>x()</script> Seen at 2am",
            "sensitivity": "shared",
        },
    )
    assert response.status_code == 302
    page = page_for(client, world.teacher, world.case)
    assert "&lt;script&gt;x()&lt;/script&gt; Seen at 2am" in page


def test_outsiders_cannot_add_notes(client, world):
    client.force_login(world.other_social_worker)
    response = client.post(
        reverse("case_note_add", args=[world.case.pk]), {"text": "x", "sensitivity": "shared"}
    )
    assert response.status_code == 404
