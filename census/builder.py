"""The CIN census XML, written from the case records (DfE CIN census
technical specification; element order as ``schema/CIN_schema_2026-27.xsd``).

A record never holds what nobody said: an item the record cannot give is left
out, never guessed, and listed in the return's gaps, so the checks and the
report say what the case system still has to collect.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - writing, never parsing, untrusted XML
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from cases.dfe_codes import Disability
from census.selectors import ChildRecord, EpisodeRecord
from census.years import CensusYear
from meetings.models import Meeting
from safeguard.workdays import due_date, local_date

SOFTWARE_CODE = "Safeguard"
RELEASE = "0.1.0"
UPN_FORMAT = re.compile(r"^[A-Za-z]\d{12}$|^[A-Za-z]\d{11}[A-Za-z]$")
DISABILITY_CODES = set(Disability.values)
WHOLE: set[str] = set()

# Data items the census asks for that the case record does not hold (yet), or
# holds only in part: each becomes a line of the return's gaps, with how many
# children it touched.
# The conferences the census counts as initial ones (DateOfInitialCPC).
INITIAL_CONFERENCES = (Meeting.Kind.ICPC, Meeting.Kind.TRANSFER_IN)

GAP_TEXT = {
    "upn_malformed": (
        "UPN (N00001)",
        "UPNs on record that are not in the DfE's format (a letter, 11 digits, a digit "
        "or letter): left out rather than sent wrong.",
    ),
    "disability_unknown_code": (
        "Disabilities (N00099)",
        "Codes on record that are not DfE disability codes: left out.",
    ),
    "previous_plans": (
        "NumberOfPreviousCPP (N00106)",
        "Children on a plan whose plans before this record are not known (nobody has "
        "entered them on the child's record): counted from this record's plans only.",
    ),
    "icpc_link": (
        "DateOfInitialCPC (N00110)",
        "The record does not link a section 47 enquiry to the conference it led to: the "
        "first initial conference on or after the enquiry began is taken as its own.",
    ),
}

# What a child's record must hold before the return can go, by the census item:
# each child missing one is listed with a link to the page that records it.
NEEDED_TEXT = {
    "disabilities": "Disability: not yet recorded (record the disabilities, or 'No disability')",
    "upn_or_reason": "UPN: none on record and no reason given (a child of six or more)",
    "date_of_death": "Date of death: the case closed because the child died (RC2)",
}


@dataclass
class CensusXml:
    content: bytes
    child_count: int
    # LAchildID -> (case reference, case id), so each breach links to its case
    # (blank for a child whose only referral ended in no further action).
    children: dict[str, tuple[str, str]] = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)
    # Children whose record lacks an item the census needs: {"la_child_id",
    # "child_id", "case_id", "case_reference", "concern_id", "items": [text]}.
    needed: list[dict] = field(default_factory=list)


def la_child_id(reference: str) -> str:
    """The child's reference without what rule 1580 refuses (hyphens, spaces)."""
    return re.sub(r"[^A-Za-z0-9]", "", reference)[:20]


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _add(parent: ET.Element, tag: str, value: str | int | None) -> ET.Element | None:
    if value is None or value == "":
        return None
    element = ET.SubElement(parent, tag)
    element.text = str(value)
    return element


