"""The CIN census return (SPEC 3.11): building and checking it, the request a
manager makes for one, its progress, the download and the housekeeping.

A request is one transaction: the ``CensusReturn`` row in status ``queued``
(the outbox) and its audit row; the worker is handed it after commit, and a
failure to hand it over loses nothing because the beat sweep hands queued rows
out again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from census import checks
from census.builder import build_census_xml
from census.models import CensusReturn
from census.selectors import census_agencies_for, census_records
from census.years import CensusYear
from safeguard.audit.services import audit_record
from safeguard.queue import enqueue

log = logging.getLogger(__name__)

# By name, not by import: the tasks module imports this one (safeguard.queue).
BUILD_TASK = "census.tasks.build_census_return"
STUCK_AFTER = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
QUEUED_TOO_LONG = dt.timedelta(minutes=2)
REDISPATCH_EVERY = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3
GAVE_UP_REASON = (
    "The return could not be built after several attempts. Start it again; if it fails "
    "again, tell your system administrator."
)


# Building and checking (the command and the worker) ----------------------------


@dataclass
class CensusBuild:
    year: CensusYear
    content: bytes
    sha256: str
    child_count: int
    schema_errors: list[dict]
    breaches: list[dict] = field(default_factory=list)
    return_level: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    needed: list[dict] = field(default_factory=list)
    rules_checked: int = 0
    rules_failed_to_run: list[str] = field(default_factory=list)

    @property
    def schema_valid(self) -> bool:
        return not self.schema_errors

    def breach_counts(self) -> list[tuple[str, str, int, str]]:
        """(rule, type, breaches, message), most breaches first."""
        counts: dict[str, list] = {}
        for breach in self.breaches + self.return_level:
            entry = counts.setdefault(breach["rule"], [breach["type"], 0, breach["message"]])
            entry[1] += 1
        rows = [(rule, kind, n, message) for rule, (kind, n, message) in counts.items()]
        return sorted(rows, key=lambda r: (-r[2], r[0]))


def census_build(
    *,
    agency: Agency,
    year: CensusYear,
    la_code: str,
    serial_no: int = 1,
    progress: Callable[[int, str], None] | None = None,
) -> CensusBuild:
    """Write ``agency``'s return for ``year`` and check it: the schema, then the
    DfE's rules for the year. Reads only; the caller stores what it needs."""

    def report(percent: int, message: str) -> None:
        if progress:
            progress(percent, message)

    report(5, "Reading the case records")
    records = census_records(agency, year)
    report(20, f"Writing the XML for {len(records)} children")
    xml = build_census_xml(
        records=records,
        year=year,
        la_code=la_code,
        serial_no=serial_no,
        progress=lambda done, total: (
            report(20 + int(40 * done / max(total, 1)), f"Written {done} of {total} children")
            if done % 50 == 0 or done == total
            else None
        ),
    )
    report(60, "Checking the XML against the CIN census schema")
    errors = checks.schema_errors(xml.content)
    build = CensusBuild(
        year=year,
        content=xml.content,
        sha256=hashlib.sha256(xml.content).hexdigest(),
        child_count=xml.child_count,
        schema_errors=errors,
        gaps=xml.gaps,
        needed=[_with_fix_url(entry) for entry in xml.needed],
    )
    report(70, "Checking the return against the DfE's validation rules")
    rules = checks.dfe_rule_check(xml.content, year)
    for breach in rules.breaches:
        case_reference, case_id = xml.children.get(breach["la_child_id"], ("", ""))
        breach["case_reference"] = case_reference
        breach["case_id"] = case_id
        breach["fix_url"] = _breach_fix_url(breach)
    build.breaches = rules.breaches
    build.return_level = rules.return_level
    build.rules_checked = rules.rules_checked
    build.rules_failed_to_run = rules.failed_to_run
    report(95, "Storing the return")
    return build


# Where a breach of an item of the child's identity is put right: the child's
# record (the page that edits it), not the case's activity.
CHILD_TABLES = {"ChildIdentifiers", "ChildCharacteristics", "Disabilities"}


