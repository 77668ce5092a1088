"""An information governance officer answers a subject access request in the
browser: logs it for a demo child, records the identity check, gathers, redacts
the child's sibling's name with a reason, produces the bundle (a real worker on
the ``pdf`` queue renders it while the page shows progress), reads the PDF back,
takes the unredacted export for the file and records what was sent; the audit
shows each step. A social worker of the same authority gets a 404 for all of it.

Needs Chromium (e2e) and PostgreSQL with Redis (integration)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import HouseholdMember
from safeguard.audit.models import AuditEvent
from subject_access.models import SubjectAccessBundle, SubjectAccessRequest
from tests.e2e.helpers import assert_accessible, follow, sign_in, sign_out
from tests.integration.pdf_worker import pdf_worker

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"
STEPS = [
    "subject_access_logged",
    "subject_access_identity_checked",
    "subject_access_gathered",
    "subject_access_redacted",
    "subject_access_bundle_requested",
    "subject_access_bundle_produced",
    "subject_access_pdf_downloaded",
    "subject_access_export_downloaded",
    "subject_access_sent",
]


def press_tab_until(page, text: str, limit: int = 80) -> None:
    """Move the keyboard focus forward until it rests on the control named ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement && (document.activeElement.innerText || "
            "document.activeElement.value || '')"
        )
        if focused.strip() == text:
            return
    raise AssertionError(f"could not reach {text!r} with the keyboard")


