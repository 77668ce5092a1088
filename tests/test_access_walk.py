"""Walk every URL pattern and API route and prove that people with no business
there get nothing. New endpoints are covered without anyone remembering: a
pattern this test does not know how to fill in fails it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from safeguard.notifications.models import Notification
from tests.factories import PASSWORD, World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

# Pages anyone may reach, or that hold no case data by construction.
PUBLIC = {
    "login",
    "logout",
    "healthz",
    "api-schema",
    "api-root",
    "password_change",
    "password_change_done",
    "two_factor_setup",
    "two_factor_verify",
    "member_set_password",
    "member_password_set",
}
# Pages where the lead agency's auditors and managers see who looked at a case
# (its reference and the log, never its content).
OVERSIGHT = {
    "case_access_log",
    "case_access_explained",
    "audit_search",
    "audit-search",
    "case-access-log",
    "case-who-can-see",
}
# The CIN census return: the lead agency's managers and auditors (tests/census).
CENSUS = {
    "census_home",
    "census_status",
    "census_status_json",
    "census_download",
    # and the same over the API (tests/census/test_api.py)
    "census-returns",
    "census-return",
    "census-return-status",
    "census-return-download",
}
# Subject access requests: the lead agency's information governance officers
# (auditors) only (tests/subject_access).
SUBJECT_ACCESS = {
    "subject_access_list",
    "subject_access_find",
    "subject_access_new",
    "subject_access_detail",
    "subject_access_identity",
    "subject_access_extend",
    "subject_access_gather",
    "subject_access_items",
    "subject_access_redact",
    "subject_access_redaction_remove",
    "subject_access_produce",
    "subject_access_bundle",
    "subject_access_bundle_json",
    "subject_access_pdf",
    "subject_access_export",
    "subject_access_sent",
    # and the same over the API (tests/subject_access/test_api.py)
    "subject-access",
    "subject-access-children",
    "subject-access-child",
    "subject-access-log",
    "subject-access-request",
    "subject-access-identity",
    "subject-access-extend",
    "subject-access-gather",
    "subject-access-items",
    "subject-access-item",
    "subject-access-redact",
    "subject-access-redaction",
    "subject-access-bundles",
    "subject-access-bundle",
    "subject-access-bundle-pdf",
    "subject-access-bundle-export",
    "subject-access-sent",
}
# Retention and legal hold: the lead agency's information governance officers
# (auditors) only (tests/retention).
RETENTION = {
    "retention_queue",
    "retention_review",
    "retention_extend",
    "retention_hold",
    "retention_destroy",
    "legal_holds",
    "legal_hold_lift",
    "retention_certificates",
    "retention_certificate",
    # and the same over the API (tests/retention/test_api.py)
    "retention-reviews",
    "retention-review",
    "retention-review-extend",
    "retention-review-hold",
    "retention-review-destroy",
    "retention-holds",
    "retention-hold",
    "retention-hold-lift",
    "retention-certificates",
    "retention-certificate",
    "retention-schedule",
}
# The lead agency's own administration pages (slug "la-csc"): its administrator
# reaches them, and they show people, never case data.
OWN_AGENCY_ADMIN = {
    "agency_members",
    "agency_member_invite",
    "agency_teams",
    "agency_team_edit",
    # and the same over the API (tests/agencies/test_api_admin.py)
    "agency-members",
    "agency-teams",
    "agency-team",
}
# Routes whose parameter names one of the dashboard's figures (a timescale's
# code), not an object someone may or may not see: another authority's manager
# has that figure for their own agency, empty of this one's cases (the secrets
# check below); anyone else has no dashboard (404). Walked with one of the
# dashboard's months, so that the figure is read, not refused for lack of one.
FIGURES = {"dashboard_figure", "dashboard-api-timescale"}
# Pages for everyone signed in, that list only what the user may see.
LISTS = {
    "home",
    "concern_list",
    "concern_create",
    "concern_autosave_new",
    "front_door",
    "case_list",
    "search",
    "notification_list",
    "audit_search",
    "keep_alive",
    "profile",
    "referral_list",
    "agency_members_home",
    "meeting_list",
    "census_home",
    "subject_access_list",
    "subject_access_find",
    "retention_queue",
    "legal_holds",
    "retention_certificates",
    # Oversight (tests/oversight): figures and lists of the cases the user sees.
    "dashboard",
    "dashboard_cases",
    "conferences_due",
}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name, namespace


def all_routes():
    return [
        (route, name)
        for route, name, namespace in walk(get_resolver())
        if namespace != "admin" and not route.startswith("operator/")
    ]


@pytest.fixture
def scene(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services.record import document_upload

    settings.MEDIA_ROOT = str(tmp_path)
    world = World()
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    from cases.models import Plan, Section47Enquiry

    enquiry = Section47Enquiry.objects.create(case=case, started_on=dt.date.today())
    plan = Plan.objects.create(case=case, kind="cin", start_date=dt.date.today())
    document = document_upload(
        acting_user=world.social_worker,
        case=case,
        agency=world.la,
        title="Strategy minutes",
        upload=SimpleUploadedFile("m.pdf", b"%PDF-1.4\n%%EOF\n"),
        sensitivity="shared",
    )
    from agencies.models import Agency
    from referrals.services import referral_send
    from tests.factories import AgencyFactory

    health = AgencyFactory(slug="health", name="Health Trust", kind=Agency.Kind.HEALTH)
    referral = referral_send(
        acting_user=world.teacher,
        case=case,
        from_agency=world.school,
        to_agency=health,
        reason="Low mood",
        request="Assess",
        urgency="routine",
        sharing_basis="consent",
    )
    from cases.services.record import action_add

    action = action_add(
        acting_user=world.social_worker,
        case=case,
        description="Check attendance",
        agency=world.school,
        owner=None,
        due_on=dt.date.today() + dt.timedelta(days=3),
    )
    from cases.services import child_create
    from cases.services.children import child_merge

    duplicate = child_create(
        acting_user=world.social_worker,
        lead_agency=world.la,
        first_name="Amelia",
        last_name="Hartt",
    )
    merge = child_merge(
        acting_user=world.manager, kept=case.child, merged=duplicate, reason="Same child."
    )
    from cases.services.record import professional_add

    professional = professional_add(
        acting_user=world.social_worker,
        case=case,
        name="Dr Priya Nair",
        role="School nurse",
        agency=world.school,
    )
    from meetings.services import agenda_item_add, meeting_record, meeting_schedule

    meeting = meeting_schedule(
        acting_user=world.social_worker,
        kind="mdt",
        cases=[case],
        chair=world.chair,
        scheduled_at=dt.datetime.combine(
            dt.date.today() + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC
        ),
        location="Civic Centre",
        invite=[world.school],
    )
    # An invitation to the neighbouring authority waiting for a manager: it
    # gives that authority's people nothing on any route.
    from meetings.services import invitation_request

    waiting = invitation_request(
        acting_user=world.social_worker,
        meeting=meeting,
        agency=world.other_la,
        reason="The family lived there until June.",
    )
    closed = agenda_item_add(
        acting_user=world.chair, meeting=meeting, title="Closed item", lead_only=True
    )
    meeting.refresh_from_db()
    meeting_record(
        acting_user=world.chair,
        meeting=meeting,
        version=meeting.version,
        attendance={},
        minutes={str(closed.pk): "LEAD-ONLY-MINUTES-MARKER"},
        decisions={},
    )
    from cases.services.statutory import plan_open

    plan = plan_open(
        acting_user=world.chair,
        case=case,
        kind="cp",
        category="NEG",
        start_date=dt.date.today(),
        source="MTG-TEST-ICPC",
    )
    from summaries.services import summary_request

    summary = summary_request(acting_user=world.manager, case=case)
    from census.services import census_request

    census_return = census_request(
        acting_user=world.manager, agency=world.la, year="2026-27", la_code="999"
    )
    from subject_access import services as subject_access

    sar = subject_access.sar_log(
        acting_user=world.auditor,
        agency=world.la,
        child=case.child,
        household_member=None,
        requester_name="A. Requester",
        requester_relationship="subject",
        requester_contact="By post",
        received_on=dt.date.today(),
    )
    subject_access.sar_check_identity(
        acting_user=world.auditor, sar=sar, method="photo_id", detail=""
    )
    subject_access.sar_gather(acting_user=world.auditor, sar=sar)
    sar_item = sar.items.first()
    (redaction,) = subject_access.redaction_add(
        acting_user=world.auditor,
        sar=sar,
        item_id=sar_item.pk,
        whole_item=True,
        category="other",
        reason="dpa_sch2_p3_16",
    )
    sar_bundle = subject_access.bundle_request(acting_user=world.auditor, sar=sar)
    from django.utils import timezone

    from retention.models import DestructionCertificate, LegalHold, RetentionReview

    review = RetentionReview.objects.create(
        agency=world.la,
        child=case.child,
        rule="child_in_need",
        due_on=dt.date.today(),
        refreshed_at=timezone.now(),
    )
    hold = LegalHold.objects.create(
        agency=world.la,
        child=case.child,
        reason="Litigation.",
        placed_by=world.auditor,
        placed_at=timezone.now(),
    )
    certificate = DestructionCertificate.objects.create(
        reference="DC-2026-000001",
        agency=world.la,
        record_kind="child",
        record_id=case.child_id,
        rule="child_in_need",
        due_on=dt.date.today(),
        confirmed_by=world.auditor,
        destroyed_at=timezone.now(),
        counts={},
    )
    notification = Notification.objects.filter(recipient=world.teacher).first()
    from agencies.models import Team

    team = Team.objects.create(agency=world.la, name="Assessment team", manager=world.manager)
    values = {
        "team_id": team.pk,
        "meeting_id": meeting.pk,
        "meeting_pk": meeting.pk,
        "plan_id": plan.pk,
        "invitation_id": meeting.invitations.get().pk,
        "invitation_request_id": waiting.pk,
        "kind": "icpc",
        "concern_id": concern.pk,
        "case_id": case.pk,
        "case_pk": case.pk,
        "child_id": case.child_id,
        "notification_id": notification.pk,
        "document_id": document.pk,
        "referral_id": referral.pk,
        "action_id": action.pk,
        "assessment_id": case.assessments.get().pk,
        "step": "complete",
        "merge_id": merge.pk,
        "professional_id": professional.pk,
        "action": "accept",
        "involvement_id": case.involvements.get(agency=world.school, reason="concern").pk,
        "slug": world.la.slug,
        "membership_id": world.teacher.memberships.get().pk,
        "summary_id": summary.pk,
        "return_id": census_return.pk,
        "request_id": sar.pk,
        "review_id": review.pk,
        "hold_id": hold.pk,
        "certificate_id": certificate.pk,
        "item_id": sar_item.pk,
        "redaction_id": redaction.pk,
        "bundle_id": sar_bundle.pk,
        "code": "triage",
    }
    # DRF routes name their object "pk"; which object depends on the route.
    pk_for = {
        "concerns": concern.pk,
        "cases": case.pk,
        "children": case.child_id,
        "referrals": referral.pk,
        "actions": action.pk,
        "meetings": meeting.pk,
        "summaries": summary.pk,
        "documents": document.pk,
        "professionals": professional.pk,
        "teams": team.pk,
        "merges": merge.pk,
        "involvements": case.involvements.get(agency=world.school).pk,
        "assessments": case.assessments.get().pk,
        "section-47": enquiry.pk,
        "plans": plan.pk,
    }
    secrets = [
        concern.reference,
        case.reference,
        case.child.full_name,
        "Hart",
        referral.reference,
        meeting.reference,
    ]
    return world, values, pk_for, secrets


def to_url(route: str, values: dict, pk_for: dict) -> str | None:
    if "(?P<format>" in route or "<drf_format_suffix" in route:
        return None  # format-suffix duplicates of routes already walked
    route = route.replace("^", "").replace("$", "")

    def fill(name: str) -> str:
        if name == "pk":
            # The collection is the path segment just before the pk.
            collection = re.findall(r"([a-z0-9-]+)/(?:<(?:\w+:)?pk>|\(\?P<pk>)", route)
            key = collection[-1] if collection else ""
            if key not in pk_for:
                raise AssertionError(f"The access walk does not know the object for {route}")
            return str(pk_for[key])
        if name not in values:
            raise AssertionError(f"The access walk does not know how to fill {name} in {route}")
        return str(values[name])

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: fill(m.group(1)), route)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: fill(m.group(1)), url)
    url = url.replace("\\", "")
    return "/" + url


def test_every_route_gives_an_unrelated_agency_nothing(client, scene):
    world, values, pk_for, secrets = scene
    checked = 0
    for outsider in [*world.unrelated_users(), world.la_admin, world.auditor, world.officer]:
        client.logout()
        assert client.login(username=outsider.username, password=PASSWORD)
        for route, name in all_routes():
            if name in PUBLIC:
                continue
            url = to_url(route, values, pk_for)
            if url is None:
                continue
            has_object = bool(re.search(r"<|\(\?P<", route))
            if name in FIGURES:
                url += f"?month={timezone.localdate():%Y-%m}"
            if (
                outsider == world.auditor
                and name in OVERSIGHT | CENSUS | SUBJECT_ACCESS | RETENTION
            ):
                # The lead agency's auditor: see test_auditor_sees_the_log_only,
                # tests/census and tests/subject_access.
                continue
            # The outsider's own notification would be theirs; the teacher's is not.
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace")
                if outsider == world.la_admin and name in OWN_AGENCY_ADMIN:
                    # 400: an empty form posted back with its errors.
                    assert response.status_code in (200, 400, 405), (outsider, method, url)
                elif name in FIGURES and outsider == world.other_manager:
                    # A manager's own dashboard: a figure of none of this agency's cases.
                    assert response.status_code in (200, 405), (outsider, method, url)
                elif has_object:
                    assert response.status_code in (404, 405), (outsider, method, url)
                else:
                    assert response.status_code in (200, 204, 302, 400, 403, 404, 405), (
                        method,
                        url,
                    )
                for secret in secrets:
                    assert secret not in body, (outsider, method, url, secret)
                checked += 1
    assert checked > 40


def test_every_route_sends_anonymous_people_to_sign_in(client, scene):
    world, values, pk_for, secrets = scene
    for route, name in all_routes():
        if name in PUBLIC:
            continue
        url = to_url(route, values, pk_for)
        if url is None:
            continue
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        for secret in secrets:
            assert secret not in response.content.decode(errors="replace")


def test_search_finds_nothing_of_the_case_for_anyone_outside_it(client, scene):
    """The search page and API (issue 15) for every outsider, asked for each
    secret of the scene and the child's other identifiers: nothing found, and
    the agency administrator is not answered at all."""
    world, values, pk_for, secrets = scene
    from cases.models import Case

    case = Case.objects.select_related("child").get(pk=values["case_id"])
    asked = [*secrets, case.child.reference, "Amelia", "04/05/2016", "NS1 2AB"]
    for outsider in [*world.unrelated_users(), world.auditor, world.officer, world.la_admin]:
        client.force_login(outsider)
        for q in asked:
            page = client.get("/search/", {"q": q})
            api = client.get("/api/v1/search/", {"q": q})
            if outsider in (world.la_admin, world.auditor):
                assert page.status_code == api.status_code == 404, (outsider, q)
                continue
            assert page.status_code == api.status_code == 200, (outsider, q)
            body = page.content.decode().replace(q, "")  # the query is shown back
            assert 'data-testid="search-hit"' not in body, (outsider, q)
            for secret in secrets:
                assert secret not in body, (outsider, q, secret)
            assert api.json()["results"] == [], (outsider, q)


def test_the_walk_knows_every_list_page(scene):
    """A new page without an object id must be listed on purpose, not slip through."""
    object_free = {
        name
        for route, name in all_routes()
        if not re.search(r"<|\(\?P<", route) and not route.startswith("api/")
    }
    assert object_free <= PUBLIC | LISTS, object_free - PUBLIC - LISTS


def test_auditor_sees_the_log_only(client, scene):
    world, values, pk_for, secrets = scene
    client.force_login(world.auditor)
    for name in sorted(OVERSIGHT):
        url = {
            "case_access_log": f"/cases/{values['case_id']}/access-log/",
            "case_access_explained": f"/cases/{values['case_id']}/who-can-see/"
            "?username=practitioner@school",
            "audit_search": "/audit/",
            "audit-search": "/api/v1/audit/",
            "case-access-log": f"/api/v1/cases/{values['case_id']}/access-log/",
            "case-who-can-see": f"/api/v1/cases/{values['case_id']}/who-can-see/"
            "?username=practitioner@school",
        }[name]
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Amelia" not in body and "Hart" not in body
    assert client.get(f"/cases/{values['case_id']}/").status_code == 404


def test_an_involved_agency_never_sees_lead_only_content_on_any_route(client, scene):
    """The school is involved in the case: it may see the case, never what the
    lead agency keeps to itself, on any page or API route."""
    from cases.models import ChronologyEntry
    from cases.services.record import case_note_add

    world, values, pk_for, secrets = scene
    case_id = values["case_id"]
    from cases.models import Case

    case = Case.objects.get(pk=case_id)
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=case.opened_at,
        agency=world.la,
        kind="note",
        title="LEAD-ONLY-CHRONOLOGY-MARKER",
        visibility="lead_only",
    )
    case_note_add(
        acting_user=world.social_worker,
        case=case,
        agency=world.la,
        text="LEAD-ONLY-NOTE-MARKER",
        sensitivity="restricted",
    )
    client.force_login(world.teacher)
    seen = 0
    for route, name in all_routes():
        if name in PUBLIC:
            continue
        url = to_url(route, values, pk_for)
        if url is None:
            continue
        response = client.get(url)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        assert "LEAD-ONLY-CHRONOLOGY-MARKER" not in body, url
        assert "LEAD-ONLY-NOTE-MARKER" not in body, url
        assert "LEAD-ONLY-MINUTES-MARKER" not in body, url
        seen += 1
    # And the markers are really there for the lead agency to see.
    client.force_login(world.social_worker)
    page = client.get(f"/cases/{case_id}/").content.decode()
    assert "LEAD-ONLY-CHRONOLOGY-MARKER" in page and "LEAD-ONLY-NOTE-MARKER" in page
    client.force_login(world.chair)
    page = client.get(f"/meetings/{values['meeting_id']}/").content.decode()
    assert "LEAD-ONLY-MINUTES-MARKER" in page
    assert seen > 20
