"""PDF case summaries: who may ask, who may see and download, expiry, the
render task's idempotency and failure reasons, and what goes into the PDF.

Tasks run eagerly here; ``on_commit`` hand-overs are run by
``django_capture_on_commit_callbacks`` where a test needs the render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.services import membership_deactivate
from cases.models import ChronologyEntry
from cases.services.case import involvement_start
from cases.services.record import case_note_add
from safeguard.audit.models import AuditEvent
from summaries import services as summaries
from summaries.models import CaseSummary
from summaries.pdf import StaticFilesOnlyFetcher, summary_content_for
from summaries.tasks import expire_case_summaries, render_case_summary, sweep_case_summaries
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    involvement_start(
        acting_user=w.social_worker, case=w.case, agency=w.police, level="involved", reason="added"
    )
    return w


def request_summary(world, user=None, **kwargs) -> CaseSummary:
    return summaries.summary_request(acting_user=user or world.manager, case=world.case, **kwargs)


def urls(summary: CaseSummary) -> dict[str, str]:
    args = [summary.case_id, summary.pk]
    return {
        "status": reverse("case_summary_status", args=args),
        "json": reverse("case_summary_status_json", args=args),
        "download": reverse("case_summary_download", args=args),
    }


# Who may ask ---------------------------------------------------------------


def test_only_lead_agency_managers_may_request(world):
    assert summaries.can_request_summary(world.manager, world.case)
    for user in [world.social_worker, world.teacher, world.officer, world.chair, world.auditor]:
        assert not summaries.can_request_summary(user, world.case), user
        with pytest.raises(PermissionDenied):
            request_summary(world, user=user)
    # A manager of another authority never even reaches the case.
    assert not summaries.can_request_summary(world.other_manager, world.case)


def test_the_request_page_is_for_those_who_may_request(client, world):
    url = reverse("case_summaries", args=[world.case.pk])
    client.force_login(world.manager)
    page = client.get(url)
    assert page.status_code == 200 and "Request a PDF summary" in page.content.decode()
    case_page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert url in case_page
    for user in [world.social_worker, world.teacher, world.other_manager]:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(url).status_code == 404, user
        if user != world.other_manager:
            assert (
                url not in client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
            )
    assert not CaseSummary.objects.exists()


def test_a_request_is_queued_audited_and_handed_to_a_worker_after_commit(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "summaries.tasks.render_case_summary.apply_async", lambda **kw: sent.append(kw["args"])
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        summary = request_summary(world, date_from=dt.date(2026, 1, 1))
        assert sent == []  # nothing leaves before the transaction commits
    assert summary.status == CaseSummary.Status.QUEUED
    row = AuditEvent.objects.get(event="case_summary_requested")
    assert summary.audit_reference == str(row.pk)
    assert row.detail["date_from"] == "2026-01-01" and row.case_id == world.case.pk
    for callback in callbacks:
        callback()
    assert sent == [[str(summary.pk)]]


def test_a_dead_broker_does_not_fail_the_request(client, world, monkeypatch):
    def refuse(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("summaries.tasks.render_case_summary.apply_async", refuse)
    summaries.dispatch_summary(uuid.uuid4())  # logs, never raises
    client.force_login(world.manager)
    response = client.post(reverse("case_summaries", args=[world.case.pk]), {})
    assert response.status_code == 302
    assert CaseSummary.objects.get().status == CaseSummary.Status.QUEUED


def test_a_double_click_makes_one_summary(world):
    first = request_summary(world)
    assert request_summary(world) == first
    assert CaseSummary.objects.count() == 1


def test_impossible_ranges_are_refused_next_to_the_field(client, world):
    client.force_login(world.manager)
    url = reverse("case_summaries", args=[world.case.pk])
    response = client.post(
        url,
        {
            "date_from_0": "10",
            "date_from_1": "3",
            "date_from_2": "2026",
            "date_to_0": "1",
            "date_to_1": "3",
            "date_to_2": "2026",
        },
    )
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        request_summary(world, date_from=tomorrow)
    response = client.post(url, {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"})
    assert "must be a real date" in response.content.decode()
    assert not CaseSummary.objects.exists()


def test_the_meeting_pack_seam_lets_an_invitee_request(world, monkeypatch):
    meeting_id = uuid.uuid4()
    assert not summaries.can_request_summary(world.officer, world.case, meeting_id=meeting_id)
    monkeypatch.setattr(summaries, "is_meeting_invitee", lambda user, case, mid: mid == meeting_id)
    summary = request_summary(
        world, user=world.officer, purpose=CaseSummary.Purpose.MEETING_PACK, meeting_id=meeting_id
    )
    assert summary.meeting_id == meeting_id
    assert summaries.conference_decisions_for(world.officer, world.case) == []


# Status and download: the requester only -------------------------------------


def test_status_and_download_are_the_requesters_alone(client, world):
    summary = request_summary(world)
    render_case_summary(str(summary.pk))
    other_manager_same_team = _second_lead_manager(world)
    for user in [
        other_manager_same_team,
        world.social_worker,
        world.teacher,
        world.auditor,
        world.other_manager,
    ]:
        client.force_login(user)
        for url in urls(summary).values():
            assert client.get(url).status_code == 404, (user, url)
    assert not AuditEvent.objects.filter(event="case_summary_downloaded").exists()


def _second_lead_manager(world):
    from tests.factories import make_user

    return make_user("manager2@la", world.la, "manager")


def test_ready_summary_downloads_as_an_attachment_audited_with_its_hash(client, world):
    summary = request_summary(world)
    assert render_case_summary(str(summary.pk)) == "ready"
    summary.refresh_from_db()
    client.force_login(world.manager)
    response = client.get(urls(summary)["download"])
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == summary.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    row = AuditEvent.objects.get(event="case_summary_downloaded")
    assert row.username == world.manager.username and row.action == "download"
    assert row.detail["sha256"] == summary.sha256 and row.case_id == world.case.pk


def test_a_summary_not_yet_ready_sends_the_download_back_to_its_status(client, world):
    summary = request_summary(world)
    client.force_login(world.manager)
    response = client.get(urls(summary)["download"])
    assert response.status_code == 302 and response["Location"] == urls(summary)["status"]
    state = client.get(urls(summary)["json"]).json()
    assert state["status"] == "queued" and not state["finished"] and state["download_url"] == ""
    page = client.get(urls(summary)["status"]).content.decode()
    assert "Refresh this page" in page and "js/summary-status.js" in page


def test_the_status_json_says_when_it_is_ready(client, world):
    summary = request_summary(world)
    render_case_summary(str(summary.pk))
    client.force_login(world.manager)
    state = client.get(urls(summary)["json"]).json()
    assert state["status"] == "ready" and state["finished"]
    assert state["download_url"] == urls(summary)["download"]
    assert "ready" in state["message"]


def test_an_expired_summary_says_so_and_offers_another(client, world, settings):
    summary = request_summary(world)
    render_case_summary(str(summary.pk))
    CaseSummary.objects.filter(pk=summary.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(world.manager)
    response = client.get(urls(summary)["download"])
    assert response.status_code == 410
    body = response.content.decode()
    assert (
        "This summary has expired" in body
        and reverse("case_summaries", args=[world.case.pk]) in body
    )
    assert client.get(urls(summary)["json"]).json()["status"] == "expired"
    assert not AuditEvent.objects.filter(event="case_summary_downloaded").exists()


def test_expiry_comes_from_the_setting_and_the_sweep_deletes_the_file(world, settings):
    from django.core.files.storage import default_storage

    settings.CASE_SUMMARY_EXPIRY_HOURS = 2
    summary = request_summary(world)
    render_case_summary(str(summary.pk))
    summary.refresh_from_db()
    assert summary.expires_at - summary.ready_at == dt.timedelta(hours=2)
    name = summary.file.name
    assert default_storage.exists(name)
    assert expire_case_summaries() == 0
    CaseSummary.objects.filter(pk=summary.pk).update(expires_at=timezone.now())
    assert expire_case_summaries() == 1
    assert not default_storage.exists(name)
    summary.refresh_from_db()
    assert summary.file.name == "" and summary.sha256  # the record of what was made stays


def test_the_file_name_says_nothing_and_is_not_guessable(world):
    summary = request_summary(world)
    render_case_summary(str(summary.pk))
    summary.refresh_from_db()
    name = summary.file.name
    assert name.startswith("case-summaries/") and name.endswith(".pdf")
    for hint in [str(summary.pk), str(world.case.pk), world.case.reference, "Hart"]:
        assert hint not in name


# The task ----------------------------------------------------------------------


def test_the_task_is_idempotent(world):
    summary = request_summary(world)
    assert render_case_summary(str(summary.pk)) == "ready"
    summary.refresh_from_db()
    first = (summary.file.name, summary.sha256, summary.ready_at)
    assert render_case_summary(str(summary.pk)) == "already handled"
    summary.refresh_from_db()
    assert (summary.file.name, summary.sha256, summary.ready_at) == first
    assert AuditEvent.objects.filter(event="case_summary_rendered").count() == 1


def test_a_render_in_a_live_workers_hands_is_not_taken_over(world):
    summary = request_summary(world)
    CaseSummary.objects.filter(pk=summary.pk).update(
        status=CaseSummary.Status.RENDERING, claimed_at=timezone.now()
    )
    assert render_case_summary(str(summary.pk)) == "already handled"


def test_a_dead_workers_render_is_swept_and_finished(world, monkeypatch):
    summary = request_summary(world)
    long_ago = timezone.now() - summaries.STUCK_AFTER - dt.timedelta(seconds=1)
    CaseSummary.objects.filter(pk=summary.pk).update(
        status=CaseSummary.Status.RENDERING, claimed_at=long_ago, attempts=1
    )
    assert sweep_case_summaries() == 1  # eager: the re-dispatched render runs now
    summary.refresh_from_db()
    assert summary.status == CaseSummary.Status.READY and summary.attempts == 2


def test_a_lost_message_is_sent_again_and_worn_out_rows_fail(world, monkeypatch):
    sent = []
    monkeypatch.setattr(summaries, "dispatch_summary", lambda pk: sent.append(pk))
    fresh = request_summary(world)
    assert sweep_case_summaries() == 0  # queued moments ago: its message is on its way
    old = timezone.now() - dt.timedelta(minutes=5)
    CaseSummary.objects.filter(pk=fresh.pk).update(created_at=old)
    assert sweep_case_summaries() == 1 and sent == [fresh.pk]
    assert sweep_case_summaries() == 0  # not re-sent every minute to a busy worker
    CaseSummary.objects.filter(pk=fresh.pk).update(attempts=summaries.MAX_ATTEMPTS)
    CaseSummary.objects.filter(pk=fresh.pk).update(redispatched_at=None)
    sweep_case_summaries()
    fresh.refresh_from_db()
    assert fresh.status == CaseSummary.Status.FAILED
    assert "could not be produced" in fresh.failure_reason


def test_a_requester_who_lost_access_gets_a_failure_with_the_reason(client, world):
    summary = request_summary(world)
    membership_deactivate(acting_user=world.la_admin, membership=world.manager.memberships.get())
    assert render_case_summary(str(summary.pk)) == "failed: no access"
    summary.refresh_from_db()
    assert summary.status == CaseSummary.Status.FAILED
    assert summary.failure_reason == "You no longer have access to this case"
    assert not summary.file


def test_a_renderer_that_keeps_failing_ends_in_failed_with_a_reason(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("pango exploded")

    monkeypatch.setattr("summaries.pdf.render_summary_pdf", broken)
    summary = request_summary(world)
    render_case_summary.apply(args=[str(summary.pk)])
    summary.refresh_from_db()
    assert summary.status == CaseSummary.Status.FAILED
    assert "pango" not in summary.failure_reason  # no internals on the page
    assert "Request it again" in summary.failure_reason


def test_the_status_page_shows_the_failure_reason(client, world):
    summary = request_summary(world)
    summaries.summary_fail(summary.pk, "You no longer have access to this case")
    client.force_login(world.manager)
    page = client.get(urls(summary)["status"]).content.decode()
    assert "Failed" in page and "You no longer have access to this case" in page


# Content at the requester's level --------------------------------------------


def test_content_is_filtered_by_the_requesters_permissions(world):
    from cases.selectors import get_case_for

    case_note_add(
        acting_user=world.social_worker,
        case=world.case,
        agency=world.la,
        text="LEAD-RESTRICTED-NOTE",
        sensitivity="restricted",
    )
    ChronologyEntry.objects.create(
        case=world.case,
        occurred_at=timezone.now(),
        agency=world.la,
        kind="note",
        title="LEAD-ONLY-ENTRY",
        visibility="lead_only",
    )
    lead = summary_content_for(world.manager, get_case_for(world.manager, world.case.pk))
    involved = summary_content_for(world.officer, get_case_for(world.officer, world.case.pk))
    assert "LEAD-RESTRICTED-NOTE" in [n.text for n in lead["notes"]]
    assert "LEAD-ONLY-ENTRY" in [e.title for e in lead["chronology"]]
    assert "LEAD-RESTRICTED-NOTE" not in [n.text for n in involved["notes"]]
    assert "LEAD-ONLY-ENTRY" not in [e.title for e in involved["chronology"]]
    assert not involved["lead_access"]


def test_the_date_range_narrows_the_chronology(world):
    from cases.selectors import get_case_for

    for day in (1, 15, 28):
        ChronologyEntry.objects.create(
            case=world.case,
            occurred_at=dt.datetime(2026, 2, day, 12, tzinfo=dt.UTC),
            agency=world.la,
            kind="note",
            title=f"Entry {day}",
        )
    case = get_case_for(world.manager, world.case.pk)
    content = summary_content_for(
        world.manager, case, date_from=dt.date(2026, 2, 10), date_to=dt.date(2026, 2, 20)
    )
    assert [e.title for e in content["chronology"]] == ["Entry 15"]


def test_the_renderer_fetches_only_static_files():
    fetcher = StaticFilesOnlyFetcher()
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "https://summary.safeguard.invalid/media/x.pdf",
        "https://summary.safeguard.invalid/static/../../settings.py",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch("https://summary.safeguard.invalid/static/js/summary-status.js")
    assert b"summary-status" in response.read()


# Query counts -------------------------------------------------------------------


def test_status_and_list_pages_take_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    summary = request_summary(world, date_to=timezone.localdate())
    render_case_summary(str(summary.pk))
    for day in range(1, 6):
        request_summary(world, date_from=dt.date(2026, 1, day))
    client.force_login(world.manager)
    client.get(urls(summary)["status"])  # warm the session
    with django_assert_max_num_queries(30):
        assert client.get(reverse("case_summaries", args=[world.case.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(urls(summary)["status"]).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(urls(summary)["json"]).status_code == 200


def test_list_queries_do_not_grow_with_the_number_of_summaries(
    client, world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("case_summaries", args=[world.case.pk])
    client.force_login(world.manager)
    request_summary(world)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for day in range(1, 8):
        request_summary(world, date_from=dt.date(2026, 1, day))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


# API ------------------------------------------------------------------------------


def test_the_api_follows_the_same_rules(client, world):
    client.force_login(world.teacher)
    base = f"/api/v1/cases/{world.case.pk}/summaries/"
    assert client.post(base, {}, content_type="application/json").status_code == 404
    client.force_login(world.manager)
    bad = client.post(
        base, {"date_from": "2026-03-10", "date_to": "2026-03-01"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "date_to" in bad.json()["errors"]
    response = client.post(base, {}, content_type="application/json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    summary = CaseSummary.objects.get(pk=response.json()["id"])
    detail = f"{base}{summary.pk}/"
    assert client.get(f"{detail}download/").status_code == 409
    render_case_summary(str(summary.pk))
    state = client.get(detail).json()
    assert state["status"] == "ready" and state["download_url"].endswith("/download/")
    download = client.get(f"{detail}download/")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == state["sha256"]
    assert AuditEvent.objects.filter(event="case_summary_downloaded").count() == 1
    for user in [world.social_worker, world.teacher, world.other_manager]:
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.get(f"{detail}download/").status_code == 404
    client.logout()
    assert client.get(detail).status_code in (401, 403)
