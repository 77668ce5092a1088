"""Subject access requests (SPEC 3.9): only the authority's information
governance officers reach them; identity before gathering; the gathering reads
every agency's record and audits each case; redacted words appear nowhere in
the PDF (read back with pypdf) while the unredacted export keeps them; the
extension is refused after the first month; what was sent is recorded.

Tasks run eagerly here; ``on_commit`` hand-overs run through
``django_capture_on_commit_callbacks``.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from agencies.services import membership_deactivate
from cases import selectors
from cases.models import ChronologyEntry
from cases.services.case import involvement_start
from cases.services.record import case_note_add, household_member_add
from safeguard.audit.models import AuditEvent
from subject_access import services
from subject_access.models import SubjectAccessBundle, SubjectAccessItem, SubjectAccessRequest
from subject_access.reminders import subject_access_requests
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

SIBLING = "Jacob Hart"
RESTRICTED_NOTE = "Mother told the social worker in confidence about a court date"
POLICE_NOTE = "Officers attended after a 999 call; Jacob Hart answered the door."


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.child = w.case.child
    involvement_start(
        acting_user=w.social_worker, case=w.case, agency=w.police, level="involved", reason="added"
    )
    household_member_add(
        acting_user=w.social_worker,
        case=w.case,
        name=SIBLING,
        relationship="sibling",
        lives_with_child=True,
        has_parental_responsibility=False,
        flags=[],
    )
    w.mother = household_member_add(
        acting_user=w.social_worker,
        case=w.case,
        name="Sarah Hart",
        relationship="mother",
        lives_with_child=True,
        has_parental_responsibility=True,
        flags=["domestic_abuse"],
    )
    case_note_add(
        acting_user=w.social_worker,
        case=w.case,
        agency=w.la,
        text=RESTRICTED_NOTE,
        sensitivity="restricted",
    )
    case_note_add(
        acting_user=w.officer,
        case=w.case,
        agency=w.police,
        text=POLICE_NOTE,
        sensitivity="internal",
    )
    ChronologyEntry.objects.create(
        case=w.case,
        occurred_at=timezone.now() - dt.timedelta(days=3),
        agency=w.la,
        kind=ChronologyEntry.Kind.NOTE,
        title="Home visit",
        body="Amelia was seen alone. She said Jacob Hart shares her room and Sarah Hart cooks tea.",
        visibility=ChronologyEntry.Visibility.LEAD_ONLY,
    )
    # The social worker reads the case: the access log the subject is owed shows it.
    selectors.get_case_for(w.social_worker, w.case.pk, audit=True)
    w.other_auditor = make_user("auditor@other-la", w.other_la, "auditor")
    return w


def log(world, **overrides) -> SubjectAccessRequest:
    fields = {
        "acting_user": world.auditor,
        "agency": world.la,
        "child": world.child,
        "household_member": None,
        "requester_name": "Amelia Hart",
        "requester_relationship": "subject",
        "requester_contact": "1 Mill Lane, Northtown NS1 2AB",
        "received_on": timezone.localdate(),
    }
    fields.update(overrides)
    return services.sar_log(**fields)


def checked(world, sar) -> SubjectAccessRequest:
    return services.sar_check_identity(
        acting_user=world.auditor, sar=sar, method="photo_id", detail="Passport seen"
    )


def produce(world, sar, django_capture_on_commit_callbacks) -> SubjectAccessBundle:
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.bundle_request(acting_user=world.auditor, sar=sar)
    bundle.refresh_from_db()
    assert bundle.status == SubjectAccessBundle.Status.READY, bundle.failure_reason
    return bundle


def pdf_text(bundle: SubjectAccessBundle) -> str:
    with bundle.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    return metadata + "\n" + "\n".join(page.extract_text() for page in reader.pages)


# Logging and identity ------------------------------------------------------------------


def test_a_logged_request_is_due_in_a_calendar_month_and_audited(world):
    sar = log(world, received_on=dt.date(2026, 1, 30))
    assert sar.reference.startswith("SAR-")
    assert sar.due_on == dt.date(2026, 3, 2)  # 28 Feb 2026 is a Saturday
    row = AuditEvent.objects.get(event="subject_access_logged")
    assert row.username == "auditor@la" and row.detail["due_on"] == "2026-03-02"


def test_a_request_cannot_be_received_in_the_future(world):
    with pytest.raises(ValidationError) as refused:
        log(world, received_on=timezone.localdate() + dt.timedelta(days=1))
    assert "received_on" in refused.value.message_dict


def test_nothing_is_gathered_before_the_identity_is_checked(world):
    sar = log(world)
    with pytest.raises(ValidationError, match="identity"):
        services.sar_gather(acting_user=world.auditor, sar=sar)
    assert not SubjectAccessItem.objects.exists()
    assert not AuditEvent.objects.filter(event="subject_access_gathered").exists()


def test_proof_of_identity_that_came_later_restarts_the_month(world):
    sar = log(world, received_on=dt.date(2026, 3, 10))
    sar = services.sar_check_identity(
        acting_user=world.auditor,
        sar=sar,
        method="documents",
        detail="",
        evidence_on=dt.date(2026, 3, 20),
    )
    assert sar.due_on == dt.date(2026, 4, 21)
    assert AuditEvent.objects.get(event="subject_access_identity_checked").detail["due_on"] == (
        "2026-04-21"
    )


# Extension ----------------------------------------------------------------------------


def test_an_extension_needs_a_reason_and_is_made_within_the_first_month(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC))
    sar = log(world, received_on=dt.date(2026, 3, 10))
    with pytest.raises(ValidationError) as refused:
        services.sar_extend(acting_user=world.auditor, sar=sar, months=2, reason=" ")
    assert "reason" in refused.value.message_dict
    sar = services.sar_extend(
        acting_user=world.auditor, sar=sar, months=2, reason="Records from four agencies"
    )
    assert sar.due_on == dt.date(2026, 6, 11)
    assert AuditEvent.objects.filter(event="subject_access_extended").count() == 1

    late = log(world, received_on=dt.date(2026, 1, 5))  # its month ended on 5 February
    with pytest.raises(ValidationError, match="within it"):
        services.sar_extend(acting_user=world.auditor, sar=late, months=1, reason="Complex")
    late.refresh_from_db()
    assert late.extension_months == 0


# Gathering ----------------------------------------------------------------------------


def test_gathering_reads_every_agencys_record_and_audits_each_case(world):
    sar = checked(world, log(world))
    count = services.sar_gather(acting_user=world.auditor, sar=sar)
    items = list(sar.items.all())
    assert count == len(items)
    kinds = {i.kind for i in items}
    assert {"identity", "household", "case", "concern", "chronology", "note", "access_log"} <= kinds
    texts = "\n".join(i.text for i in items)
    # Restricted, internal and lead-only material alike: the controller holds it all.
    assert RESTRICTED_NOTE in texts and POLICE_NOTE in texts and "shares her room" in texts
    # Who viewed the record: the social worker's reads of the case are listed.
    access = next(i for i in items if i.kind == "access_log")
    assert "social_worker@la" in access.text
    gathered = AuditEvent.objects.filter(event="subject_access_gathered")
    assert [(r.case_id, r.action, r.username) for r in gathered] == [
        (world.case.pk, "view", "auditor@la")
    ]
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.GATHERED


def test_a_request_about_a_parent_gathers_what_names_them(world):
    sar = checked(world, log(world, household_member=world.mother, requester_name="Sarah Hart"))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    items = list(sar.items.all())
    assert items[0].kind == "household" and "Sarah Hart (Mother" in items[0].text
    assert any("Sarah Hart cooks tea" in i.text for i in items)
    # A note that does not name her is not her personal data.
    assert not any(RESTRICTED_NOTE in i.text for i in items)
    assert not any(i.kind == "identity" for i in items)


# Redaction and the bundle ----------------------------------------------------------------


def test_redacted_words_appear_nowhere_in_the_pdf_but_stay_in_the_export(
    world, django_capture_on_commit_callbacks
):
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    note = sar.items.get(text=POLICE_NOTE)
    made = services.redaction_add(
        acting_user=world.auditor,
        sar=sar,
        item_id=note.pk,
        phrase="jacob hart",  # any case: every occurrence
        every_item=True,
        category="other_child",
        reason="dpa_sch2_p3_16",
        note="The subject's brother",
    )
    # In the household list, the police note and the chronology entry.
    assert len(made) == 3
    restricted = sar.items.get(text=RESTRICTED_NOTE)
    services.redaction_add(
        acting_user=world.auditor,
        sar=sar,
        item_id=restricted.pk,
        whole_item=True,
        category="serious_harm",
        reason="dpa_sch3_p3_11",
    )
    rows = AuditEvent.objects.filter(event="subject_access_redacted")
    assert rows.count() == 4
    assert all("Jacob" not in json.dumps(r.detail) for r in rows)

    bundle = produce(world, sar, django_capture_on_commit_callbacks)
    text = pdf_text(bundle)
    flat = " ".join(text.split())
    assert "jacob" not in flat.lower()
    assert "court date" not in flat
    # The child's own record is there, with the markers and the schedule.
    assert "Amelia Hart" in flat
    assert "Officers attended after a 999 call;" in flat
    assert "[redacted, see R1]" in flat
    assert "Schedule of redactions" in flat
    assert "Sch. 2 Part 3 para. 16" in flat and "Another child" in flat
    assert "Withheld in full" in flat
    assert "The subject's brother" not in flat  # the officer's note is for the file only
    assert bundle.redaction_count == 4 and bundle.page_count >= 2

    with bundle.export.open("rb") as handle:
        export = json.loads(handle.read())
    assert export["request"]["reference"] == sar.reference
    assert any(item["text"] == POLICE_NOTE for item in export["items"])
    redacted = next(item for item in export["items"] if item["text"] == POLICE_NOTE)
    assert redacted["redactions"][0]["reason"] == "dpa_sch2_p3_16"
    assert redacted["redactions"][0]["note"] == "The subject's brother"
    produced = AuditEvent.objects.get(event="subject_access_bundle_produced")
    assert produced.detail["pdf_sha256"] == bundle.pdf_sha256


def test_words_not_in_the_item_are_refused(world):
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    item = sar.items.get(text=POLICE_NOTE)
    with pytest.raises(ValidationError) as refused:
        services.redaction_add(
            acting_user=world.auditor,
            sar=sar,
            item_id=item.pk,
            phrase="Nobody of that name",
            category="family_member",
            reason="dpa_sch2_p3_16",
        )
    assert "phrase" in refused.value.message_dict
    # After a redaction, gathering again would lose it: refused.
    services.redaction_add(
        acting_user=world.auditor,
        sar=sar,
        item_id=item.pk,
        phrase="999",
        category="other",
        reason="dpa_sch2_p1_2",
    )
    with pytest.raises(ValidationError, match="cannot be gathered again"):
        services.sar_gather(acting_user=world.auditor, sar=sar)


def test_what_was_sent_is_recorded_and_the_request_then_stands_still(
    world, django_capture_on_commit_callbacks
):
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    bundle = produce(world, sar, django_capture_on_commit_callbacks)
    sar = services.sar_mark_sent(
        acting_user=world.auditor,
        sar=sar,
        bundle=bundle,
        sent_on=timezone.localdate(),
        method="secure_email",
        sent_to="Amelia Hart, amelia@example.org",
    )
    assert sar.status == SubjectAccessRequest.Status.SENT and sar.sent_bundle == bundle
    sent = AuditEvent.objects.get(event="subject_access_sent")
    assert sent.detail["pdf_sha256"] == bundle.pdf_sha256 and sent.detail["on_time"] is True
    with pytest.raises(ValidationError, match="answered"):
        services.redaction_add(
            acting_user=world.auditor,
            sar=sar,
            item_id=sar.items.first().pk,
            whole_item=True,
            category="other",
            reason="dpa_sch2_p3_16",
        )


# Access ---------------------------------------------------------------------------------


def _urls(sar, bundle, item) -> list[str]:
    return [
        reverse("subject_access_list"),
        reverse("subject_access_find") + "?q=Hart",
        reverse("subject_access_new", args=[sar.child_id]),
        reverse("subject_access_detail", args=[sar.pk]),
        reverse("subject_access_identity", args=[sar.pk]),
        reverse("subject_access_extend", args=[sar.pk]),
        reverse("subject_access_items", args=[sar.pk]),
        reverse("subject_access_redact", args=[sar.pk, item.pk]),
        reverse("subject_access_bundle", args=[sar.pk, bundle.pk]),
        reverse("subject_access_bundle_json", args=[sar.pk, bundle.pk]),
        reverse("subject_access_pdf", args=[sar.pk, bundle.pk]),
        reverse("subject_access_export", args=[sar.pk, bundle.pk]),
        reverse("subject_access_sent", args=[sar.pk]),
    ]


def test_only_the_authoritys_ig_officers_reach_any_of_it(
    client, world, django_capture_on_commit_callbacks
):
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    bundle = produce(world, sar, django_capture_on_commit_callbacks)
    urls = _urls(sar, bundle, sar.items.first())
    others = [
        world.social_worker,
        world.manager,
        world.chair,
        world.la_admin,
        world.teacher,
        world.officer,
        *world.unrelated_users(),
    ]
    for user in others:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        for name in ("subject_access_gather", "subject_access_produce"):
            assert client.post(reverse(name, args=[sar.pk])).status_code == 404
    # An officer of another authority has their own list, without this request,
    # and nothing of this one: not the child, the request, its items or files.
    client.force_login(world.other_auditor)
    assert sar.reference not in client.get(urls[0]).content.decode()
    assert "No child of" in client.get(urls[1]).content.decode()
    for url in urls[2:]:
        assert client.get(url).status_code == 404, url
    for name in ("subject_access_gather", "subject_access_produce"):
        assert client.post(reverse(name, args=[sar.pk])).status_code == 404
    client.force_login(world.auditor)
    for url in urls:
        assert client.get(url).status_code == 200, url

    # Access follows the role: an officer who leaves it is a stranger on the next request.
    membership = Membership.objects.get(user=world.auditor, agency=world.la, role="auditor")
    membership_deactivate(acting_user=world.la_admin, membership=membership)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_downloads_are_audited_with_their_fingerprints(
    client, world, django_capture_on_commit_callbacks
):
    sar = checked(world, log(world))
    services.sar_gather(acting_user=world.auditor, sar=sar)
    bundle = produce(world, sar, django_capture_on_commit_callbacks)
    client.force_login(world.auditor)
    pdf = client.get(reverse("subject_access_pdf", args=[sar.pk, bundle.pk]))
    export = client.get(reverse("subject_access_export", args=[sar.pk, bundle.pk]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content)
    assert export["Content-Type"] == "application/json"
    assert AuditEvent.objects.get(event="subject_access_pdf_downloaded").detail["sha256"] == (
        bundle.pdf_sha256
    )
    assert AuditEvent.objects.get(event="subject_access_export_downloaded").detail["sha256"] == (
        bundle.export_sha256
    )


def test_the_list_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(5):
        log(world)
    client.force_login(world.auditor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("subject_access_list"))
    assert response.content.count(b"SAR-") == 5


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, world):
    client.force_login(world.auditor)
    url = reverse("subject_access_new", args=[world.child.pk])
    response = client.post(
        url,
        {
            "subject": "child",
            "requester_name": "Amelia Hart",
            "requester_relationship": "subject",
            "requester_contact": "<script>alert(1)</script>",
            "received_on_0": "31",
            "received_on_1": "2",
            "received_on_2": "2026",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Date the request was received must be a real date" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert not SubjectAccessRequest.objects.exists()


# Reminders ------------------------------------------------------------------------------


def test_open_requests_come_due_for_their_officer_and_escalate_to_the_team(world):
    sar = log(world, received_on=timezone.localdate() - dt.timedelta(days=40))
    second = make_user("auditor2@la", world.la, "auditor")
    items = list(subject_access_requests(timezone.localdate()))
    assert [i.subject for i in items] == [f"subject_access:{sar.pk}"]
    assert items[0].reference == sar.reference
    assert items[0].responsible == (world.auditor.pk,)
    assert set(items[0].managers) == {world.auditor.pk, second.pk}
    assert items[0].link_path == reverse("subject_access_detail", args=[sar.pk])


def test_the_officer_finds_the_child_by_name_or_reference(client, world):
    client.force_login(world.auditor)
    url = reverse("subject_access_find")
    for query in ("Amelia Hart", "hart", world.child.reference):
        body = client.get(url, {"q": query}).content.decode()
        assert reverse("subject_access_new", args=[world.child.pk]) in body, query
    assert AuditEvent.objects.filter(event="subject_access_child_search").count() == 3


def test_the_identity_page_records_the_check_and_refuses_an_undescribed_other(client, world):
    sar = log(world, received_on=dt.date(2026, 3, 10))
    client.force_login(world.auditor)
    url = reverse("subject_access_identity", args=[sar.pk])
    response = client.post(url, {"identity_method": "other", "detail": " "})
    assert response.status_code == 400
    assert "Describe how the identity was checked" in response.content.decode()
    response = client.post(
        url,
        {
            "identity_method": "documents",
            "detail": "Council tax bill and bank card",
            "evidence_on_0": "20",
            "evidence_on_1": "3",
            "evidence_on_2": "2026",
        },
    )
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.identity_checked and sar.due_on == dt.date(2026, 4, 21)
