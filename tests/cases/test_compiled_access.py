"""The access rule's fixed statements are compiled once per process and bound
to each call (safeguard/core/compiled.py): what they answer must follow the
person and the clock of that call, never the call that compiled them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from cases import selectors
from cases.models import BreakGlass
from cases.services.restrictions import case_break_glass
from tests.cases.test_restricted import GLASS, world  # noqa: F401  (the fixture)
from tests.factories import open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiles(monkeypatch):
    """Every ORM compile of a statement or subquery, by the model it reads."""
    seen: list[str] = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        seen.append(self.query.model._meta.label if self.query.model else "")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return seen


GRANT_STATEMENTS = {
    "cases.CaseGroupObjectPermission",
    "cases.CaseUserObjectPermission",
    "cases.BreakGlass",
    "cases.Involvement",
    "agencies.Membership",
}


@pytest.mark.postgres
def test_each_call_answers_for_its_own_person_and_time(world, compiles):  # noqa: F811
    reference = world.case.reference

    def ids(user):
        compiles.clear()
        found = selectors.visible_case_ids_if_few(user)
        # The grant statement is compiled once, not again for this call.
        assert not GRANT_STATEMENTS & set(compiles), compiles
        return found

    def noticed(user):
        compiles.clear()
        found = [case.reference for case in selectors.restricted_cases_noticed_by(user)]
        # Only what is built on the compiled ids: the case and its lead agency.
        assert not GRANT_STATEMENTS & set(compiles), compiles
        compiles.clear()
        # The case list's notice: the same cases, from a statement compiled once.
        assert [case.reference for case in selectors.restricted_notice_for(user)] == found
        assert not compiles, compiles
        return found

    # The first calls compile; the person here sees the case by name.
    assert world.case.pk in selectors.visible_case_ids_if_few(world.named_worker)
    assert [c.pk for c in selectors.restricted_cases_noticed_by(world.named_worker)] == []
    assert selectors.restricted_notice_for(world.named_worker) == []

    # Another person, the same statements: the lead's social worker is not named,
    # so the case is not theirs, and they are told it exists.
    assert world.case.pk not in ids(world.social_worker)
    assert noticed(world.social_worker) == [reference]
    # A manager breaks glass: theirs for four hours, then not.
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert world.case.pk in ids(world.manager2)
    assert noticed(world.manager2) == []
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.case.pk not in ids(world.manager2)
    assert noticed(world.manager2) == [reference]


@pytest.mark.postgres
def test_lead_access_follows_the_person_and_the_clock_of_each_call(world, compiles):  # noqa: F811
    # The first call compiles; the named worker sees the case as the lead does.
    assert selectors.has_lead_access(world.named_worker, world.case)

    def lead(user):
        compiles.clear()
        found = selectors.has_lead_access(user, world.case)
        assert not compiles, compiles  # bound, not built again
        return found

    assert lead(world.named_worker)
    # The lead's social worker, not named on the restricted case: not theirs.
    assert not lead(world.social_worker)
    # A manager breaks glass: the lead's view for four hours, then not.
    assert_only_while_glass_lasts(world, lead)


def assert_only_while_glass_lasts(world, sees) -> None:  # noqa: F811 (not the fixture)
    """``sees(world.manager2)`` is false before they break glass on the
    restricted case, true while it lasts, and false once it has run out."""
    assert not sees(world.manager2)
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert sees(world.manager2)
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not sees(world.manager2)


@pytest.mark.postgres
def test_the_case_list_follows_the_person_and_the_clock_of_each_call(world, compiles):  # noqa: F811
    """The unfiltered case list is one statement per shape, compiled once: each
    page is the person's own, at the time asked, first page or beyond."""

    def page(user, cursor=None):
        compiles.clear()
        found = selectors.case_page_for(user, cursor)
        assert "cases.Case" not in compiles, compiles  # bound, not built again
        return found

    def everything(user):
        return [c.reference for c in selectors.case_list_for(user)]

    # The first call for each shape compiles.
    for user in (world.named_worker, world.social_worker, world.manager2):
        selectors.case_page_for(user, None)

    def references(user):
        return [c.reference for c in page(user)]

    assert world.case.reference in references(world.named_worker)
    assert references(world.named_worker) == everything(world.named_worker)[:25]
    assert world.case.reference not in references(world.social_worker)
    assert references(world.social_worker) == everything(world.social_worker)[:25]

    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert world.case.reference in references(world.manager2)
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.case.reference not in references(world.manager2)

    # Rows and what comes with them are the ORM's: the child, the lead agency.
    first = page(world.named_worker).object_list[0]
    assert first.child.last_name and first.lead_agency.name

    # Deactivated: nothing, though the statement was compiled for an active person.
    world.named_worker.is_active = False
    assert list(selectors.case_page_for(world.named_worker, None)) == []