def _breach_fix_url(breach: dict) -> str:
    if not breach.get("case_id"):
        return ""
    name = "case_child_edit" if breach.get("table") in CHILD_TABLES else "case_detail"
    return reverse(name, args=[breach["case_id"]])


def _with_fix_url(entry: dict) -> dict:
    """A child whose record lacks what the census needs, with the page to record it:
    the child's details on their case, or, for a child with no case (only a
    referral that ended in no further action), the concern at the front door."""
    if entry["case_id"]:
        url = reverse("case_child_edit", args=[entry["case_id"]])
    elif entry["concern_id"]:
        url = reverse("concern_detail", args=[entry["concern_id"]])
    else:
        url = ""
    return entry | {"fix_url": url}


# The request ----------------------------------------------------------------------


def _validate_request(year_label: str, la_code: str) -> CensusYear:
    errors = {}
    year = None
    try:
        year = CensusYear.parse(year_label)
    except ValueError as exc:
        errors["year"] = str(exc)
    else:
        if year.start > timezone.localdate():
            errors["year"] = "That census year has not started yet"
    if not (len(la_code) == 3 and la_code.isdigit()):
        errors["la_code"] = "Enter the DfE's three-digit local authority code, like 201"
    if errors:
        raise ValidationError(errors)
    assert year is not None
    return year


@transaction.atomic
def census_request(
    *, acting_user: AbstractBaseUser, agency: Agency, year: str, la_code: str
) -> CensusReturn:
    """Ask for ``agency``'s return for ``year`` (e.g. "2026-27"). Asking again while
    the same one is being built returns that one, so a double click builds once."""
    if not census_agencies_for(acting_user).filter(pk=agency.pk).exists():
        raise PermissionDenied("You cannot produce this agency's return.")
    census_year = _validate_request(year, la_code)
    pending = CensusReturn.objects.filter(
        agency=agency,
        year_start=census_year.start_year,
        la_code=la_code,
        requested_by=acting_user,
        status__in=[CensusReturn.Status.QUEUED, CensusReturn.Status.BUILDING],
    ).first()
    if pending is not None:
        return pending
    census_return = CensusReturn.objects.create(
        agency=agency,
        year_start=census_year.start_year,
        la_code=la_code,
        requested_by=acting_user,
        progress_message="Waiting for a worker",
    )
    row = audit_record(
        user=acting_user,
        action="create",
        event="cin_census_requested",
        obj=census_return,
        detail={
            "return": str(census_return.pk),
            "agency": agency.slug,
            "year": census_year.label,
            "la_code": la_code,
        },
    )
    census_return.audit_reference = str(row.pk)
    census_return.save(update_fields=["audit_reference"])
    transaction.on_commit(lambda pk=census_return.pk: dispatch_return(pk))
    return census_return


def dispatch_return(return_id: uuid.UUID | str) -> None:
    """Hand a queued return to a worker; a dead broker loses nothing (the sweep)."""
    enqueue(BUILD_TASK, args=[str(return_id)])


def census_downloaded(*, user: AbstractBaseUser, census_return: CensusReturn) -> None:
    """Every download is on the record with the file's hash: what went to the
    DfE can be traced to who built it, who took it and when."""
    audit_record(
        user=user,
        action="download",
        event="cin_census_downloaded",
        obj=census_return,
        detail={
            "return": str(census_return.pk),
            "year": census_return.year_label,
            "sha256": census_return.sha256,
            "children": census_return.child_count,
            "request_audit_reference": census_return.audit_reference,
        },
    )


# Worker side ----------------------------------------------------------------------


