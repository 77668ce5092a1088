"""A manager of the lead agency builds the CIN census return in the browser:
starts it, watches its progress without reloading while a real worker builds
it, downloads the XML (audited with its SHA-256) and reads the breach report,
whose links lead to the cases; a social worker gets a 404 for the same pages.

Needs Chromium (e2e) and PostgreSQL with Redis (integration): the build runs in
a separate Celery worker on the default queue, as in production."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from census.models import CensusReturn
from safeguard.audit.models import AuditEvent
from tests.e2e.helpers import assert_accessible, sign_in, sign_out
from tests.integration.pdf_worker import database_url

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


@contextmanager
def census_worker(tmp_path: Path, media_root: str):
    """A solo worker on the default queue, where census builds go."""
    log_path = tmp_path / "census-worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "MEDIA_ROOT": media_root,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "safeguard",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                "celery",
                "--hostname",
                f"census-test-{os.getpid()}@%h",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_manager_builds_downloads_and_reads_the_census_report(
    live_server, page, settings, tmp_path, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_demo()

    sign_in(page, live_server.url, "manager@northshire-csc", PASSWORD)
    page.get_by_role("link", name="CIN census").click()
    expect(page.get_by_role("heading", name="Children in need census")).to_be_visible()
    assert_accessible(page)

    # The demo's authority has no DfE code on record: a wrong one is refused by the field.
    page.get_by_label("DfE local authority code").fill("12a")
    page.get_by_role("button", name="Build the return").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("DfE local authority code").fill("999")
    page.get_by_role("button", name="Build the return").click()

    page.wait_for_url(re.compile(r"/census/[0-9a-f-]{36}/$"))
    status_url = page.url
    assert "Queued" in page.get_by_test_id("census-status").inner_text()
    expect(page.get_by_test_id("census-download")).to_be_hidden()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    assert_accessible(page)

    with census_worker(tmp_path, settings.MEDIA_ROOT) as worker_log:
        page.evaluate("window.__notReloaded = true")
        download_link = page.get_by_test_id("census-download")
        download_link.wait_for(state="visible", timeout=120_000)
        assert page.evaluate("window.__notReloaded === true"), "the page reloaded itself"
        assert page.url == status_url
        census_return = CensusReturn.objects.get()
        assert census_return.status == CensusReturn.Status.READY, worker_log.read_text()[-3000:]
        assert "The return is ready" in page.get_by_test_id("census-message").inner_text()
        assert_accessible(page)

        with page.expect_download() as downloaded:
            download_link.click()
        content = Path(downloaded.value.path()).read_bytes()
        assert content.startswith(b"<?xml")
        assert downloaded.value.suggested_filename == "cin-census-2026-27-999.xml"
        assert hashlib.sha256(content).hexdigest() == census_return.sha256
        row = AuditEvent.objects.get(event="cin_census_downloaded")
        assert row.username == "manager@northshire-csc"
        assert row.detail["sha256"] == census_return.sha256

    # The checks: schema valid, and each breach by child with a link to its case.
    page.get_by_role("link", name="See the checks").click()
    assert page.get_by_test_id("census-schema").inner_text() == "Valid"
    report = page.get_by_test_id("census-breaches")
    # The demo's record is complete (0 errors); what remains are the DfE's
    # queries about work still open mid-year, each by child.
    assert "8670Q" in report.inner_text()
    assert_accessible(page)
    first_case = report.locator("a").first
    case_reference = first_case.inner_text().split("(")[0].strip()
    first_case.click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    assert case_reference in page.content()
    sign_out(page)

    # A social worker of the same authority: no census page, no return, no file.
    sign_in(page, live_server.url, "social_worker@northshire-csc", PASSWORD)
    assert page.get_by_role("link", name="CIN census").count() == 0
    assert page.goto(f"{live_server.url}/census/").status == 404
    assert page.goto(status_url).status == 404
    assert page.goto(status_url + "download/").status == 404
    assert_accessible(page)
    assert AuditEvent.objects.filter(event="cin_census_downloaded").count() == 1