def build_census_xml(
    *,
    records: list[ChildRecord],
    year: CensusYear,
    la_code: str,
    serial_no: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> CensusXml:
    gaps: dict[str, int] = {}
    needed: list[dict] = []
    root = ET.Element("Message")
    header = ET.SubElement(root, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year.collection_year)
    _add(details, "ReferenceDate", _date(year.end))
    source = ET.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", la_code)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", RELEASE)
    _add(source, "SerialNo", f"{serial_no:03d}")
    now = timezone.localtime().replace(tzinfo=None, microsecond=0)
    _add(source, "DateTime", now.isoformat())

    children_element = ET.SubElement(root, "Children")
    index: dict[str, tuple[str, str]] = {}

    def gap(key: str) -> None:
        gaps[key] = gaps.get(key, 0) + 1

    for position, record in enumerate(records, start=1):
        child = record.child
        child_id = la_child_id(child.reference)
        case = record.case
        index[child_id] = (case.reference, str(case.pk)) if case else ("", "")
        missing: list[str] = []
        further_action = bool(record.episodes)  # a referral with ReferralNFA false
        element = ET.SubElement(children_element, "Child")
        identifiers = ET.SubElement(element, "ChildIdentifiers")
        _add(identifiers, "LAchildID", child_id)
        upn = (child.upn or "").strip().upper()
        if upn and UPN_FORMAT.match(upn):
            _add(identifiers, "UPN", upn)
        elif upn:
            gap("upn_malformed")
        former = (child.former_upn or "").strip().upper()
        if former and UPN_FORMAT.match(former):
            _add(identifiers, "FormerUPN", former)
        elif former:
            gap("upn_malformed")
        if not upn:
            reason = child.upn_unknown_reason
            if not reason and not further_action:
                # Only NFA referrals: the DfE's own reason for exactly that (UN7).
                reason = "UN7"
            _add(identifiers, "UPNunknown", reason or None)
            if not reason and _school_age(child, year):
                missing.append("upn_or_reason")
        if child.date_of_birth:
            _add(identifiers, "PersonBirthDate", _date(child.date_of_birth))
        elif child.expected_date_of_birth:
            _add(identifiers, "ExpectedPersonBirthDate", _date(child.expected_date_of_birth))
        _add(identifiers, "Sex", child.sex)
        _add(identifiers, "PersonDeathDate", _date(child.date_of_death))
        if not child.date_of_death and any(
            e.episode.closure_reason == "RC2" for e in record.episodes
        ):
            missing.append("date_of_death")

        characteristics = ET.SubElement(element, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", child.ethnicity)
        codes = [code for code in (child.disabilities or []) if code in DISABILITY_CODES]
        if len(codes) != len(child.disabilities or []):
            gap("disability_unknown_code")
        if codes:
            disabilities = ET.SubElement(characteristics, "Disabilities")
            for code in dict.fromkeys(codes):
                _add(disabilities, "Disability", code)
        elif further_action:
            missing.append("disabilities")

        # Each referral in date order: those that opened a case, and those that
        # ended in no further action at the front door.
        referrals: list[tuple[dt.date, int, object]] = [
            (e.episode.referral_date, 0, e) for e in record.episodes
        ] + [(n.referral_date, 1, n) for n in record.nfa_referrals]
        for _day, kind, item in sorted(referrals, key=lambda r: (r[0], r[1])):
            if kind == 0:
                _episode(element, item, record, gap)
            else:
                _nfa_episode(element, item)
        if missing:
            first_nfa = record.nfa_referrals[0].concern if record.nfa_referrals else None
            needed.append(
                {
                    "la_child_id": child_id,
                    "child_id": str(child.pk),
                    "case_id": str(case.pk) if case else "",
                    "case_reference": case.reference if case else "",
                    "concern_id": str(first_nfa.pk) if first_nfa else "",
                    "items": [NEEDED_TEXT[key] for key in missing],
                }
            )
        if progress:
            progress(position, len(records))

    ET.indent(root)
    content = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    listed = []
    for key, count in gaps.items():
        if not count:
            continue
        item, detail = GAP_TEXT[key]
        # A gap of the whole return (not of some children) has no count.
        listed.append(
            {"key": key, "item": item, "detail": detail, "count": None if key in WHOLE else count}
        )
    return CensusXml(
        content=content, child_count=len(records), children=index, gaps=listed, needed=needed
    )


def _school_age(child, year: CensusYear) -> bool:
    """Six or more at the census's reference date (rule 8770Q asks a UPN or a reason)."""
    born = child.date_of_birth
    if born is None:
        return False
    end = year.end
    age = end.year - born.year - ((end.month, end.day) < (born.month, born.day))
    return age >= 6


def _nfa_episode(child_element: ET.Element, referral) -> None:
    """A referral that ended in no further action: the referral date, who
    referred and ReferralNFA true, nothing else. It carries no primary need
    (rule 8610 asks one only of a referral that went on), no activity (8831,
    8832, 4000) and no closure: the DfE's open-episode rules (8815, 8816, 8820)
    all set an NFA referral aside."""
    element = ET.SubElement(child_element, "CINdetails")
    _add(element, "CINreferralDate", _date(referral.referral_date))
    _add(element, "ReferralSource", referral.referral_source)
    _add(element, "ReferralNFA", "true")


def _episode(
    child_element: ET.Element,
    record: EpisodeRecord,
    child: ChildRecord,
    gap: Callable[[str], None],
) -> None:
    episode = record.episode
    element = ET.SubElement(child_element, "CINdetails")
    _add(element, "CINreferralDate", _date(episode.referral_date))
    _add(element, "ReferralSource", episode.referral_source)
    _add(element, "PrimaryNeedCode", episode.primary_need)
    _add(element, "CINclosureDate", _date(episode.closure_date))
    if episode.closure_date:
        _add(element, "ReasonForClosure", episode.closure_reason)

    # A section 47 enquiry concluded by its initial conference is linked to it
    # (cases.services.statutory.section47_conclude): that conference's date is
    # its DateOfInitialCPC. An enquiry without the link (recorded before there
    # was one) takes the first initial conference held on or after its start
    # and before the next enquiry's, and the return says it was inferred.
    # Transfer-in conferences count as initial ones (they start the plan).
    icpcs = [c for c in record.conferences if c[1] in INITIAL_CONFERENCES]
    used: set[int] = set()
    enquiries = record.section47s
    s47_icpc: list[dt.date | None] = [None] * len(enquiries)
    for i, enquiry in enumerate(enquiries):
        if enquiry.conference_id is None:
            continue
        reference = enquiry.conference.reference
        for j, (held, _kind, ref) in enumerate(icpcs):
            if ref == reference:
                used.add(j)
                s47_icpc[i] = held
                break
        else:  # the conference is on the record but in another episode's list
            s47_icpc[i] = local_date(enquiry.conference.scheduled_at)
    for i, enquiry in enumerate(enquiries):
        if enquiry.conference_id is not None or enquiry.outcome not in ("", "icpc"):
            continue
        following = enquiries[i + 1].started_on if i + 1 < len(enquiries) else None
        for j, (held, _kind, _ref) in enumerate(icpcs):
            if j in used or held < enquiry.started_on:
                continue
            if following is not None and held >= following:
                break
            s47_icpc[i] = held
            used.add(j)
            gap("icpc_link")
            break
    unmatched = [held for j, (held, _k, _r) in enumerate(icpcs) if j not in used]
    _add(element, "DateOfInitialCPC", _date(unmatched[0]) if unmatched else None)

    for assessment in record.assessments:
        block = ET.SubElement(element, "Assessments")
        _add(block, "AssessmentActualStartDate", _date(assessment.started_on))
        _add(block, "AssessmentInternalReviewDate", _date(assessment.internal_review_on))
        _add(block, "AssessmentAuthorisationDate", _date(assessment.authorised_on))
        if assessment.authorised_on and assessment.factors:
            factors = ET.SubElement(block, "FactorsIdentifiedAtAssessment")
            for code in assessment.factors:
                _add(factors, "AssessmentFactors", code)
    for plan in record.cin_plans:
        block = ET.SubElement(element, "CINPlanDates")
        _add(block, "CINPlanStartDate", _date(plan.start_date))
        _add(block, "CINPlanEndDate", _date(plan.end_date))
    for enquiry, icpc_on in zip(enquiries, s47_icpc, strict=True):
        block = ET.SubElement(element, "Section47")
        _add(block, "S47ActualStartDate", _date(enquiry.started_on))
        _add(block, "InitialCPCtarget", _date(due_date("icpc", enquiry.started_on)))
        _add(block, "DateOfInitialCPC", _date(icpc_on))
        not_required = bool(enquiry.completed_on) and enquiry.outcome in (
            "cin",
            "not_substantiated",
        )
        _add(block, "ICPCnotRequired", "true" if not_required else "false")
    # An episode opened a case: a referral that went on to further action.
    _add(element, "ReferralNFA", "false")
    reviews = [c[0] for c in record.conferences if c[1] == Meeting.Kind.RCPC]
    for plan in record.cp_plans:
        block = ET.SubElement(element, "ChildProtectionPlans")
        _add(block, "CPPstartDate", _date(plan.start_date))
        _add(block, "CPPendDate", _date(plan.end_date))
        _add(block, "InitialCategoryOfAbuse", plan.category)
        _add(block, "LatestCategoryOfAbuse", plan.current_category)
        previous = sum(1 for start in child.all_cp_plan_starts if start < plan.start_date)
        before = child.child.cp_plans_before_record
        if before is None:
            gap("previous_plans")
        _add(block, "NumberOfPreviousCPP", previous + (before or 0))
        held = [
            day
            for day in reviews
            if day > plan.start_date and (plan.end_date is None or day <= plan.end_date)
        ]
        if held:
            block_reviews = ET.SubElement(block, "Reviews")
            for day in held:
                _add(block_reviews, "CPPreviewDate", _date(day))
