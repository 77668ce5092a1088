"""The sealed, keyed chain: rows wait unlocked, the sealer chains them, and
verify_audit catches what the old unkeyed chain could not."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safeguard import beat
from safeguard.audit import hashing
from safeguard.audit.checks import audit_key_check
from safeguard.audit.models import AuditChainHead, AuditEvent
from safeguard.audit.services import audit_record, audit_seal
from safeguard.audit.verification import verify_chain
from tests.audit.helpers import raw, write, write_and_seal

pytestmark = pytest.mark.django_db

KEY_1 = "1:" + "a" * 40
KEY_2 = "2:" + "b" * 40


def test_writing_a_row_is_one_insert_with_no_lock(django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        row = audit_record(user=None, action="view", event="test_event", detail={"n": 1})
    assert captured.captured_queries[0]["sql"].lstrip().upper().startswith("INSERT")
    assert row.position is None and row.row_hash is None
    assert row.content_hash == hashing.content_hash(row)
    # Readers see it at once: "who has viewed this record" needs no sealer.
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_the_sealer_chains_rows_oldest_first_and_they_verify(_checkpoints_in_tmp):
    rows = write_and_seal(5)
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert rows[0].previous_hash == hashing.GENESIS
    assert all(b.previous_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    head = AuditChainHead.objects.get()
    assert (head.last_position, head.last_hash) == (5, rows[-1].row_hash)
    line = json.loads(next(_checkpoints_in_tmp.glob("*.jsonl")).read_text().splitlines()[-1])
    assert (line["position"], line["row_hash"]) == (5, rows[-1].row_hash)
    report = verify_chain()
    assert report.ok, report.problems
    assert report.rows_checked == 5 and report.checkpoints == 1


def test_sealing_again_changes_nothing():
    rows = write_and_seal(3)
    assert audit_seal().sealed == 0
    again = list(AuditEvent.objects.order_by("position"))
    assert [(r.position, r.row_hash) for r in again] == [(r.position, r.row_hash) for r in rows]


def test_later_rows_continue_the_chain():
    first = write_and_seal(2)
    later = write_and_seal(2)
    assert [r.position for r in later] == [3, 4]
    assert later[0].previous_hash == first[-1].row_hash
    assert verify_chain().ok


def test_rows_deleted_from_the_end_are_caught():
    rows = write_and_seal(5)
    raw("DELETE FROM audit_auditevent WHERE position >= 4")
    report = verify_chain()
    assert not report.ok
    assert "missing from the end" in report.problem
    with pytest.raises(CommandError, match="missing from the end"):
        call_command("verify_audit")
    assert rows  # the rows before them still verify on their own
    assert report.rows_checked == 3


def test_truncation_and_a_reset_head_are_caught():
    write_and_seal(4)
    raw("DELETE FROM audit_auditevent")
    AuditChainHead.objects.filter(id=1).update(
        last_position=0, last_hash=hashing.GENESIS, checkpoint_position=0, checkpoint_at=None
    )
    report = verify_chain()
    assert not report.ok and "missing from the end" in report.problem
    # Writing a fresh chain over it does not hide it: the old checkpoint names
    # a position whose hash the table no longer has.
    write_and_seal(6)
    report = verify_chain()
    assert not report.ok
    assert any("does not match checkpoint" in str(p) for p in report.problems)


def test_a_chain_rewritten_without_the_key_is_caught():
    rows = write_and_seal(4)
    target = rows[1]
    # The attacker edits a row and recomputes every hash they can: the content
    # hashes, and the chain with a key of their own.
    raw("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s", [target.pk])
    edited = AuditEvent.objects.get(pk=target.pk)
    previous = rows[0].row_hash
    for row in AuditEvent.objects.filter(position__gte=2).order_by("position"):
        payload = hashing.payload_hash(row)
        content = hashing.content_hash(row, payload_digest=payload)
        row_hash = hashing.chain_hash(
            b"attacker's guess",
            previous=previous,
            content=content,
            position=row.position,
            row_id=row.id,
        )
        raw(
            "UPDATE audit_auditevent SET payload_hash = %s, content_hash = %s,"
            " previous_hash = %s, row_hash = %s WHERE id = %s",
            [payload, content, previous, row_hash, row.id],
        )
        previous = row_hash
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id == edited.pk
    assert "seal does not verify" in report.problem


def test_a_forged_checkpoint_is_reported(_checkpoints_in_tmp):
    write_and_seal(2)
    path = next(_checkpoints_in_tmp.glob("*.jsonl"))
    forged = {
        "position": 99,
        "row_hash": "f" * 64,
        "at": "2026-01-01T00:00:00+00:00",
        "key_id": "dev",
        "mac": "0" * 64,
    }
    with path.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    report = verify_chain()
    assert not report.ok
    assert "does not verify" in report.problem


def test_sealed_rows_with_no_checkpoint_are_not_anchored(_checkpoints_in_tmp):
    write_and_seal(2)
    for path in _checkpoints_in_tmp.glob("*.jsonl"):
        path.unlink()
    report = verify_chain()
    assert not report.ok and "no checkpoint" in report.problem


def test_verify_against_a_shipped_copy_of_the_checkpoints(_checkpoints_in_tmp, tmp_path):
    write_and_seal(3)
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for path in _checkpoints_in_tmp.glob("*.jsonl"):
        (shipped / path.name).write_text(path.read_text())
        path.unlink()
    call_command("verify_audit", "--checkpoint-dir", str(shipped))


def test_rows_not_sealed_in_time_fail_and_young_ones_do_not(settings):
    write_and_seal(2)
    write(1)
    settings.AUDIT_SEAL_MAX_AGE_SECONDS = 60
    report = verify_chain()
    assert report.ok and report.unsealed == 1
    settings.AUDIT_SEAL_MAX_AGE_SECONDS = 0
    report = verify_chain()
    assert not report.ok and "not sealed within 0 s" in report.problem
    with pytest.raises(CommandError, match="not sealed within"):
        call_command("verify_audit")
    call_command("verify_audit", "--seal-first")


def test_a_redacted_row_still_verifies_and_an_edited_one_does_not():
    rows = write_and_seal(4)
    redacted, edited = rows[1], rows[2]
    # What the redaction path (issue 13) will do: blank the payload, mark the
    # row, keep its hashes. On PostgreSQL the trigger allows exactly this.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_reference = '', reason = '', detail = %s,"
            " redacted_at = %s WHERE id = %s",
            ["{}", redacted.at, redacted.pk],
        )
    assert verify_chain().ok
    raw("UPDATE audit_auditevent SET reason = '' WHERE id = %s", [edited.pk])
    report = verify_chain()
    assert not report.ok and report.first_broken_id == edited.pk


def test_a_redaction_cannot_change_who_or_when():
    rows = write_and_seal(3)
    raw(
        "UPDATE audit_auditevent SET reason = '', detail = %s, redacted_at = at,"
        " username = 'someone_else' WHERE id = %s",
        ["{}", rows[1].pk],
    )
    report = verify_chain()
    assert report.first_broken_id == rows[1].pk


def test_a_redaction_marker_on_a_row_with_its_payload_left_fails():
    rows = write_and_seal(3)
    raw("UPDATE audit_auditevent SET redacted_at = at WHERE id = %s", [rows[0].pk])
    report = verify_chain()
    assert report.first_broken_id == rows[0].pk
    assert "not blank" in report.problem


def test_keys_rotate_without_resealing(settings):
    settings.AUDIT_KEYS = KEY_1
    old = write_and_seal(2)
    settings.AUDIT_KEYS = f"{KEY_2},{KEY_1}"
    new = write_and_seal(2)
    assert {r.key_id for r in old} == {"1"} and {r.key_id for r in new} == {"2"}
    assert verify_chain().ok
    settings.AUDIT_KEYS = KEY_2
    report = verify_chain()
    assert not report.ok and "key '1'" in report.problem


def test_deploy_check_refuses_the_development_key(settings):
    settings.AUDIT_KEYS = ""
    assert [e.id for e in audit_key_check()] == ["audit.E001"]
    settings.AUDIT_KEYS = "1:short"
    assert [e.id for e in audit_key_check()] == ["audit.E002"]
    settings.AUDIT_KEYS = "nonsense"
    assert [e.id for e in audit_key_check()] == ["audit.E003"]
    settings.AUDIT_KEYS = KEY_1
    assert audit_key_check() == []


def test_the_sealer_is_on_the_beat_schedule():
    from safeguard.celery import app

    entry = beat.schedule()["audit-seal"]
    assert entry["task"] == "safeguard.audit.tasks.seal_audit_log"
    assert entry["schedule"] <= 10
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_the_task_seals():
    from safeguard.audit.tasks import seal_audit_log

    write(3)
    assert seal_audit_log.delay().get() == 3
    assert verify_chain().ok


def test_check_deploy_refuses_a_production_without_audit_keys():
    import os
    import subprocess
    import sys

    from django.conf import settings

    from tests.core.test_deploy_check import PRODUCTION_ENV

    env = {**os.environ, **PRODUCTION_ENV}
    for name in ("AUDIT_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE", "TWO_FACTOR_REQUIRED"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "audit.E001" in result.stderr + result.stdout


def test_a_backlog_is_sealed_over_several_runs_when_time_is_short():
    write(5)
    first = audit_seal(batch_size=2, max_seconds=0)
    assert first.sealed == 2 and first.position == 2
    assert audit_seal(batch_size=2).sealed == 3
    assert verify_chain().ok


def test_a_restored_backup_may_end_before_the_newest_checkpoint(settings):
    rows = write_and_seal(5)
    # As if restored from a backup taken at position 3, with a row then waiting.
    raw("DELETE FROM audit_auditevent WHERE position > 3")
    AuditChainHead.objects.filter(id=1).update(last_position=3, last_hash=rows[2].row_hash)
    write(1)
    settings.AUDIT_SEAL_MAX_AGE_SECONDS = 0
    assert not verify_chain().ok
    report = verify_chain(restored=True)
    assert report.ok, report.problems
    assert any("not in it" in note for note in report.notes)
    call_command("verify_audit", "--restored")
    # What the restored chain does reach must still match.
    raw("UPDATE audit_auditevent SET reason = 'x' WHERE position = 2")
    with pytest.raises(CommandError):
        call_command("verify_audit", "--restored")
