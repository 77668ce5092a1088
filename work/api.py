"""Notifications over the API (SPEC 3.6), as the notifications page has them
(here, beside My work, rather than in safeguard.notifications, which the
core's pieces it would need already depend on):

    GET  /api/v1/notifications/?unread=true       your own, newest first
    POST /api/v1/notifications/{id}/read/         read it, and its group

and the "Your account" page's reads and choices (``/api/v1/account/``).

Only ever the caller's own: another person's notification is a 404, as on
the page. Reading one reads every unread notification of its kind about the
same thing (``notification_mark_read``), which the page shows as one line.
An integration (a MASH's own system, say) can show a worker what the
service has told them without scraping the page.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response

from safeguard.core.api_fields import StrictCharField, StrictModelSerializer
from safeguard.core.api_tokens import expires_at, idle_lapses_at, token_revoke
from safeguard.core.pagination import cursor_pagination
from safeguard.core.people import memberships_for
from safeguard.notifications.models import Notification, NotificationPreference
from safeguard.notifications.selectors import notifications_for, reminder_email_preference
from safeguard.notifications.services import notification_mark_read, reminder_preference_set

NOT_YOURS = OpenApiResponse(description="No such notification, or not yours: indistinguishable.")


class NotificationSerializer(StrictModelSerializer):
    link_path = StrictCharField(
        help_text="Where in the service it is about (a path on this site); empty if nowhere."
    )
    read_at = serializers.DateTimeField(
        allow_null=True, help_text="When you read it; null while unread."
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "reference",
            "link_path",
            "is_urgent",
            "created_at",
            "read_at",
        ]


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, help_text="true: only unread; false: only read; leave out for all."
    )


class NotificationViewSet(viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    pagination_class = cursor_pagination("-created_at", "-id")

    @extend_schema(
        parameters=[NotificationQuerySerializer],
        description="Your notifications, newest first (unread ones, with ?unread=true).",
    )
    def list(self, request: Request) -> Response:
        # A plain dict: from a QueryDict DRF reads ``?unread=`` as not sent.
        query = NotificationQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        mine = notifications_for(request.user)
        unread = query.validated_data.get("unread")
        if unread is not None:
            mine = mine.filter(read_at__isnull=unread)
        page = self.paginate_queryset(mine)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, 404: NOT_YOURS},
        description="Mark it read, with every unread notification of its kind about the same "
        "thing (the page's one line for them); reading one already read changes nothing.",
    )
    def read(self, request: Request, notification_id: str | None = None) -> Response:
        note = get_object_or_404(notifications_for(request.user), pk=notification_id)
        notification_mark_read(user=request.user, notification=note)
        note.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(note).data)


# Your account ---------------------------------------------------------------------


class MembershipRowSerializer(serializers.Serializer):
    agency = StrictCharField(help_text="The agency's slug.")
    agency_name = StrictCharField()
    role = StrictCharField()


class TokenStateSerializer(serializers.Serializer):
    ends = StrictCharField(help_text="The last four characters of the token, to tell it.")
    expires_at = serializers.DateTimeField(help_text="When it stops working, whatever its use.")
    idle_lapses_at = serializers.DateTimeField(help_text="When it stops if left unused until then.")


class AccountSerializer(serializers.Serializer):
    username = StrictCharField()
    memberships = MembershipRowSerializer(many=True, help_text="Your roles, agency by agency.")
    reminder_email = serializers.ChoiceField(
        choices=NotificationPreference.ReminderEmail.choices,
        help_text="Reminder e-mails at once or as one daily digest.",
    )
    token = TokenStateSerializer(
        allow_null=True, help_text="Your API token; null if you have none (signed in on a page)."
    )


class AccountChangeSerializer(serializers.Serializer):
    # A PATCH: what is left out stays as it is.
    reminder_email = serializers.ChoiceField(
        choices=NotificationPreference.ReminderEmail.choices, required=False
    )


def _token_state(token: Token) -> dict:
    return {
        "ends": token.key[-4:],
        "expires_at": expires_at(token),
        "idle_lapses_at": idle_lapses_at(token),
    }


class AccountViewSet(viewsets.ViewSet):
    """The "Your account" page's reads and choices over the API. A new token is
    issued only on the page, signed in with two factors: a token that could
    mint its successor would never expire."""

    def _body(self, request: Request) -> dict:
        token = Token.objects.select_related("use").filter(user=request.user).first()
        return {
            "username": request.user.get_username(),
            "memberships": [
                {"agency": m.agency.slug, "agency_name": m.agency.name, "role": m.role}
                for m in memberships_for(request.user)
            ],
            "reminder_email": reminder_email_preference(request.user),
            "token": _token_state(token) if token else None,
        }

    @extend_schema(
        responses={200: AccountSerializer},
        description="Who you are in which agencies, your reminder e-mail choice, and when "
        "your token stops working.",
    )
    def retrieve(self, request: Request) -> Response:
        return Response(AccountSerializer(self._body(request)).data)

    @extend_schema(
        request=AccountChangeSerializer,
        responses={200: AccountSerializer},
        description="Choose reminder e-mails at once or as a daily digest (from the next "
        "reminder on).",
    )
    def partial_update(self, request: Request) -> Response:
        body = AccountChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        choice = body.validated_data.get("reminder_email")
        if choice is not None:
            reminder_preference_set(user=request.user, reminder_email=choice)
        return Response(AccountSerializer(self._body(request)).data)

    @extend_schema(
        request=None,
        responses={204: None},
        description="Revoke your token, this one: every later request with it is refused "
        "(401). A new one is issued on the Your account page.",
    )
    def revoke_token(self, request: Request) -> Response:
        token_revoke(user=request.user, why="revoked by its holder over the API")
        return Response(status=204)
