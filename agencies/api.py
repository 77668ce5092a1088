"""Agency administration over the API, with the pages' selectors and services:

    GET  /api/v1/agencies/{slug}/members/       the agency's memberships
    POST /api/v1/agencies/{slug}/members/       invite someone (a role, an account if new)
    POST /api/v1/agencies/{slug}/members/{id}/role/        change a membership's role
    POST /api/v1/agencies/{slug}/members/{id}/deactivate/  end a membership
    GET  /api/v1/agencies/{slug}/teams/         its teams
    POST /api/v1/agencies/{slug}/teams/         add a team
    GET  /api/v1/agencies/{slug}/teams/{id}/    one team
    PUT  /api/v1/agencies/{slug}/teams/{id}/    change its name, manager and members

For anyone who is not an active administrator of the agency, the agency does
not exist (404), as on the pages. No case data here; every change is audited
by the service.
"""

from __future__ import annotations

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from agencies import selectors, services, teams
from agencies.models import Agency, Membership, Team
from agencies.roles import Role
from safeguard.core.api_fields import (
    ChoiceDisplayField,
    StrictCharField,
    StrictEmailField,
    StrictModelSerializer,
)
from safeguard.core.pagination import cursor_pagination

SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The agency's slug."
)
NOT_ADMIN = OpenApiResponse(
    description="No such agency, or one you do not administer: the two are indistinguishable."
)
INVALID = OpenApiResponse(description="Field errors, keyed by field name.")


class MembershipSerializer(StrictModelSerializer):
    username = StrictCharField(source="user.username", read_only=True)
    first_name = StrictCharField(source="user.first_name", read_only=True)
    last_name = StrictCharField(source="user.last_name", read_only=True)
    role_display = ChoiceDisplayField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "role",
            "role_display",
            "is_active",
            "created_at",
        ]


class MemberInviteSerializer(serializers.Serializer):
    """The page's ``MemberInviteForm``."""

    first_name = StrictCharField(max_length=150)
    last_name = StrictCharField(max_length=150)
    email = StrictEmailField(max_length=254, help_text="Their work e-mail address.")
    username = StrictCharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they will sign in with. An existing account is added only if the "
        "e-mail address matches it; a new one is sent a link to set its password.",
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class TeamSerializer(StrictModelSerializer):
    manager = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The team manager's username; null when the team has none.",
    )
    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "manager", "members", "created_at"]


class TeamWriteSerializer(serializers.Serializer):
    """The page's ``TeamForm``: people are named by username."""

    name = StrictCharField(max_length=100)
    manager = StrictCharField(
        max_length=150,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Username of a manager in this agency; null or omitted for none.",
    )
    members = serializers.ListField(
        child=StrictCharField(max_length=150),
        required=False,
        default=list,
        help_text="Usernames of social workers and managers in this agency.",
    )

    def resolve(self, agency: Agency) -> dict:
        """Usernames as people of the agency; anyone else is refused with the
        same words whether or not the account exists."""
        data = dict(self.validated_data)
        errors: dict[str, list[str]] = {}
        manager = None
        if data.get("manager"):
            manager = (
                teams.team_people(agency, [Role.MANAGER]).filter(username=data["manager"]).first()
            )
            if manager is None:
                errors["manager"] = ["The team manager must be a manager in this agency"]
        wanted = set(data["members"])
        members = list(teams.team_people(agency).filter(username__in=wanted))
        if len(members) != len(wanted):
            errors["members"] = ["Team members must be social workers or managers in this agency"]
        if errors:
            raise exceptions.ValidationError(errors)
        return {"name": data["name"], "manager": manager, "members": members}


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except PermissionDenied as exc:  # no longer their administrator: as on the page
        raise Http404 from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        ) from exc


