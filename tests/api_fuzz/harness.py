"""The API schema fuzzer's machinery: Schemathesis over the WSGI application.

The schema is fetched from ``/api/schema/`` through the app, as a client
would, with a demo user's API token; each operation then gets a bounded number
of generated requests (valid and invalid, Hypothesis derandomized so every run
sends the same ones), each sent through Django's whole stack (middleware,
authentication, the view, the exception handler) and checked by every response
check Schemathesis has: no server error, the status code, content type,
headers and body the schema documents, invalid data refused, valid data not
refused for its shape, and the rest.

No socket is opened: the requests go straight into the WSGI application in the
test's own thread and database transaction. Each request runs inside a
savepoint that is rolled back once it has been checked, so every request meets
the demo exactly as ``seed_demo`` left it: a DELETE, a restriction or a merge
made by one example cannot change what the next one sees, and the run does not
depend on the order of operations or examples.

Every check is on, as configured by default, with one change the API's
contract needs: ``positive_data_acceptance`` also expects 400. The schema says
what shape a request has; whether a case may be restricted now, or whether the
agency named takes part in the case, is a rule no schema can state, and the API
answers such a refusal with 400 and the field at fault (SPEC 6). So that this
cannot hide a schema that lies about shape, ``refused_only_for_rules`` fails a
schema-valid JSON request refused with one of DRF's shape messages (required,
blank, null, wrong format, not a valid choice, too long, empty list...).
(Form and multipart bodies cannot carry a null, a number or a file as the schema
types them, so a shape message there is the encoding's, not the schema's.)

Path parameters are drawn from the demo (the ids of cases, meetings, plans...
that the acting user can reach; for subject access, which the demo has none
of, two requests the harness makes first), or left to Schemathesis (random UUIDs, which
are 404s), so both the answers for real objects and the refusals are checked.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup

SCHEMA_URL = "/api/schema/?format=json"
# Schemathesis' defaults, and 400 for a rule broken by a well-formed request (above).
# 412 and 428 too: a stale or missing If-Match is about the version read, not the data.
POSITIVE_EXPECTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "428", "429", "5xx"]
CONFIG = {
    "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_EXPECTED}},
    # The API refuses NUL in any text (its description says so; JSON Schema cannot).
    "generation": {"allow-x00": False},
}
BLANK = "This field may not be blank."
# DRF's messages for a value of the wrong shape (rest_framework/fields.py, relations.py).
SHAPE_MESSAGES = (
    "This field is required.",
    "This field may not be null.",
    "This field may not be blank.",
    "Not a valid string.",
    "Ensure this field has no more than",
    "Ensure this field has at least",
    "is not a valid choice.",
    "has wrong format.",
    "Must be a valid UUID.",
    "A valid integer is required.",
    "A valid number is required.",
    "Must be a valid boolean.",
    "This list may not be empty.",
    "Expected a list of items",
    "Invalid data. Expected a dictionary",
    "Null characters are not allowed.",
    "Enter a valid email address.",
    "Enter a valid URL.",
)


@schemathesis.check
def refused_only_for_rules(ctx, response, case) -> bool | None:
    """A schema-valid JSON request refused with 400 must be refused for a rule,
    never for a shape its schema allowed."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    if case.body is not NOT_SET and not (case.media_type or "").startswith("application/json"):
        return None
    try:
        errors = response.json().get("errors") or {}
    except ValueError:
        raise AssertionError("A 400 without the API's error body") from None
    sent = {**(case.query or {}), **(case.body if isinstance(case.body, dict) else {})}
    shape = {
        field: message
        for field, messages in errors.items()
        for message in messages
        if any(known in message for known in SHAPE_MESSAGES)
        # Text of only spaces is trimmed to blank (the API's description says so).
        and not (message == BLANK and isinstance(sent.get(field), str) and not sent[field].strip())
    }
    if shape:
        raise AssertionError(f"A schema-valid request was refused for its shape: {shape}")
    return True


# Derandomized: the same requests on every run, so a failure in CI is one you can replay.
EXAMPLES_PER_OPERATION = 10


@dataclass
class Report:
    """What the fuzzer found: one line per distinct failure, and what it sent."""

    failures: dict[str, str] = field(default_factory=dict)  # "METHOD path: check" -> detail
    requests: int = 0
    statuses: dict[str, set[int]] = field(default_factory=dict)

    def add(self, label: str, exc: FailureGroup) -> None:
        for failure in exc.exceptions:
            key = f"{label}: {getattr(failure, 'title', type(failure).__name__)}"
            self.failures.setdefault(key, str(exc)[:3000])

    def failed_checks(self, label: str) -> set[str]:
        return {key.split(": ", 1)[1] for key in self.failures if key.startswith(label + ":")}


