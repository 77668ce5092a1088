"""The CIN census return (SPEC 3.11): the XML of a small world is valid against
the schema, the DfE's rules find a state the law does not allow, only a lead
agency's managers and auditors reach the pages and the file, and the command
writes the return.

Tasks run eagerly here; ``on_commit`` hand-overs are run by
``django_capture_on_commit_callbacks``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - our own output

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cases.dfe_codes import (
    AssessmentFactor,
    ClosureReason,
    Disability,
    Ethnicity,
    PrimaryNeed,
    ReferralSource,
)
from cases.models import Child, Episode, Plan
from census import checks
from census import services as census
from census.builder import la_child_id
from census.models import CensusReturn
from census.years import CensusYear
from safeguard.audit.models import AuditEvent
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

YEAR = "2026-27"


@pytest.fixture
def world(settings, tmp_path, time_machine):
    # Inside the 2026-27 census year, whatever day the tests run on.
    time_machine.move_to(dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC))
    settings.MEDIA_ROOT = str(tmp_path)
    w = World()
    w.la.la_code = "201"
    w.la.save(update_fields=["la_code"])
    w.case = open_case_from_concern(w, submit_concern(w))
    Child.objects.filter(pk=w.case.child_id).update(
        sex="F", ethnicity="WBRI", disabilities=["NONE"], upn="P201123456789"
    )
    return w


def build(world):
    return census.census_build(agency=world.la, year=CensusYear.parse(YEAR), la_code="201")


# The XML ------------------------------------------------------------------------


def test_the_small_worlds_return_is_valid_against_the_schema(world):
    result = build(world)
    assert result.schema_errors == [], result.schema_errors
    assert result.child_count == 1
    root = ET.fromstring(result.content)  # noqa: S314
    assert root.findtext("Header/CollectionDetails/Year") == "2027"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2027-03-31"
    assert root.findtext("Header/Source/LEA") == "201"
    child = root.find("Children/Child")
    child_id = child.findtext("ChildIdentifiers/LAchildID")
    assert child_id == world.case.child.reference.replace("-", "")  # rule 1580
    assert child.findtext("ChildIdentifiers/Sex") == "F"
    assert child.findtext("ChildCharacteristics/Disabilities/Disability") == "NONE"
    episode = Episode.objects.get(case=world.case)
    details = child.find("CINdetails")
    assert details.findtext("CINreferralDate") == episode.referral_date.isoformat()
    assert details.findtext("ReferralSource") == "2A"  # a school reported it
    assert details.findtext("ReferralNFA") == "false"
    assert details.find("Assessments/AssessmentActualStartDate") is not None
    # The record now holds every item the census asks for: no gaps.
    assert result.gaps == [] and result.needed == []
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()


def test_a_child_protection_plan_and_s47_are_returned_valid(world):
    world.case.child.__class__.objects.filter(pk=world.case.child_id)
    today = timezone.localdate()
    Plan.objects.create(case=world.case, kind="cp", category="NEG", start_date=today)
    result = build(world)
    assert result.schema_valid, result.schema_errors
    plan = ET.fromstring(result.content).find(  # noqa: S314
        "Children/Child/CINdetails/ChildProtectionPlans"
    )
    assert plan.findtext("InitialCategoryOfAbuse") == "NEG"
    assert plan.findtext("NumberOfPreviousCPP") == "0"


def test_a_plan_written_outside_a_conference_before_the_referral_is_reported(world):
    """A breaking change written straight to the database, as no page would
    allow: a child protection plan that starts before the referral and with no
    conference. The DfE rules report it against the child and the case."""
    episode = Episode.objects.get(case=world.case)
    Plan.objects.create(
        case=world.case,
        kind="cp",
        category="PHY",
        start_date=episode.referral_date - dt.timedelta(days=20),
    )
    result = build(world)
    assert result.schema_valid
    child_id = la_child_id(world.case.child.reference)
    found = {(b["rule"], b["la_child_id"], b["case_reference"]) for b in result.breaches}
    assert ("1105", child_id, world.case.reference) in found  # plan before the referral
    assert ("2885", child_id, world.case.reference) in found  # not started at a conference
    breach = next(b for b in result.breaches if b["rule"] == "1105")
    assert breach["case_id"] == str(world.case.pk) and breach["type"] == "error"
    assert "before the referral date" in breach["message"]


def test_a_clean_child_breaks_no_rule_on_sex_ethnicity_or_identifiers(world):
    rules = {b["rule"] for b in build(world).breaches}
    assert not rules & {"1580", "1570", "4180", "4220", "8540", "8866", "8500"}


def test_a_missing_disability_record_is_reported_not_invented(world):
    Child.objects.filter(pk=world.case.child_id).update(disabilities=[])
    result = build(world)
    child = ET.fromstring(result.content).find("Children/Child")  # noqa: S314
    assert child.find("ChildCharacteristics/Disabilities") is None
    assert "8540" in {b["rule"] for b in result.breaches}
    # Listed as needed before the return, linked to the child's details to record it.
    (entry,) = result.needed
    assert entry["fix_url"] == reverse("case_child_edit", args=[world.case.pk])
    assert "Disability: not yet recorded" in entry["items"][0]
    breach = next(b for b in result.breaches if b["rule"] == "8540")
    assert breach["fix_url"] == reverse("case_child_edit", args=[world.case.pk])


def test_another_agencys_cases_are_not_in_the_return(world):
    other = open_case_from_concern(world, submit_concern(world))  # the same LA
    assert build(world).child_count == 2
    result = census.census_build(agency=world.other_la, year=CensusYear.parse(YEAR), la_code="202")
    assert result.child_count == 0 and other.lead_agency == world.la


def test_the_code_lists_are_the_schemas(world):
    """cases/dfe_codes.py holds exactly the schema's codes (SPEC 3.11)."""
    schema = checks.cin_schema()

    def codes(type_name):
        return set(schema.types[type_name].enumeration)

    assert set(ReferralSource.values) == codes("referralsourcetype")
    assert set(PrimaryNeed.values) == codes("primaryneedcodetype")
    assert set(ClosureReason.values) == codes("reasonforclosuretype")
    assert set(AssessmentFactor.values) == codes("assessmentfactorstype")
    assert set(Disability.values) == codes("disabilitytype")
    assert set(Ethnicity.values) == codes("ethnicitytype")
    assert set(Plan.Category.values) == codes("categoryofabuse")
    assert ReferralSource("1A").label.startswith("Individual: family member")
    assert AssessmentFactor("24A").label == "Child criminal exploitation"


