"""The first journey through the pages: concern → triage → case, and bad input."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Concern
from safeguard.notifications.models import Notification, OutboundEmail
from tests.factories import PASSWORD, World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def concern_post(**overrides):
    today = timezone.localdate()
    data = {
        "child_first_name": "Amelia",
        "child_last_name": "Hart",
        "child_date_of_birth_0": "4",
        "child_date_of_birth_1": "5",
        "child_date_of_birth_2": "2016",
        "child_age_years": "",
        "child_address": "1 Mill Lane",
        "child_postcode": "ns1 2ab",
        "child_school": "Hill School",
        "child_nhs_number": "",
        "child_upn": "",
        "account": "She said: 'Dad hit me with a belt'.",
        "observed_on_0": str(today.day),
        "observed_on_1": str(today.month),
        "observed_on_2": str(today.year),
        "observed_time": "",
        "categories": ["physical"],
        "immediate_risk": "yes",
        "actions_taken": "Called the police on 999.",
        "family_aware": "no",
        "sharing_basis": "no_consent_harm",
        "sharing_reason": "Risk of significant harm.",
        "action": "submit",
    }
    data.update(overrides)
    return data


def with_agencies(world, data):
    data.setdefault("reporting_agency", str(world.school.pk))
    data.setdefault("lead_agency", str(world.la.pk))
    return data


def test_practitioner_logs_a_concern_and_gets_a_reference(client, world):
    login(client, world.teacher)
    response = client.post(reverse("concern_create"), with_agencies(world, concern_post()))
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concern_submitted", args=[concern.pk])
    page = client.get(response["Location"]).content.decode()
    assert concern.reference.startswith(f"CON-{timezone.localdate().year}-")
    assert concern.reference in page
    assert concern.status == Concern.Status.SUBMITTED
    assert concern.child_postcode == "NS1 2AB"
    assert concern.decision_due_at is not None
    # Immediate risk alerts the duty team at once, in the app and by e-mail.
    alerted = set(
        Notification.objects.filter(kind="immediate_risk").values_list("recipient", flat=True)
    )
    assert alerted == {world.social_worker.pk, world.manager.pk}
    email = OutboundEmail.objects.filter(notification__recipient=world.social_worker).get()
    assert concern.reference in email.body
    assert "belt" not in email.body and "Amelia" not in email.body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"child_date_of_birth_2": str(timezone.localdate().year + 1)},
            "child_date_of_birth",
            "in the past",
        ),
        ({"account": "   "}, "account", ""),
        ({"child_date_of_birth_1": "13"}, "child_date_of_birth", "real date"),
        ({"observed_on_2": str(timezone.localdate().year + 1)}, "observed_on", "in the past"),
        ({"categories": []}, "categories", ""),
        ({"child_nhs_number": "9434765918"}, "child_nhs_number", "valid NHS number"),
        ({"child_upn": "A801200110001"}, "child_upn", "valid unique pupil number"),
        ({"actions_taken": ""}, "actions_taken", "already done"),
        ({"sharing_reason": ""}, "sharing_reason", "without consent"),
        (
            {"child_date_of_birth_0": "", "child_date_of_birth_1": "", "child_date_of_birth_2": ""},
            "child_age_years",
            "date of birth or their age",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_lost(
    client, world, overrides, field, message
):
    login(client, world.teacher)
    data = with_agencies(world, concern_post(**overrides))
    data["child_address"] = "<script>alert('x')</script> 2 Mill Lane"
    response = client.post(reverse("concern_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "There is a problem" in page
    # What the user typed is still there, escaped, never executed.
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 2 Mill Lane" in page
    assert "<script>alert('x')</script>" not in page
    # And it is kept as a draft in case the page is closed.
    draft = Concern.objects.get(status=Concern.Status.DRAFT)
    assert draft.draft_data["child_address"] == ["<script>alert('x')</script> 2 Mill Lane"]


def test_html_in_the_account_is_shown_escaped(client, world):
    concern = submit_concern(world, account="<b>bold</b><img src=x onerror=alert(1)>")
    login(client, world.social_worker)
    page = client.get(reverse("concern_triage", args=[concern.pk])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_draft_is_saved_and_resumed(client, world):
    login(client, world.teacher)
    data = with_agencies(world, concern_post(action="save_draft", account="Half typed"))
    response = client.post(reverse("concern_create"), data)
    draft = Concern.objects.get()
    assert response["Location"] == reverse("concern_edit", args=[draft.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Half typed" in page and "There is a problem" not in page
    # Autosave keeps changing the same draft.
    autosave = client.post(reverse("concern_autosave", args=[draft.pk]), {"account": "More typed"})
    assert autosave.status_code == 200 and autosave.json()["id"] == str(draft.pk)
    draft.refresh_from_db()
    assert draft.draft_data["account"] == ["More typed"]
    # Submitting the draft turns it into the concern, with no second record.
    response = client.post(
        reverse("concern_edit", args=[draft.pk]), with_agencies(world, concern_post())
    )
    assert Concern.objects.count() == 1
    assert Concern.objects.get().status == Concern.Status.SUBMITTED


def test_autosave_of_a_new_concern_creates_one_draft(client, world):
    login(client, world.teacher)
    response = client.post(reverse("concern_autosave_new"), {"account": "typing"})
    data = response.json()
    assert Concern.objects.get(pk=data["id"]).status == Concern.Status.DRAFT
    assert data["edit_url"] == reverse("concern_edit", args=[data["id"]])


def test_the_whole_front_door_journey(client, world):
    concern = submit_concern(world)
    login(client, world.social_worker)
    queue = client.get(reverse("front_door")).content.decode()
    assert concern.reference in queue and "working day" in queue

    triage_url = reverse("concern_triage", args=[concern.pk])
    page = client.get(triage_url).content.decode()
    assert "No existing records match this child" in page
    response = client.post(
        reverse("concern_create_child", args=[concern.pk]),
        {
            "first_name": "Amelia",
            "last_name": "Hart",
            "date_of_birth_0": "4",
            "date_of_birth_1": "5",
            "date_of_birth_2": "2016",
            "sex": "F",
            "postcode": "NS1 2AB",
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.child.full_name == "Amelia Hart"

    response = client.post(
        reverse("concern_decide", args=[concern.pk]),
        {
            "decision": "assessment",
            "decision_reason": "Needs a child and family assessment.",
            "referral_source": "2A",
        },
    )
    assert response.status_code == 302
    # The social worker cannot authorise their own decision.
    assert client.post(reverse("concern_authorise", args=[concern.pk])).status_code == 404

    client.logout()
    login(client, world.manager)
    response = client.post(reverse("concern_authorise", args=[concern.pk]))
    case = Case.objects.get()
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Amelia Hart" in page
    assert concern.reference in page
    for title in ("Concern logged by Hill School", "Front door decision", "Case opened"):
        assert title in page

    client.logout()
    login(client, world.teacher)
    page = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    assert "Child and family assessment (section 17)" in page
    assert "Needs a child and family assessment." in page
    assert Notification.objects.filter(recipient=world.teacher, kind="concern_outcome").exists()


def test_a_matching_child_is_offered_at_triage(client, world):
    first = submit_concern(world)
    open_case_from_concern(world, first)
    second = submit_concern(world, child_first_name="Amelia", child_last_name="Heart")
    login(client, world.social_worker)
    response = client.get(reverse("concern_triage", args=[second.pk]))
    candidates = response.context["candidates"]
    assert [c.child.full_name for c in candidates] == ["Amelia Hart"]
    assert "same date of birth" in candidates[0].reasons


def test_triage_says_what_is_already_known_about_each_match(client, world):
    """Beside each possible match the duty worker sees its open case (with who
    holds it), its current plan and its concerns of the last year, in words,
    and the page's queries do not grow with the number of matches."""
    from cases.services.statutory import plan_open

    first = submit_concern(world)
    case = open_case_from_concern(world, first)
    plan_open(
        acting_user=world.social_worker,
        case=case,
        kind="cin",
        start_date=timezone.localdate(),
    )
    second = submit_concern(world, child_first_name="Amelia", child_last_name="Heart")
    login(client, world.social_worker)
    url = reverse("concern_triage", args=[second.pk])
    page = client.get(url).content.decode()
    known = page[page.index('data-testid="already-known"') :].split("</td>", 1)[0]
    assert "Open case" in known and case.reference in known
    assert "not allocated" in known
    assert "Child in need plan" in known
    assert "1 concern in the last year" in known
    assert "Strong match" in page and "Score 0." not in page

    # More matches, each with its own open case: the same number of queries.
    before = _query_count(client, url)
    for _ in range(4):
        other = submit_concern(world, child_first_name="Amelie", child_last_name="Hart")
        open_case_from_concern(world, other)
    page = client.get(url).content.decode()
    assert page.count('data-testid="already-known"') == 5
    assert _query_count(client, url) == before


