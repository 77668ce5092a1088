from django.urls import path

from referrals import views

urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/<slug:action>/", views.referral_act, name="referral_act"),
    path("cases/<uuid:case_id>/refer/", views.referral_create, name="referral_create"),
]
