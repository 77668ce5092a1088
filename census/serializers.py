"""What the CIN census API reads and sends: a return, its progress and its
checks, and the page's request form as a body."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from census.models import CensusReturn
from census.years import year_choices
from safeguard.core.api_fields import (
    StrictCharField,
    StrictModelSerializer,
    StrictSlugField,
    StrictURLField,
)


def _findings() -> serializers.ListField:
    """What a check found, as the status page lists it (one object per finding)."""
    return serializers.ListField(child=serializers.DictField(), read_only=True)


def message_for(census_return: CensusReturn) -> str:
    """The sentence the status page shows for the return's state."""
    if census_return.status == CensusReturn.Status.READY:
        if not census_return.schema_valid:
            return (
                "The return was built but is not valid against the CIN census schema, so it "
                "is not offered for download. The problems are listed below."
            )
        return (
            f"The return is ready: {census_return.child_count} children, "
            f"{census_return.error_count} errors and {census_return.query_count} queries "
            "against the DfE's validation rules."
        )
    if census_return.status == CensusReturn.Status.FAILED:
        return f"The return could not be built: {census_return.failure_reason}"
    if census_return.status == CensusReturn.Status.BUILDING:
        return f"Being built: {census_return.progress_message} ({census_return.progress}%)."
    return "Waiting to be built. This page will update when it is ready."


class CensusStatusSerializer(StrictModelSerializer):
    """What a client polls while a return is built: progress only, no case data
    (the page's status.json)."""

    label = StrictCharField(source="get_status_display", read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    message = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the XML; null until it is built and valid against the schema."
    )

    class Meta:
        model = CensusReturn
        fields = [
            "id",
            "status",
            "label",
            "finished",
            "progress",
            "message",
            "status_url",
            "download_url",
        ]

    def _url(self, name: str, census_return: CensusReturn) -> str:
        return reverse(
            name, kwargs={"return_id": census_return.pk}, request=self.context.get("request")
        )

    def get_message(self, census_return: CensusReturn) -> str:
        return message_for(census_return)

    @extend_schema_field(StrictURLField())
    def get_status_url(self, census_return: CensusReturn) -> str:
        return self._url("census-return-status", census_return)

    @extend_schema_field(StrictURLField(allow_null=True))
    def get_download_url(self, census_return: CensusReturn) -> str | None:
        if not census_return.is_downloadable:
            return None
        return self._url("census-return-download", census_return)


class CensusReturnSerializer(CensusStatusSerializer):
    """A return: what was asked for, by whom, and what its checks found."""

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    year = StrictCharField(source="year_label", read_only=True)
    requested_by = serializers.SerializerMethodField()
    error_count = serializers.IntegerField(read_only=True)
    query_count = serializers.IntegerField(read_only=True)
    schema_errors = _findings()
    breaches = _findings()
    return_level_breaches = _findings()
    gaps = _findings()
    needed = _findings()
    rules_failed_to_run = serializers.ListField(child=StrictCharField(), read_only=True)

    class Meta(CensusStatusSerializer.Meta):
        fields = [
            *CensusStatusSerializer.Meta.fields,
            "agency",
            "year",
            "la_code",
            "requested_by",
            "created_at",
            "finished_at",
            "failure_reason",
            "child_count",
            "sha256",
            "schema_valid",
            "schema_errors",
            "error_count",
            "query_count",
            "rules_checked",
            "rules_failed_to_run",
            "breaches",
            "return_level_breaches",
            "gaps",
            "needed",
        ]

    def get_requested_by(self, census_return: CensusReturn) -> str:
        return census_return.requested_by.get_username()


class CensusRequestSerializer(serializers.Serializer):
    """The page's form: which year, which DfE code, for which of your agencies."""

    year = serializers.ChoiceField(
        choices=(), help_text="The census year, as 2026-27: this one or one of the three before."
    )
    la_code = StrictCharField(
        max_length=3,
        help_text="The DfE's three-digit local authority code, for example 201.",
    )
    agency = StrictSlugField(
        required=False,
        help_text="The slug of one of your lead agencies (the first by name when left out).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The years move on every 1 April: read them now, not at import.
        self.fields["year"].choices = [label for label, _ in year_choices()]
