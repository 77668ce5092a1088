"""The API's shapes for subject access requests (subject_access.api): what an
officer's client reads, and what it sends, field for field the pages' forms.

Read shapes carry the URLs of the next steps (status, downloads), so a client
follows them rather than building paths.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from safeguard.core.api_dates import BoundedDateField
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer, StrictURLField
from subject_access import bundle as bundles
from subject_access import deadlines
from subject_access.models import (
    SubjectAccessBundle,
    SubjectAccessItem,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)


def _url(name: str, context: dict, **kwargs) -> str:
    return reverse(name, kwargs=kwargs, request=context.get("request"))


# Finding the child ------------------------------------------------------------------


class ChildFoundSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = StrictCharField()
    first_name = StrictCharField()
    last_name = StrictCharField()
    date_of_birth = serializers.DateField(allow_null=True)


class ChildSearchSerializer(serializers.Serializer):
    q = StrictCharField(
        max_length=200,
        help_text="The child's name or reference (at least two letters), e.g. Lily Carter or "
        "CHD-2026-000012.",
    )


class AdultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = StrictCharField()
    relationship = StrictCharField(help_text="As recorded, e.g. mother.")
    relationship_display = StrictCharField(source="get_relationship_display")


class ChildHouseholdSerializer(serializers.Serializer):
    """Who a request about this child can be about: the child, or an adult of
    the household."""

    child = ChildFoundSerializer()
    adults = AdultSerializer(many=True)


class LogRequestSerializer(serializers.Serializer):
    household_member = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The adult of the child's household the request is about (an id from the "
        "child's ``adults``); null or left out when it is about the child.",
    )
    requester_name = StrictCharField(max_length=200)
    requester_relationship = serializers.ChoiceField(
        choices=SubjectAccessRequest.Relationship.choices
    )
    requester_contact = StrictCharField(
        max_length=2000, help_text="Postal address, e-mail or telephone: where the response goes."
    )
    received_on = BoundedDateField(
        name="The date received", help_text="The month to respond runs from the day after."
    )


# The request ------------------------------------------------------------------------


class SubjectAccessRequestSerializer(StrictModelSerializer):
    """One request, as the list shows it."""

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_display = StrictCharField(source="get_status_display", read_only=True)
    subject_name = StrictCharField(read_only=True)
    child_reference = StrictCharField(source="child.reference", read_only=True)
    identity_checked = serializers.BooleanField(read_only=True)
    days_left = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = SubjectAccessRequest
        fields = [
            "id",
            "reference",
            "agency",
            "status",
            "status_display",
            "subject_kind",
            "subject_name",
            "child",
            "child_reference",
            "household_member",
            "requester_name",
            "requester_relationship",
            "received_on",
            "due_on",
            "days_left",
            "identity_checked",
            "sent_on",
            "url",
        ]
        read_only_fields = fields

    def get_days_left(self, sar: SubjectAccessRequest) -> int:
        """Days to the deadline (negative when overdue)."""
        return (sar.due_on - timezone.localdate()).days

    def get_url(self, sar: SubjectAccessRequest) -> str:
        return _url("subject-access-request", self.context, request_id=sar.pk)


class BundleSerializer(StrictModelSerializer):
    """One production of the bundle and where it is (the page's status.json, and more)."""

    status_display = StrictCharField(source="get_status_display", read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    message = serializers.SerializerMethodField()
    requested_by = StrictCharField(source="requested_by.get_username", read_only=True)
    status_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    export_url = serializers.SerializerMethodField()

    class Meta:
        model = SubjectAccessBundle
        fields = [
            "id",
            "status",
            "status_display",
            "finished",
            "progress",
            "message",
            "failure_reason",
            "page_count",
            "redaction_count",
            "pdf_sha256",
            "export_sha256",
            "requested_by",
            "created_at",
            "ready_at",
            "status_url",
            "pdf_url",
            "export_url",
        ]
        read_only_fields = fields

    def get_message(self, bundle: SubjectAccessBundle) -> str:
        return bundles.status_message(bundle)

    def get_status_url(self, bundle: SubjectAccessBundle) -> str:
        return _url(
            "subject-access-bundle",
            self.context,
            request_id=bundle.request_id,
            bundle_id=bundle.pk,
        )

    def _file_url(self, bundle: SubjectAccessBundle, name: str) -> str | None:
        if not bundle.is_ready:
            return None
        return _url(name, self.context, request_id=bundle.request_id, bundle_id=bundle.pk)

    @extend_schema_field(StrictURLField(allow_null=True))
    def get_pdf_url(self, bundle: SubjectAccessBundle) -> str | None:
        """The redacted PDF to send, once ready (each download is audited)."""
        return self._file_url(bundle, "subject-access-bundle-pdf")

    @extend_schema_field(StrictURLField(allow_null=True))
    def get_export_url(self, bundle: SubjectAccessBundle) -> str | None:
        """The unredacted JSON for the authority's file, once ready: never send it."""
        return self._file_url(bundle, "subject-access-bundle-export")


class EventSerializer(serializers.Serializer):
    """One step on the request's trail (the audit log)."""

    at = serializers.DateTimeField()
    event = StrictCharField()
    action = StrictCharField()
    username = StrictCharField()


class SubjectAccessRequestDetailSerializer(SubjectAccessRequestSerializer):
    """The request's page: everything recorded, the bundles and the trail."""

    # Blank until the identity is checked, or the request sent: "" is in their schema.
    identity_method = serializers.ChoiceField(
        choices=SubjectAccessRequest.IdentityMethod.choices, allow_blank=True, read_only=True
    )
    sent_method = serializers.ChoiceField(
        choices=SubjectAccessRequest.SentMethod.choices, allow_blank=True, read_only=True
    )
    logged_by = StrictCharField(source="logged_by.get_username", read_only=True)
    may_extend = serializers.SerializerMethodField()
    item_count = serializers.SerializerMethodField()
    redaction_count = serializers.SerializerMethodField()
    bundles = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(SubjectAccessRequestSerializer.Meta):
        fields = [
            *SubjectAccessRequestSerializer.Meta.fields,
            "requester_contact",
            "extension_months",
            "extension_reason",
            "extended_at",
            "identity_method",
            "identity_detail",
            "identity_evidence_on",
            "identity_checked_at",
            "gathered_at",
            "sent_method",
            "sent_to",
            "sent_bundle",
            "logged_by",
            "created_at",
            "may_extend",
            "item_count",
            "redaction_count",
            "bundles",
            "events",
        ]
        read_only_fields = fields

    def get_may_extend(self, sar: SubjectAccessRequest) -> bool:
        """Whether an extension can still be made (within the first month, not sent)."""
        first_month_ends = deadlines.response_due(
            sar.received_on, identity_evidence_on=sar.identity_evidence_on
        )
        return not sar.is_sent and timezone.localdate() <= first_month_ends

    def get_item_count(self, sar: SubjectAccessRequest) -> int:
        return sar.items.count()

    def get_redaction_count(self, sar: SubjectAccessRequest) -> int:
        """Redactions made so far (the lines of the schedule); once there is one,
        what was gathered is not gathered again."""
        return SubjectAccessRedaction.objects.filter(item__request=sar).count()

    @extend_schema_field(BundleSerializer(many=True))
    def get_bundles(self, sar: SubjectAccessRequest) -> list:
        """The newest ten productions of the bundle, newest first."""
        shown = self.context.get("bundles", [])
        return BundleSerializer(shown, many=True, context=self.context).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, sar: SubjectAccessRequest) -> list:
        """What has been done, oldest first (the request's rows of the audit log)."""
        return EventSerializer(self.context.get("events", []), many=True).data


class IdentitySerializer(serializers.Serializer):
    identity_method = serializers.ChoiceField(choices=SubjectAccessRequest.IdentityMethod.choices)
    detail = StrictCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What was seen; required when the method is ``other``. No document numbers.",
    )
    evidence_on = BoundedDateField(
        required=False,
        allow_null=True,
        default=None,
        name="The date the proof arrived",
        help_text="Only when proof was asked for after the request came in: the month then "
        "runs from the day after it arrived.",
    )


