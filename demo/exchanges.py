"""Between the agencies in the demo's census year: referrals at every stage,
sent and received by the lead agency and by its partners, and documents on
cases (small generated files, through the document service, so they are
stored where MEDIA_ROOT says). Called by ``demo.year``."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from struct import pack

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import (
    Case,
    CaseDocument,
    CaseNote,
    ChronologyEntry,
    Involvement,
    InvolvementReason,
)
from cases.services.record import document_upload
from demo.meetings import at, days_ago
from referrals.models import Referral
from referrals.services import referral_send, referral_transition, response_due
from safeguard import workdays
from safeguard.notifications.models import Notification

NORTHSHIRE = "northshire-csc"
POLICE = "northshire-police"
HEALTH = "northshire-health"
HILLSIDE = "hillside-primary"


def build_referrals(built, cases: list[Case]) -> list[Referral]:
    """Referrals between agencies at every stage: the lead agency sends and
    receives, and so do its partners."""
    sw = built.users[f"social_worker@{NORTHSHIRE}"]
    school = built.users[f"practitioner@{HILLSIDE}"]
    nurse = built.users[f"practitioner@{HEALTH}"]
    officer = built.users[f"practitioner@{POLICE}"]
    a = built.agencies
    involved = {
        c.pk: set(
            c.involvements.filter(ended_at__isnull=True).values_list("agency__slug", flat=True)
        )
        for c in cases
    }
    open_cases = [c for c in cases if not c.is_restricted]

    def on(*slugs: str) -> list[Case]:
        return [c for c in open_cases if set(slugs) <= involved[c.pk]]

    stories = [
        # (sender, from, to, case, steps [(actor, action, reason)], days ago sent, reason, ask)
        (
            sw,
            NORTHSHIRE,
            HEALTH,
            on(HILLSIDE),
            [(nurse, "acknowledge", ""), (nurse, "accept", ""), (sw, "close", "")],
            150,
            "Persistent low mood and sleeping badly since the home move.",
            "Please assess for the CAMHS waiting list.",
        ),
        (
            sw,
            NORTHSHIRE,
            POLICE,
            on(POLICE),
            [(officer, "acknowledge", "")],
            6,
            "Mother reports the former partner has been outside the house twice.",
            "Please flag the address and consider a welfare visit.",
        ),
        (
            sw,
            NORTHSHIRE,
            HILLSIDE,
            on(HILLSIDE),
            [],
            0,
            "The child is moving to Hillside from January.",
            "Please arrange a transition meeting with the family and the current school.",
        ),
        (
            school,
            HILLSIDE,
            NORTHSHIRE,
            on(HILLSIDE),
            [],
            0,
            "Attendance has dropped to 70% this half term and the child is often hungry.",
            "Please consider whether the plan needs review.",
        ),
        (
            officer,
            POLICE,
            NORTHSHIRE,
            on(POLICE),
            [(sw, "acknowledge", ""), (sw, "accept", "")],
            70,
            "Missing from home overnight; found with older youths in Castlebridge.",
            "Please hold a return home interview and review the exploitation risk.",
        ),
        (
            nurse,
            HEALTH,
            NORTHSHIRE,
            on(HEALTH),
            [
                (
                    sw,
                    "decline",
                    "Already open to the assessment team: the information is on "
                    "the case and the allocated worker will act on it.",
                )
            ],
            110,
            "Missed immunisations and two missed health visitor contacts.",
            "Please consider a child and family assessment.",
        ),
        (
            nurse,
            HEALTH,
            HILLSIDE,
            on(HEALTH, HILLSIDE),
            [(nurse, "withdraw", "Sent for the wrong child; re-sent.")],
            95,
            "Enuresis clinic starting; the child may need a discreet toilet pass.",
            "Please agree a toilet pass with the family.",
        ),
        (
            school,
            HILLSIDE,
            HEALTH,
            on(HILLSIDE, HEALTH),
            [(nurse, "accept", ""), (school, "close", "")],
            200,
            "The child has lost weight and seems low in mood this term.",
            "Please assess whether a referral to CAMHS is needed.",
        ),
        (
            school,
            HILLSIDE,
            HEALTH,
            on(HILLSIDE, HEALTH),
            [(nurse, "decline", "CAMHS criteria not met; GP review offered instead.")],
            45,
            "Frequent headaches in class; the family says the GP is hard to reach.",
            "Please offer a school nurse review.",
        ),
        (
            officer,
            POLICE,
            HEALTH,
            on(POLICE, HEALTH),
            [(nurse, "acknowledge", ""), (nurse, "accept", "")],
            20,
            "Witnessed a serious domestic incident; nightmares since, says the mother.",
            "Please offer trauma-informed support through the school nursing team.",
        ),
    ]
    made: list[Referral] = []
    used: dict[tuple[str, str], int] = {}
    for sender, source, target, candidates, steps, days, reason, ask in stories:
        if not candidates:
            continue
        # A different case for each story between the same two agencies.
        n = used.get((source, target), 0)
        used[(source, target)] = n + 1
        case = candidates[(len(made) + n) % len(candidates)]
        since = timezone.now()
        referral = referral_send(
            acting_user=sender,
            case=case,
            from_agency=a[source],
            to_agency=a[target],
            reason=reason,
            request=ask,
            urgency="urgent" if days < 7 else "routine",
            sharing_basis="consent",
        )
        for actor, action, why in steps:
            referral = referral_transition(
                acting_user=actor, referral=referral, action=action, reason=why
            )
        sent = timezone.now() - dt.timedelta(hours=2) if days == 0 else at(days_ago(days), 10)
        _date_referral(referral, sent, since)
        made.append(referral)
    return made


def _date_referral(referral: Referral, sent: dt.datetime, since: dt.datetime) -> None:
    """Sent on ``sent``; each answer a working day after the one before."""
    ack = sent + dt.timedelta(hours=3)
    answered = at(workdays.add_working_days(workdays.local_date(sent), 1), 11)
    ended = at(workdays.add_working_days(workdays.local_date(answered), 10), 12)
    ended = min(ended, timezone.now() - dt.timedelta(minutes=10))
    now = timezone.now()
    if answered > now:
        answered = ack = max(sent, now - dt.timedelta(minutes=30))
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent,
        response_due_at=response_due(referral.to_agency, sent),
        acknowledged_at=ack if referral.acknowledged_at else None,
        responded_at=answered if referral.responded_at else None,
        ended_at=(answered if referral.status == Referral.Status.WITHDRAWN else ended)
        if referral.ended_at
        else None,
    )
    made = ChronologyEntry.objects.filter(case=referral.case, created_at__gte=since)
    made.filter(title__startswith="Referral from").update(occurred_at=sent)
    made.filter(title__endswith=" acknowledged").update(occurred_at=ack)
    made.filter(title__endswith=" closed").update(occurred_at=ended)
    made.filter(title__regex=r" (accepted|declined|withdrawn)$").update(occurred_at=answered)
    # Accepting made the receiving agency involved, that day.
    Involvement.objects.filter(case=referral.case, started_at__gte=since).update(
        started_at=answered
    )
    InvolvementReason.objects.filter(involvement__case=referral.case, added_at__gte=since).update(
        added_at=answered
    )
    if sent < now - dt.timedelta(days=7):
        # Told and read at the time; only the last week's are still new.
        Notification.objects.filter(reference=referral.reference).update(
            created_at=sent, read_at=sent + dt.timedelta(hours=4)
        )


def build_documents(built, cases: list[Case], rng: random.Random) -> list[CaseDocument]:
    """Small files uploaded through the document service (stored where
    MEDIA_ROOT says): a signed plan, a health report, a child's drawing."""
    made = []
    plans = [
        (
            NORTHSHIRE,
            "social_worker",
            "Safety plan signed by the family",
            "pdf",
            CaseNote.Sensitivity.SHARED,
        ),
        (
            HEALTH,
            "practitioner",
            "Health visitor's report to conference",
            "pdf",
            CaseNote.Sensitivity.SHARED,
        ),
        (HILLSIDE, "practitioner", "Drawing: my family", "png", CaseNote.Sensitivity.SHARED),
        (
            NORTHSHIRE,
            "social_worker",
            "Legal advice (lead agency only)",
            "pdf",
            CaseNote.Sensitivity.RESTRICTED,
        ),
    ]
    for i, (slug, role, title, kind, sensitivity) in enumerate(plans):
        case = cases[i % len(cases)]
        if not case.involvements.filter(agency__slug=slug, ended_at__isnull=True).exists():
            continue
        content = _png(rng) if kind == "png" else _pdf(title)
        document = document_upload(
            acting_user=built.users[f"{role}@{slug}"],
            case=case,
            agency=built.agencies[slug],
            title=title,
            upload=SimpleUploadedFile(f"{title}.{kind}", content),
            sensitivity=sensitivity,
        )
        at = min(case.opened_at + dt.timedelta(days=20 + 7 * i), timezone.now())
        CaseDocument.objects.filter(pk=document.pk).update(uploaded_at=at)
        made.append(document)
    return made


def _pdf(title: str) -> bytes:
    """A one-page PDF with the title on it: enough for the document service's
    type check, and readable when downloaded."""
    text = title.replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png(rng: random.Random, size: int = 32) -> bytes:
    """A small coloured PNG (a child's drawing stands in as blocks of colour)."""
    colours = [tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(4)]
    rows = b"".join(
        b"\x00" + b"".join(bytes(colours[(x // 8 + y // 8) % 4]) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    header = pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
