"""What the CIN census needs of the record, recorded by people (issue 12):
the child's UPN-unknown reason, former UPN, date of death and disabilities
("not yet recorded" is not "none"), the referral source chosen at triage,
no-further-action decisions returned as referrals, the latest category of a
plan, previous plans and the assessment's internal review date.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - our own output

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Assessment, CaseClosure, Child, Concern, Episode, Plan
from cases.services.census_record import plan_latest_category_change
from cases.services.statutory import (
    assessment_authorise,
    assessment_complete,
    case_closure_authorise,
    case_closure_request,
)
from census import services as census
from census.builder import la_child_id
from census.years import CensusYear
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

YEAR = "2026-27"


@pytest.fixture
def world(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC))
    w = World()
    w.la.la_code = "201"
    w.la.save(update_fields=["la_code"])
    w.case = open_case_from_concern(w, submit_concern(w))
    return w


@pytest.fixture
def finished(world):
    """The world with its assessment completed and authorised: a case closes only
    once its work is (census rules 8867, 8868), and closing is the point here."""
    Assessment.objects.filter(case=world.case).update(
        completed_on=dt.date(2026, 11, 3), authorised_on=dt.date(2026, 11, 4)
    )
    return world


def build(world):
    return census.census_build(agency=world.la, year=CensusYear.parse(YEAR), la_code="201")


def child_xml(result, child):
    root = ET.fromstring(result.content)  # noqa: S314
    wanted = la_child_id(child.reference)
    return next(
        c
        for c in root.iterfind("Children/Child")
        if c.findtext("ChildIdentifiers/LAchildID") == wanted
    )


def form_data(child, **overrides):
    data = {
        "version": child.version,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "sex": "F",
        "ethnicity": "WBRI",
        "date_of_birth_0": "4",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2016",
    }
    data.update(overrides)
    return data


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# The child's identity -------------------------------------------------------------


def test_the_page_records_each_census_item_and_the_case_page_shows_labels(client, world):
    child = world.case.child
    client.force_login(world.social_worker)
    url = reverse("case_child_edit", args=[world.case.pk])
    page = client.get(url).content.decode()
    assert "If there is no UPN, why not?" in page and "Former UPN" in page
    response = client.post(
        url,
        form_data(
            child,
            upn_unknown_reason="UN2",
            former_upn="Q801200110001",
            disabilities=["NONE"],
            cp_plans_before_record="1",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    child.refresh_from_db()
    assert child.upn_unknown_reason == "UN2" and child.former_upn == "Q801200110001"
    assert child.disabilities == ["NONE"] and child.cp_plans_before_record == 1
    shown = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Child has never attended a maintained school in England" in shown
    assert "Former UPN: Q801200110001" in shown and "No disability" in shown


def test_not_yet_recorded_is_shown_as_such_not_as_none(client, world):
    client.force_login(world.social_worker)
    shown = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Not yet recorded" in shown  # the empty list: nobody has said
    assert "No disability" not in shown


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"disabilities": ["NONE", "VIS"]}, "disabilities"),  # rule 8790
        ({"upn": "Q801200110001", "upn_unknown_reason": "UN2"}, "upn_unknown_reason"),
        ({"former_upn": "A801200110001"}, "former_upn"),  # bad check letter
        (
            {"date_of_death_0": "1", "date_of_death_1": "1", "date_of_death_2": "2015"},
            "date_of_death",  # before the birth
        ),
        (
            {"date_of_death_0": "1", "date_of_death_1": "1", "date_of_death_2": "2030"},
            "date_of_death",  # in the future
        ),
    ],
)
def test_the_page_refuses_what_the_census_refuses(client, world, overrides, field):
    client.force_login(world.social_worker)
    url = reverse("case_child_edit", args=[world.case.pk])
    response = client.post(url, form_data(world.case.child, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Child.objects.get(pk=world.case.child_id).version == 1


def test_the_api_records_the_census_items(world):
    url = f"/api/v1/children/{world.case.child_id}/"
    client = api(world.social_worker)
    etag = client.get(url)["ETag"]
    body = {
        "upn_unknown_reason": "UN3",
        "former_upn": "Q801200110001",
        "disabilities": ["COMM", "AUT"],
        "cp_plans_before_record": 0,
    }
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["upn_unknown_reason"] == "UN3" and data["former_upn"] == "Q801200110001"
    assert data["disabilities"] == ["COMM", "AUT"] and data["cp_plans_before_record"] == 0
    assert data["date_of_death"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"disabilities": ["NONE", "COMM"]}, "disabilities"),  # rule 8790
        ({"former_upn": "A801200110001"}, "former_upn"),
        ({"date_of_death": "2015-01-01"}, "date_of_death"),  # before the birth
        ({"date_of_death": "2031-01-01"}, "date_of_death"),
        ({"upn_unknown_reason": "UN9"}, "upn_unknown_reason"),
    ],
)
def test_the_api_refuses_what_the_census_refuses(world, body, field):
    url = f"/api/v1/children/{world.case.child_id}/"
    client = api(world.social_worker)
    etag = client.get(url)["ETag"]
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Child.objects.get(pk=world.case.child_id).version == 1


def test_a_reason_for_no_upn_is_refused_beside_a_upn_through_the_api(world):
    Child.objects.filter(pk=world.case.child_id).update(upn="Q801200110001")
    url = f"/api/v1/children/{world.case.child_id}/"
    client = api(world.social_worker)
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"upn_unknown_reason": "UN2"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400 and "upn_unknown_reason" in response.json()["errors"]


def test_the_return_carries_the_identity_items(world):
    Child.objects.filter(pk=world.case.child_id).update(
        upn_unknown_reason="UN2", former_upn="Q801200110001", disabilities=["MOB", "VIS"]
    )
    result = build(world)
    assert result.schema_valid, result.schema_errors
    child = child_xml(result, world.case.child)
    assert child.findtext("ChildIdentifiers/UPNunknown") == "UN2"
    assert child.findtext("ChildIdentifiers/FormerUPN") == "Q801200110001"
    codes = [d.text for d in child.iterfind("ChildCharacteristics/Disabilities/Disability")]
    assert codes == ["MOB", "VIS"]
    assert {b["rule"] for b in result.breaches}.isdisjoint({"8540", "8770Q", "8790"})
    assert result.gaps == [] and result.needed == []


def test_a_school_age_child_with_no_upn_and_no_reason_is_needed(world):
    result = build(world)
    (entry,) = result.needed
    assert any(item.startswith("UPN:") for item in entry["items"])
    assert entry["fix_url"] == reverse("case_child_edit", args=[world.case.pk])


# Closing a case because the child died (RC2) -----------------------------------------


def test_closing_for_rc2_without_a_date_of_death_is_refused(finished):
    world = finished
    with pytest.raises(Exception) as refused:
        case_closure_request(
            acting_user=world.social_worker, case=world.case, reason="RC2", explanation="x"
        )
    assert "date_of_death" in refused.value.message_dict
    assert not CaseClosure.objects.filter(case=world.case).exists()


def test_closing_for_rc2_through_the_page_asks_for_the_date(client, finished):
    world = finished
    client.force_login(world.social_worker)
    url = reverse("case_close", args=[world.case.pk, "request"])
    response = client.post(url, {"reason": "RC2", "explanation": "Amelia died in hospital."})
    assert response.status_code == 400
    assert "date_of_death" in response.context["closure_form"].errors
    response = client.post(
        url,
        {
            "reason": "RC2",
            "explanation": "Amelia died in hospital.",
            "date_of_death_0": "2",
            "date_of_death_1": "11",
            "date_of_death_2": "2026",
        },
    )
    assert response.status_code == 302
    assert Child.objects.get(pk=world.case.child_id).date_of_death == dt.date(2026, 11, 2)


def test_a_date_of_death_is_refused_with_another_reason_or_before_birth(finished):
    world = finished
    with pytest.raises(Exception) as refused:
        case_closure_request(
            acting_user=world.social_worker,
            case=world.case,
            reason="RC7",
            explanation="x",
            date_of_death=dt.date(2026, 11, 1),
        )
    assert "date_of_death" in refused.value.message_dict
    with pytest.raises(Exception) as refused:
        case_closure_request(
            acting_user=world.social_worker,
            case=world.case,
            reason="RC2",
            explanation="x",
            date_of_death=dt.date(2010, 1, 1),
        )
    assert "date_of_death" in refused.value.message_dict


def test_a_case_closed_rc2_returns_the_date_of_death(finished):
    world = finished
    Child.objects.filter(pk=world.case.child_id).update(
        disabilities=["NONE"], upn_unknown_reason="UN2"
    )
    Assessment.objects.filter(case=world.case).update(completed_on=dt.date(2026, 11, 3))
    case_closure_request(
        acting_user=world.social_worker,
        case=world.case,
        reason="RC2",
        explanation="Amelia died.",
        date_of_death=dt.date(2026, 11, 2),
    )
    case_closure_authorise(acting_user=world.manager, case=world.case)
    child = child_xml(build(world), world.case.child)
    assert child.findtext("ChildIdentifiers/PersonDeathDate") == "2026-11-02"
    assert child.findtext("CINdetails/ReasonForClosure") == "RC2"


# The referral source, chosen at triage ------------------------------------------------


def triage_ready(world, **overrides) -> Concern:
    concern = submit_concern(world, **overrides)
    child = services.child_create(
        acting_user=world.social_worker,
        lead_agency=world.la,
        first_name="Noah",
        last_name="Reed",
        date_of_birth=dt.date(2019, 2, 3),
        sex="M",
    )
    return services.concern_link_child(
        acting_user=world.social_worker, concern=concern, child=child
    )


def test_the_page_suggests_the_source_and_the_person_chooses_it(client, world):
    concern = triage_ready(world, child_first_name="Noah", child_last_name="Reed")
    client.force_login(world.social_worker)
    page = client.get(reverse("concern_triage", args=[concern.pk]))
    assert page.context["decision_form"]["referral_source"].value() == "2A"  # a school
    assert "Who referred the child?" in page.content.decode()
    url = reverse("concern_decide", args=[concern.pk])
    missing = client.post(url, {"decision": "assessment", "decision_reason": "Needs it."})
    assert missing.status_code == 400
    assert "referral_source" in missing.context["decision_form"].errors
    chosen = client.post(
        url, {"decision": "assessment", "decision_reason": "Needs it.", "referral_source": "1A"}
    )
    assert chosen.status_code == 302
    concern.refresh_from_db()
    assert concern.referral_source == "1A"  # the grandmother rang the school
    concern = services.concern_authorise_decision(acting_user=world.manager, concern=concern)
    assert Episode.objects.get(case=concern.case).referral_source == "1A"


def test_the_api_takes_the_source_and_refuses_a_decision_without_one(world):
    concern = triage_ready(world, child_first_name="Noah", child_last_name="Reed")
    client = api(world.social_worker)
    url = f"/api/v1/concerns/{concern.pk}/"
    assert client.get(url).json()["suggested_referral_source"] == "2A"
    refused = client.post(f"{url}decision/", {"decision": "nfa", "reason": "No role."})
    assert refused.status_code == 400 and "referral_source" in refused.json()["errors"]
    ok = client.post(
        f"{url}decision/", {"decision": "nfa", "reason": "No role.", "referral_source": "3A"}
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["referral_source"] == "3A"


# No further action at the front door: a census referral ----------------------------------


def test_a_front_door_nfa_is_returned_as_a_referral_with_no_further_action(world):
    concern = triage_ready(world, child_first_name="Noah", child_last_name="Reed")
    services.concern_record_decision(
        acting_user=world.social_worker,
        concern=concern,
        decision="nfa",
        reason="Advice given to the family; no role for social care.",
        referral_source="1C",
    )
    concern = services.concern_authorise_decision(acting_user=world.manager, concern=concern)
    assert concern.case is None
    result = build(world)
    assert result.schema_valid, result.schema_errors
    child = child_xml(result, concern.child)
    (details,) = child.findall("CINdetails")
    assert details.findtext("ReferralNFA") == "true"
    assert details.findtext("ReferralSource") == "1C"
    assert details.findtext("CINreferralDate") == dt.date(2026, 11, 10).isoformat()
    # No activity, primary need or closure: what the DfE asks of an NFA referral.
    assert details.find("Assessments") is None and details.find("PrimaryNeedCode") is None
    assert child.findtext("ChildIdentifiers/UPNunknown") == "UN7"
    ours = {
        b["rule"]
        for b in result.breaches
        if b["la_child_id"] == la_child_id(concern.child.reference)
    }
    assert not ours, ours


def test_an_nfa_while_a_case_is_open_is_no_new_referral(world):
    child = world.case.child
    concern = submit_concern(world)
    services.concern_link_child(acting_user=world.social_worker, concern=concern, child=child)
    services.concern_record_decision(
        acting_user=world.social_worker,
        concern=concern,
        decision="nfa",
        reason="Known to the allocated worker.",
        referral_source="2A",
    )
    services.concern_authorise_decision(acting_user=world.manager, concern=concern)
    details = child_xml(build(world), child).findall("CINdetails")
    assert [d.findtext("ReferralNFA") for d in details] == ["false"]


# Plans and assessments ----------------------------------------------------------------


def test_the_latest_category_changes_and_the_initial_one_stays(world):
    plan = Plan.objects.create(
        case=world.case, kind="cp", category="NEG", start_date=dt.date(2026, 10, 1)
    )
    plan_latest_category_change(acting_user=world.chair, plan=plan, category="EMO")
    block = child_xml(build(world), world.case.child).find("CINdetails/ChildProtectionPlans")
    assert block.findtext("InitialCategoryOfAbuse") == "NEG"
    assert block.findtext("LatestCategoryOfAbuse") == "EMO"


def test_previous_plans_count_the_record_and_the_plans_before_it(world):
    Plan.objects.create(
        case=world.case,
        kind="cp",
        category="PHY",
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 8, 1),
    )
    Plan.objects.create(case=world.case, kind="cp", category="NEG", start_date=dt.date(2026, 10, 1))
    result = build(world)
    assert "previous_plans" in {gap["key"] for gap in result.gaps}  # before the record: unknown
    Child.objects.filter(pk=world.case.child_id).update(cp_plans_before_record=2)
    result = build(world)
    plans = child_xml(result, world.case.child).findall("CINdetails/ChildProtectionPlans")
    assert [p.findtext("NumberOfPreviousCPP") for p in plans] == ["2", "3"]
    assert "previous_plans" not in {gap["key"] for gap in result.gaps}


def test_the_assessment_carries_its_internal_review_date(world):
    Assessment.objects.filter(case=world.case).update(started_on=dt.date(2026, 11, 2))
    assessment = Assessment.objects.get(case=world.case)
    assessment_complete(
        child_wishes="She wants things to calm down at home",
        acting_user=world.social_worker,
        assessment=assessment,
        summary="Needs identified.",
        primary_need="N1",
        factors=["17A"],
        internal_review_on=dt.date(2026, 11, 9),
    )
    assessment_authorise(acting_user=world.manager, assessment=assessment)
    block = child_xml(build(world), world.case.child).find("CINdetails/Assessments")
    assert block.findtext("AssessmentInternalReviewDate") == "2026-11-09"
    with pytest.raises(Exception, match="review date"):
        other = Assessment.objects.create(
            case=world.case, started_on=dt.date(2026, 11, 5), due_on=dt.date(2027, 1, 1)
        )
        assessment_complete(
            child_wishes="She wants things to calm down at home",
            acting_user=world.social_worker,
            assessment=other,
            summary="x",
            primary_need="N1",
            factors=["17A"],
            internal_review_on=dt.date(2026, 11, 1),  # before it began
        )


# The LA code ----------------------------------------------------------------------------


def test_an_operator_sets_the_la_code_and_only_three_digits_are_taken(client, world):
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_superuser("operator", "op@example.org", "x")
    client.force_login(operator)
    url = reverse("admin:agencies_agency_change", args=[world.la.pk])
    data = {"name": world.la.name, "la_code": "20A", "is_active": "on"}
    assert client.post(url, data).status_code == 200  # shown again with the error
    world.la.refresh_from_db()
    assert world.la.la_code == "201"
    assert client.post(url, {**data, "la_code": "202"}).status_code == 302
    world.la.refresh_from_db()
    assert world.la.la_code == "202"
