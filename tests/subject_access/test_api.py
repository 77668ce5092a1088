"""The subject access API (issue 16): an integration answers a request from
start to finish with an officer's token (find the child, log, check identity,
gather, redact, produce the bundle, download, record what was sent), through
the same services and audit rows as the pages; nobody else reaches any of it.

Tasks run eagerly; the bundle's ``on_commit`` hand-over runs through
``django_capture_on_commit_callbacks``.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pypdf
import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safeguard.audit.models import AuditEvent
from subject_access import services
from subject_access.models import SubjectAccessItem, SubjectAccessRedaction, SubjectAccessRequest
from tests.cases.api_world import assert_error
from tests.subject_access.test_subject_access import (
    POLICE_NOTE,
    RESTRICTED_NOTE,
    checked,
    log,
    produce,
    world,  # noqa: F401 (the fixture)
)

pytestmark = pytest.mark.django_db

API = "/api/v1/subject-access/"


def client_for(user) -> APIClient:
    """Signed in as an integration is: with the user's API token."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def events(*names: str) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(event__in=names).order_by("id")
    return [(r.event, r.username) for r in rows]


def every_item(api: APIClient, url: str) -> list[dict]:
    """Every gathered item, page by page (25 a page, by cursor)."""
    page = api.get(url + "items/").json()
    rows = page["results"]
    while page["next"]:
        page = api.get(page["next"]).json()
        rows += page["results"]
    return rows