def test_census_years_are_april_to_march():
    year = CensusYear.parse("2026-27")
    assert (year.start, year.end, year.collection_year) == (
        dt.date(2026, 4, 1),
        dt.date(2027, 3, 31),
        "2027",
    )
    for bad in ("2026-28", "2026", "26-27"):
        with pytest.raises(ValueError):
            CensusYear.parse(bad)


# The command ----------------------------------------------------------------------


def test_the_command_writes_the_return_and_prints_the_checks(world, tmp_path, capsys):
    output = tmp_path / "cin.xml"
    report = tmp_path / "breaches.csv"
    call_command(
        "cin_census",
        "--year",
        YEAR,
        "--output",
        str(output),
        "--agency",
        "la-csc",
        "--report",
        str(report),
    )
    printed = capsys.readouterr().out
    assert output.read_bytes().startswith(b"<?xml")
    assert checks.schema_errors(output.read_bytes()) == []
    assert "Schema: valid" in printed and "DfE validation rules" in printed
    assert report.read_text().startswith("LAchildID,case,rule")


def test_the_command_fails_when_the_schema_check_fails(world, tmp_path):
    # A sex code the schema does not know, written straight to the database.
    Child.objects.filter(pk=world.case.child_id).update(sex="X")
    with pytest.raises(CommandError) as raised:
        call_command(
            "cin_census",
            "--year",
            YEAR,
            "--output",
            str(tmp_path / "x.xml"),
            "--agency",
            "la-csc",
        )
    assert raised.value.returncode == 1


def test_the_command_refuses_a_year_that_is_not_one(world, tmp_path):
    with pytest.raises(CommandError):
        call_command("cin_census", "--year", "2026-28", "--output", str(tmp_path / "x.xml"))


