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
from safeguard.workdays import due_date

SOFTWARE_CODE = "Safeguard"
RELEASE = "0.1.0"
UPN_FORMAT = re.compile(r"^[A-Za-z]\d{12}$|^[A-Za-z]\d{11}[A-Za-z]$")
DISABILITY_CODES = set(Disability.values)
WHOLE = {"referral_nfa"}

# Data items the census asks for that the case record does not hold (yet): each
# becomes a line of the return's gaps, with how many children it touched.
GAP_TEXT = {
    "upn_unknown": (
        "UPNunknown (N00135)",
        "Children with no UPN: the record holds no reason (UN1-UN7), so none is returned.",
    ),
    "upn_malformed": (
        "UPN (N00001)",
        "UPNs on record that are not in the DfE's format (a letter, 11 digits, a digit "
        "or letter): left out rather than sent wrong.",
    ),
    "former_upn": ("FormerUPN (N00002)", "Not held by the record; never returned."),
    "death_date": (
        "PersonDeathDate (N00108)",
        "Not held by the record; never returned, even for closure reason RC2 (died).",
    ),
    "disability_not_recorded": (
        "Disabilities (N00099)",
        "Children whose disability is not recorded: the record cannot tell 'not yet "
        "recorded' from 'none', so no code is returned (rule 8540 reports them).",
    ),
    "disability_unknown_code": (
        "Disabilities (N00099)",
        "Codes on record that are not DfE disability codes: left out.",
    ),
    "internal_review": (
        "AssessmentInternalReviewDate (N00161)",
        "Not held by the record; never returned.",
    ),
    "latest_category": (
        "LatestCategoryOfAbuse (N00114)",
        "The record holds one category per plan: it is returned as both the initial and "
        "the latest category.",
    ),
    "previous_plans": (
        "NumberOfPreviousCPP (N00106)",
        "Counted from the child protection plans this record holds; plans with another "
        "authority, or before the record began, are not known to it.",
    ),
    "referral_nfa": (
        "ReferralNFA (N00112)",
        "Front-door decisions of no further action are not recorded as census referrals: "
        "only referrals that opened a case (an episode) are returned, all as ReferralNFA "
        "false, so referral counts are low.",
    ),
    "icpc_link": (
        "DateOfInitialCPC (N00110)",
        "The record does not link a section 47 enquiry to the conference it led to: the "
        "first initial conference on or after the enquiry began is taken as its own.",
    ),
    "referral_source_derived": (
        "ReferralSource (N00152)",
        "Derived from the reporting agency's kind when the case opened, not chosen by a "
        "person: 1A-1D, 2B, 3A-3E, 4, 5B-5D, 7, 9 and 10 never arise.",
    ),
}


@dataclass
class CensusXml:
    content: bytes
    child_count: int
    # LAchildID -> (case reference, case id), so each breach links to its case.
    children: dict[str, tuple[str, str]] = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)


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
    gaps: dict[str, int] = dict.fromkeys(("former_upn", "death_date", "internal_review"), 0)
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
        index[child_id] = (record.case.reference, str(record.case.pk))
        element = ET.SubElement(children_element, "Child")
        identifiers = ET.SubElement(element, "ChildIdentifiers")
        _add(identifiers, "LAchildID", child_id)
        upn = (child.upn or "").strip().upper()
        if upn and UPN_FORMAT.match(upn):
            _add(identifiers, "UPN", upn)
        elif upn:
            gap("upn_malformed")
        else:
            gap("upn_unknown")
        gaps["former_upn"] += 1
        if child.date_of_birth:
            _add(identifiers, "PersonBirthDate", _date(child.date_of_birth))
        elif child.expected_date_of_birth:
            _add(identifiers, "ExpectedPersonBirthDate", _date(child.expected_date_of_birth))
        _add(identifiers, "Sex", child.sex)
        gaps["death_date"] += 1

        characteristics = ET.SubElement(element, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", child.ethnicity)
        codes = [code for code in (child.disabilities or []) if code in DISABILITY_CODES]
        if len(codes) != len(child.disabilities or []):
            gap("disability_unknown_code")
        if codes:
            disabilities = ET.SubElement(characteristics, "Disabilities")
            for code in dict.fromkeys(codes):
                _add(disabilities, "Disability", code)
        else:
            gap("disability_not_recorded")

        for episode_record in record.episodes:
            _episode(element, episode_record, record, gap, gaps)
        if progress:
            progress(position, len(records))

    gap("referral_nfa")
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
    return CensusXml(content=content, child_count=len(records), children=index, gaps=listed)


def _episode(
    child_element: ET.Element,
    record: EpisodeRecord,
    child: ChildRecord,
    gap: Callable[[str], None],
    gaps: dict[str, int],
) -> None:
    episode = record.episode
    element = ET.SubElement(child_element, "CINdetails")
    _add(element, "CINreferralDate", _date(episode.referral_date))
    _add(element, "ReferralSource", episode.referral_source)
    gap("referral_source_derived")
    _add(element, "PrimaryNeedCode", episode.primary_need)
    _add(element, "CINclosureDate", _date(episode.closure_date))
    if episode.closure_date:
        _add(element, "ReasonForClosure", episode.closure_reason)

    # Each section 47 enquiry takes the first initial conference held on or
    # after its start (and before the next enquiry's): the record has no link.
    icpcs = [c for c in record.conferences if c[1] == Meeting.Kind.ICPC]
    used: set[int] = set()
    s47_icpc: list[dt.date | None] = []
    enquiries = record.section47s
    for i, enquiry in enumerate(enquiries):
        following = enquiries[i + 1].started_on if i + 1 < len(enquiries) else None
        match = None
        if enquiry.outcome in ("", "icpc"):
            for j, (held, _kind, _ref) in enumerate(icpcs):
                if j in used or held < enquiry.started_on:
                    continue
                if following is not None and held >= following:
                    break
                match = held
                used.add(j)
                gap("icpc_link")
                break
        s47_icpc.append(match)
    unmatched = [held for j, (held, _k, _r) in enumerate(icpcs) if j not in used]
    _add(element, "DateOfInitialCPC", _date(unmatched[0]) if unmatched else None)

    for assessment in record.assessments:
        block = ET.SubElement(element, "Assessments")
        _add(block, "AssessmentActualStartDate", _date(assessment.started_on))
        gaps["internal_review"] += 1
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
    # Every returned episode opened a case: a referral that went on to further action.
    _add(element, "ReferralNFA", "false")
    reviews = [c[0] for c in record.conferences if c[1] == Meeting.Kind.RCPC]
    for plan in record.cp_plans:
        block = ET.SubElement(element, "ChildProtectionPlans")
        _add(block, "CPPstartDate", _date(plan.start_date))
        _add(block, "CPPendDate", _date(plan.end_date))
        _add(block, "InitialCategoryOfAbuse", plan.category)
        _add(block, "LatestCategoryOfAbuse", plan.category)
        gap("latest_category")
        previous = sum(1 for start in child.all_cp_plan_starts if start < plan.start_date)
        _add(block, "NumberOfPreviousCPP", previous)
        gap("previous_plans")
        held = [
            day
            for day in reviews
            if day > plan.start_date and (plan.end_date is None or day <= plan.end_date)
        ]
        if held:
            block_reviews = ET.SubElement(block, "Reviews")
            for day in held:
                _add(block_reviews, "CPPreviewDate", _date(day))
