"""Issue 14 item 2: the body map is on the concern form. Without JavaScript the
marks are a described list (front or back, where, what it looks like) saved
with the concern in one transaction, kept in the draft, and listed on the
confirmation page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import BodyMapMark, Concern
from safeguard.audit.models import AuditEvent
from tests.cases.test_concern_pages import concern_post, login, with_agencies
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def marks(*rows, total=None):
    data = {"marks-TOTAL_FORMS": str(total or len(rows)), "marks-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"marks-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_form_without_javascript_offers_a_described_list_of_marks(client, world):
    login(client, world.teacher)
    page = client.get(reverse("concern_create")).content.decode()
    assert "Marks or injuries you saw (optional)" in page
    assert 'name="marks-0-side"' in page and 'name="marks-0-region"' in page
    assert "Left and right are the child&#x27;s own." in page
    # The outline is for people with JavaScript: hidden until the script shows it.
    assert "data-body-map-input hidden" in page
    assert "Child's right" in page and "Child's left" in page


def test_marks_are_saved_with_the_concern_and_listed_on_the_confirmation(client, world):
    login(client, world.teacher)
    data = with_agencies(
        world,
        concern_post(
            **marks(
                {"side": "front", "region": "left_arm", "description": "Four round bruises"},
                {"side": "back", "region": "right_leg", "description": "Red welt, belt-shaped"},
                {},  # an unused row is no mark
                total=3,
            )
        ),
    )
    response = client.post(reverse("concern_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    concern = Concern.objects.get(status=Concern.Status.SUBMITTED)
    assert sorted(concern.body_map.values_list("side", "region", "description")) == [
        ("back", "right_leg", "Red welt, belt-shaped"),
        ("front", "left_arm", "Four round bruises"),
    ]
    assert AuditEvent.objects.filter(event="body_map_mark_added").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "What you recorded" in page
    assert "Front, left arm:</strong> Four round bruises" in page
    assert "Back, right leg:</strong> Red welt, belt-shaped" in page
    assert "Dad hit me with a belt" in page


def test_a_half_described_mark_stops_the_submission_and_keeps_the_work(client, world):
    login(client, world.teacher)
    data = with_agencies(
        world, concern_post(**marks({"side": "front", "region": "head", "description": ""}))
    )
    response = client.post(reverse("concern_create"), data)
    page = response.content.decode()
    assert "Mark 1: Describe the mark: size, colour, shape" in page
    assert not Concern.objects.filter(status=Concern.Status.SUBMITTED).exists()
    assert not BodyMapMark.objects.exists()
    draft = Concern.objects.get(status=Concern.Status.DRAFT)
    assert draft.draft_data["marks-0-region"] == ["head"]


def test_add_another_mark_without_javascript_keeps_everything_typed(client, world):
    login(client, world.teacher)
    data = with_agencies(
        world,
        concern_post(
            action="add_mark",
            **marks({"side": "front", "region": "chest", "description": "Scratch"}),
        ),
    )
    response = client.post(reverse("concern_create"), data)
    draft = Concern.objects.get(status=Concern.Status.DRAFT)
    assert response["Location"] == reverse("concern_edit", args=[draft.pk]) + "#mark-1"
    page = client.get(reverse("concern_edit", args=[draft.pk])).content.decode()
    assert "Mark 2" in page and 'name="marks-1-description"' in page
    assert "Scratch</textarea>" in page
    # The autosave keeps marks too, and submitting the draft saves them.
    client.post(
        reverse("concern_autosave", args=[draft.pk]),
        with_agencies(
            world,
            concern_post(**marks({"side": "back", "region": "neck", "description": "Bruise"})),
        ),
    )
    draft.refresh_from_db()
    assert draft.draft_data["marks-0-region"] == ["neck"]
    response = client.post(
        reverse("concern_edit", args=[draft.pk]),
        with_agencies(
            world,
            concern_post(**marks({"side": "back", "region": "neck", "description": "Bruise"})),
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert list(draft.body_map.values_list("side", "region")) == [("back", "neck")]


def test_the_api_takes_the_marks_with_the_concern(world):
    api = APIClient()
    api.force_authenticate(world.teacher)
    response = api.post(
        "/api/v1/concerns/",
        {
            "child_first_name": "Amelia",
            "child_last_name": "Hart",
            "child_date_of_birth": "2016-05-04",
            "account": "She said it hurt.",
            "observed_on": "2026-01-05",
            "categories": ["physical"],
            "immediate_risk": False,
            "family_aware": "no",
            "sharing_basis": "no_consent_harm",
            "sharing_reason": "Risk of significant harm.",
            "body_map": [{"side": "front", "region": "face", "description": "Black eye"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    concern = Concern.objects.get(reference=response.json()["reference"])
    assert list(concern.body_map.values_list("region", "description")) == [("face", "Black eye")]