@pytest.mark.postgres
def test_the_case_list_beyond_the_first_page_is_the_rest_once(world, monkeypatch):  # noqa: F811
    from safeguard.core import keyset

    monkeypatch.setattr(keyset, "PER_PAGE", 1)
    for _ in range(2):
        open_case_from_concern(world, submit_concern(world))
    for user in (world.named_worker, world.social_worker):
        seen, cursor = [], None
        while True:
            found = selectors.case_page_for(user, cursor)
            seen += [c.reference for c in found]
            if not found.has_next:
                break
            cursor = found.next_cursor
        assert seen == [c.reference for c in selectors.case_list_for(user)]
        assert len(seen) > 1
        # And back again from the last page to the first.
        back = []
        while found is not None:
            back = [c.reference for c in found] + back
            cursor = found.previous_cursor
            found = selectors.case_page_for(user, cursor) if cursor else None
        assert back == seen


@pytest.mark.postgres
def test_the_first_pages_probe_and_notice_answer_as_the_two_alone(world, monkeypatch):  # noqa: F811
    """A first page asks the grant probe and the restricted-record notice in
    one statement: its answer is what each gives on its own, for each person,
    whether they see few cases or many."""
    from cases.selectors import cases as case_selectors

    for _ in range(2):
        open_case_from_concern(world, submit_concern(world))

    def both(user):
        return selectors.visible_case_ids_if_few(user), selectors.restricted_notice_for(user)

    def together(user):
        few, notice = selectors.visible_ids_and_notice(user)
        return (None if few is None else sorted(few)), notice

    def apart(user):
        few, notice = both(user)
        return (None if few is None else sorted(few)), notice

    people = [world.named_worker, world.social_worker, world.manager2, world.teacher]
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    for user in people:
        assert together(user) == apart(user), user
    assert together(world.social_worker)[1], "the notice is told"
    assert together(world.named_worker)[1] == []
    # More than a few: the probe says "many" (None), and the notice still comes.
    monkeypatch.setattr(case_selectors, "FEW", 1)
    assert together(world.social_worker)[0] is None
    assert together(world.social_worker) == apart(world.social_worker)
    assert [c.reference for c in together(world.social_worker)[1]] == [world.case.reference]


@pytest.mark.postgres
def test_a_statement_that_derives_from_its_values_is_refused(world):  # noqa: F811
    """A builder that computes a value from one of its own (a day before
    ``now``) would have the first call's answer compiled in for good: refused
    when it is first compiled, not served wrong ever after."""
    from cases.models import Case
    from safeguard.core.compiled import compiled

    def since_yesterday(now):
        return Case.objects.filter(opened_at__gte=now - dt.timedelta(days=1))

    with pytest.raises(ValueError, match="depends on its values"):
        compiled("test-derived", since_yesterday, now=timezone.now())

    def branching(person):
        return Case.objects.filter(allocated_worker=person if person.pk % 2 else None)

    with pytest.raises(ValueError, match="depends on its values"):
        compiled("test-branching", branching, person=world.social_worker)

    # The person's groups read as a list while building: compiled for the
    # stand-in (who is in none), every later person would get its answer.
    def reads_groups(person):
        groups = list(person.groups.values_list("pk", flat=True))
        return Case.objects.filter(casegroupobjectpermission__group__in=groups)

    with pytest.raises(ValueError, match="read the database"):
        compiled("test-reads", reads_groups, person=world.social_worker)


