"""Every change to a concern: drafts, submission, triage, decisions, body maps.

Each service is atomic, checks the acting user may do what they ask, and
records the audit row, the chronology entries and the notifications in the
same transaction, so the page and the API cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CONCERN_LOGGING_ROLES, TRIAGE_ROLES, Role
from agencies.selectors import agencies_where, members_with_roles
from agencies.services import role_group
from cases.dfe_codes import SOURCE_BY_AGENCY_KIND, ReferralSource
from cases.matching import format_postcode
from cases.models import (
    BodyMapMark,
    Case,
    Child,
    ChronologyEntry,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
    Involvement,
)
from cases.selectors.policy import can_add_marks, can_authorise, can_triage
from cases.services.case import _name, case_open, involvement_start
from cases.services.statutory import open_episode_from_concern
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference
from safeguard.notifications.services import notify

# The fields of a submitted concern a reporter fills in.
CONCERN_FIELDS = (
    "child_first_name",
    "child_last_name",
    "child_date_of_birth",
    "child_age_years",
    "child_address",
    "child_postcode",
    "child_school",
    "child_nhs_number",
    "child_upn",
    "account",
    "observed_on",
    "observed_at",
    "categories",
    "immediate_risk",
    "actions_taken",
    "family_aware",
    "sharing_basis",
    "sharing_reason",
)


def _require_logging_role(user: AbstractBaseUser, agency: Agency) -> None:
    if not agencies_where(user, roles=CONCERN_LOGGING_ROLES).filter(pk=agency.pk).exists():
        raise PermissionDenied("You cannot log concerns for this agency.")


# Drafts -------------------------------------------------------------------


@transaction.atomic
def concern_save_draft(
    *,
    acting_user: AbstractBaseUser,
    reporting_agency: Agency,
    data: dict[str, Any],
    concern: Concern | None = None,
) -> Concern:
    """Keep exactly what was typed, valid or not: a draft must never lose work."""
    _require_logging_role(acting_user, reporting_agency)
    if concern is None:
        lead = reporting_agency.default_lead_agency or reporting_agency
        concern = Concern.objects.create(
            reported_by=acting_user,
            reporting_agency=reporting_agency,
            lead_agency=lead,
            draft_data=data,
        )
        return concern
    if concern.status != Concern.Status.DRAFT or concern.reported_by_id != acting_user.pk:
        raise PermissionDenied("Only your own drafts can be changed.")
    concern.draft_data = data
    concern.save(update_fields=["draft_data", "updated_at"])
    return concern


@transaction.atomic
def concern_discard_draft(*, acting_user: AbstractBaseUser, concern: Concern) -> None:
    if concern.status != Concern.Status.DRAFT or concern.reported_by_id != acting_user.pk:
        raise PermissionDenied("Only your own drafts can be discarded.")
    concern.delete()


# Submitting ----------------------------------------------------------------


@transaction.atomic
def concern_submit(
    *,
    acting_user: AbstractBaseUser,
    reporting_agency: Agency,
    lead_agency: Agency,
    fields: dict[str, Any],
    concern: Concern | None = None,
    marks: list[dict[str, str]] | None = None,
) -> Concern:
    """Send a concern to the lead agency's front door and give the reporter a reference.

    ``marks`` (side, region, description) are the body map the reporter drew on
    the form: saved with the concern, in this transaction, so triage never sees
    a concern whose marks are still to come."""
    _require_logging_role(acting_user, reporting_agency)
    if lead_agency.kind != Agency.Kind.SOCIAL_CARE:
        raise ValidationError({"lead_agency": "Choose a children's social care front door."})
    if concern is None:
        concern = Concern(reported_by=acting_user, reporting_agency=reporting_agency)
    elif concern.status != Concern.Status.DRAFT or concern.reported_by_id != acting_user.pk:
        raise PermissionDenied("This concern has already been submitted.")
    else:
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if concern.status != Concern.Status.DRAFT:
            raise ValidationError("This concern has already been submitted.")
    for name in CONCERN_FIELDS:
        if name in fields:
            setattr(concern, name, fields[name])
    if concern.observed_at and not concern.observed_on:
        # Given a moment, the day is the local day of that moment.
        concern.observed_on = timezone.localdate(concern.observed_at)
    now = timezone.now()
    concern.child_postcode = format_postcode(concern.child_postcode)
    concern.lead_agency = lead_agency
    concern.reporting_agency = reporting_agency
    concern.status = Concern.Status.SUBMITTED
    concern.reference = next_reference("CON")
    concern.submitted_at = now
    concern.decision_due_at = workdays.due_at("referral_decision", now)
    concern.draft_data = {}
    concern.save()

    _grant_concern_access(concern)
    for mark in marks or []:
        _mark_create(acting_user, concern, **mark)
    audit_record(
        user=acting_user,
        action="create",
        event="concern_submitted",
        obj=concern,
        detail={"lead_agency": lead_agency.slug, "immediate_risk": concern.immediate_risk},
    )
    link = reverse("concern_triage", args=[concern.pk])
    if concern.immediate_risk:
        notify(
            recipients=members_with_roles(lead_agency, TRIAGE_ROLES),
            kind="immediate_risk",
            dedupe_key=f"concern:{concern.pk}:immediate_risk",
            title=f"Immediate risk: concern {concern.reference} needs triage now",
            reference=concern.reference,
            link_path=link,
            urgent=True,
        )
    return concern


def _grant_concern_access(concern: Concern) -> None:
    view = Permission.objects.get(content_type__app_label="cases", codename="view_concern")
    ConcernUserObjectPermission.objects.get_or_create(
        user=concern.reported_by, permission=view, content_object=concern
    )
    groups = [role_group(agency=concern.lead_agency, role=role) for role in TRIAGE_ROLES]
    # The reporting agency's managers oversee what their staff report.
    if concern.reporting_agency_id != concern.lead_agency_id:
        groups.append(role_group(agency=concern.reporting_agency, role=Role.MANAGER))
    for group in groups:
        ConcernGroupObjectPermission.objects.get_or_create(
            group=group, permission=view, content_object=concern
        )


# Triage ------------------------------------------------------------------------


def _require_triage(user: AbstractBaseUser, concern: Concern) -> None:
    if not can_triage(user, concern):
        raise PermissionDenied("You do not work this front door.")


@transaction.atomic
def concern_link_child(*, acting_user: AbstractBaseUser, concern: Concern, child: Child) -> Concern:
    _require_triage(acting_user, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status not in (Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION):
        raise ValidationError("This concern has already been decided.")
    if child.lead_agency_id != concern.lead_agency_id:
        raise PermissionDenied("That child is held by another agency.")
    concern.child = child
    concern.save(update_fields=["child", "updated_at"])
    audit_record(
        user=acting_user,
        action="update",
        event="concern_child_linked",
        obj=concern,
        detail={"child": child.reference},
    )
    return concern


def suggested_referral_source(concern: Concern) -> str:
    """The census source of referral a person deciding starts from: the reporting
    agency's kind says roughly who referred, never exactly (a GP or A&E)."""
    return SOURCE_BY_AGENCY_KIND.get(concern.reporting_agency.kind, ReferralSource.OTHER)