@pytest.mark.parametrize("name", ["front_door", "case_list", "concern_list", "home"])
def test_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unrelated_users_get_404_everywhere(client, world):
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    urls = [
        reverse("concern_detail", args=[concern.pk]),
        reverse("concern_triage", args=[concern.pk]),
        reverse("case_detail", args=[case.pk]),
    ]
    for user in world.unrelated_users():
        client.logout()
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert case.reference not in client.get(reverse("case_list")).content.decode()
        assert concern.reference not in client.get(reverse("front_door")).content.decode()


def _query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_case_pages_use_a_constant_number_of_queries(client, world):
    from cases import services
    from cases.models import ChronologyEntry

    case = open_case_from_concern(world, submit_concern(world))
    login(client, world.social_worker)
    detail = reverse("case_detail", args=[case.pk])
    before_detail = _query_count(client, detail)
    before_list = _query_count(client, reverse("case_list"))

    for i in range(60):
        ChronologyEntry.objects.create(
            case=case,
            occurred_at=timezone.now() - dt.timedelta(days=i),
            agency=world.police,
            kind="note",
            title=f"Event {i}",
        )
    for i in range(6):
        other = submit_concern(world, child_first_name=f"Child{i}", child_last_name=f"Name{i}")
        open_case_from_concern(world, other)
    for _ in range(5):
        more = submit_concern(world)
        services.concern_link_child(acting_user=world.social_worker, concern=more, child=case.child)
        services.concern_record_decision(
            acting_user=world.social_worker, concern=more, decision="nfa", reason="Known."
        )
        services.concern_authorise_decision(acting_user=world.manager, concern=more)

    assert _query_count(client, detail) == before_detail
    assert _query_count(client, reverse("case_list")) == before_list


def test_front_door_and_my_concerns_use_a_constant_number_of_queries(client, world):
    submit_concern(world)
    client.force_login(world.social_worker)
    front_door_before = _query_count(client, reverse("front_door"))
    client.force_login(world.teacher)
    mine_before = _query_count(client, reverse("concern_list"))
    for i in range(15):
        submit_concern(
            world,
            child_first_name=f"Child{i}",
            immediate_risk=i % 2 == 0,
            actions_taken="Called 999.",
        )
    client.force_login(world.social_worker)
    assert _query_count(client, reverse("front_door")) == front_door_before
    client.force_login(world.teacher)
    assert _query_count(client, reverse("concern_list")) == mine_before
