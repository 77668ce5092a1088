"""The child's wishes and feelings (Children Act 1989 s17(4A), s47(5A)) on
assessments, section 47 enquiries and agency reports; "not recorded" shown as such."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Section47Enquiry
from meetings import services as meetings
from summaries import services as summaries
from summaries.tasks import render_case_summary
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    return w


def complete_form(**extra):
    return {"summary": "Neglect confirmed.", "primary_need": "N1", "factors": ["16A"], **extra}


def test_an_assessment_without_the_childs_views_asks_why(client, world):
    assessment = world.case.assessments.get()
    client.force_login(world.social_worker)
    url = reverse("case_assessment", args=[world.case.pk, assessment.pk, "complete"])
    response = client.post(url, complete_form())
    page = response.content.decode()
    assert response.status_code == 400
    assert "Record the child&#x27;s wishes and feelings, or say why they were not obtained" in page
    assert "Neglect confirmed.</textarea>" in page  # nothing typed is lost
    response = client.post(url, complete_form(wishes_not_obtained="other"))
    assert response.status_code == 400 and "Explain why" in response.content.decode()
    both = complete_form(child_wishes="I like school.", wishes_not_obtained="declined")
    assert client.post(url, both).status_code == 400
    response = client.post(url, complete_form(wishes_not_obtained="too_young"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.completed_on and assessment.wishes_not_obtained == "too_young"
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Not obtained: Child too young to express their views" in page


def test_a_section_47_enquiry_records_the_childs_words(client, world):
    enquiry = services.section47_start(
        acting_user=world.social_worker, case=world.case, started_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="wishes and feelings"):
        services.section47_complete(acting_user=world.social_worker, enquiry=enquiry, outcome="cin")
    client.force_login(world.social_worker)
    url = reverse("case_section47", args=[world.case.pk, "complete"])
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Not recorded" in page  # an open enquiry says so, not a blank
    response = client.post(url, {"enquiry": enquiry.pk, "outcome": "cin"})
    assert response.status_code == 400
    assert "or say why they were not obtained" in response.content.decode()
    client.post(
        url,
        {"enquiry": enquiry.pk, "outcome": "cin", "child_wishes": "I want to live with my nan."},
    )
    enquiry = Section47Enquiry.objects.get(pk=enquiry.pk)
    assert enquiry.child_wishes == "I want to live with my nan." and enquiry.completed_on
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "I want to live with my nan." in page
    # The lead agency's record: an involved agency does not see it.
    client.force_login(world.teacher)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "live with my nan" not in page


def test_an_agency_report_may_carry_the_childs_views_and_the_pdf_shows_them(
    world, settings, tmp_path, client
):
    settings.MEDIA_ROOT = str(tmp_path)
    services.assessment_complete(
        acting_user=world.social_worker,
        assessment=world.case.assessments.get(),
        summary="Needs identified.",
        primary_need="N1",
        factors=["21"],
        child_wishes="Amelia said: I want dad to stop shouting.",
    )
    day = timezone.localdate() + dt.timedelta(days=7)
    meeting = meetings.meeting_schedule(
        acting_user=world.social_worker,
        kind="mdt",
        cases=[world.case],
        chair=world.chair,
        scheduled_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        format="telephone",
        invite=[world.school],
    )
    meetings.report_submit(
        acting_user=world.teacher,
        meeting=meeting,
        agency=world.school,
        text="Attendance 81%.",
        shared_with_invitees=True,
        wishes_not_obtained="declined",
    )
    meetings.attendee_add(
        acting_user=world.chair, meeting=meeting, name="Sarah Hart", kind="parent", role="Mother"
    )
    client.force_login(world.chair)
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Not obtained: Child declined to share their views" in page
    summary = summaries.summary_request(acting_user=world.manager, case=world.case)
    assert render_case_summary(str(summary.pk)) == "ready"
    summary.refresh_from_db()
    with summary.file.open("rb") as handle:
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(handle.read())).pages)
    assert "The child's wishes and feelings" in text
    assert "I want dad to stop shouting." in text
    assert "Not obtained: Child declined to share their views" in text
    assert "Sarah Hart" in text and "Mother" in text