@transaction.atomic
def concern_record_decision(
    *,
    acting_user: AbstractBaseUser,
    concern: Concern,
    decision: str,
    reason: str,
    referral_source: str = "",
) -> Concern:
    """``referral_source``: who referred, as the census counts it, chosen by the
    person deciding (the page and the API require it). A caller that does not
    say records "10" (unknown), never a guess."""
    _require_triage(acting_user, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status not in (Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION):
        raise ValidationError("This concern has already been decided.")
    if concern.child_id is None:
        raise ValidationError("Find or create the child before recording a decision.")
    if not reason.strip():
        raise ValidationError({"decision_reason": "Enter the reason for the decision"})
    if referral_source and referral_source not in ReferralSource.values:
        raise ValidationError({"referral_source": "Choose who referred the child"})
    concern.decision = decision
    concern.decision_reason = reason.strip()
    concern.referral_source = referral_source or ReferralSource.UNKNOWN
    concern.decided_by = acting_user
    concern.decided_at = timezone.now()
    concern.status = Concern.Status.AWAITING_AUTHORISATION
    concern.version += 1
    concern.save()
    audit_record(
        user=acting_user,
        action="transition",
        event="triage_decision_recorded",
        obj=concern,
        detail={"decision": decision, "referral_source": concern.referral_source},
    )
    link = reverse("concern_triage", args=[concern.pk])
    notify(
        recipients=members_with_roles(concern.lead_agency, {Role.MANAGER}).exclude(
            pk=acting_user.pk
        ),
        kind="authorise_decision",
        dedupe_key=f"concern:{concern.pk}:authorise:{concern.version}",
        title=f"Decision on concern {concern.reference} needs your authorisation",
        reference=concern.reference,
        link_path=link,
        urgent=concern.immediate_risk,
    )
    return concern


@transaction.atomic
def concern_authorise_decision(*, acting_user: AbstractBaseUser, concern: Concern) -> Concern:
    """A manager authorises the decision; a case opens where the decision calls for one."""
    if not can_authorise(acting_user, concern):
        raise PermissionDenied("Only a manager of this front door can authorise decisions.")
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.AWAITING_AUTHORISATION:
        raise ValidationError("There is no decision waiting for authorisation.")
    now = timezone.now()
    concern.authorised_by = acting_user
    concern.authorised_at = now
    concern.status = Concern.Status.COMPLETED
    child = concern.child
    assert child is not None  # a decision cannot be recorded without one

    case = child.cases.filter(status=Case.Status.OPEN).first()
    opened = False
    if case is None and concern.decision in Concern.CASE_OPENING_DECISIONS:
        case = case_open(acting_user=acting_user, child=child, lead_agency=concern.lead_agency)
        open_episode_from_concern(case=case, concern=concern)
        opened = True
    concern.case = case
    concern.save()
    audit_record(
        user=acting_user,
        action="transition",
        event="triage_decision_authorised",
        obj=concern,
        case_id=case.pk if case else None,
        detail={"decision": concern.decision, "case_opened": opened},
    )
    if case is not None:
        _record_concern_in_chronology(concern, case, acting_user)
        if concern.reporting_agency_id != case.lead_agency_id:
            involvement_start(
                acting_user=acting_user,
                case=case,
                agency=concern.reporting_agency,
                level=Involvement.Level.INVOLVED,
                reason=Involvement.Reason.CONCERN,
                source_reference=concern.reference or "",
            )
    notify(
        recipients=[concern.reported_by],
        kind="concern_outcome",
        dedupe_key=f"concern:{concern.pk}:outcome",
        title=f"Outcome of your concern {concern.reference}: {concern.get_decision_display()}",
        reference=concern.reference or "",
        link_path=reverse("concern_detail", args=[concern.pk]),
    )
    return concern


@transaction.atomic
def concern_return_decision(
    *, acting_user: AbstractBaseUser, concern: Concern, comment: str
) -> Concern:
    """A manager sends a decision back to the front door with a comment."""
    if not can_authorise(acting_user, concern):
        raise PermissionDenied("Only a manager of this front door can return decisions.")
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != Concern.Status.AWAITING_AUTHORISATION:
        raise ValidationError("There is no decision waiting for authorisation.")
    if not comment.strip():
        raise ValidationError({"comment": "Enter why the decision is being returned"})
    concern.status = Concern.Status.SUBMITTED
    concern.version += 1
    concern.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        user=acting_user,
        action="transition",
        event="triage_decision_returned",
        obj=concern,
        reason=comment.strip(),
    )
    if concern.decided_by:
        notify(
            recipients=[concern.decided_by],
            kind="decision_returned",
            dedupe_key=f"concern:{concern.pk}:returned:{concern.version}",
            title=f"Decision on concern {concern.reference} returned by your manager",
            reference=concern.reference or "",
            link_path=reverse("concern_triage", args=[concern.pk]),
        )
    return concern


