"""The audit table's indexes on PostgreSQL: every page read writes a row to it
and the sealer updates that row, so each index it has costs every request two
writes. Those no query asks for stay gone, and the uniqueness the chain relies
on stays."""

import pytest
from django.db import IntegrityError, connection, transaction

from safeguard.audit.services import SEAL_SQL
from tests.audit.helpers import write

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent'"
        )
        return dict(cursor.fetchall())


def test_no_index_nothing_asks_for():
    indexes = _indexes()
    assert not [name for name, definition in indexes.items() if "pattern_ops" in definition]
    # object_id is found behind its type (the subject access trail): no index of its own.
    led_by_object_id = [d for d in indexes.values() if "(object_id" in d.replace('"', "")]
    assert led_by_object_id == []
    assert any("(object_type, object_id)" in d.replace('"', "") for d in indexes.values())


def test_two_rows_cannot_be_sealed_with_the_same_hash():
    first, second = write(2)
    with connection.cursor() as cursor:
        cursor.execute(SEAL_SQL, [10**9, "", "a" * 64, "k", first.at, first.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(SEAL_SQL, [10**9 + 1, "", "a" * 64, "k", second.at, second.pk])