@pytest.mark.postgres
def test_the_api_case_list_says_each_persons_own_level_of_access(world, client):  # noqa: F811
    """The API's case list is compiled once too, with whether each case is
    seen at the lead agency's level: that answer is each person's own, and a
    break-glass's for as long as it lasts."""
    from cases.models import Case

    for _ in range(2):
        open_case_from_concern(world, submit_concern(world))

    def listed(user):
        client.force_login(user)
        body = client.get("/api/v1/cases/").json()
        return {row["reference"]: row["lead_access"] for row in body["results"]}

    def expected(user):
        return {
            c.reference: selectors.has_lead_access(user, c)
            for c in Case.objects.all()
            if selectors.cases_for(user).filter(pk=c.pk).exists()
        }

    people = [world.named_worker, world.social_worker, world.teacher, world.manager2]
    for user in people:
        assert listed(user) == expected(user), user
    assert listed(world.named_worker)[world.case.reference] is True
    assert True in listed(world.social_worker).values()
    assert set(listed(world.teacher).values()) == {False}  # a school: never the lead's view
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert listed(world.manager2)[world.case.reference] is True
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.case.reference not in listed(world.manager2)


@pytest.mark.postgres
def test_the_api_concern_list_follows_each_person_and_restriction(world, client):  # noqa: F811
    """The API's concern list, compiled once: a concern about the restricted
    child is listed for the person named on the case and not for a colleague
    who is not, in either order; nor for a break-glass that has run out."""
    from cases.models import Concern

    restricted = set(
        Concern.objects.filter(case=world.case)
        .exclude(status="draft")
        .values_list("reference", flat=True)
    )
    assert restricted

    def listed(user):
        client.force_login(user)
        return {row["reference"] for row in client.get("/api/v1/concerns/").json()["results"]}

    for _ in range(2):
        assert restricted <= listed(world.named_worker)
        assert not restricted & listed(world.social_worker)
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert restricted <= listed(world.manager2)
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not restricted & listed(world.manager2)


@pytest.mark.postgres
def test_your_concerns_page_lists_each_reporters_own_page_by_page(world, client, monkeypatch):  # noqa: F811
    """ "Your concerns", compiled once: every page, followed by its Next
    links, lists exactly what the uncompiled rule gives the person asking, in
    its order, whoever asked before."""
    import re

    from safeguard.core import keyset

    monkeypatch.setattr(keyset, "PER_PAGE", 2)
    for _ in range(3):
        submit_concern(world)  # by the teacher
    submit_concern(world, reporter=world.officer, agency=world.police)

    def listed(user) -> list[str]:
        client.force_login(user)
        url, shown = "/concerns/", []
        while url:
            html = client.get(url).content.decode()
            shown += re.findall(r'href="/concerns/([0-9a-f-]{36})/', html)
            after = re.search(r'href="(\?cursor=[^"]+)" rel="next"', html)
            url = "/concerns/" + after.group(1).replace("&amp;", "&") if after else None
        return shown

    def expected(user) -> list[str]:
        return [str(pk) for pk in selectors.my_concerns_for(user).values_list("pk", flat=True)]

    for _ in range(2):
        for user in (world.teacher, world.officer, world.social_worker):
            assert listed(user) == expected(user), user
    assert len(expected(world.teacher)) >= 3 and expected(world.officer)


@pytest.mark.postgres
def test_the_notice_is_told_on_the_first_page_however_it_is_reached(world, monkeypatch):  # noqa: F811
    """The restricted-record notice comes with a first page: asked for, or
    reached again by Previous; never with a page after it."""
    from safeguard.core import keyset

    monkeypatch.setattr(keyset, "PER_PAGE", 1)
    for _ in range(2):
        open_case_from_concern(world, submit_concern(world))
    user = world.social_worker
    first, notice = selectors.case_list_page_for(user, None)
    assert [c.reference for c in notice] == [world.case.reference]
    second, notice = selectors.case_list_page_for(user, first.next_cursor)
    assert notice == [] and second.has_previous
    again, notice = selectors.case_list_page_for(user, second.previous_cursor)
    assert [c.reference for c in again] == [c.reference for c in first]
    assert [c.reference for c in notice] == [world.case.reference]