@contextlib.contextmanager
def connection_kept() -> Iterator[None]:
    """Django closes the database connection when a request finishes; here the
    requests run inside the test's transaction, so keep it (as Django's own
    test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def token_headers(user) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def load_schema(user, app: Callable | None = None) -> schemathesis.BaseSchema:
    """The schema as the app serves it to ``user``, bound to the WSGI app.

    Request bodies are sent as JSON wherever the operation reads JSON: DRF's
    form parsers (documented for every operation) carry every value as a string
    and an empty one as null, so checking a typed schema against them would test
    the encoding rather than the API. Uploads are multipart only, and sent so.
    """
    from werkzeug import Client

    app = app or WSGIHandler()
    with connection_kept():
        response = Client(app).get(SCHEMA_URL, headers=token_headers(user))
    assert response.status_code == 200, response.status_code
    raw = response.json
    for methods in raw["paths"].values():
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for media_type in list(content):
                    if media_type != "application/json":
                        del content[media_type]
    schema = schemathesis.openapi.from_dict(raw, config=schemathesis.Config.from_dict(CONFIG))
    schema.app = app
    return schema


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _strategy(operation, known: list[dict[str, str]]):
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

    def cases(mode, **kwargs):
        return operation.as_strategy(mode, **kwargs)

    generated = st.one_of([cases(mode) for mode in modes])
    if not known or not operation.path_parameters:
        return generated
    with_real_ids = st.sampled_from(known).flatmap(
        lambda params: st.one_of([cases(mode, path_parameters=params) for mode in modes])
    )
    # Mostly the demo's real objects (their answers are what clients read);
    # sometimes made-up ids, whose answer must be the documented 404.
    return st.one_of(with_real_ids, with_real_ids, with_real_ids, generated)


def fuzz_operation(
    operation,
    report: Report,
    *,
    headers: dict[str, str],
    known: list[dict[str, str]] | None = None,
    max_examples: int = EXAMPLES_PER_OPERATION,
) -> None:
    """Send ``max_examples`` generated requests to one operation and record
    every check that fails (all of Schemathesis' response checks)."""
    name = label(operation)
    statuses = report.statuses.setdefault(name, set())

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        # Failures are collected, not raised, so there is nothing to shrink.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=_strategy(operation, known or []))
    def run(case) -> None:
        report.requests += 1
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                statuses.add(response.status_code)
                case.validate_response(response, headers=headers)
            except FailureGroup as exc:
                report.add(name, exc)
            finally:
                transaction.set_rollback(True)

    with connection_kept():
        run()


# Path parameters from the demo -------------------------------------------------

CASE_PART = re.compile(r"^/api/v1/cases/\{(case_pk|id)\}/")


def known_path_parameters(path: str, user, *, per_kind: int = 4) -> list[dict[str, str]]:
    """Real ids for a path's parameters, as ``[{name: value}]``, consistent with
    each other (a plan's id with its own case's id)."""
    from agencies.models import Membership, Team
    from cases import selectors
    from cases.models import (
        Assessment,
        CaseAction,
        CaseDocument,
        CaseProfessional,
        ChildMerge,
        Concern,
        Involvement,
        Plan,
        Section47Enquiry,
    )
    from meetings.models import InvitationRequest, Meeting, MeetingInvitation
    from referrals.models import Referral
    from summaries.models import CaseSummary

    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return []
    if path.startswith(("/api/v1/retention/", "/api/v1/census/")):
        from tests.api_fuzz import records

        return records.known(path, names, per_kind)
    if path.startswith("/api/v1/subject-access/"):
        return subject_access_parameters(names, user, per_kind=per_kind)
    cases = list(selectors.cases_for(user).order_by("reference")[: per_kind * 2])

    def nested(model, parent: str = "case", **filters) -> list[dict[str, str]]:
        parent_name = names[0]
        rows = (
            model.objects.filter(**{f"{parent}__in": cases}, **filters)
            .order_by("pk")
            .values_list(f"{parent}_id", "pk")[:per_kind]
        )
        return [{parent_name: str(p), names[1]: str(pk)} for p, pk in rows]

    if path.startswith("/api/v1/agencies/"):
        slugs = [
            m.agency.slug for m in Membership.objects.filter(user=user).select_related("agency")
        ]
        if names == ["slug"]:
            return [{"slug": slug} for slug in slugs]
        if "membership_id" in names:
            rows = Membership.objects.filter(agency__slug__in=slugs).order_by("pk")
            return [{"slug": m.agency.slug, "membership_id": str(m.pk)} for m in rows[:per_kind]]
        teams = Team.objects.filter(agency__slug__in=slugs).order_by("pk")[:per_kind]
        return [{"slug": t.agency.slug, "id": str(t.pk)} for t in teams]
    if CASE_PART.match(path) or re.fullmatch(r"/api/v1/cases/\{id\}/", path):
        if len(names) == 1:
            return [{names[0]: str(case.pk)} for case in cases]
        part = path.split("/")[5]
        if part == "child":
            rows = ChildMerge.objects.filter(kept__cases__in=cases).order_by("pk")[:per_kind]
            return [
                {"case_pk": str(case.pk), "id": str(m.pk)}
                for m in rows
                for case in cases
                if case.child_id == m.kept_id
            ]
        model = {
            "actions": CaseAction,
            "assessments": Assessment,
            "documents": CaseDocument,
            "involvements": Involvement,
            "plans": Plan,
            "professionals": CaseProfessional,
            "section-47": Section47Enquiry,
            "summaries": CaseSummary,
        }[part]
        return nested(model)
    if path == "/api/v1/children/{id}/":
        return [{"id": str(case.child_id)} for case in cases]
    if path.startswith("/api/v1/concerns/"):
        rows = selectors.concerns_for(user).order_by("pk")[:per_kind]
        return [{"id": str(c.pk)} for c in rows] or [
            {"id": str(c.pk)} for c in Concern.objects.order_by("pk")[:per_kind]
        ]
    if path.startswith("/api/v1/referrals/"):
        return [{"id": str(r.pk)} for r in Referral.objects.order_by("pk")[:per_kind]]
    if path.startswith("/api/v1/meetings/"):
        meetings = list(Meeting.objects.order_by("scheduled_at", "pk")[: per_kind * 2])
        if "invitation_id" in names:
            rows = MeetingInvitation.objects.filter(meeting__in=meetings).order_by("pk")
            return [{"id": str(i.meeting_id), "invitation_id": str(i.pk)} for i in rows[:per_kind]]
        if "request_id" in names:
            rows = InvitationRequest.objects.filter(meeting__in=meetings).order_by("pk")
            return [{"id": str(r.meeting_id), "request_id": str(r.pk)} for r in rows[:per_kind]]
        return [{names[0]: str(m.pk)} for m in meetings]
    return []


def subject_access_requests(user) -> list:
    """The demo holds no subject access request, so two are made (once per
    test, in its transaction) through the services, as ``user``, the
    authority's officer, would: one gathered, redacted and with its bundle
    produced (every later step can succeed on it), and one received today and
    gathered without a redaction (gathering again and extending can). Each
    fuzzed request's savepoint then rolls back whatever it changes."""
    from django.utils import timezone

    from cases.models import Child
    from subject_access import bundle, selectors, services

    agency = selectors.get_ig_agency_for(user)
    made = list(
        selectors.requests_for(user).filter(requester_name=FUZZ_REQUESTER).order_by("created_at")
    )
    if made:
        return made
    child = (
        Child.objects.filter(lead_agency=agency, merged_into__isnull=True, cases__isnull=False)
        .order_by("reference")
        .first()
    )
    opened = child.cases.order_by("opened_at").first().opened_at.date()
    # Received when the case opened (a long time to have sent it in), and
    # today (within the month an extension can be made in).
    for received_on in (opened, timezone.localdate()):
        sar = services.sar_log(
            acting_user=user,
            agency=agency,
            child=child,
            household_member=None,
            requester_name=FUZZ_REQUESTER,
            requester_relationship="subject",
            requester_contact="By post",
            received_on=received_on,
        )
        sar = services.sar_check_identity(
            acting_user=user, sar=sar, method="photo_id", detail="Passport seen"
        )
        services.sar_gather(acting_user=user, sar=sar)
        made.append(sar)
    first = made[0]
    services.redaction_add(
        acting_user=user,
        sar=first,
        item_id=first.items.order_by("position").first().pk,
        whole_item=True,
        category="other",
        reason="dpa_sch2_p3_16",
    )
    produced = services.bundle_request(acting_user=user, sar=first)
    bundle.bundle_render(produced.pk)  # the worker's part, here (no commit, no broker)
    return made


FUZZ_REQUESTER = "Requester made by the schema fuzzer"


def subject_access_parameters(names: list[str], user, *, per_kind: int) -> list[dict[str, str]]:
    from subject_access.models import SubjectAccessRedaction

    if names == ["child_id"]:
        return [{"child_id": str(sar.child_id)} for sar in subject_access_requests(user)[:1]]
    requests = subject_access_requests(user)
    if names == ["request_id"]:
        return [{"request_id": str(sar.pk)} for sar in requests]
    rows: list[tuple] = []
    if names[1] == "item_id":
        rows = [(sar.pk, i) for sar in requests for i in sar.items.order_by("position")[:2]]
    elif names[1] == "redaction_id":
        found = SubjectAccessRedaction.objects.filter(item__request__in=requests).order_by("pk")
        rows = [(r.item.request_id, r.pk) for r in found.select_related("item")[:per_kind]]
    elif names[1] == "bundle_id":
        rows = [(sar.pk, b.pk) for sar in requests for b in sar.bundles.all()]
    return [
        {"request_id": str(request_id), names[1]: str(getattr(obj, "pk", obj))}
        for request_id, obj in rows
    ]
