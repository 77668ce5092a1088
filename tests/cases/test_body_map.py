"""Body maps on concerns: marks placed on front and back outlines, described."""

import pytest
from django.urls import reverse

from cases.models import BodyMapMark
from tests.factories import World, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.concern = submit_concern(w)
    return w


def add(client, concern, **data):
    return client.post(reverse("concern_body_map_add", args=[concern.pk]), data)


def test_the_reporter_adds_marks_and_they_are_drawn_and_listed(client, world):
    client.force_login(world.teacher)
    response = add(
        client,
        world.concern,
        side="front",
        region="left_arm",
        description="Four round bruises, fingertip size, purple",
    )
    assert response.status_code == 302
    add(client, world.concern, side="back", region="abdomen", description="Red linear mark")
    page = client.get(reverse("concern_detail", args=[world.concern.pk])).content.decode()
    assert "Front, left arm:" in page and "Four round bruises" in page
    assert "Back, abdomen or lower back:" in page
    assert "with 1 marked injury" in page  # each outline says how many marks it carries
    # The front door sees the same body map.
    client.force_login(world.social_worker)
    page = client.get(reverse("concern_triage", args=[world.concern.pk])).content.decode()
    assert "Four round bruises" in page and "Red linear mark" in page


def test_a_mark_needs_a_description_and_keeps_what_was_chosen(client, world):
    client.force_login(world.teacher)
    response = add(client, world.concern, side="front", region="face", description=" ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Describe the mark" in page and 'value="face" selected' in page


def test_others_cannot_add_marks(client, world):
    for user in (world.other_teacher, world.other_social_worker):
        client.force_login(user)
        response = add(client, world.concern, side="front", region="face", description="x")
        assert response.status_code == 404
    assert not BodyMapMark.objects.exists()


def test_the_case_page_says_which_concerns_carry_a_body_map(client, world):
    from tests.factories import open_case_from_concern

    client.force_login(world.teacher)
    add(client, world.concern, side="front", region="left_arm", description="Bruises")
    add(client, world.concern, side="back", region="abdomen", description="Red mark")
    case = open_case_from_concern(world, world.concern)
    client.force_login(world.social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Body map: 2 injuries marked" in page


def test_the_case_summary_pdf_lists_the_marked_injuries(client, world, settings, tmp_path):
    import io

    import pypdf

    from summaries import services as summaries
    from summaries.tasks import render_case_summary
    from tests.factories import open_case_from_concern

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(world.teacher)
    add(client, world.concern, side="front", region="left_arm", description="Fingertip bruises")
    case = open_case_from_concern(world, world.concern)
    summary = summaries.summary_request(acting_user=world.manager, case=case)
    assert render_case_summary(str(summary.pk)) == "ready"
    summary.refresh_from_db()
    with summary.file.open("rb") as handle:
        pages = pypdf.PdfReader(io.BytesIO(handle.read())).pages
        text = " ".join(page.extract_text() for page in pages).replace("\n", " ")
    assert "Injuries on body maps" in text
    assert f"{world.concern.reference}" in text and "Front, left arm: Fingertip bruises" in text
