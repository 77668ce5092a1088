from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from safeguard.notifications.models import Notification


def notifications_for(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count_for(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def reminder_email_preference(user: AbstractBaseUser) -> str:
    from safeguard.notifications.models import NotificationPreference

    found = NotificationPreference.objects.filter(user=user).values_list(
        "reminder_email", flat=True
    )
    return next(iter(found), NotificationPreference.ReminderEmail.IMMEDIATE)