class ExtendSerializer(serializers.Serializer):
    months = serializers.ChoiceField(choices=[(1, "One further month"), (2, "Two further months")])
    reason = StrictCharField(
        max_length=2000, help_text="Why the request is complex: the requester must be told."
    )


class GatheredSerializer(serializers.Serializer):
    items = serializers.IntegerField(help_text="How many items were gathered.")
    items_url = StrictURLField()
    request = SubjectAccessRequestSerializer()


# Items and redactions -----------------------------------------------------------------


class RedactionSerializer(StrictModelSerializer):
    """A redaction: what kind of information and why, never the words."""

    number = serializers.SerializerMethodField()
    item = serializers.UUIDField(source="item_id", read_only=True)
    occurrences = serializers.SerializerMethodField()
    category_display = StrictCharField(source="get_category_display", read_only=True)
    reason_display = StrictCharField(source="get_reason_display", read_only=True)
    created_by = StrictCharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = SubjectAccessRedaction
        fields = [
            "id",
            "number",
            "item",
            "whole_item",
            "occurrences",
            "category",
            "category_display",
            "reason",
            "reason_display",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_number(self, redaction: SubjectAccessRedaction) -> int:
        """Its line on the schedule of redactions (``[redacted, see R<number>]``)."""
        return self.context["numbers"][redaction.pk]

    def get_occurrences(self, redaction: SubjectAccessRedaction) -> int:
        """Passages withheld (0 for a whole item)."""
        return len(redaction.spans)


class ItemPreviewSerializer(StrictModelSerializer):
    """An item as it will be sent (the "Review and redact" page), with its redactions."""

    kind_display = StrictCharField(source="get_kind_display", read_only=True)
    withheld = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    redactions = serializers.SerializerMethodField()

    class Meta:
        model = SubjectAccessItem
        fields = [
            "id",
            "position",
            "kind",
            "kind_display",
            "case_reference",
            "occurred_at",
            "agency_name",
            "withheld",
            "title",
            "text",
            "redactions",
        ]
        read_only_fields = fields

    def _shown(self, item: SubjectAccessItem) -> bundles.RedactedItem:
        marks = self.context["marks"].get(item.pk, [])
        return bundles.redacted_item(item, marks)

    def get_withheld(self, item: SubjectAccessItem) -> bool:
        """Withheld in full: title and text are then empty."""
        return bool(self._shown(item).withheld)

    def get_title(self, item: SubjectAccessItem) -> str:
        return self._shown(item).title

    def get_text(self, item: SubjectAccessItem) -> str:
        """As it will be sent: each redacted passage is ``[redacted, see R<n>]``."""
        return self._shown(item).text

    @extend_schema_field(RedactionSerializer(many=True))
    def get_redactions(self, item: SubjectAccessItem) -> list:
        marks = self.context["marks"].get(item.pk, [])
        return RedactionSerializer([r for _, r in marks], many=True, context=self.context).data


class ItemSerializer(StrictModelSerializer):
    """An item as it was gathered, unredacted (the page for redacting in it)."""

    kind_display = StrictCharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SubjectAccessItem
        fields = [
            "id",
            "position",
            "kind",
            "kind_display",
            "case_reference",
            "source_type",
            "source_id",
            "occurred_at",
            "agency_name",
            "title",
            "text",
        ]
        read_only_fields = fields


class RedactSerializer(serializers.Serializer):
    phrase = StrictCharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="The words to withhold, as they appear: every occurrence, whole words, any "
        "case. Required unless ``whole_item``.",
    )
    every_item = serializers.BooleanField(
        default=False, help_text="Redact the words in every gathered item that holds them."
    )
    whole_item = serializers.BooleanField(default=False, help_text="Withhold the whole item.")
    category = serializers.ChoiceField(choices=SubjectAccessRedaction.Category.choices)
    reason = serializers.ChoiceField(choices=SubjectAccessRedaction.Reason.choices)
    note = StrictCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For the file (in the export), never sent.",
    )


class SentSerializer(serializers.Serializer):
    bundle = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The bundle sent: the newest, which must be ready. Left out, the newest.",
    )
    sent_on = BoundedDateField(name="The date sent")
    sent_method = serializers.ChoiceField(choices=SubjectAccessRequest.SentMethod.choices)
    sent_to = StrictCharField(
        max_length=2000, help_text="Name, and the address or e-mail it went to."
    )