def test_an_officer_answers_a_subject_access_request(
    live_server, page, settings, seed_demo, tmp_path
):
    settings.DEMO_PASSWORD = PASSWORD
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo()
    # The demo's siblings: the elder's record names the younger (household and a visit note).
    mother = HouseholdMember.objects.select_related("child").get(
        relationship="mother", name__startswith="Dawn ", child__lead_agency__slug="northshire-csc"
    )
    child = mother.child
    sibling = child.household.get(relationship="sibling").sibling
    sibling_name = sibling.first_name

    sign_in(page, live_server.url, "auditor@northshire-csc", PASSWORD)
    page.get_by_role("link", name="Subject access", exact=True).click()
    expect(page.get_by_role("heading", name="Subject access requests")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Log a request").click()
    page.get_by_label("Child's name or reference").fill(child.full_name)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/subject-access/new/\?q="))
    results = page.get_by_test_id("sar-children")
    assert child.reference in results.inner_text(), page.content()[-3000:]
    assert_accessible(page)
    follow(page, results.get_by_role("link", name=re.compile(re.escape(child.full_name))))
    assert_accessible(page)

    # Nothing filled in: every problem is listed, and the page is still accessible.
    page.get_by_role("button", name="Log the request").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label(f"The child, {child.full_name}").check()
    page.get_by_label("Name of the person asking").fill(child.full_name)
    page.get_by_label("The person the information is about").check()
    page.get_by_label("How to reach them").fill("By e-mail: young.person@example.org")
    received = timezone.localdate() - dt.timedelta(days=2)
    page.locator("#id_received_on_0").fill(str(received.day))
    page.locator("#id_received_on_1").fill(str(received.month))
    page.locator("#id_received_on_2").fill(str(received.year))
    page.get_by_role("button", name="Log the request").click()
    page.wait_for_url(re.compile(r"/subject-access/[0-9a-f-]{36}/$"))
    sar = SubjectAccessRequest.objects.get()
    assert page.get_by_test_id("sar-due").inner_text().startswith(f"{sar.due_on:%-d %B %Y}")
    assert "Not checked yet" in page.get_by_test_id("sar-identity").inner_text()
    assert page.get_by_role("button", name="Gather the records").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Record the identity check").click()
    page.get_by_label("Photographic identity document seen").check()
    page.get_by_label("What was seen (optional unless 'Other')").fill("Provisional licence")
    page.get_by_role("button", name="Save").click()
    assert "Checked" in page.get_by_test_id("sar-identity").inner_text()

    # Gathering, by keyboard alone.
    press_tab_until(page, "Gather the records")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/$"))
    expect(page.get_by_role("heading", name="Review and redact")).to_be_visible()
    item_texts = " ".join(page.get_by_test_id("sar-item-text").all_inner_texts())
    assert sibling_name in item_texts
    assert_accessible(page)

    note = page.get_by_test_id("sar-item").filter(has_text="was seen alone in their bedroom")
    follow(page, note.get_by_role("link", name=re.compile(r"^Redact in item \d+$")))
    assert_accessible(page)
    page.get_by_label("Words to redact").fill(sibling_name)
    page.get_by_label("Redact these words in every gathered item, not only this one").check()
    page.get_by_label("What kind of information is it?").select_option(label="Another child")
    page.get_by_label("Reason for withholding it").select_option(
        label="Third-party personal data: DPA 2018 Sch. 2 Part 3 para. 16"
    )
    page.get_by_label("Note for the file (optional)").fill("The subject's younger sibling")
    page.get_by_role("button", name="Redact").click()
    page.wait_for_url(re.compile(r"/items/#item-"))
    item_texts = " ".join(page.get_by_test_id("sar-item-text").all_inner_texts())
    assert sibling_name not in item_texts
    assert "[redacted, see R1]" in item_texts
    assert_accessible(page)

    page.get_by_role("link", name="Back to the request").click()
    page.get_by_role("button", name="Produce the bundle").click()
    page.wait_for_url(re.compile(r"/bundles/[0-9a-f-]{36}/$"))
    assert "Queued" in page.get_by_test_id("sar-bundle-status").inner_text()
    expect(page.get_by_test_id("sar-bundle-download")).to_be_hidden()
    assert_accessible(page)

    with pdf_worker(tmp_path, settings.MEDIA_ROOT) as worker_log:
        page.evaluate("window.__notReloaded = true")
        download = page.get_by_test_id("sar-bundle-download")
        download.wait_for(state="visible", timeout=120_000)
        assert page.evaluate("window.__notReloaded === true"), "the page reloaded itself"
        bundle = SubjectAccessBundle.objects.get()
        assert bundle.status == "ready", worker_log.read_text()[-3000:]
    assert "The bundle is ready" in page.get_by_test_id("sar-bundle-message").inner_text()
    assert_accessible(page)

    with page.expect_download() as downloaded:
        download.click()
    reader = pypdf.PdfReader(io.BytesIO(Path(downloaded.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    # The child's records are there; the sibling's name is nowhere, not even in the metadata.
    assert f"Information held about {child.full_name}" in text
    assert f"Case {child.cases.get().reference}" in text
    assert "was seen alone in their bedroom" in text
    assert "[redacted, see R1]" in text
    assert "Schedule of redactions" in text and "Another child" in text
    assert sibling_name not in text
    assert sibling_name not in " ".join(str(v) for v in (reader.metadata or {}).values())

    with page.expect_download() as exported:
        page.get_by_test_id("sar-export-download").click()
    export = json.loads(Path(exported.value.path()).read_text())
    assert any(sibling_name in item["text"] for item in export["items"])

    follow(page, page.get_by_role("link", name="Record what was sent"))
    assert_accessible(page)
    today = timezone.localdate()
    page.locator("#id_sent_on_0").fill(str(today.day))
    page.locator("#id_sent_on_1").fill(str(today.month))
    page.locator("#id_sent_on_2").fill(str(today.year))
    page.get_by_label("Secure e-mail").check()
    page.get_by_label("Sent to").fill(f"{child.full_name}, young.person@example.org")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/subject-access/[0-9a-f-]{36}/$"))
    trail = page.get_by_test_id("sar-trail").inner_text()
    for step in STEPS:
        assert step in trail, step
    assert_accessible(page)
    gathered = AuditEvent.objects.get(event="subject_access_gathered")
    assert (
        gathered.case_id == child.cases.get().pk and gathered.username == "auditor@northshire-csc"
    )
    sign_out(page)

    # A social worker of the same authority: no link, and nothing at any of the addresses.
    sign_in(page, live_server.url, "social_worker@northshire-csc", PASSWORD)
    assert page.get_by_role("link", name="Subject access").count() == 0
    for path in (
        "/subject-access/",
        f"/subject-access/{sar.pk}/",
        f"/subject-access/{sar.pk}/items/",
        f"/subject-access/{sar.pk}/bundles/{bundle.pk}/bundle.pdf",
        f"/subject-access/{sar.pk}/bundles/{bundle.pk}/export.json",
    ):
        assert page.goto(live_server.url + path).status == 404, path
    assert_accessible(page)