def census_claim(return_id: uuid.UUID | str) -> CensusReturn | None:
    """Take a return to build, atomically: a queued one, or one a dead worker left."""
    now = timezone.now()
    claimed = (
        CensusReturn.objects.filter(pk=return_id)
        .filter(
            Q(status=CensusReturn.Status.QUEUED)
            | Q(status=CensusReturn.Status.BUILDING, claimed_at__lt=now - STUCK_AFTER)
        )
        .update(status=CensusReturn.Status.BUILDING, claimed_at=now, progress=0)
    )
    if not claimed:
        return None
    census_return = CensusReturn.objects.select_related("agency", "requested_by").get(pk=return_id)
    CensusReturn.objects.filter(pk=return_id).update(attempts=census_return.attempts + 1)
    census_return.attempts += 1
    return census_return


def census_progress(return_id: uuid.UUID | str, percent: int, message: str) -> None:
    CensusReturn.objects.filter(pk=return_id, status=CensusReturn.Status.BUILDING).update(
        progress=max(0, min(percent, 100)), progress_message=message[:200]
    )


def census_render(return_id: uuid.UUID | str) -> str:
    """Build, check and store a claimed return. Safe to run twice: a return that
    is finished, or in a live worker's hands, is left alone."""
    census_return = census_claim(return_id)
    if census_return is None:
        return "skipped"
    if (
        not census_agencies_for(census_return.requested_by)
        .filter(pk=census_return.agency_id)
        .exists()
    ):
        census_fail(return_id, "You no longer produce this agency's return")
        return "failed: no access"
    serial = (
        CensusReturn.objects.filter(
            agency=census_return.agency,
            year_start=census_return.year_start,
            created_at__lte=census_return.created_at,
        ).count()
        or 1
    )
    build = census_build(
        agency=census_return.agency,
        year=CensusYear(census_return.year_start),
        la_code=census_return.la_code,
        serial_no=serial,
        progress=lambda percent, message: census_progress(return_id, percent, message),
    )
    name = f"cin-census-{census_return.year_label}.xml"
    census_return.file.save(name, ContentFile(build.content), save=False)
    CensusReturn.objects.filter(pk=return_id, status=CensusReturn.Status.BUILDING).update(
        status=CensusReturn.Status.READY,
        file=census_return.file.name,
        sha256=build.sha256,
        child_count=build.child_count,
        schema_valid=build.schema_valid,
        schema_errors=build.schema_errors,
        breaches=build.breaches,
        return_level_breaches=build.return_level,
        gaps=build.gaps,
        needed=build.needed,
        rules_checked=build.rules_checked,
        rules_failed_to_run=build.rules_failed_to_run,
        progress=100,
        progress_message="Built and checked",
        finished_at=timezone.now(),
    )
    return "ready"


def census_fail(return_id: uuid.UUID | str, reason: str) -> None:
    CensusReturn.objects.filter(
        pk=return_id, status__in=[CensusReturn.Status.QUEUED, CensusReturn.Status.BUILDING]
    ).update(
        status=CensusReturn.Status.FAILED, failure_reason=reason[:300], finished_at=timezone.now()
    )


def census_release(return_id: uuid.UUID | str) -> None:
    CensusReturn.objects.filter(pk=return_id, status=CensusReturn.Status.BUILDING).update(
        status=CensusReturn.Status.QUEUED, claimed_at=None
    )


def census_redispatch_stuck() -> int:
    """Hand out again the returns whose message was lost or whose worker died."""
    now = timezone.now()
    lost = Q(status=CensusReturn.Status.QUEUED) & (
        Q(redispatched_at__isnull=True, created_at__lt=now - QUEUED_TOO_LONG)
        | Q(redispatched_at__lt=now - REDISPATCH_EVERY)
    )
    abandoned = Q(status=CensusReturn.Status.BUILDING, claimed_at__lt=now - STUCK_AFTER)
    stuck = CensusReturn.objects.filter(lost | abandoned)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=CensusReturn.Status.FAILED, failure_reason=GAVE_UP_REASON
    )
    ids = list(stuck.filter(attempts__lt=MAX_ATTEMPTS).values_list("id", flat=True)[:50])
    CensusReturn.objects.filter(pk__in=ids).update(redispatched_at=now)
    for return_id in ids:
        dispatch_return(return_id)
    return len(ids)
