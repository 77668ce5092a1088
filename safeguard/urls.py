from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

from safeguard.core import health
from work import views as work_views

urlpatterns = [
    path("", work_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("safeguard.core.account_urls")),
    path("notifications/", include("safeguard.notifications.urls")),
    path("", include("cases.urls")),
    path("", include("meetings.urls")),
    path("", include("summaries.urls")),
    path("", include("referrals.urls")),
    path("census/", include("census.urls")),
    path("subject-access/", include("subject_access.urls")),
    path("retention/", include("retention.urls")),
    path("dashboard/", include("oversight.urls")),
    path("agencies/", include("agencies.urls")),
    path("api/v1/", include("safeguard.api_urls")),
    # The schema maps every route and field of case data: for signed-in users only.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path("operator/", admin.site.urls),
]

# Pages and API alike answer a malformed or oversize request in the service's own shape.
handler400 = "safeguard.core.errors.bad_request"
handler404 = "safeguard.core.errors.page_not_found"
handler500 = "safeguard.core.errors.server_error"
