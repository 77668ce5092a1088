"""A manager asks for a PDF summary, watches the page turn to ready without
reloading it while a real worker renders it, and downloads it; someone else
gets a 404 for the same link; the download is on the audit record with the
file's SHA-256.

Needs Chromium (e2e) and PostgreSQL with Redis (integration): the render runs
in a separate Celery worker on the "pdf" queue, as in production."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case
from safeguard.audit.models import AuditEvent
from summaries.models import CaseSummary
from tests.e2e.helpers import assert_accessible, sign_in, sign_out
from tests.integration.pdf_worker import pdf_worker

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


def test_manager_requests_watches_and_downloads_a_summary(
    live_server, page, settings, seed_demo, tmp_path
):
    settings.DEMO_PASSWORD = PASSWORD
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo()
    case = (
        Case.objects.filter(
            lead_agency__slug="northshire-csc", is_restricted=False, status=Case.Status.OPEN
        )
        .select_related("child")
        .order_by("reference")
        .first()
    )
    assert case is not None, "the demo has an open case led by Northshire"

    sign_in(page, live_server.url, "manager@northshire-csc", PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Request a PDF summary").click()
    expect(page.get_by_role("heading", name="Request a PDF summary")).to_be_visible()
    assert_accessible(page)

    # A range that ends before it starts is refused next to the fields.
    page.locator("#id_date_from_0").fill("10")
    page.locator("#id_date_from_1").fill("3")
    page.locator("#id_date_from_2").fill("2026")
    page.locator("#id_date_to_0").fill("1")
    page.locator("#id_date_to_1").fill("3")
    page.locator("#id_date_to_2").fill("2026")
    page.get_by_role("button", name="Request the summary").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    for part in ("from", "to"):
        for box in range(3):
            page.locator(f"#id_date_{part}_{box}").fill("")
    page.get_by_role("button", name="Request the summary").click()

    page.wait_for_url(re.compile(r"/summaries/[0-9a-f-]{36}/$"))
    status_url = page.url
    expect(page.get_by_role("heading", name="PDF summary")).to_be_visible()
    assert_accessible(page)
    # No worker yet: the page is seen waiting, so "ready" can only arrive by polling.
    assert "Queued" in page.get_by_test_id("summary-status").inner_text()
    expect(page.get_by_test_id("summary-download")).to_be_hidden()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()

    with pdf_worker(tmp_path, settings.MEDIA_ROOT) as worker_log:
        # Mark this document: if the page reloaded, the mark would be gone.
        page.evaluate("window.__notReloaded = true")
        download_link = page.get_by_test_id("summary-download")
        download_link.wait_for(state="visible", timeout=90_000)
        assert page.evaluate("window.__notReloaded === true"), "the page reloaded itself"
        assert page.url == status_url
        assert "ready" in page.get_by_test_id("summary-message").inner_text()
        assert "Ready" in page.get_by_test_id("summary-status").inner_text()
        assert_accessible(page)

        with page.expect_download() as downloaded:
            download_link.click()
        path = Path(downloaded.value.path())
        content = path.read_bytes()
        assert content.startswith(b"%PDF")
        assert downloaded.value.suggested_filename.startswith(f"case-summary-{case.reference}")
        summary = CaseSummary.objects.get(case=case)
        assert summary.status == CaseSummary.Status.READY, worker_log.read_text()[-2000:]
        assert hashlib.sha256(content).hexdigest() == summary.sha256
        download_url = f"{live_server.url}/cases/{case.pk}/summaries/{summary.pk}/download/"

        row = AuditEvent.objects.get(event="case_summary_downloaded")
        assert row.username == "manager@northshire-csc"
        assert row.detail["sha256"] == summary.sha256
        assert row.detail["summary"] == str(summary.pk)
        sign_out(page)

        # A social worker of the same team sees the case, but not the manager's summary.
        sign_in(page, live_server.url, "social_worker@northshire-csc", PASSWORD)
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.get_by_test_id("case-child-name")).to_be_visible()
        response = page.goto(download_url)
        assert response.status == 404
        assert_accessible(page)
        assert page.goto(status_url).status == 404
        sign_out(page)
        assert AuditEvent.objects.filter(event="case_summary_downloaded").count() == 1

        # The auditor finds the download in the audit log.
        sign_in(page, live_server.url, "auditor@northshire-csc", PASSWORD)
        page.goto(f"{live_server.url}/audit/?event=case_summary_downloaded")
        rows = page.get_by_test_id("audit-rows").inner_text()
        assert "manager@northshire-csc" in rows and "case_summary_downloaded" in rows
        assert case.reference in rows
        assert_accessible(page)