def _record_concern_in_chronology(
    concern: Concern, case: Case, acting_user: AbstractBaseUser
) -> None:
    risk = "Child at immediate risk. " if concern.immediate_risk else ""
    happened = concern.observed_when()
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=concern.submitted_at or timezone.now(),
        agency=concern.reporting_agency,
        kind=ChronologyEntry.Kind.CONCERN,
        title=f"Concern logged by {concern.reporting_agency.name}",
        body=(
            f"{risk}Happened: {happened}. "
            f"Categories: {', '.join(concern.category_labels()) or 'not given'}."
        ),
        source_reference=concern.reference or "",
        created_by=concern.reported_by,
    )
    decided = f"Decided by {_name(concern.decided_by)}; authorised by {_name(acting_user)}."
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=concern.authorised_at or timezone.now(),
        agency=concern.lead_agency,
        kind=ChronologyEntry.Kind.TRIAGE_DECISION,
        title=f"Front door decision: {concern.get_decision_display()}",
        body=f"{concern.decision_reason}\n\n{decided}",
        source_reference=concern.reference or "",
        created_by=acting_user,
    )


@transaction.atomic
def body_map_mark_add(
    *, acting_user: AbstractBaseUser, concern: Concern, side: str, region: str, description: str
) -> BodyMapMark:
    if not can_add_marks(acting_user, concern):
        raise PermissionDenied("Only the person who raised the concern or the front door.")
    return _mark_create(acting_user, concern, side=side, region=region, description=description)


def _mark_create(
    acting_user: AbstractBaseUser, concern: Concern, *, side: str, region: str, description: str
) -> BodyMapMark:
    if not description.strip():
        raise ValidationError({"description": "Describe the mark: size, colour, shape"})
    if side not in BodyMapMark.Side.values or region not in BodyMapMark.Region.values:
        raise ValidationError("Choose front or back and where on the body the mark is")
    mark = BodyMapMark.objects.create(
        concern=concern,
        side=side,
        region=region,
        description=description.strip(),
        added_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="body_map_mark_added",
        obj=concern,
        case_id=concern.case_id,
        detail={"side": side, "region": region},
    )
    return mark
