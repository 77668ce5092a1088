from django.urls import path

from safeguard.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<uuid:notification_id>/open/", views.notification_open, name="notification_open"),
]
