from django.contrib.auth import views as auth_views
from django.urls import path

from safeguard.core.forms import GovukPasswordChangeForm
from safeguard.core.profile import profile
from safeguard.core.two_factor import two_factor_setup, two_factor_verify
from safeguard.core.views import keep_alive

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("keep-alive/", keep_alive, name="keep_alive"),
    path("profile/", profile, name="profile"),
    path("two-factor/setup/", two_factor_setup, name="two_factor_setup"),
    path("two-factor/", two_factor_verify, name="two_factor_verify"),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=GovukPasswordChangeForm),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
