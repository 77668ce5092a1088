"""The referral state machine: the only place a referral changes state.

    sent → acknowledged → accepted | declined (reason required) → closed
    withdrawn by the sender before acceptance

Accepting makes the receiving agency an involved agency on the case; declining
does not, and the sender is told why. Every transition is one transaction that
writes the chronology, the audit row and the notifications.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import agencies_where, members_with_roles
from cases.models import Case, ChronologyEntry, Involvement
from cases.selectors.record import note_agencies_for
from cases.services.case import involvement_start
from referrals.models import Referral
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference
from safeguard.notifications.services import notify

S = Referral.Status
# action: (states it may start from, state it ends in, which side acts)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "acknowledge": (frozenset({S.SENT}), S.ACKNOWLEDGED, "receiver"),
    "accept": (frozenset({S.SENT, S.ACKNOWLEDGED}), S.ACCEPTED, "receiver"),
    "decline": (frozenset({S.SENT, S.ACKNOWLEDGED}), S.DECLINED, "receiver"),
    "withdraw": (frozenset({S.SENT, S.ACKNOWLEDGED}), S.WITHDRAWN, "sender"),
    "close": (frozenset({S.ACCEPTED, S.DECLINED}), S.CLOSED, "either"),
}


def response_due(to_agency: Agency, sent_at: dt.datetime) -> dt.datetime:
    """Children's social care: the statutory one working day; others: their own setting."""
    if to_agency.kind == Agency.Kind.SOCIAL_CARE:
        return workdays.due_at("referral_decision", sent_at)
    day = workdays.add_working_days(workdays.local_date(sent_at), to_agency.referral_response_days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


def allowed_actions(user: AbstractBaseUser, referral: Referral) -> list[str]:
    mine = set(agencies_where(user, roles=CASE_WORKING_ROLES).values_list("pk", flat=True))
    sides = set()
    if referral.from_agency_id in mine:
        sides.add("sender")
    if referral.to_agency_id in mine:
        sides.add("receiver")
    return [
        action
        for action, (sources, _, side) in TRANSITIONS.items()
        if referral.status in sources and (side in sides or (side == "either" and sides))
    ]


@transaction.atomic
def referral_send(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    from_agency: Agency,
    to_agency: Agency,
    reason: str,
    request: str,
    urgency: str,
    sharing_basis: str,
    sharing_reason: str = "",
) -> Referral:
    if not note_agencies_for(acting_user, case).filter(pk=from_agency.pk).exists():
        raise PermissionDenied("You can refer only for an agency on this case.")
    errors = {}
    if to_agency.pk == from_agency.pk:
        errors["to_agency"] = "Choose another agency to refer to"
    if not to_agency.is_active:
        errors["to_agency"] = "That agency is not taking referrals"
    if not reason.strip():
        errors["reason"] = "Enter the reason for the referral"
    if not request.strip():
        errors["request"] = "Say what you are asking the agency to do"
    if sharing_basis != "consent" and not sharing_reason.strip():
        errors["sharing_reason"] = "Explain why you are sharing without consent"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    referral = Referral.objects.create(
        reference=next_reference("REF"),
        case=case,
        from_agency=from_agency,
        to_agency=to_agency,
        created_by=acting_user,
        reason=reason.strip(),
        request=request.strip(),
        urgency=urgency,
        sharing_basis=sharing_basis,
        sharing_reason=sharing_reason.strip(),
        sent_at=now,
        response_due_at=response_due(to_agency, now),
    )
    _record(acting_user, referral, "sent", f"Referral from {from_agency.name} to {to_agency.name}")
    notify(
        recipients=members_with_roles(to_agency, CASE_WORKING_ROLES),
        kind="referral_received",
        dedupe_key=f"referral:{referral.pk}:sent",
        title=f"New {referral.get_urgency_display().lower()} referral {referral.reference} "
        f"from {from_agency.name}",
        reference=referral.reference,
        link_path=reverse("referral_detail", args=[referral.pk]),
        urgent=urgency == Referral.Urgency.URGENT,
    )
    return referral


@transaction.atomic
def referral_transition(
    *, acting_user: AbstractBaseUser, referral: Referral, action: str, reason: str = ""
) -> Referral:
    if action not in TRANSITIONS:
        raise ValidationError(f"Unknown action {action!r}")
    referral = (
        Referral.objects.select_for_update()
        .select_related("case", "from_agency", "to_agency")
        .get(pk=referral.pk)
    )
    sources, target, _side = TRANSITIONS[action]
    if action not in allowed_actions(acting_user, referral):
        if referral.status not in sources:
            raise ValidationError(
                f"A referral that is {referral.get_status_display().lower()} cannot be "
                f"{'withdrawn' if action == 'withdraw' else action + 'ed'}."
            )
        raise PermissionDenied("Your agency cannot do that to this referral.")
    if action == "decline" and not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is declined"})
    if action == "withdraw" and not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is withdrawn"})
    now = timezone.now()
    referral.status = target
    fields = ["status", "version", "updated_at"]
    if action == "acknowledge":
        referral.acknowledged_at = now
        fields.append("acknowledged_at")
    if action in ("accept", "decline"):
        referral.responded_at, referral.responded_by = now, acting_user
        fields += ["responded_at", "responded_by"]
    if action == "decline":
        referral.decline_reason = reason.strip()
        fields.append("decline_reason")
    if action == "withdraw":
        referral.withdrawn_reason = reason.strip()
        fields.append("withdrawn_reason")
    if action in ("withdraw", "close"):
        referral.ended_at = now
        fields.append("ended_at")
    referral.version += 1
    referral.save(update_fields=fields)

    detail = reason.strip()
    _record(acting_user, referral, action, f"Referral {referral.reference} {target}", detail)
    if action == "accept":
        involvement_start(
            acting_user=acting_user,
            case=referral.case,
            agency=referral.to_agency,
            level=Involvement.Level.INVOLVED,
            reason=Involvement.Reason.REFERRAL,
            source_reference=referral.reference,
        )
    if action in ("accept", "decline", "acknowledge"):
        notify(
            recipients=[referral.created_by],
            kind=f"referral_{target}",
            dedupe_key=f"referral:{referral.pk}:{target}",
            title=f"Referral {referral.reference} {target} by {referral.to_agency.name}",
            reference=referral.reference,
            link_path=reverse("referral_detail", args=[referral.pk]),
        )
    return referral


def _record(
    user: AbstractBaseUser, referral: Referral, action: str, title: str, detail: str = ""
) -> None:
    body = detail or (referral.reason if action == "sent" else "")
    ChronologyEntry.objects.create(
        case=referral.case,
        occurred_at=timezone.now(),
        agency=referral.from_agency if action in ("sent", "withdraw") else referral.to_agency,
        kind=ChronologyEntry.Kind.REFERRAL,
        title=title,
        body=body,
        source_reference=referral.reference,
        created_by=user,
    )
    audit_record(
        user=user,
        action="create" if action == "sent" else "transition",
        event=f"referral_{action}",
        obj=referral,
        case_id=referral.case_id,
        reason=detail,
        detail={"status": referral.status},
    )
