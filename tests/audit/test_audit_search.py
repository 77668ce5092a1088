import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Membership
from agencies.services import membership_add
from cases import selectors
from cases.selectors import audit_search, many
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record
from tests.factories import (
    AgencyFactory,
    World,
    make_user,
    open_case_from_concern,
    submit_concern,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.other_auditor = make_user("auditor@other-la", w.other_la, "auditor")
    return w


def test_auditor_searches_their_authoritys_audit_log(client, world):
    client.force_login(world.social_worker)
    client.get(reverse("case_detail", args=[world.case.pk]))
    client.force_login(world.auditor)
    response = client.get(reverse("audit_search"), {"username": "social_worker@la"})
    assert response.status_code == 200
    events = {row.event for row in response.context["page"]}
    assert "case_viewed" in events
    assert {row.username for row in response.context["page"]} == {"social_worker@la"}
    by_reference = client.get(reverse("audit_search"), {"reference": world.case.reference})
    assert all(r.object_reference == world.case.reference for r in by_reference.context["page"])
    assert len(by_reference.context["page"]) >= 2


def test_other_authoritys_auditor_sees_none_of_it(client, world):
    client.force_login(world.other_auditor)
    response = client.get(reverse("audit_search"), {"reference": world.case.reference})
    assert len(response.context["page"]) == 0
    assert "No audit records match" in response.content.decode()


@pytest.mark.parametrize("who", ["social_worker", "manager", "la_admin", "teacher"])
def test_only_auditors_reach_the_audit_search(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("audit_search")).status_code == 404


def test_bad_dates_are_refused_next_to_the_field(client, world):
    client.force_login(world.auditor)
    response = client.get(
        reverse("audit_search"), {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}
    )
    assert "must be a real date" in response.content.decode()


def _two_agency_worker(world):
    """A social worker of the lead agency who is also a police practitioner
    (a seconded officer in the MASH): their rows say ``la-csc,police``."""
    worker = make_user("seconded@la", world.la, "social_worker")
    membership_add(acting_user=None, user=worker, agency=world.police, role="practitioner")
    return worker


def test_a_person_of_two_agencies_is_found_under_either(client, world):
    worker = _two_agency_worker(world)
    client.force_login(worker)
    client.get(reverse("case_detail", args=[world.case.pk]))
    row = AuditEvent.objects.filter(username=worker.username, event="case_viewed").get()
    assert row.agency_slugs == "la-csc,police"
    police_auditor = make_user("auditor@police", world.police, "auditor")
    for auditor, agency in [
        (world.auditor, "la-csc"),
        (world.auditor, "police"),
        (police_auditor, "police"),
    ]:
        client.force_login(auditor)
        page = client.get(reverse("audit_search"), {"agency": agency}).context["page"]
        assert row in page.object_list, (auditor.username, agency)
    # Not under an agency they are not in, nor under one whose slug ends like theirs.
    client.force_login(world.auditor)
    for agency in ["school", "other-la"]:
        page = client.get(reverse("audit_search"), {"agency": agency}).context["page"]
        assert row not in page.object_list


def test_rows_made_as_a_member_stay_in_the_agencys_search_after_the_membership_goes(client, world):
    """Their agency's auditor still finds what a person did as its member after an
    operator removed the membership: the row says which agencies they acted for."""
    worker = _two_agency_worker(world)
    client.force_login(worker)
    client.get(reverse("case_detail", args=[world.case.pk]))
    row = AuditEvent.objects.filter(username=worker.username, event="case_viewed").get()
    police_auditor = make_user("auditor@police", world.police, "auditor")
    Membership.objects.filter(user=worker, agency=world.police).delete()
    assert row in selectors.audit_rows_for(police_auditor)


def test_an_element_of_the_list_is_matched_never_part_of_a_slug():
    user = make_user("nobody@nowhere", AgencyFactory(slug="x-school"), "practitioner")
    row = audit_record(user=user, action="view", event="probe")
    assert row.agency_slugs == "x-school"
    assert not AuditEvent.objects.acting_for(["school"]).filter(pk=row.pk).exists()
    assert AuditEvent.objects.acting_for(["school", "x-school"]).filter(pk=row.pk).exists()


@pytest.mark.parametrize("leads", ["few", "many"])
def test_an_authority_is_searched_alike_whether_it_leads_few_cases_or_many(
    client, world, monkeypatch, leads
):
    """An authority leading few cases is searched by their ids; one leading many
    (a county's, nearly every row its) by each row's own case as the log is
    read newest first. Either way its auditor finds the same rows: about its
    cases whoever made them, and made by its people whatever they were about;
    never another authority's case seen by someone else's people."""
    from cases.selectors import cases as case_rules

    if leads == "many":
        monkeypatch.setattr(case_rules, "FEW", 0)
    other_case = open_case_from_concern(world, submit_concern(world))
    other_case.__class__.objects.filter(pk=other_case.pk).update(lead_agency=world.other_la)
    about_ours = audit_record(
        user=world.officer, action="view", event="probe_ours", case_id=world.case.pk
    )
    about_theirs = audit_record(
        user=world.officer, action="view", event="probe_theirs", case_id=other_case.pk
    )
    by_ours = audit_record(user=world.manager, action="view", event="probe_by_ours")
    client.force_login(world.auditor)
    shown = client.get(reverse("audit_search"), {"event": "probe"}).context["page"].object_list
    assert [row.pk for row in shown] == [by_ours.pk, about_ours.pk]
    assert about_theirs not in shown
    client.force_login(world.other_auditor)
    shown = client.get(reverse("audit_search"), {"event": "probe"}).context["page"].object_list
    assert [row.pk for row in shown] == [about_theirs.pk]


def test_a_day_is_the_services_day_not_the_servers(client, world):
    """ "From" and "To" are days where the service is: a row at 00:30 on 2 July,
    British Summer Time (23:30 on 1 July, UTC), is on 2 July."""
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        late = audit_record(user=world.manager, action="view", event="probe_midnight")
    client.force_login(world.auditor)

    def shown(**days: int) -> list:
        query = {"event": "probe_midnight"}
        for name, day in days.items():
            query |= {f"{name}_0": str(day), f"{name}_1": "7", f"{name}_2": "2026"}
        return list(client.get(reverse("audit_search"), query).context["page"].object_list)

    assert shown(date_from=2, date_to=2) == [late]
    assert shown(date_to=1) == [] and shown(date_from=3) == []
    assert shown(date_from=1) == [late]


def _pages(client, url: str, query: dict, forward: int) -> list[list[int]]:
    """The ids of the first page, ``forward`` pages after it by their "next"
    links, and back again by "previous" links to the first."""

    def ids(response) -> tuple[list[int], str | None, str | None]:
        if response["Content-Type"].startswith("application/json"):
            body = response.json()
            return [row["id"] for row in body["results"]], body["next"], body["previous"]
        page = response.context["page"]
        link = lambda part: url + part if part else None  # noqa: E731
        return [row.pk for row in page], link(page.next_link), link(page.previous_link)

    shown, after, before = ids(client.get(url, query))
    pages = [shown]
    for _ in range(forward):
        shown, after, before = ids(client.get(after))
        pages.append(shown)
    while before:
        shown, after, before = ids(client.get(before))
        pages.append(shown)
    return pages


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("where", ["page", "api"])
def test_few_rows_sorted_or_many_walked_page_alike(client, world, monkeypatch, sort, where):
    """An auditor whose rows are few has them read off the indexes and sorted
    (``AuditSearch.reader``); with many, the log is walked in the page's
    order. Forward and back, on the page and over the API, both show the
    same rows in the same order."""
    monkeypatch.setattr("cases.views.audit.PER_PAGE", 3)
    made = [
        audit_record(user=world.manager, action="view", event="probe_page").pk for _ in range(11)
    ]
    if where == "api":
        client = APIClient()
        client.force_authenticate(world.auditor)
        url, query = "/api/v1/audit/", {"event": "probe_page", "sort": sort}
        monkeypatch.setattr("safeguard.core.pagination.KeysetCursorPagination.page_size", 3)
    else:
        client.force_login(world.auditor)
        url, query = reverse("audit_search"), {"event": "probe_page", "sort": sort}
    seen = {}
    for mode, bound in [("sorted", 10_000), ("walked", 0)]:
        monkeypatch.setattr(audit_search, "FEW_ROWS", bound)
        many.forget_many()
        assert selectors.audit_search_for(world.auditor).few is (mode == "sorted")
        seen[mode] = _pages(client, url, query, forward=2)
    in_order = made[::-1] if sort == "newest" else made
    first, second, third = in_order[:3], in_order[3:6], in_order[6:9]
    assert seen["sorted"] == seen["walked"] == [first, second, third, second, first]


def test_rows_are_few_only_when_every_part_of_the_rule_finds_few(world, monkeypatch):
    """Few or many is counted part by part, each part's rows up to the bound:
    made by today's members, acting for the agency (a leaver's rows too), and
    about its cases. An auditor is read by sorting only while the parts' rows
    added up stay within the bound."""
    from cases.models import Case

    def parts_rows() -> int:
        members = Membership.objects.filter(agency=world.la).values("user_id")
        led = Case.objects.filter(lead_agency=world.la).values("pk")
        return (
            AuditEvent.objects.filter(user_id__in=members).count()
            + sum("la-csc" in row.agency_slugs.split(",") for row in AuditEvent.objects.all())
            + AuditEvent.objects.filter(case_id__in=led).count()
        )

    def few(bound: int) -> bool:
        monkeypatch.setattr(audit_search, "FEW_ROWS", bound)
        many.forget_many()
        return selectors.audit_search_for(world.auditor).few

    def within_bound_exactly() -> None:
        rows = parts_rows()
        assert few(rows) and not few(rows - 1), rows

    within_bound_exactly()
    # A leaver: their rows are found only as acting for the agency.
    leaver = make_user("leaver@la", world.la, "social_worker")
    for _ in range(3):
        audit_record(user=leaver, action="view", event="probe_leaver")
    Membership.objects.filter(user=leaver).delete()
    within_bound_exactly()
    # Someone of another agency, about the authority's case.
    for _ in range(3):
        audit_record(user=world.officer, action="view", event="probe_about", case_id=world.case.pk)
    within_bound_exactly()
