"""Real objects for the retention and census operations' path parameters.

The demo has nothing past its retention date and no census return yet, so
without these the fuzzer would only ever meet 404s there. Made once per run,
through the services, beside the demo and never out of it: three children of
Northshire born 30 years ago with no record (due under the child in need rule,
25th birthday), one under a legal hold, one destroyed (its certificate), and
two census returns (one built from the demo, one still queued).

Every fuzzed request runs in a savepoint that is rolled back, so a DELETE-like
operation (a destruction, a lift) the fuzzer sends against these leaves them
for the next example; and none of them is a demo record another operation uses.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

LEAD = "northshire-csc"
OFFICER = "auditor@northshire-csc"
MANAGER = "manager@northshire-csc"


def retention_records() -> None:
    from agencies.models import Agency
    from cases.services import child_create
    from retention import services
    from retention.models import DestructionCertificate, RetentionReview

    agency = Agency.objects.get(slug=LEAD)
    if DestructionCertificate.objects.filter(agency=agency).exists():
        return
    User = get_user_model()
    officer = User.objects.get(username=OFFICER)
    worker = User.objects.get(username=f"social_worker@{LEAD}")
    born = timezone.localdate().replace(day=1) - dt.timedelta(days=365 * 30)
    children = [
        child_create(
            acting_user=worker,
            lead_agency=agency,
            first_name=first,
            last_name="Fennimore",
            date_of_birth=born,
        )
        for first in ("Agatha", "Bertram", "Clemency")
    ]
    services.retention_refresh()
    held, destroyed = children[1], children[2]
    services.legal_hold_place(
        acting_user=officer, target=held, reason="A claim against the council names him."
    )
    review = RetentionReview.objects.get(child=destroyed)
    services.retention_destroy(acting_user=officer, review=review)


def census_returns() -> None:
    from agencies.models import Agency
    from census import services
    from census.models import CensusReturn
    from census.years import year_choices

    agency = Agency.objects.get(slug=LEAD)
    if CensusReturn.objects.filter(agency=agency).exists():
        return
    manager = get_user_model().objects.get(username=MANAGER)
    (this_year, _), (last_year, _) = year_choices()[:2]
    built = services.census_request(
        acting_user=manager, agency=agency, year=this_year, la_code=agency.la_code
    )
    services.census_render(built.pk)
    services.census_request(
        acting_user=manager, agency=agency, year=last_year, la_code=agency.la_code
    )


def known(path: str, names: list[str], per_kind: int) -> list[dict[str, str]]:
    """Ids for ``/api/v1/retention/...`` and ``/api/v1/census/...`` paths."""
    from census.models import CensusReturn
    from retention.models import DestructionCertificate, LegalHold, RetentionReview

    if path.startswith("/api/v1/census/"):
        census_returns()
        rows = CensusReturn.objects.filter(agency__slug=LEAD).order_by("pk")
    else:
        retention_records()
        rows = {
            "review_id": RetentionReview.objects.filter(agency__slug=LEAD),
            "hold_id": LegalHold.objects.filter(agency__slug=LEAD, lifted_at__isnull=True),
            "certificate_id": DestructionCertificate.objects.filter(agency__slug=LEAD),
        }[names[0]].order_by("pk")
    return [{names[0]: str(pk)} for pk in rows.values_list("pk", flat=True)[:per_kind]]
