"""Shared pieces of the cases API: error shapes, OpenAPI responses, ETags."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

from agencies.models import Agency
from cases import selectors
from cases.models import Case, CaseAction, CaseNote, Child
from safeguard.audit.services import audit_record
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer, StrictSlugField

# Object ids in URLs are UUIDs; anything else is a 404 from the URL resolver,
# never a 500 from the database.
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's id (a UUID)."
)
NOT_FOUND = OpenApiResponse(
    description="No such object, or one you may not see: the two are indistinguishable."
)
FORBIDDEN = OpenApiResponse(description="You may see this object but not do this to it.")
INVALID = OpenApiResponse(description="Field errors, keyed by field name.")
CONFLICT = OpenApiResponse(
    description="The case is not in a state where this can be done (for example, "
    "already restricted): nothing was changed."
)


class CaseNestedViewSet(viewsets.GenericViewSet):
    """A part of one case (``cases/{case_pk}/<part>/``): the case is resolved
    through its selector first, so a case the user may not see, or no longer
    sees (an ended involvement), is a 404 before anything else is read."""

    lookup_value_regex = UUID_PATTERN

    def _case(self, case_pk: str) -> Case:
        return selectors.get_case_for(self.request.user, case_pk, audit=False)


def _as_drf_error(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as the API's 400, messages kept by field: the
    one helper every app's API uses (cases, meetings, summaries, referrals)."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})


def _audit_list(request: Request, event: str, references: Iterable[str | None]) -> None:
    audit_record(
        user=request.user,
        action="list",
        event=event,
        detail={"references": [r for r in references if r]},
    )


# Shared shapes ------------------------------------------------------------------


class ForAgencySerializer(serializers.Serializer):
    """Written in the name of one of the user's agencies taking part in the case
    (the page's ``ForAgencyForm``): ``agencies`` are those, ``lead`` whether the
    user sees the case as its lead agency."""

    agency = StrictSlugField(
        required=False,
        help_text="The slug of one of your agencies taking part in the case. "
        "Optional when you write for only one.",
    )

    def __init__(self, *args, agencies: QuerySet[Agency] | None = None, lead: bool = False, **kw):
        super().__init__(*args, **kw)
        self.agencies = agencies
        self.lead = lead

    def validate_agency(self, slug: str) -> Agency:
        agency = self.agencies.filter(slug=slug).first() if self.agencies is not None else None
        if agency is None:
            raise serializers.ValidationError(
                "Choose one of your agencies that takes part in the case"
            )
        return agency

    def validate(self, data: dict) -> dict:
        if "agency" not in data:
            only = list(self.agencies[:2]) if self.agencies is not None else []
            if len(only) != 1:
                raise ValidationError({"agency": ["Choose which agency you are writing for"]})
            data["agency"] = only[0]
        return data


class WrittenForAgencySerializer(ForAgencySerializer):
    """What notes and documents share: in whose name, and who may read it (the
    page's ``WrittenForAgencyForm``)."""

    sensitivity = serializers.ChoiceField(
        choices=CaseNote.Sensitivity.choices,
        help_text="``restricted`` (lead agency only) is for the lead agency's people.",
    )

    def validate_sensitivity(self, value: str) -> str:
        if value == CaseNote.Sensitivity.RESTRICTED and not self.lead:
            raise serializers.ValidationError("Only the lead agency can restrict what it writes")
        return value


class AgencySerializer(StrictModelSerializer):
    class Meta:
        model = Agency
        fields = ["slug", "name", "kind"]


class ReferenceSerializer(serializers.Serializer):
    """An object's id and the reference people read."""

    id = serializers.UUIDField()
    reference = StrictCharField()


class ChildSummarySerializer(StrictModelSerializer):
    class Meta:
        model = Child
        fields = ["id", "reference", "first_name", "last_name", "date_of_birth"]


def _etag(obj: Child | CaseAction) -> str:
    """An object's ETag: its id and version, so If-Match names what was read."""
    return f'"{obj.pk}-v{obj.version}"'


def _version_from(if_match: str) -> int:
    try:
        return int(if_match.strip().strip('"').rsplit("-v", 1)[1])
    except (IndexError, ValueError):
        return -1  # matches no version: answered as stale