class AgencyMemberViewSet(viewsets.GenericViewSet):
    serializer_class = MembershipSerializer
    pagination_class = cursor_pagination("created_at", "id")

    @extend_schema(
        parameters=[SLUG],
        responses={200: MembershipSerializer(many=True), 404: NOT_ADMIN},
        description="Everyone with a role in the agency, current and deactivated "
        "(agency administrators).",
    )
    def list(self, request: Request, slug: str = "") -> Response:
        agency = selectors.agency_for_admin(request.user, slug)
        page = self.paginate_queryset(selectors.memberships_of(agency))
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(
        parameters=[SLUG],
        request=MemberInviteSerializer,
        responses={201: MembershipSerializer, 400: INVALID, 404: NOT_ADMIN},
        description="Give a person a role in the agency, creating their account if the "
        "username is new (agency administrators).",
    )
    def create(self, request: Request, slug: str = "") -> Response:
        agency = selectors.agency_for_admin(request.user, slug)
        body = MemberInviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = _service(
            services.member_invite, acting_user=request.user, agency=agency, **body.validated_data
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


MEMBERSHIP_ID = OpenApiParameter(
    "membership_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The membership's id."
)


class AgencyMembershipViewSet(viewsets.GenericViewSet):
    """One membership of an agency administered by the user."""

    serializer_class = MembershipSerializer

    def _membership(self, slug: str, membership_id: int) -> Membership:
        agency = selectors.agency_for_admin(self.request.user, slug)
        membership = selectors.memberships_of(agency).filter(pk=membership_id).first()
        if membership is None:
            raise Http404
        return membership

    @extend_schema(
        parameters=[SLUG, MEMBERSHIP_ID],
        request=MembershipRoleSerializer,
        responses={200: MembershipSerializer, 400: INVALID, 404: NOT_ADMIN},
        description="Move a current membership to another role; the membership now holding "
        "the role is returned (an earlier one with that role is brought back). The last "
        "administrator cannot give the role up.",
    )
    def role(self, request: Request, slug: str = "", membership_id: int = 0) -> Response:
        membership = self._membership(slug, membership_id)
        body = MembershipRoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = _service(
            services.membership_change_role,
            acting_user=request.user,
            membership=membership,
            role=body.validated_data["role"],
        )
        return Response(MembershipSerializer(changed).data)

    @extend_schema(
        parameters=[SLUG, MEMBERSHIP_ID],
        request=None,
        responses={200: MembershipSerializer, 400: INVALID, 404: NOT_ADMIN},
        description="End a membership: the person loses the role and what it gave them (their "
        "API tokens too, with their last role). 400 if it has already ended, or it is the "
        "agency's last administrator.",
    )
    def deactivate(self, request: Request, slug: str = "", membership_id: int = 0) -> Response:
        membership = self._membership(slug, membership_id)
        _service(services.membership_deactivate, acting_user=request.user, membership=membership)
        membership.refresh_from_db()
        return Response(MembershipSerializer(membership).data)


class AgencyTeamViewSet(viewsets.GenericViewSet):
    serializer_class = TeamSerializer
    pagination_class = cursor_pagination("created_at", "id")

    def _team(self, slug: str, pk) -> Team:
        agency = selectors.agency_for_admin(self.request.user, slug)
        team = selectors.teams_of(agency).filter(pk=pk).first()
        if team is None:
            raise Http404
        return team

    @extend_schema(
        parameters=[SLUG],
        responses={200: TeamSerializer(many=True), 404: NOT_ADMIN},
        description="The agency's teams (agency administrators).",
    )
    def list(self, request: Request, slug: str = "") -> Response:
        agency = selectors.agency_for_admin(request.user, slug)
        page = self.paginate_queryset(selectors.teams_of(agency))
        return self.get_paginated_response(TeamSerializer(page, many=True).data)

    @extend_schema(
        parameters=[SLUG],
        request=TeamWriteSerializer,
        responses={201: TeamSerializer, 400: INVALID, 404: NOT_ADMIN},
        description="Add a team: its name, manager and members (agency administrators).",
    )
    def create(self, request: Request, slug: str = "") -> Response:
        agency = selectors.agency_for_admin(request.user, slug)
        body = TeamWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        team = _service(
            teams.team_create, acting_user=request.user, agency=agency, **body.resolve(agency)
        )
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[SLUG],
        responses={200: TeamSerializer, 404: NOT_ADMIN},
        description="One team (agency administrators).",
    )
    def retrieve(self, request: Request, slug: str = "", pk=None) -> Response:
        return Response(TeamSerializer(self._team(slug, pk)).data)

    @extend_schema(
        parameters=[SLUG],
        request=TeamWriteSerializer,
        responses={200: TeamSerializer, 400: INVALID, 404: NOT_ADMIN},
        description="Change a team's name, manager and members: the whole team is sent, "
        "as on the page (agency administrators).",
    )
    def update(self, request: Request, slug: str = "", pk=None) -> Response:
        team = self._team(slug, pk)
        body = TeamWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        team = _service(
            teams.team_update, acting_user=request.user, team=team, **body.resolve(team.agency)
        )
        return Response(TeamSerializer(selectors.teams_of(team.agency).get(pk=team.pk)).data)