# The pages ------------------------------------------------------------------------


def start(client, user, world, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("census_home"), {"year": YEAR, "la_code": "201"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return CensusReturn.objects.get()


def test_a_manager_builds_reads_the_report_and_downloads(
    client, world, django_capture_on_commit_callbacks
):
    census_return = start(client, world.manager, world, django_capture_on_commit_callbacks)
    assert census_return.status == CensusReturn.Status.READY  # eager worker
    assert census_return.schema_valid and census_return.child_count == 1
    page = client.get(reverse("census_status", args=[census_return.pk])).content.decode()
    assert "Download the return (XML)" in page and "Valid" in page
    state = client.get(reverse("census_status_json", args=[census_return.pk])).json()
    assert state["finished"] and state["progress"] == 100 and state["download_url"]
    response = client.get(reverse("census_download", args=[census_return.pk]))
    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and content.startswith(b"<?xml")
    assert "attachment" in response["Content-Disposition"]
    row = AuditEvent.objects.get(event="cin_census_downloaded")
    assert row.detail["sha256"] == hashlib.sha256(content).hexdigest() == census_return.sha256
    assert AuditEvent.objects.filter(event="cin_census_requested").count() == 1


def test_the_report_links_each_breach_to_the_case(
    client, world, django_capture_on_commit_callbacks
):
    episode = Episode.objects.get(case=world.case)
    Plan.objects.create(
        case=world.case,
        kind="cp",
        category="PHY",
        start_date=episode.referral_date - dt.timedelta(days=3),
    )
    census_return = start(client, world.manager, world, django_capture_on_commit_callbacks)
    page = client.get(reverse("census_status", args=[census_return.pk])).content.decode()
    assert reverse("case_detail", args=[world.case.pk]) in page
    assert "1105" in page and la_child_id(world.case.child.reference) in page


def test_an_auditor_may_read_the_managers_return(client, world, django_capture_on_commit_callbacks):
    census_return = start(client, world.manager, world, django_capture_on_commit_callbacks)
    client.force_login(world.auditor)
    assert client.get(reverse("census_home")).status_code == 200
    assert client.get(reverse("census_status", args=[census_return.pk])).status_code == 200
    assert client.get(reverse("census_download", args=[census_return.pk])).status_code == 200


def test_everyone_else_gets_404_including_on_the_download(
    client, world, django_capture_on_commit_callbacks
):
    census_return = start(client, world.manager, world, django_capture_on_commit_callbacks)
    urls = [
        reverse("census_status", args=[census_return.pk]),
        reverse("census_status_json", args=[census_return.pk]),
        reverse("census_download", args=[census_return.pk]),
    ]
    for user in (world.social_worker, world.teacher, world.officer, world.chair, world.la_admin):
        client.force_login(user)
        assert client.get(reverse("census_home")).status_code == 404, user
        assert (
            client.post(reverse("census_home"), {"year": YEAR, "la_code": "201"}).status_code == 404
        )
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    # Another authority's manager has their own census page, never this return.
    client.force_login(world.other_manager)
    assert client.get(reverse("census_home")).status_code == 200
    for url in urls:
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(event="cin_census_downloaded").count() == 0


def test_a_bad_la_code_is_refused_next_to_the_field(client, world):
    client.force_login(world.manager)
    response = client.post(reverse("census_home"), {"year": YEAR, "la_code": "2x1"})
    assert response.status_code == 400
    assert "three-digit" in response.content.decode()
    assert not CensusReturn.objects.exists()


def test_a_double_click_builds_once(world):
    first = census.census_request(
        acting_user=world.manager, agency=world.la, year=YEAR, la_code="201"
    )
    second = census.census_request(
        acting_user=world.manager, agency=world.la, year=YEAR, la_code="201"
    )
    assert first.pk == second.pk


def test_a_dead_broker_does_not_fail_the_request(client, world, monkeypatch):
    from census import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.build_census_return, "apply_async", broken)
    client.force_login(world.manager)
    response = client.post(reverse("census_home"), {"year": YEAR, "la_code": "201"})
    assert response.status_code == 302
    assert CensusReturn.objects.get().status == CensusReturn.Status.QUEUED


def test_the_task_is_idempotent_and_the_sweep_recovers_lost_messages(world, time_machine):
    from census.tasks import build_census_return, sweep_census_returns

    census_return = census.census_request(
        acting_user=world.manager, agency=world.la, year=YEAR, la_code="201"
    )
    time_machine.shift(dt.timedelta(minutes=5))
    assert sweep_census_returns() == 1  # eager: the re-dispatched build runs now
    census_return.refresh_from_db()
    assert census_return.status == CensusReturn.Status.READY
    assert build_census_return(str(census_return.pk)) == "skipped"


def test_a_return_not_valid_against_the_schema_is_not_offered(
    client, world, django_capture_on_commit_callbacks
):
    Child.objects.filter(pk=world.case.child_id).update(sex="X")
    census_return = start(client, world.manager, world, django_capture_on_commit_callbacks)
    assert census_return.status == CensusReturn.Status.READY and not census_return.schema_valid
    response = client.get(reverse("census_download", args=[census_return.pk]))
    assert response.status_code == 302
    page = client.get(reverse("census_status", args=[census_return.pk])).content.decode()
    assert "not valid against the CIN census schema" in page


# Section 47 enquiries and their conferences --------------------------------------


def _conference(world, kind, day, n):
    from meetings.models import Meeting, MeetingCase

    meeting = Meeting.objects.create(
        reference=f"MTG-2026-9{n:05d}",
        kind=kind,
        lead_agency=world.la,
        chair=world.chair,
        scheduled_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        finalised_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
    )
    MeetingCase.objects.create(meeting=meeting, case=world.case, decision="plan")
    return meeting


def test_an_enquiry_takes_the_date_of_the_conference_it_is_linked_to(world):
    """The enquiry's link to the initial conference that concluded it gives the
    census its DateOfInitialCPC; only an enquiry without one is matched by date,
    and the return then says the date was inferred."""
    from cases.models import Section47Enquiry

    referral = Episode.objects.get(case=world.case).referral_date
    earlier = _conference(world, "icpc", referral + dt.timedelta(days=7), 1)
    linked = _conference(world, "icpc", referral + dt.timedelta(days=14), 2)
    enquiry = Section47Enquiry.objects.create(
        case=world.case,
        started_on=referral,
        completed_on=referral + dt.timedelta(days=14),
        outcome="icpc",
        conference=linked,
    )

    def s47_conference(result):
        root = ET.fromstring(result.content)  # noqa: S314
        return root.findtext("Children/Child/CINdetails/Section47/DateOfInitialCPC")

    result = build(world)
    assert s47_conference(result) == (referral + dt.timedelta(days=14)).isoformat()
    assert "icpc_link" not in {gap["key"] for gap in result.gaps}

    # The same record without the link: the first conference after the start
    # is taken, and the gap is reported.
    Section47Enquiry.objects.filter(pk=enquiry.pk).update(conference=None)
    result = build(world)
    assert s47_conference(result) == (referral + dt.timedelta(days=7)).isoformat()
    assert "icpc_link" in {gap["key"] for gap in result.gaps}
    assert earlier.reference != linked.reference


def test_a_plan_started_by_a_transfer_in_conference_breaks_no_conference_rule(world):
    """A child who arrives on another authority's plan: the transfer-in
    conference is the census's initial conference (rules 2883 and 2885 hold)."""
    referral = Episode.objects.get(case=world.case).referral_date
    held = referral + dt.timedelta(days=14)
    _conference(world, "transfer_in", held, 3)
    Plan.objects.create(case=world.case, kind="cp", category="EMO", start_date=held)
    Child.objects.filter(pk=world.case.child_id).update(cp_plans_before_record=1)
    result = build(world)
    assert result.schema_valid, result.schema_errors
    details = ET.fromstring(result.content).find("Children/Child/CINdetails")  # noqa: S314
    assert details.findtext("DateOfInitialCPC") == held.isoformat()
    assert details.findtext("ChildProtectionPlans/NumberOfPreviousCPP") == "1"
    rules = {b["rule"] for b in result.breaches}
    assert not rules & {"2883", "2885"}, rules
