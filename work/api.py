"""Notifications over the API (SPEC 3.6), as the notifications page has them
(here, beside My work, rather than in safeguard.notifications, which the
core's pieces it would need already depend on):

    GET  /api/v1/notifications/?unread=true       your own, newest first
    POST /api/v1/notifications/{id}/read/         read it, and its group

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
from rest_framework.request import Request
from rest_framework.response import Response

from safeguard.core.pagination import cursor_pagination
from safeguard.notifications.models import Notification
from safeguard.notifications.selectors import notifications_for
from safeguard.notifications.services import notification_mark_read

NOT_YOURS = OpenApiResponse(description="No such notification, or not yours: indistinguishable.")


class NotificationSerializer(serializers.ModelSerializer):
    link_path = serializers.CharField(
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
