from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from safeguard.audit.services import audit_record
from safeguard.core.api_tokens import expires_at, token_revoke


class Command(BaseCommand):
    help = "Print the API token for USERNAME, creating it if needed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}.")
        token = Token.objects.filter(user=user).first()
        if token is not None and timezone.now() >= expires_at(token):
            token_revoke(user=user, why="expired; replaced by manage.py issue_token")
            token = None
        created = token is None
        if created:
            token = Token.objects.create(user=user)
        if created:
            audit_record(
                user=None,
                action="create",
                event="api_token_issued",
                detail={"for": username, "by": "manage.py issue_token"},
            )
        self.stdout.write(token.key)
