"""What the retention API reads and sends: the shapes of the pages' records,
holds and certificates, and the pages' forms as request bodies.

Reasons are checked by the services (at least ``services.REASON_MIN``
characters once trimmed), so a short reason is refused as a rule, with the
same message the page shows, not as a shape.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from retention.models import DestructionCertificate, LegalHold, RetentionExtension, RetentionReview
from retention.schedule import rule_label
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer

REASON_HELP = "Why, in at least 10 characters (kept on the record and in the audit trail)."
KINDS = [("child", "A child's whole record"), ("concern", "A concern that stands alone")]
HOLD_KINDS = [("child", "A child"), ("case", "A case"), ("concern", "A concern")]


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


class ReviewSerializer(StrictModelSerializer):
    """A record past its retention date, as the queue shows it."""

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    record_kind = serializers.SerializerMethodField()
    record_id = serializers.SerializerMethodField()
    record_reference = serializers.SerializerMethodField()
    child_name = serializers.SerializerMethodField(
        help_text="The child's name (for a concern, the name it gave; null when none)."
    )
    date_of_birth = serializers.SerializerMethodField()
    rule_label = serializers.SerializerMethodField()

    class Meta:
        model = RetentionReview
        fields = [
            "id",
            "agency",
            "record_kind",
            "record_id",
            "record_reference",
            "child_name",
            "date_of_birth",
            "rule",
            "rule_label",
            "due_on",
            "held",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=KINDS))
    def get_record_kind(self, review: RetentionReview) -> str:
        return "child" if review.child_id else "concern"

    @extend_schema_field(serializers.UUIDField())
    def get_record_id(self, review: RetentionReview) -> str:
        return str(review.child_id or review.concern_id)

    def get_record_reference(self, review: RetentionReview) -> str:
        return (review.child or review.concern).reference or ""

    @extend_schema_field(StrictCharField(allow_null=True))
    def get_child_name(self, review: RetentionReview) -> str | None:
        if review.child_id:
            return review.child.full_name
        return review.concern.child_name or None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_date_of_birth(self, review: RetentionReview) -> str | None:
        born = review.child.date_of_birth if review.child_id else None
        return born.isoformat() if born else None

    def get_rule_label(self, review: RetentionReview) -> str:
        return rule_label(review.rule)


class HoldSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    record_kind = serializers.SerializerMethodField()
    record_id = serializers.SerializerMethodField()
    record_reference = StrictCharField(source="reference", read_only=True)
    placed_by = serializers.SerializerMethodField()
    lifted_by = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "agency",
            "record_kind",
            "record_id",
            "record_reference",
            "reason",
            "placed_by",
            "placed_at",
            "active",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=HOLD_KINDS))
    def get_record_kind(self, hold: LegalHold) -> str:
        return "child" if hold.child_id else "case" if hold.case_id else "concern"

    @extend_schema_field(serializers.UUIDField())
    def get_record_id(self, hold: LegalHold) -> str:
        return str(hold.child_id or hold.case_id or hold.concern_id)

    def get_placed_by(self, hold: LegalHold) -> str:
        return hold.placed_by.get_username()

    @extend_schema_field(StrictCharField(allow_null=True))
    def get_lifted_by(self, hold: LegalHold) -> str | None:
        return _username(hold.lifted_by)


class ReviewDetailSerializer(ReviewSerializer):
    """One record's review: what it holds, and the holds that stop its destruction."""

    holds = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField(help_text="For a child: their cases; else null.")
    concerns = serializers.SerializerMethodField(
        help_text="For a child: the concerns about them; else null."
    )

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "cases", "concerns", "holds"]

    @extend_schema_field(HoldSerializer(many=True))
    def get_holds(self, review: RetentionReview) -> list[dict]:
        return HoldSerializer(self.context.get("holds", []), many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_cases(self, review: RetentionReview) -> int | None:
        return review.child.cases.count() if review.child_id else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_concerns(self, review: RetentionReview) -> int | None:
        return review.child.concerns.count() if review.child_id else None


class ExtensionSerializer(StrictModelSerializer):
    record_kind = serializers.SerializerMethodField()
    record_id = serializers.SerializerMethodField()
    extended_by = serializers.SerializerMethodField()

    class Meta:
        model = RetentionExtension
        fields = [
            "id",
            "record_kind",
            "record_id",
            "retain_until",
            "reason",
            "extended_by",
            "extended_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=KINDS))
    def get_record_kind(self, extension: RetentionExtension) -> str:
        return "child" if extension.child_id else "concern"

    @extend_schema_field(serializers.UUIDField())
    def get_record_id(self, extension: RetentionExtension) -> str:
        return str(extension.child_id or extension.concern_id)

    def get_extended_by(self, extension: RetentionExtension) -> str:
        return extension.extended_by.get_username()


class CertificateSerializer(StrictModelSerializer):
    """What is left of a destroyed record: no personal data, by construction."""

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    record_kind = serializers.ChoiceField(choices=KINDS, read_only=True)
    case_ids = serializers.ListField(child=serializers.UUIDField(), read_only=True)
    rule_label = serializers.SerializerMethodField()
    confirmed_by = serializers.SerializerMethodField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Rows destroyed, by kind of record.",
    )

    class Meta:
        model = DestructionCertificate
        fields = [
            "id",
            "reference",
            "agency",
            "record_kind",
            "record_id",
            "record_reference",
            "case_ids",
            "rule",
            "rule_label",
            "due_on",
            "confirmed_by",
            "destroyed_at",
            "counts",
            "files_deleted",
            "audit_rows_redacted",
        ]

    def get_rule_label(self, certificate: DestructionCertificate) -> str:
        return rule_label(certificate.rule)

    def get_confirmed_by(self, certificate: DestructionCertificate) -> str:
        return certificate.confirmed_by.get_username()


class RuleSerializer(serializers.Serializer):
    """One line of a council's retention schedule."""

    code = StrictCharField()
    label = StrictCharField()
    years = serializers.IntegerField()
    counts_from = StrictCharField()
    source = StrictCharField()


# Request bodies: the pages' forms --------------------------------------------------


class ExtendRequestSerializer(serializers.Serializer):
    retain_until = serializers.DateField(
        help_text="Keep the record until this day: in the future, within 100 years."
    )
    reason = StrictCharField(max_length=2000, help_text=REASON_HELP)


class HoldRequestSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=2000,
        help_text="Why the record is held: the inquiry, claim or complaint, and who asked. "
        + REASON_HELP,
    )


class HoldByReferenceRequestSerializer(HoldRequestSerializer):
    reference = StrictCharField(
        max_length=40,
        help_text="The reference of one of your agency's children, cases or concerns "
        "(CHI-, CAS- or CON-).",
    )


class LiftRequestSerializer(serializers.Serializer):
    lift_reason = StrictCharField(max_length=2000, help_text=REASON_HELP)


class DestroyRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: you confirm the record is past its retention date and must "
        "be destroyed, and understand it cannot be undone."
    )

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("Confirm that the record must be destroyed")
        return value
