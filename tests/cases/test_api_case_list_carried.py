"""The API's case list on PostgreSQL carries each case's involvements (with
their reasons), named professionals and, at the lead agency's level only,
assessments as columns of the page's own statement (cases/selectors/carried.py):
what it returns must be exactly what the same cases read one list at a time
(prefetched) serialize to, for each person, on every page, and a page is read
in the case list's budget (issue 15: at most six statements)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, prefetch_related_objects
from django.test import RequestFactory

from agencies.models import Agency
from cases import selectors
from cases.api.cases import CaseSerializer
from cases.models import Assessment
from cases.selectors.children import ASSESSMENT_ORDER
from cases.services.record import professional_add
from tests.core.test_list_keyset import PEOPLE, counted, demo, signed_in  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

MOST = 6  # issue 15: the session, the person, the probe, the page, the audit row


def prefetched(user) -> list[dict]:
    """The person's cases serialized from the lists read one at a time."""
    cases = list(selectors.with_lead_access(selectors.case_list_for(user), user))
    prefetch_related_objects(cases, *selectors.involvements_prefetched(assessments=False))
    lead = [case for case in cases if case.lead_access]
    ordered = Assessment.objects.order_by(*ASSESSMENT_ORDER)
    prefetch_related_objects(lead, Prefetch("assessments", queryset=ordered))
    request = RequestFactory().get("/api/v1/cases/")
    return CaseSerializer(cases, many=True, context={"request": request}).data


def _name_professionals() -> None:
    """The demo names no professionals: the lead names two on an involved
    agency's case, one with an account and one without."""
    lead = get_user_model().objects.get(username="social_worker@northshire-csc")
    police = get_user_model().objects.get(username="practitioner@northshire-police")
    case = selectors.case_list_for(police).first()
    agency = Agency.objects.get(slug="northshire-police")
    professional_add(
        acting_user=lead, case=case, name="PC Amy Reed", role="Officer", agency=agency, user=police
    )
    professional_add(
        acting_user=lead, case=case, name="DS Tom Hale", role="Sergeant", agency=agency
    )


@pytest.mark.parametrize("username", PEOPLE)
def test_each_page_carries_what_its_cases_read_one_list_at_a_time(client, demo, username):  # noqa: F811
    _name_professionals()
    signed_in(client, username)
    user = get_user_model().objects.get(username=username)
    shown, url = [], "/api/v1/cases/"
    while url:
        response, n = counted(client, url)
        assert response.status_code == 200
        assert n <= MOST, n
        body = response.json()
        shown += body["results"]
        url = body["next"] and urlparse(body["next"])._replace(scheme="", netloc="").geturl()
    expected = prefetched(user)
    assert [c["reference"] for c in shown] == [c["reference"] for c in expected]
    for got, want in zip(shown, expected, strict=True):
        assert got == want, got["reference"]
    # Something to compare: the demo's cases carry each kind of list.
    assert any(c["involvements"] and c["involvements"][0]["reasons"] for c in shown)
    named = [p for c in shown for p in c["professionals"]]
    assert {p["username"] for p in named} == {"practitioner@northshire-police", None}
    if username == "social_worker@northshire-csc":
        assert any(c["assessments"] for c in shown)
    if username == "practitioner@hillside-primary":
        # A school is never at the lead's level: no case shows an assessment.
        assert all(c["assessments"] == [] and not c["lead_access"] for c in shown)