@pytest.mark.postgres
def test_search_follows_the_person_and_the_clock_of_each_call(world, compiles):  # noqa: F811
    """The header search's scope (``children_for``'s rule, with the person's
    groups, permission and front doors as values) is compiled once: a
    restricted child is found by the person named on the case and not by a
    colleague at the same front door, in either order; by a break-glass while
    it lasts; never by another authority. Each answer is the uncompiled
    rule's for that person."""
    from cases.models import Child
    from cases.selectors.children import children_for
    from cases.selectors.search import search

    child = world.case.child
    Child.objects.filter(pk=child.pk).update(nhs_number="9434765919", postcode="NS1 2AB")
    plain = open_case_from_concern(world, submit_concern(world, child_last_name="Hartley"))
    Child.objects.filter(pk=plain.child_id).update(postcode="NS1 2AB")
    typed = ["Amelia Hart", "9434765919", "NS1 2AB", world.case.reference, plain.reference]

    def found(user, text):
        compiles.clear()
        hits = search(user, text).hits
        # Bound, not built again (the audit row reads the person's memberships).
        assert not (GRANT_STATEMENTS - {"agencies.Membership"}) & set(compiles), compiles
        for hit in hits:  # each hit's cases: the ones this person sees, no other
            seen = selectors.cases_for(user).filter(child=hit.child)
            assert {c.pk for c in hit.cases} == set(seen.values_list("pk", flat=True))
        return {hit.child.pk for hit in hits}

    def allowed(user):
        return set(children_for(user).values_list("pk", flat=True))

    people = [
        world.named_worker,
        world.social_worker,
        world.named_worker,
        world.manager2,
        world.other_social_worker,
        world.teacher,
    ]
    # The first calls compile: each form of the scope (cases.selectors.
    # search_scope: child by child at a front door, the grants read first for
    # the teacher) is built the first time someone's search takes it.
    for user in people:
        for text in typed:
            search(user, text)
    for user in people:
        for text in typed:
            assert found(user, text) <= allowed(user), (user, text)
    for text in typed[:4]:
        assert child.pk in found(world.named_worker, text), text
        assert child.pk not in found(world.social_worker, text), text
        assert child.pk not in found(world.other_social_worker, text), text
    # The front door finds the other child, whom the worker is not named on.
    assert plain.child_id in found(world.social_worker, plain.reference)
    assert plain.child_id in found(world.social_worker, "NS1 2AB")
    assert not found(world.other_social_worker, "NS1 2AB")

    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert child.pk in found(world.manager2, "Amelia Hart")
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert child.pk not in found(world.manager2, "Amelia Hart")


@pytest.mark.postgres
def test_opening_a_case_follows_the_person_and_the_clock_of_each_call(world, compiles):  # noqa: F811
    """``get_case_for`` (every page and API call about a case) is compiled
    once: the restricted case opens for the person named on it and not for a
    colleague, in either order, and for a break-glass only while it lasts."""
    from django.http import Http404

    def opens(user):
        compiles.clear()
        try:
            selectors.get_case_for(user, world.case.pk, audit=False)
        except Http404:
            return False
        finally:
            assert not GRANT_STATEMENTS & set(compiles), compiles  # bound, not built again
        return True

    selectors.get_case_for(world.named_worker, world.case.pk, audit=False)  # compiles
    for _ in range(2):
        assert opens(world.named_worker)
        assert not opens(world.social_worker)
        assert not opens(world.other_social_worker)
    assert_only_while_glass_lasts(world, opens)
    # What comes with the case is the ORM's: the child, the lead agency.
    case = selectors.get_case_for(world.named_worker, str(world.case.pk), audit=False)
    assert case.child.last_name == "Hart" and case.lead_agency == world.la
    with pytest.raises(Http404):
        selectors.get_case_for(world.named_worker, "not-a-case", audit=False)
