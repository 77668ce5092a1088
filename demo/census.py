"""What the demo records for the Children in Need census, as people would: the
source of each referral chosen at triage, every child's disability record (or
"no disability"), a UPN or the reason there is none for a school-age child, and
the plans a child on a plan had before the record began. With these the demo's
census return passes the DfE's rules with no errors (README, "The CIN census").
"""

from __future__ import annotations

import hashlib

from django.utils import timezone

from agencies.models import Agency
from cases import services
from cases.dfe_codes import Disability, ReferralSource, UpnUnknown
from cases.models import Child, Concern, Plan

# The DfE's three-digit local authority codes are real for real authorities:
# the fictional ones take codes no English authority has (the census header's LEA).
LA_CODES = {"northshire-csc": "990", "eastfield-csc": "991"}

# Most children in need have no disability; those who do, a spread of the DfE's
# codes (the DfE queries a return using fewer than eight, rule 2887Q).
DISABILITY_PATTERNS: list[list[str]] = [
    [Disability.NONE],
    [Disability.NONE],
    [Disability.NONE],
    [Disability.COMM, Disability.AUT],
    [Disability.NONE],
    [Disability.LD],
    [Disability.NONE],
    [Disability.BEH],
    [Disability.HEAR],
    [Disability.NONE],
    [Disability.MOB, Disability.PC],
    [Disability.VIS],
    [Disability.DDA],
    [Disability.NONE],
    [Disability.CON],
    [Disability.HAND, Disability.INC],
]
# Why a school-age child in the demo has no UPN.
UPN_REASONS = [
    UpnUnknown.NEVER_MAINTAINED_SCHOOL,
    UpnUnknown.EDUCATED_OUTSIDE_ENGLAND,
    UpnUnknown.UNABLE_TO_OBTAIN,
    UpnUnknown.DISCREPANCY,
]


def _pick(key: str, options: list):
    """The same choice for the same child on every run (not Python's salted hash)."""
    digest = hashlib.sha256(key.encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def referral_source_for(concern: Concern, stage: str, category: str) -> str:
    """Who referred, as the duty worker records it: a health agency's concern
    about a baby came from a health visitor, self-harm through A&E; the
    authority's own contact centre takes calls from families and the public."""
    kind = concern.reporting_agency.kind
    key = concern.reference or str(concern.pk)
    if kind == Agency.Kind.HEALTH:
        if stage == "baby":
            return ReferralSource.HEALTH_VISITOR
        if category == "self_harm":
            return ReferralSource.A_AND_E
        return _pick(key, [ReferralSource.GP, ReferralSource.OTHER_HEALTH, ReferralSource.GP])
    if kind == Agency.Kind.EDUCATION:
        return _pick(key, [ReferralSource.SCHOOLS] * 4 + [ReferralSource.EDUCATION])
    if kind == Agency.Kind.POLICE:
        return ReferralSource.POLICE
    if kind == Agency.Kind.SOCIAL_CARE:
        return _pick(
            key,
            [
                ReferralSource.FAMILY,
                ReferralSource.ACQUAINTANCE,
                ReferralSource.SELF,
                ReferralSource.OTHER_INDIVIDUAL,
                ReferralSource.ANONYMOUS,
                ReferralSource.EARLY_HELP,
                ReferralSource.HOUSING,
            ],
        )
    return services.suggested_referral_source(concern)


def record_census_items(built) -> None:
    """Each demo child's census items, recorded through the child's record as a
    worker would after the referral (never at random: the same on every run)."""
    today = timezone.localdate()
    on_plans = set(
        Plan.objects.filter(kind=Plan.Kind.CHILD_PROTECTION).values_list(
            "case__child_id", flat=True
        )
    )
    children = Child.objects.filter(
        lead_agency__slug__in=LA_CODES, merged_into__isnull=True
    ).order_by("reference")
    for child in children:
        worker = built.users[f"social_worker@{child.lead_agency.slug}"]
        fields: dict = {}
        if not child.disabilities:
            fields["disabilities"] = _pick(child.reference, DISABILITY_PATTERNS)
        school_age = child.date_of_birth and (today - child.date_of_birth).days >= 5 * 365
        if not child.upn and not child.upn_unknown_reason:
            if school_age:
                fields["upn_unknown_reason"] = _pick(child.reference, UPN_REASONS)
            elif child.date_of_birth:
                fields["upn_unknown_reason"] = UpnUnknown.UNDER_SIX
        if child.pk in on_plans and child.cp_plans_before_record is None:
            # What the worker found from the child's history: a plan in another
            # authority for one child, none before for the rest.
            fields["cp_plans_before_record"] = _pick(child.reference, [0, 0, 0, 1])
        if not fields:
            continue
        if child.cases.exists():
            services.child_update(
                acting_user=worker, child=child, expected_version=child.version, fields=fields
            )
        else:
            # A child known only at the front door has no case page to edit them
            # on yet: what the duty worker found is written to the record here.
            Child.objects.filter(pk=child.pk).update(**fields)
