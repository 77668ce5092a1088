"""The fuzzer can fail: the machinery of test_schema_fuzz.py, pointed at an
operation made to answer a status its schema does not list, reports it."""

from __future__ import annotations

import pytest

from cases.api.search import SearchView
from safeguard.core.api_errors import error_response
from tests.api_fuzz import harness
from tests.factories import World

pytestmark = pytest.mark.django_db

SEARCH = "GET /api/v1/search/"


@pytest.fixture
def search():
    user = World().social_worker
    schema = harness.load_schema(user)
    (operation,) = [op for op in harness.operations(schema) if harness.label(op) == SEARCH]
    return operation, harness.token_headers(user)


def test_as_the_api_is_the_search_passes_every_check(search):
    operation, headers = search
    report = harness.Report()
    harness.fuzz_operation(operation, report, headers=headers, max_examples=8)
    assert report.requests == 8
    assert not report.failures, report.failures
    assert report.statuses[SEARCH] <= {200, 400}


def test_an_undocumented_status_code_is_reported(search, monkeypatch):
    operation, headers = search
    documented = {int(code) for code in operation.definition.raw["responses"]}
    assert 418 not in documented
    # Only inside this test: the search answers a status no schema of ours lists.
    monkeypatch.setattr(
        SearchView, "get", lambda self, request: error_response(418, "I'm a teapot.")
    )
    report = harness.Report()
    harness.fuzz_operation(operation, report, headers=headers, max_examples=3)
    assert report.statuses[SEARCH] == {418}
    # (A 418 also fails the checks that valid data is accepted and invalid
    # data refused; the status check is the one this test is about.)
    assert "Undocumented status code" in report.failed_checks(SEARCH), report.failures
    detail = report.failures[f"{SEARCH}: Undocumented status code"]
    assert "Received: 418" in detail
