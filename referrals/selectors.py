"""Reads of referrals, always for an acting user: the sending and receiving
agencies see a referral; nobody else does (404)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import agencies_where
from referrals.models import Referral
from safeguard.audit.services import audit_record


def referrals_for(user: AbstractBaseUser) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    mine = agencies_where(user, roles=CASE_WORKING_ROLES).values("pk")
    return Referral.objects.filter(Q(from_agency__in=mine) | Q(to_agency__in=mine)).select_related(
        "from_agency", "to_agency", "case__child", "created_by"
    )


def received_for(user: AbstractBaseUser) -> QuerySet[Referral]:
    mine = agencies_where(user, roles=CASE_WORKING_ROLES).values("pk")
    return referrals_for(user).filter(to_agency__in=mine).order_by("ended_at", "response_due_at")


def sent_for(user: AbstractBaseUser) -> QuerySet[Referral]:
    mine = agencies_where(user, roles=CASE_WORKING_ROLES).values("pk")
    return referrals_for(user).filter(from_agency__in=mine).order_by("-sent_at")


def get_referral_for(user: AbstractBaseUser, referral_id: uuid.UUID | str) -> Referral:
    referral = referrals_for(user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    audit_record(
        user=user,
        action="view",
        event="referral_viewed",
        obj=referral,
        case_id=referral.case_id,
    )
    return referral