def pdf_text(raw: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(raw))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_an_integration_answers_a_request_from_start_to_finish(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    api = client_for(world.auditor)

    # Find the child, and whom the request can be about.
    found = api.get(API + "children/", {"q": "Amelia Hart"})
    assert found.status_code == 200
    assert [c["reference"] for c in found.json()] == [world.child.reference]
    household = api.get(f"{API}children/{world.child.pk}/").json()
    assert household["child"]["id"] == str(world.child.pk)
    assert [a["name"] for a in household["adults"]] == ["Sarah Hart"]  # the sibling is no adult

    # Log it.
    logged = api.post(
        f"{API}children/{world.child.pk}/requests/",
        {
            "requester_name": "Amelia Hart",
            "requester_relationship": "subject",
            "requester_contact": "1 Mill Lane, Northtown NS1 2AB",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert logged.status_code == 201, logged.content
    sar = logged.json()
    assert sar["reference"].startswith("SAR-") and sar["subject_name"] == "Amelia Hart"
    assert sar["status"] == "logged" and sar["identity_method"] == "" and sar["sent_on"] is None
    url = sar["url"]
    assert url.endswith(f"{API}{sar['id']}/")

    # Nothing is gathered before the identity is checked: a conflict, nothing changed.
    refused = assert_error(api.post(url + "gather/"), 409)
    assert "identity" in refused["detail"]
    assert not SubjectAccessItem.objects.exists()

    checked_now = api.post(
        url + "identity/",
        {"identity_method": "photo_id", "detail": "Passport seen"},
        format="json",
    )
    assert checked_now.status_code == 200 and checked_now.json()["identity_checked"] is True

    gathered = api.post(url + "gather/")
    assert gathered.status_code == 200, gathered.content
    assert gathered.json()["items"] == SubjectAccessItem.objects.count() > 5
    assert gathered.json()["request"]["status"] == "gathered"

    # Read what was gathered, find the police note, and read it in full.
    rows = every_item(api, url)
    assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))
    police = next(r for r in rows if r["text"] == POLICE_NOTE)
    restricted = next(r for r in rows if r["text"] == RESTRICTED_NOTE)
    whole = api.get(f"{url}items/{police['id']}/").json()
    assert whole["text"] == POLICE_NOTE and whole["source_type"] == "casenote"

    # Redact the brother's name everywhere, the confidential note in full, and
    # a passage taken back again.
    made = api.post(
        f"{url}items/{police['id']}/redactions/",
        {
            "phrase": "jacob hart",
            "every_item": True,
            "category": "other_child",
            "reason": "dpa_sch2_p3_16",
            "note": "The subject's brother",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert len(made.json()) == 3  # the household, the police note and the chronology entry
    assert {r["category"] for r in made.json()} == {"other_child"}
    withheld = api.post(
        f"{url}items/{restricted['id']}/redactions/",
        {"whole_item": True, "category": "serious_harm", "reason": "dpa_sch3_p3_11"},
        format="json",
    )
    assert withheld.status_code == 201 and withheld.json()[0]["whole_item"] is True
    mistake = api.post(
        f"{url}items/{police['id']}/redactions/",
        {"phrase": "999", "category": "other", "reason": "dpa_sch2_p1_2"},
        format="json",
    ).json()[0]
    assert api.delete(f"{url}redactions/{mistake['id']}/").status_code == 204
    assert not SubjectAccessRedaction.objects.filter(pk=mistake["id"]).exists()

    # As it will be sent: the name is gone from every item, marked with its line.
    rows = every_item(api, url)
    assert not any("jacob" in (r["title"] + r["text"]).lower() for r in rows)
    police_now = next(r for r in rows if r["id"] == police["id"])
    assert "[redacted, see R" in police_now["text"] and "999 call" in police_now["text"]
    assert [r["reason"] for r in police_now["redactions"]] == ["dpa_sch2_p3_16"]
    restricted_now = next(r for r in rows if r["id"] == restricted["id"])
    assert restricted_now["withheld"] is True and restricted_now["text"] == ""
    numbers = sorted(r["number"] for row in rows for r in row["redactions"])
    assert numbers == [1, 2, 3, 4]

    # Produce the bundle: accepted, with where to follow it.
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(url + "bundles/")
    assert accepted.status_code == 202, accepted.content
    status_url = accepted.json()["status_url"]
    assert accepted["Location"] == status_url
    bundle = api.get(status_url).json()
    assert bundle["status"] == "ready" and bundle["finished"] is True, bundle
    assert bundle["redaction_count"] == 4 and bundle["page_count"] >= 2

    pdf = api.get(bundle["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "jacob" not in text.lower() and "court date" not in text
    assert "Officers attended after a 999 call;" in text and "[redacted, see R1]" in text
    assert "Schedule of redactions" in text and "Withheld in full" in text
    assert "The subject's brother" not in text
    export = api.get(bundle["export_url"])
    assert export["Content-Type"] == "application/json"
    record = json.loads(b"".join(export.streaming_content))
    note = next(i for i in record["items"] if i["text"] == POLICE_NOTE)
    assert note["redactions"][0]["note"] == "The subject's brother"

    # Record what was sent; the request then changes no more.
    sent = api.post(
        url + "sent/",
        {
            "sent_on": timezone.localdate().isoformat(),
            "sent_method": "secure_email",
            "sent_to": "Amelia Hart, amelia@example.org",
        },
        format="json",
    )
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent" and sent.json()["sent_bundle"] == bundle["id"]
    late = api.post(
        f"{url}items/{police['id']}/redactions/",
        {"whole_item": True, "category": "other", "reason": "dpa_sch2_p3_16"},
        format="json",
    )
    assert "answered" in assert_error(late, 409)["detail"]

    # The audit log holds every step, each the officer's, as the pages write it.
    officer = "auditor@la"
    assert events(
        "subject_access_child_search",
        "subject_access_household_viewed",
        "subject_access_logged",
        "subject_access_identity_checked",
        "subject_access_gathering_done",
        "subject_access_redaction_removed",
        "subject_access_bundle_requested",
        "subject_access_bundle_produced",
        "subject_access_sent",
    ) == [
        ("subject_access_child_search", officer),
        ("subject_access_household_viewed", officer),
        ("subject_access_logged", officer),
        ("subject_access_identity_checked", officer),
        ("subject_access_gathering_done", officer),
        ("subject_access_redaction_removed", officer),
        ("subject_access_bundle_requested", officer),
        ("subject_access_bundle_produced", officer),
        ("subject_access_sent", officer),
    ]
    gathered_rows = AuditEvent.objects.filter(event="subject_access_gathered")
    assert [(r.case_id, r.action) for r in gathered_rows] == [(world.case.pk, "view")]
    redacted_rows = AuditEvent.objects.filter(event="subject_access_redacted")
    assert redacted_rows.count() == 5  # four kept and the one taken back
    assert all("jacob" not in json.dumps(r.detail).lower() for r in redacted_rows)
    pdf_row = AuditEvent.objects.get(event="subject_access_pdf_downloaded")
    assert pdf_row.detail["sha256"] == bundle["pdf_sha256"]
    export_row = AuditEvent.objects.get(event="subject_access_export_downloaded")
    assert export_row.detail["sha256"] == bundle["export_sha256"]
    assert AuditEvent.objects.filter(event="subject_access_items_viewed").count() >= 2
    assert AuditEvent.objects.filter(event="subject_access_item_viewed").count() == 1
    # The request's page shows that trail too.
    detail = api.get(url).json()
    assert detail["redaction_count"] == 4 and detail["item_count"] == len(rows)
    assert [b["id"] for b in detail["bundles"]] == [bundle["id"]]
    trail = [e["event"] for e in detail["events"]]
    assert trail[0] == "subject_access_logged" and trail[-1] == "subject_access_sent"
    assert "subject_access_pdf_downloaded" in trail


def _every_operation(sar: SubjectAccessRequest, bundle, item, redaction) -> list:
    base = f"{API}{sar.pk}/"
    bundle_url = f"{base}bundles/{bundle.pk}/"
    return [
        ("get", API),
        ("get", API + "children/?q=Hart"),
        ("get", f"{API}children/{sar.child_id}/"),
        ("post", f"{API}children/{sar.child_id}/requests/"),
        ("get", base),
        ("post", base + "identity/"),
        ("post", base + "extend/"),
        ("post", base + "gather/"),
        ("get", base + "items/"),
        ("get", f"{base}items/{item.pk}/"),
        ("post", f"{base}items/{item.pk}/redactions/"),
        ("delete", f"{base}redactions/{redaction.pk}/"),
        ("post", base + "bundles/"),
        ("get", bundle_url),
        ("get", bundle_url + "pdf/"),
        ("get", bundle_url + "export/"),
        ("post", base + "sent/"),
    ]


@pytest.fixture
def answered_in_part(world, django_capture_on_commit_callbacks):  # noqa: F811
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    item = sar.items.get(text=POLICE_NOTE)
    (redaction,) = services.redaction_add(
        acting_user=world.auditor,
        sar=sar,
        item_id=item.pk,
        phrase="999",
        category="other",
        reason="dpa_sch2_p1_2",
    )
    bundle = produce(world, sar, django_capture_on_commit_callbacks)
    return sar, bundle, item, redaction


def test_nobody_but_the_authoritys_officers_reaches_any_operation(
    world,  # noqa: F811
    answered_in_part,
):
    sar, bundle, item, redaction = answered_in_part
    operations = _every_operation(sar, bundle, item, redaction)
    before = AuditEvent.objects.count()
    wrong_roles = [
        world.social_worker,
        world.manager,
        world.chair,
        world.la_admin,
        world.teacher,
        world.officer,
        *world.unrelated_users(),
    ]
    for user in wrong_roles:
        api = client_for(user)
        for method, url in operations:
            response = getattr(api, method)(url, {}, format="json")
            assert_error(response, 404)
            assert sar.reference not in response.content.decode(), (user, url)
    # Another authority's officer works their own requests: not this one, nor this child.
    api = client_for(world.other_auditor)
    assert api.get(API).json()["results"] == []
    assert api.get(API + "children/", {"q": "Hart"}).json() == []
    for method, url in operations[2:]:
        assert_error(getattr(api, method)(url, {}, format="json"), 404)
    # Only the two searches' reads were audited; nothing was changed or read.
    since = AuditEvent.objects.order_by("id")[before:].values_list("event", "username")
    assert [row for row in since if row[0] != "api_token_used"] == [
        ("subject_access_child_search", "auditor@other-la")
    ]
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.GATHERED
    assert SubjectAccessRedaction.objects.filter(pk=redaction.pk).exists()
    # Without a token, a 401 (the bundle's own id gives nothing away).
    for method, url in operations:
        assert getattr(APIClient(), method)(url).status_code == 401, url


def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    world,  # noqa: F811
):
    api = client_for(world.auditor)
    log_url = f"{API}children/{world.child.pk}/requests/"
    future = api.post(
        log_url,
        {
            "requester_name": "Amelia Hart",
            "requester_relationship": "subject",
            "requester_contact": "By post",
            "received_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert_error(future, 400, "received_on")
    assert_error(api.post(log_url, {}, format="json"), 400, "requester_name", "received_on")
    not_an_adult = api.post(
        log_url,
        {
            "household_member": str(world.child.household.get(name="Jacob Hart").pk),
            "requester_name": "Jacob Hart",
            "requester_relationship": "subject",
            "requester_contact": "By post",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert_error(not_an_adult, 400, "household_member")
    assert not SubjectAccessRequest.objects.exists()
    assert_error(api.get(API + "children/"), 400, "q")

    sar = log(world)
    url = f"{API}{sar.pk}/"
    assert_error(
        api.post(url + "identity/", {"identity_method": "other", "detail": " "}, format="json"),
        400,
        "detail",
    )
    assert_error(api.post(url + "extend/", {"months": 3, "reason": "x"}, format="json"), 400)
    sar.refresh_from_db()
    assert not sar.identity_checked and sar.extension_months == 0

    checked(world, sar)
    api.post(url + "gather/")
    item = sar.items.get(text=POLICE_NOTE)
    missing = api.post(
        f"{url}items/{item.pk}/redactions/",
        {"phrase": "Nobody of that name", "category": "family_member", "reason": "dpa_sch2_p3_16"},
        format="json",
    )
    assert_error(missing, 400, "phrase")
    assert_error(
        api.post(f"{url}items/{item.pk}/redactions/", {"phrase": "999"}, format="json"),
        400,
        "category",
        "reason",
    )
    assert not SubjectAccessRedaction.objects.exists()
    # Nothing ready to send yet, and no bundle to download: conflicts, not errors of input.
    nothing = api.post(
        url + "sent/",
        {"sent_on": timezone.localdate().isoformat(), "sent_method": "post", "sent_to": "A"},
        format="json",
    )
    assert "produce one" in assert_error(nothing, 409)["detail"]
    assert_error(api.delete(f"{url}redactions/{item.pk}/"), 404)


def test_a_bundle_not_yet_produced_is_not_downloaded(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    for item in sar.items.all()[:3]:
        services.redaction_add(
            acting_user=world.auditor,
            sar=sar,
            item_id=item.pk,
            whole_item=True,
            category="other",
            reason="dpa_sch2_p3_16",
        )
    api = client_for(world.auditor)
    api.get(API)  # the token's first use of the day is recorded once
    # A page of items and their redactions: a fixed number of queries.
    with django_assert_max_num_queries(14):
        items = api.get(f"{API}{sar.pk}/items/").json()["results"]
    assert sum(len(i["redactions"]) for i in items) == 3
    queued = api.post(f"{API}{sar.pk}/bundles/")  # no worker ran: still queued
    assert queued.status_code == 202 and queued.json()["pdf_url"] is None
    assert queued.json()["status"] == "queued"
    again = api.post(f"{API}{sar.pk}/bundles/")
    assert again.json()["id"] == queued.json()["id"]  # the one in hand, not a second
    bundle_url = queued.json()["status_url"]
    assert_error(api.get(bundle_url + "pdf/"), 409)
    assert_error(api.get(bundle_url + "export/"), 409)
    assert not AuditEvent.objects.filter(event="subject_access_pdf_downloaded").exists()


def test_the_list_pages_by_cursor_in_a_fixed_number_of_queries(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    for days in range(30):
        log(world, received_on=timezone.localdate() - dt.timedelta(days=days))
    api = client_for(world.auditor)
    api.get(API)  # the token's first use of the day is recorded once
    with django_assert_max_num_queries(12):
        first = api.get(API).json()
    assert len(first["results"]) == 25 and first["next"]
    # Soonest due first, the oldest first among equal deadlines (a weekend moves
    # several to the Monday): the oldest request heads the list.
    assert (
        first["results"][0]["received_on"]
        == (timezone.localdate() - dt.timedelta(days=29)).isoformat()
    )
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    seen = {r["id"] for r in first["results"] + second["results"]}
    assert len(seen) == 30
    assert api.get(API, {"status": "sent"}).json()["results"] == []


# The schema: each operation with every status it answers, and what can be null.
R = API + "{request_id}/"
DOCUMENTED = {
    (API, "get"): {"200"},
    (API + "children/", "get"): {"200"},
    (API + "children/{child_id}/", "get"): {"200"},
    (API + "children/{child_id}/requests/", "post"): {"201"},
    (R, "get"): {"200"},
    (R + "identity/", "post"): {"200", "409"},
    (R + "extend/", "post"): {"200", "409"},
    (R + "gather/", "post"): {"200", "409"},
    (R + "items/", "get"): {"200"},
    (R + "items/{item_id}/", "get"): {"200"},
    (R + "items/{item_id}/redactions/", "post"): {"201", "409"},
    (R + "redactions/{redaction_id}/", "delete"): {"204", "409"},
    (R + "bundles/", "post"): {"202", "409"},
    (R + "bundles/{bundle_id}/", "get"): {"200"},
    (R + "bundles/{bundle_id}/pdf/", "get"): {"200", "409"},
    (R + "bundles/{bundle_id}/export/", "get"): {"200", "409"},
    (R + "sent/", "post"): {"200", "409"},
}


def test_the_schema_documents_every_operation_its_statuses_and_nulls(world):  # noqa: F811
    schema = client_for(world.auditor).get("/api/schema/?format=json").json()
    operations = {
        (path, method)
        for path, methods in schema["paths"].items()
        if path.startswith(API)
        for method in methods
    }
    assert operations == set(DOCUMENTED)
    for (path, method), statuses in DOCUMENTED.items():
        documented = set(schema["paths"][path][method]["responses"])
        assert documented >= statuses | {"400", "401", "403", "404"}, (path, method)
    ok = schema["paths"][API]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/PaginatedSubjectAccessRequestList")
    items = schema["paths"][R + "items/"]["get"]
    assert any(p["name"] == "cursor" for p in items["parameters"])
    pdf = schema["paths"][R + "bundles/{bundle_id}/pdf/"]["get"]["responses"]["200"]
    assert set(pdf["content"]) == {"application/pdf"}
    components = schema["components"]["schemas"]
    for component, field in [
        ("SubjectAccessRequest", "household_member"),
        ("SubjectAccessRequest", "sent_on"),
        ("SubjectAccessRequestDetail", "identity_checked_at"),
        ("SubjectAccessRequestDetail", "sent_bundle"),
        ("Bundle", "pdf_url"),
        ("Bundle", "page_count"),
        ("Bundle", "ready_at"),
        ("ItemPreview", "occurred_at"),
        ("ChildFound", "date_of_birth"),
    ]:
        assert components[component]["properties"][field].get("nullable") is True, field
    assert not components["Bundle"]["properties"]["status_url"].get("nullable")
