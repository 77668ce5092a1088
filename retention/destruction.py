"""Deleting a record's personal data, everywhere it is kept.

Called by ``services.retention_destroy`` inside its transaction, after it has
locked the record and checked that it is due and not held. Returns what was
deleted, as counts by kind and the names of the files to delete once the
transaction commits (a rolled-back destruction must leave every file).

What a child's record is: the child's identity and address history, the
household, every case (involvements, grants, named access, professionals,
chronology, notes, documents, actions, episodes, assessments, section 47
enquiries, plans, closure), every concern about them (and its body map),
referrals on their cases, PDF summaries of their cases, the meetings about
them (a meeting about this child alone goes whole; a meeting about siblings
too keeps the siblings' part), duplicate child records merged into this one,
the retention queue's own rows, and the notifications that link to any of
it. Audit rows about any of it keep who did what and when, and lose their
payload (``audit_redact``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from cases.models import (
    Case,
    CaseDocument,
    Child,
    ChildMerge,
    Concern,
)
from meetings.models import Meeting, MeetingCase, MeetingDissent
from referrals.models import Referral
from retention.models import LegalHold, RetentionExtension
from safeguard.audit.services import audit_redact
from safeguard.notifications.models import Notification, ReminderDelivery
from summaries.models import CaseSummary


@dataclass
class Destroyed:
    counts: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    case_ids: list[uuid.UUID] = field(default_factory=list)
    audit_rows_redacted: int = 0
    # {audit object_type: [ids]} of everything deleted: their audit rows are redacted.
    objects: dict[str, list[str]] = field(default_factory=dict)

    def note(self, object_type: str, ids) -> list:
        ids = list(ids)
        self.objects.setdefault(object_type, []).extend(str(i) for i in ids)
        return ids


def _delete(queryset, destroyed: Destroyed) -> None:
    """Delete and count, by model, what went (cascades included)."""
    _total, by_model = queryset.delete()
    for model_label, count in by_model.items():
        if count:
            destroyed.counts[model_label.split(".")[-1].lower()] += count


def destroy_child_record(child: Child) -> Destroyed:
    destroyed = Destroyed()
    children = [child.pk, *Child.objects.filter(merged_into=child).values_list("pk", flat=True)]
    destroyed.note("child", children)
    cases = Case.objects.filter(child_id__in=children)
    case_ids = destroyed.note("case", cases.values_list("pk", flat=True))
    destroyed.case_ids = [uuid.UUID(str(i)) for i in case_ids]
    concerns = Concern.objects.filter(Q(child_id__in=children) | Q(case_id__in=case_ids))
    destroyed.note("concern", concerns.values_list("pk", flat=True))

    # Files first (their names), then the rows that point at them.
    documents = CaseDocument.objects.filter(case_id__in=case_ids)
    destroyed.note("casedocument", documents.values_list("pk", flat=True))
    destroyed.files += [name for name in documents.values_list("file", flat=True) if name]
    summaries = CaseSummary.objects.filter(case_id__in=case_ids)
    destroyed.note("casesummary", summaries.values_list("pk", flat=True))
    destroyed.files += [name for name in summaries.values_list("file", flat=True) if name]

    referrals = Referral.objects.filter(case_id__in=case_ids)
    destroyed.note("referral", referrals.values_list("pk", flat=True))
    _delete(referrals, destroyed)

    # A meeting about this child alone is theirs; one about siblings too keeps
    # the siblings' part and loses this child's place, decision and dissent.
    meeting_ids = set(
        MeetingCase.objects.filter(case_id__in=case_ids).values_list("meeting_id", flat=True)
    )
    shared = set(
        MeetingCase.objects.filter(meeting_id__in=meeting_ids)
        .exclude(case_id__in=case_ids)
        .values_list("meeting_id", flat=True)
    )
    own_meetings = destroyed.note("meeting", meeting_ids - shared)
    _delete(Meeting.objects.filter(pk__in=own_meetings), destroyed)
    _delete(MeetingDissent.objects.filter(case_id__in=case_ids), destroyed)
    _delete(MeetingCase.objects.filter(case_id__in=case_ids), destroyed)

    _delete(summaries, destroyed)
    holds = LegalHold.objects.filter(
        Q(child_id__in=children) | Q(case_id__in=case_ids) | Q(concern__in=concerns)
    )
    destroyed.note("legalhold", holds.values_list("pk", flat=True))
    _delete(holds, destroyed)
    extensions = RetentionExtension.objects.filter(child_id__in=children)
    destroyed.note("retentionextension", extensions.values_list("pk", flat=True))
    _delete(concerns, destroyed)
    _delete(Case.objects.filter(pk__in=case_ids), destroyed)
    _delete(
        ChildMerge.objects.filter(Q(kept_id__in=children) | Q(merged_id__in=children)), destroyed
    )
    # Merged duplicates point at the kept record: delete them first.
    _delete(Child.objects.filter(pk__in=children).exclude(pk=child.pk), destroyed)
    _delete(Child.objects.filter(pk=child.pk), destroyed)
    _delete_links(destroyed)
    return destroyed


def destroy_concern_record(concern: Concern) -> Destroyed:
    destroyed = Destroyed()
    destroyed.note("concern", [concern.pk])
    holds = LegalHold.objects.filter(concern=concern)
    destroyed.note("legalhold", holds.values_list("pk", flat=True))
    _delete(holds, destroyed)
    extensions = RetentionExtension.objects.filter(concern=concern)
    destroyed.note("retentionextension", extensions.values_list("pk", flat=True))
    _delete(Concern.objects.filter(pk=concern.pk), destroyed)
    _delete_links(destroyed)
    return destroyed


def _delete_links(destroyed: Destroyed) -> None:
    """Notifications and reminders whose link leads into the record: their
    titles are written without case details, but a link to a destroyed record
    is itself a trace of it."""
    ids = [
        i
        for kind in ("child", "case", "concern", "meeting", "referral")
        for i in destroyed.objects.get(kind, [])
    ]
    for start in range(0, len(ids), 200):
        condition = Q(pk__in=[])
        for object_id in ids[start : start + 200]:
            condition |= Q(link_path__contains=object_id)
        _delete(Notification.objects.filter(condition), destroyed)
        _delete(ReminderDelivery.objects.filter(condition), destroyed)


def redact_audit(destroyed: Destroyed) -> None:
    destroyed.audit_rows_redacted = audit_redact(
        case_ids=destroyed.case_ids, objects=destroyed.objects
    )
