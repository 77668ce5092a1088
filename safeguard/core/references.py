"""Human references such as ``CON-2026-000123``: people read these, URLs use UUIDs."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safeguard.core.models import ReferenceCounter


def next_reference(prefix: str) -> str:
    year = timezone.localdate().year
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
        # The row lock serialises concurrent callers, so no two get the same number.
        counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
        counter.last_value = F("last_value") + 1
        counter.save(update_fields=["last_value"])
        counter.refresh_from_db(fields=["last_value"])
    return f"{prefix}-{year}-{counter.last_value:06d}"
